/**
 * The page's `SessionHandle` for a session hosted in a Web Worker: a thin proxy. Calls are
 * posted to the worker; what the worker relays (`output` messages) is held here until the
 * session engine takes it, exactly as it would take it from an in-page session, so the same
 * `SessionEngine` drives both. Driving calls answer with the status of what is already here.
 */
import {
  SESSION_METHOD_GATES,
  SESSION_METHOD_KINDS,
  STATUS_CALLS,
  STATUS_COMPLETED,
  STATUS_EVENTS,
  type SessionHandle,
} from "../session/handle.js";
import type { CallMethod, Completed, OutputMessage, RequestMessage, WorkerMessage } from "./protocol.js";

type Reply = { resolve(value: unknown): void; reject(error: Error): void };

/** The methods forwarded to the worker by name (defined in the constructor; each answers with a promise). */
type Forwarded = Pick<Required<SessionHandle>, CallMethod>;

// The class defines these methods in its constructor, from the generated list.
export interface WorkerSessionHandle
  extends Pick<Forwarded, Exclude<CallMethod, keyof typeof SESSION_METHOD_GATES>>,
    Partial<Pick<Forwarded, Extract<CallMethod, keyof typeof SESSION_METHOD_GATES>>> {}

export class WorkerSessionHandle implements SessionHandle {
  private notify: () => void = () => {};
  private events: string[] = [];
  private completed: Completed[] = [];
  private calls: Array<{ records: string; buffers: Uint8Array[] }> = [];
  /** The buffers of the batch `takeCalls` gave last. */
  private callBuffers: Uint8Array[] = [];
  private readonly traces = new Map<number, string | null | undefined>();
  private readonly replies = new Map<number, Reply>();
  private nextCall = 1;
  private stoppedBy: Error | undefined;

  /**
   * @param editor the worker runs the editor module (history): the methods gated on it are
   *   there too.
   */
  constructor(
    private readonly post: (message: RequestMessage) => void,
    editor: boolean,
  ) {
    // Every session method with a result is forwarded by name, as the Rust declaration lists
    // them; those of features the worker's module lacks stay absent, as in that module.
    for (const [method, kind] of Object.entries(SESSION_METHOD_KINDS)) {
      if (kind !== "call" && kind !== "promise") continue;
      const gate = (SESSION_METHOD_GATES as Record<string, string>)[method];
      if (gate === "native" || (gate !== undefined && !editor)) continue;
      Object.defineProperty(this, method, { value: (...args: string[]) => this.call(method as CallMethod, ...args), enumerable: false });
    }
  }

  /** Takes a message from the worker (other than `ready` / `failed`). */
  receive(message: WorkerMessage): void {
    if (message.kind === "output") this.hold(message);
    else if (message.kind === "reply") {
      const reply = this.replies.get(message.id);
      this.replies.delete(message.id);
      if (message.ok) reply?.resolve(message.value);
      else reply?.reject(new Error(message.message));
    }
  }

  /** The worker is gone: calls in flight reject, later ones throw. */
  stop(error: Error): void {
    this.stoppedBy ??= error;
    for (const reply of this.replies.values()) reply.reject(error);
    this.replies.clear();
  }

  private hold(output: OutputMessage): void {
    if (output.events !== undefined) this.events.push(output.events);
    if (output.completed) this.completed.push(...output.completed);
    for (const [id, text] of output.traces ?? []) this.traces.set(id, text);
    if (output.calls) this.calls.push(output.calls);
    this.notify();
  }

  private status(): number {
    return (
      (this.events.length > 0 ? STATUS_EVENTS : 0) |
      (this.completed.length > 0 ? STATUS_COMPLETED : 0) |
      (this.calls.length > 0 ? STATUS_CALLS : 0)
    );
  }

  private send(message: RequestMessage): void {
    if (this.stoppedBy) throw this.stoppedBy;
    this.post(message);
  }

  private call<T>(method: CallMethod, ...args: string[]): Promise<T> {
    if (this.stoppedBy) return Promise.reject(this.stoppedBy);
    const id = this.nextCall++;
    return new Promise<T>((resolve, reject) => {
      this.replies.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.post({ op: "call", id, method, args });
    });
  }

  setNotifier(notify: () => void): void {
    this.notify = notify;
  }

  run(runId: number, flowJson: string, optionsJson: string, buffers: Uint8Array[]): number {
    this.send({ op: "run", runId, flowJson, optionsJson, buffers });
    return this.status();
  }

  drive(): number {
    return this.status();
  }

  resolveCalls(answersJson: string, buffers: Uint8Array[]): number {
    this.send({ op: "resolveCalls", answersJson, buffers });
    return this.status();
  }

  takeCompleted(): Completed[] {
    return this.completed.splice(0);
  }

  takeTrace(id: number): string | null | undefined {
    const text = this.traces.get(id);
    this.traces.delete(id);
    return text;
  }

  dropTrace(id: number): void {
    this.traces.delete(id);
  }

  takeEvents(): string {
    const texts = this.events.splice(0).filter((text) => text !== "[]");
    return texts.length <= 1 ? (texts[0] ?? "[]") : `[${texts.map((text) => text.slice(1, -1)).join(",")}]`;
  }

  /** One batch (its buffers, from `takeCallBuffers`, are indexed by its own records); the next one is driven after it. */
  takeCalls(): string {
    const batch = this.calls.shift() ?? { records: "[]", buffers: [] };
    this.callBuffers = batch.buffers;
    if (this.calls.length > 0) this.notify();
    return batch.records;
  }

  takeCallBuffers(): Uint8Array[] {
    const buffers = this.callBuffers;
    this.callBuffers = [];
    return buffers;
  }
}
