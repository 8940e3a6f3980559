/**
 * The worker's side of a session: it holds the wasm module's session and relays. Every call
 * from the page goes to the session as it is; whatever a driving call leaves waiting (events,
 * finished runs, executor calls and aborts) is taken at once and posted to the page, which
 * answers executor calls with `resolveCalls`. No value is decoded here.
 */
import type { SessionHandle } from "../session/handle.js";
import { STATUS_CALLS, STATUS_COMPLETED, STATUS_EVENTS } from "../session/handle.js";
import type { OutputMessage, RequestMessage, WorkerMessage } from "./protocol.js";

export class SessionHost {
  private trapped = false;

  constructor(
    private readonly session: SessionHandle,
    private readonly post: (message: WorkerMessage) => void,
  ) {
    session.setNotifier(() => queueMicrotask(() => this.driving(() => this.session.drive())));
  }

  /** Serves one message from the page. */
  handle(message: RequestMessage): void {
    if (this.trapped) return;
    switch (message.op) {
      case "run":
        this.driving(() => this.session.run(message.runId, message.flowJson, message.optionsJson, message.buffers));
        return;
      case "resolveCalls":
        this.driving(() => this.session.resolveCalls(message.answersJson, message.buffers));
        return;
      case "call":
        void this.answer(message.id, () => (this.session[message.method] as (...args: string[]) => unknown)(...message.args));
        return;
    }
  }

  /** Posts what `status` says is waiting. */
  private relay(status: number): void {
    if (status === 0) return;
    const out: OutputMessage = { kind: "output" };
    if (status & STATUS_EVENTS) out.events = this.session.takeEvents();
    if (status & STATUS_COMPLETED) {
      out.completed = this.session.takeCompleted();
      const traced = out.completed.filter((run) => typeof run.trace === "number");
      if (traced.length > 0) out.traces = traced.map(({ trace }) => [trace as number, this.session.takeTrace(trace as number)]);
    }
    if (status & STATUS_CALLS) out.calls = { records: this.session.takeCalls(), buffers: this.session.takeCallBuffers() };
    this.post(out);
  }

  private async answer(id: number, call: () => unknown): Promise<void> {
    try {
      const value = await this.guarded(call);
      this.post({ kind: "reply", id, ok: true, value });
    } catch (error) {
      this.post({ kind: "reply", id, ok: false, message: error instanceof Error ? error.message : String(error) });
    }
  }

  /** A driving call, then what it left waiting relayed; a trap is reported, not thrown. */
  private driving(call: () => number): void {
    if (this.trapped) return;
    try {
      this.guarded(() => this.relay(call()));
    } catch (error) {
      if (!this.trapped) console.error("[@atomiton/conductor] driving the engine in its worker failed:", error);
    }
  }

  /** `body()`, watching for a trap: the page then stops the session and replaces this worker. */
  private guarded<T>(body: () => T): T {
    try {
      return body();
    } catch (error) {
      if (error instanceof WebAssembly.RuntimeError && !this.trapped) {
        this.trapped = true;
        this.post({ kind: "trap", message: error.message });
      }
      throw error;
    }
  }
}
