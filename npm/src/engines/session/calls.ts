/**
 * The executor-call pump: the engine's requests to JS (a JS executor to call, values JS keeps to
 * write out, a call to abort), carried out and answered. Synchronous answers go back with the
 * batch they answer; later ones are sent together once per microtask.
 */
import type { NodeExecutorFactory } from "../../types/execution.js";
import type { FlowTextQuestion, FlowTexts } from "../../conductor/engine.js";
import { CallSignal, callExecutor, outcomeJson, type ExecutorOutcome } from "../../conductor/executors.js";
import type { SessionHandle } from "./handle.js";
import { decodeValue, ValueEncodeError } from "../../values/codec.js";
import { writeSliced } from "../../values/sliced.js";
import { handOver, type KeptValues } from "./kept-values.js";
import { openSpans } from "../../telemetry/node-spans.js";
import { answerSpanRequest } from "../../telemetry/run.js";

type CallRecord =
  | { kind: "call"; id: number; run: string; type: string; params: Record<string, unknown> }
  | { kind: "materialize"; id: number; run: string; values: unknown[] }
  | { kind: "abort"; id: number }
  | ({ kind: "storage"; id: number } & FlowTextQuestion)
  | { kind: "span"; id: number; run: string; node: number; nodeId: string; type: string; attempt: number; spans?: string };

/** Answers for the engine: `[id,outcome]` JSON texts and the binary data they refer to. */
export type Answers = { texts: string[]; buffers: Uint8Array[] };

/** What the codec writes where a value refers to binary data beside the text (`{"$…": …, "i": n}`). */
const BUFFER_REFERENCE = '"i":';

export class ExecutorCalls {
  /** The JS executors to call for the types a run declared custom. */
  factory: NodeExecutorFactory | undefined;
  /** The app's own flow storage, when the engine keeps its flows there (see `keepFlowsIn`). */
  flowTexts: FlowTexts | undefined;
  /** Executor calls in flight, by call id. */
  private readonly calls = new Map<number, CallSignal>();
  /** Answers of asynchronous executors, sent to the engine together once per microtask. */
  private answers: Answers = { texts: [], buffers: [] };
  /** The session stopped (`clear`): nothing is sent to it any more. */
  private stopped = false;

  /** @param settle takes the status the engine answers a later batch with. */
  constructor(
    private readonly handle: SessionHandle,
    private readonly kept: KeptValues,
    private readonly settle: (status: number) => void,
  ) {}

  /**
   * Forgets the calls in flight (the session stopped): their answers go nowhere, nor do the
   * storage answers and written values still on their way (the session may be freed by then).
   */
  clear(): void {
    this.calls.clear();
    this.stopped = true;
    this.answers = { texts: [], buffers: [] };
  }

  /** Sends `answers` to the engine; returns the status of what is waiting then. */
  send(answers: Answers): number {
    return this.handle.resolveCalls(`[${answers.texts.join(",")}]`, answers.buffers);
  }

  /**
   * Starts every queued executor call, writes out every value the engine asks for and applies
   * every queued abort. Returns the answers ready now; executors that answer later go through
   * `answerLater`.
   */
  pump(): Answers {
    const answered: Answers = { texts: [], buffers: [] };
    const text = this.handle.takeCalls();
    // Binary data comes only when a tag refers to it: most batches have none, and fetching an
    // empty list with each one cost a crossing and an object per executor call.
    const buffers = text.includes(BUFFER_REFERENCE) ? this.handle.takeCallBuffers() : [];
    let records: CallRecord[];
    try {
      records = decodeValue(text, { buffers, resolve: this.kept.resolve }) as CallRecord[];
    } catch (error) {
      console.error("[@atomiton/conductor] a request from the engine could not be read:", error);
      return answered;
    }
    for (const record of records) {
      if (record.kind === "abort") {
        this.calls.get(record.id)?.abort(new DOMException("The node's run was cancelled or timed out", "AbortError"));
        this.calls.delete(record.id);
        continue;
      }
      if (record.kind === "span") {
        // An `http-request` node of a traced run asks for its span's trace context.
        const carrier = answerSpanRequest(record.run, record.node, record.nodeId, record.type, openSpans(record.spans));
        answered.texts.push(`[${record.id},${JSON.stringify({ ok: true, value: carrier })}]`);
        continue;
      }
      if (record.kind === "storage") {
        this.answerStorage(record);
        continue;
      }
      if (record.kind === "materialize") {
        const written = this.writtenOut(record.values, answered.buffers);
        if (typeof written === "string") answered.texts.push(`[${record.id},${written}]`);
        else void written.then((text) => this.answerWhenReady(record.id, text));
        continue;
      }
      const call = new CallSignal();
      this.calls.set(record.id, call);
      const outcome = callExecutor(this.factory, record.type, call.attachTo(record.params));
      if (outcome instanceof Promise) {
        const run = record.run;
        void outcome.then((settled) => this.answerLater(record.id, run, settled));
      } else {
        this.calls.delete(record.id);
        answered.texts.push(`[${record.id},${this.outcomeText(record.run, outcome)}]`);
      }
    }
    return answered;
  }

  /** An executor's outcome for the engine: its value handed over (kept here unless small). */
  private outcomeText(run: string, outcome: ExecutorOutcome): string {
    if (!outcome.ok || !("value" in outcome)) return outcomeJson(outcome);
    return outcomeJson({ ok: true, value: handOver(this.kept, run, outcome.value) });
  }

  /**
   * Values the engine asked for, written out in full (or why they cannot be): at once, or in
   * pieces when they hold large arrays (then answered with a later batch).
   */
  private writtenOut(values: unknown[], buffers: Uint8Array[]): string | Promise<string> {
    const answer = (text: string) => `{"ok":true,"value":${text}}`;
    const refusal = (error: unknown) => {
      const message = error instanceof ValueEncodeError ? `A value a built-in node reads holds ${error.message}` : String(error);
      return JSON.stringify({ ok: false, error: { message, code: "SERIALIZATION_FAILED" } });
    };
    try {
      const written = writeSliced(values, { buffers });
      return typeof written === "string" ? answer(written) : written.then(answer, refusal);
    } catch (error) {
      return refusal(error);
    }
  }

  /** The app's storage's answer to the engine's storage question, or why there is none. */
  private answerStorage(question: FlowTextQuestion & { id: number }): void {
    const { id, op, key, text } = question;
    const asked = this.flowTexts
      ? Promise.resolve().then(() => this.flowTexts?.({ op, key, text }))
      : Promise.reject(new Error("no flow storage was given for this conductor's flows"));
    void asked.then(
      (value) => this.answerWhenReady(id, JSON.stringify({ ok: true, value: value ?? null })),
      (error: unknown) => {
        const message = `the app's flow storage failed: ${error instanceof Error ? error.message : String(error)}`;
        this.answerWhenReady(id, JSON.stringify({ ok: false, error: { message } }));
      },
    );
  }

  /** An answer written after its batch went: goes with the next one. */
  private answerWhenReady(id: number, text: string): void {
    if (this.stopped) return;
    this.answers.texts.push(`[${id},${text}]`);
    if (this.answers.texts.length === 1) queueMicrotask(() => this.flushAnswers());
  }

  private flushAnswers(): void {
    if (this.stopped) return;
    const batch = this.answers;
    this.answers = { texts: [], buffers: [] };
    this.settle(this.send(batch));
  }

  private answerLater(id: number, run: string, outcome: ExecutorOutcome): void {
    if (!this.calls.delete(id)) return; // aborted meanwhile: the engine no longer waits
    this.answerWhenReady(id, this.outcomeText(run, outcome));
  }
}
