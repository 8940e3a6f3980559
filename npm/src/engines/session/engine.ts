/**
 * `EngineAdapter` over a Rust session (the napi addon's or the wasm module's): glue only. It
 * moves codec text, collects what the session's status bits say is waiting, runs JS executors,
 * keeps the values JS nodes pass each other (the engine holds handles to them) and keeps
 * finished runs' promises.
 */
import type { NodeDefinition } from "../../types/definition.js";
import type { NodeExecutorFactory } from "../../types/execution.js";
import type { FlowTemplateInfo, ListFlowsOptions, ValidationResult } from "../../types/storage.js";
import { ErrorCode } from "../../types/errors.js";
import {
  failedResult,
  type EngineAdapter,
  type ExecutionsCall,
  type Outcome,
  type RunCommand,
  type WireError,
  type WireEvent,
  type WireResult,
  type WireRunOptions,
} from "../../conductor/engine.js";
import { historyUnavailable } from "../../conductor/executions.js";

/** Why a module built without debugging refuses pins, `runTo` and breakpoints. */
const NO_DEBUGGING =
  "Debugging (pinned, runTo, breakpoints) is not in the browser's default module: create the conductor with { debugging: true }";
import { CallSignal, callExecutor, outcomeJson, type ExecutorOutcome } from "../../conductor/executors.js";
import { STATUS_CALLS, STATUS_COMPLETED, STATUS_EVENTS, type CatalogFunctions, type SessionHandle } from "./handle.js";
import { decodeValue, encodeValue, revive, ValueEncodeError } from "../../values/codec.js";
import { nextTurn, readSliced, writeSliced } from "../../values/sliced.js";
import { handOver, handOverInput, KeptValues } from "./kept-values.js";
import { MESSAGES } from "../../types/wire.generated.js";

/**
 * Gives `result` a `trace` property fetched from the engine when first read (then a plain data
 * property): writing and parsing a trace costs more than running a small flow, and most callers
 * never look at it. The engine keeps the trace until it is read, or until the result is
 * garbage-collected unread (`forget`). Enumerable, so `JSON.stringify` and structured clone
 * still carry it.
 */
function defineLazyTrace(result: WireResult, fetch: () => unknown, forget: FinalizationRegistry<number> | undefined, id: number): void {
  const settle = (value: unknown) =>
    Object.defineProperty(result, "trace", { value, writable: true, enumerable: true, configurable: true });
  // Never unregistered: once the trace is read the engine has handed it over, and dropping it
  // again is a no-op (ids are not reused). An unregister token cost each run ~0.6 µs.
  forget?.register(result, id);
  Object.defineProperty(result, "trace", {
    get() {
      const value = fetch();
      settle(value);
      return value;
    },
    set(value: unknown) {
      settle(value);
    },
    enumerable: true,
    configurable: true,
  });
}

/**
 * Where a flow holds values (its nodes' parameters), as opposed to its own structure (`nodes`,
 * `edges`...), which the engine reads as typed fields that take no tags.
 */
const inParameters = (path: ReadonlyArray<string | number>): boolean => path.includes("parameters");

/** What the codec writes where a value refers to binary data beside the text (`{"$…": …, "i": n}`). */
const BUFFER_REFERENCE = '"i":';

/** Results resolved in a row before one waits for a turn of the event loop (see `finish`). */
const YIELD_EVERY = 1000;

/**
 * `handle` with every method call watched for a wasm trap (`WebAssembly.RuntimeError`), and
 * refused once the session has stopped.
 */
function trapGuarded(handle: SessionHandle, stopped: () => boolean, onTrap: (error: unknown) => void): SessionHandle {
  return new Proxy(handle, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (stopped()) throw new Error("The engine stopped on an internal error; a fresh engine takes the next call");
        try {
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        } catch (error) {
          if (typeof WebAssembly !== "undefined" && error instanceof WebAssembly.RuntimeError) onTrap(error);
          throw error;
        }
      };
    },
  });
}

type CallRecord =
  | { kind: "call"; id: number; run: string; type: string; params: Record<string, unknown> }
  | { kind: "materialize"; id: number; run: string; values: unknown[] }
  | { kind: "abort"; id: number };

/** Answers for the engine: `[id,outcome]` JSON texts and the binary data they refer to. */
type Answers = { texts: string[]; buffers: Uint8Array[] };

/** A flow as codec text, or the coded failure saying why it cannot be written. */
function writable(flow: unknown): string | { ok: false; error: WireError } {
  try {
    return encodeValue(flow, { omitUndefined: true });
  } catch (error) {
    const message = error instanceof ValueEncodeError ? `The flow's ${error.message}` : `The flow is not serialisable: ${String(error)}`;
    return { ok: false, error: { code: "SERIALIZATION_FAILED", message } as WireError };
  }
}

/** A run refused before the engine started it. */
function refused(code: string, message: string, executionId?: string): WireResult {
  return failedResult({ code: code as WireError["code"], message, executionId });
}

/** The result of a run whose result text could not be read. */
function unreadable(error: unknown): WireResult {
  return failedResult({ code: ErrorCode.SERIALIZATION_FAILED, message: `The run's result could not be read: ${String(error)}` });
}

/** A failed result for a run the engine never saw (its flow or options could not be written). */
function unwritable(error: unknown): WireResult {
  const message = error instanceof ValueEncodeError ? `The run's ${error.message}` : `The flow is not serialisable: ${String(error)}`;
  return failedResult({ code: ErrorCode.SERIALIZATION_FAILED, message });
}

export class SessionEngine implements EngineAdapter {
  private factory: NodeExecutorFactory | undefined;
  private listener: (events: WireEvent[]) => void = () => {};
  /** Executor calls in flight, by call id. */
  private readonly calls = new Map<number, CallSignal>();
  /** Answers of asynchronous executors, sent to the engine together once per microtask. */
  private answers: Answers = { texts: [], buffers: [] };
  /** Runs whose flow is being written in pieces, and those of them cancelled meanwhile (never started). */
  private writing = new Set<string>();
  private cancelOnStart = new Set<string>();
  /** Runs started and not finished, by the run id JS gave them. */
  private readonly pending = new Map<number, (result: WireResult) => void>();
  /** The execution id of each pending run. */
  private readonly executionIds = new Map<number, string>();
  /** Values JS nodes hand each other, kept here while the engine holds handles to them. */
  readonly kept = new KeptValues();
  /** Drops the engine's copy of a trace whose result was collected unread. */
  private readonly unreadTraces =
    typeof FinalizationRegistry === "function"
      ? new FinalizationRegistry<number>((id) => {
          if (this.stoppedBy === undefined) this.handle.dropTrace(id);
        })
      : undefined;
  private nextRunId = 1;
  /** Results resolved since one last waited for a task (see `finish`). */
  private finishedSinceYield = 0;
  /** Holds Node's event loop open while runs are pending (a native session's notifier is weak). */
  private keepAlive: ReturnType<typeof setInterval> | undefined;
  /** Whether `keepAlive` holds the event loop now. */
  private holding = false;

  private readonly holdEventLoop: boolean;
  /** Whether the engine reads arrays of records sent as tables (builds with `bulk-data`). */
  private readonly tables: boolean;
  /** Set once the module instance under this session trapped: nothing more reaches it. */
  private stoppedBy: Error | undefined;
  /** Rejects when the session stops, so storage calls in flight on a dead instance do not hang. */
  private readonly stopped: Promise<never>;
  private rejectStopped: (error: Error) => void = () => {};

  /**
   * @param options.holdEventLoop keep Node's event loop alive while runs are pending: needed
   *   when the session's wake-ups come from threads Node does not know about (the native addon).
   * @param options.deferNotify the session pokes from inside its own calls (wasm: one thread),
   *   so drive on a microtask rather than re-entering it.
   */
  private readonly handle: SessionHandle;

  constructor(
    readonly kind: "native" | "wasm",
    handle: SessionHandle,
    private readonly catalog: CatalogFunctions,
    options: {
      holdEventLoop: boolean;
      deferNotify: boolean;
      /**
       * A wasm module traps on a Rust panic and is unusable afterwards: every pending run then
       * ends with `INTERNAL_ERROR`, the call that trapped throws, and `onTrap` lets the owner
       * start a fresh instance (and stop the other sessions on the same instance).
       */
      onTrap?: (error: unknown) => void;
    },
  ) {
    const onTrap = options.onTrap;
    this.handle = onTrap
      ? trapGuarded(
          handle,
          () => this.stoppedBy !== undefined,
          (error) => {
            this.stop(error);
            onTrap(error);
          },
        )
      : handle;
    this.stopped = new Promise<never>((_, reject) => (this.rejectStopped = reject));
    this.stopped.catch(() => {});
    this.holdEventLoop = options.holdEventLoop;
    // A session that cannot be read synchronously (in a Web Worker) has no run state to give.
    if (typeof handle.runState !== "function") Object.defineProperty(this, "runState", { value: undefined });
    this.tables = catalog.readsTables?.() === true;
    const drive = () => {
      // A late wake-up (a timer, a host call answered after shutdown) finds nothing to drive.
      if (this.stoppedBy !== undefined) return;
      try {
        this.settle(this.handle.drive());
      } catch (error) {
        // A trap has already ended the pending runs; anything else is a bug worth seeing, but
        // must not become an uncaught exception in the embedder's event loop.
        if (!(typeof WebAssembly !== "undefined" && error instanceof WebAssembly.RuntimeError))
          console.error("[@atomiton/conductor] driving the engine failed:", error);
      }
    };
    this.handle.setNotifier(options.deferNotify ? () => queueMicrotask(drive) : drive);
  }

  setExecutorFactory(factory: NodeExecutorFactory | undefined): void {
    this.factory = factory;
  }

  setEventListener(listener: (events: WireEvent[]) => void): void {
    this.listener = listener;
  }

  /**
   * Collects what a driving call's status says is waiting, and keeps going while answering
   * executor calls makes more progress: events first (a run's progress is delivered before its
   * completion), then executor calls, then finished runs. A loop, not recursion, so a chain of
   * ten thousand synchronous executors uses no stack.
   */
  private settle(status: number): void {
    while (status !== 0) {
      if (status & STATUS_EVENTS) this.flushEvents();
      if (status & STATUS_COMPLETED) this.deliverCompleted();
      const answered = status & STATUS_CALLS ? this.pumpCalls() : undefined;
      status = answered && answered.texts.length > 0 ? this.handle.resolveCalls(`[${answered.texts.join(",")}]`, answered.buffers) : 0;
    }
    this.holdLoopWhilePending();
  }

  /** Keeps Node's event loop open while runs wait on the engine alone, and only then. */
  private holdLoopWhilePending(): void {
    if (!this.holdEventLoop) return;
    const hold = this.pending.size > 0;
    if (hold === this.holding) return;
    this.holding = hold;
    // One timer for the session's life, held and let go: a timer made and cleared per run cost
    // a 10-node run ~2% of its time.
    this.keepAlive ??= setInterval(() => {}, 1 << 30);
    if (hold) this.keepAlive.ref?.();
    else this.keepAlive.unref?.();
  }

  /**
   * The module instance under this session trapped (in this session or another one on it):
   * every pending run ends with `INTERNAL_ERROR`, storage calls in flight reject, and every
   * later call throws. Idempotent.
   */
  stop(error: unknown): void {
    if (this.stoppedBy !== undefined) return;
    const message = `The engine stopped on an internal error (${error instanceof Error ? error.message : String(error)}); a fresh engine takes the next run`;
    this.stoppedBy = Object.assign(new Error(message), { code: "INTERNAL_ERROR" });
    this.rejectStopped(this.stoppedBy);
    for (const resolve of this.pending.values()) {
      resolve(failedResult({ code: ErrorCode.INTERNAL_ERROR, message }));
    }
    this.pending.clear();
    this.executionIds.clear();
    this.calls.clear();
    this.kept.clear();
    if (this.keepAlive !== undefined) clearInterval(this.keepAlive);
    this.keepAlive = undefined;
    this.holding = false;
  }

  /**
   * The instance under this session is about to be freed (`shutdown()`): nothing reaches it
   * afterwards. Without this a result collected later would ask the freed instance to drop its
   * trace, which throws from the garbage collector's callback, outside any caller's reach.
   */
  close(): void {
    this.stop(new Error("the conductor was shut down"));
  }

  /** `promise`, unless the session stops first. */
  private whileAlive<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.stopped]);
  }

  /** A trace from the engine; `null` when it is gone (its engine stopped). */
  private readTrace(id: number): unknown {
    if (this.stoppedBy !== undefined) return null;
    const text = this.handle.takeTrace(id);
    return typeof text === "string" ? JSON.parse(text) : null;
  }

  private deliverCompleted(): void {
    let completed: ReturnType<SessionHandle["takeCompleted"]>;
    try {
      completed = this.handle.takeCompleted();
    } catch (error) {
      this.endLostRuns(error);
      return;
    }
    for (const { runId, result, buffers, slices, trace } of completed) {
      let read: unknown;
      try {
        read = readSliced(result, slices, { buffers, resolve: this.kept.resolve });
      } catch (error) {
        read = unreadable(error);
      }
      // A large result is read a few slices at a time (the event loop runs in between).
      if (read instanceof Promise) {
        read.then(
          (value) => this.finish(runId, value as WireResult, trace),
          (error) => this.finish(runId, unreadable(error), trace),
        );
      } else {
        this.finish(runId, read as WireResult, trace);
      }
    }
  }

  /**
   * The finished runs could not be handed over (their results did not fit a JS string, or the
   * binding failed): every pending run the engine no longer runs ended among them, and ends
   * here with `SERIALIZATION_FAILED` rather than never resolving (and holding the process open).
   * Without a list of running runs (wasm), every pending run ends.
   */
  private endLostRuns(error: unknown): void {
    if (typeof WebAssembly !== "undefined" && error instanceof WebAssembly.RuntimeError) return; // a trap: `stop` ends them
    const running = new Set(this.handle.running?.() ?? []);
    for (const [runId, execution] of this.executionIds) {
      if (running.has(execution)) continue;
      this.finish(
        runId,
        failedResult({
          code: ErrorCode.SERIALIZATION_FAILED,
          message: `The run's result could not be handed over: ${String(error)}`,
          executionId: execution,
        }),
        undefined,
      );
    }
  }

  private finish(runId: number, value: WireResult, trace: number | null | undefined): void {
    const execution = this.executionIds.get(runId);
    // The result holds what it needs of the run's kept values; the rest can go.
    if (execution !== undefined) this.kept.release(execution);
    if (typeof trace === "number") defineLazyTrace(value, () => this.readTrace(trace), this.unreadTraces, trace);
    const resolve = this.pending.get(runId);
    this.pending.delete(runId);
    this.executionIds.delete(runId);
    // Every YIELD_EVERY-th result resolves after a turn of the event loop. A loop awaiting run after run
    // otherwise never leaves the microtask queue, and whatever waits for a task waited with it:
    // timers, I/O, and the FinalizationRegistry callbacks that free unread traces (~3 KB each;
    // 70 MB piled up over 20,000 10-node runs).
    if (++this.finishedSinceYield >= YIELD_EVERY) {
      this.finishedSinceYield = 0;
      void nextTurn().then(() => resolve?.(value));
    } else {
      resolve?.(value);
    }
    this.holdLoopWhilePending();
  }

  runState(): string | null | undefined {
    if (this.stoppedBy !== undefined || typeof this.handle.runState !== "function") return undefined;
    return this.handle.runState() ?? null;
  }

  flushEvents(): void {
    const events = JSON.parse(this.handle.takeEvents()) as WireEvent[];
    if (events.length === 0) return;
    // A paused node's input is codec text inside the event: what JSON cannot say comes tagged.
    // Values this side keeps stay handles in it, resolved here.
    for (const event of events) if (event.type === "paused") event.input = revive(event.input, { resolve: this.kept.resolve });
    this.listener(events);
  }

  /**
   * Starts every queued executor call, writes out every value the engine asks for and applies
   * every queued abort. Returns the answers ready now; executors that answer later go through
   * `answerLater`.
   */
  private pumpCalls(): Answers {
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

  /** An answer written after its batch went: goes with the next one. */
  private answerWhenReady(id: number, text: string): void {
    this.answers.texts.push(`[${id},${text}]`);
    if (this.answers.texts.length === 1) queueMicrotask(() => this.flushAnswers());
  }

  private flushAnswers(): void {
    const batch = this.answers;
    this.answers = { texts: [], buffers: [] };
    this.settle(this.handle.resolveCalls(`[${batch.texts.join(",")}]`, batch.buffers));
  }

  private answerLater(id: number, run: string, outcome: ExecutorOutcome): void {
    if (!this.calls.delete(id)) return; // aborted meanwhile: the engine no longer waits
    this.answerWhenReady(id, this.outcomeText(run, outcome));
  }

  async run(flow: NodeDefinition, options: WireRunOptions): Promise<WireResult> {
    const execution = options.executionId;
    // A module without history would run everything again and say nothing.
    if (options.retry && !this.handle.executions) {
      const unavailable = historyUnavailable<never>();
      if (!unavailable.ok) return refused(unavailable.error.code, unavailable.error.message, execution);
    }
    // A second run under the id of one going on is refused before it touches that run's kept
    // values (the engine refuses it too: cancel, pause and events would reach both).
    if (this.writing.has(execution) || [...this.executionIds.values()].includes(execution)) {
      return refused("VALIDATION_FAILED", `An execution with id '${execution}' is already running`, execution);
    }
    // Likewise a module without debugging would run every node and never pause.
    if ((options.pinned !== undefined || options.runTo !== undefined || options.breakpoints !== undefined) && !this.handle.controlRun) {
      return refused("VALIDATION_FAILED", NO_DEBUGGING, execution);
    }
    const buffers: Uint8Array[] = [];
    let flowJson: string;
    let optionsJson: string;
    try {
      // A flow carrying large arrays is written in pieces; a cancel meanwhile takes effect
      // as soon as the run starts.
      // The buffers go with the run, after the flow and the options are written.
      const written = writeSliced(flow, { buffers, omitUndefined: true, buffersAfterText: true, tables: this.tables && inParameters });
      if (typeof written === "string") {
        flowJson = written;
      } else {
        this.writing.add(execution);
        flowJson = await written.finally(() => this.writing.delete(execution));
      }
      // The run's input and variables stay here; the engine gets handles (JS executors then
      // receive the very objects passed in).
      const handed = {
        ...options,
        input: options.input === undefined ? undefined : handOverInput(this.kept, execution, options.input),
        variables: options.variables === undefined ? undefined : handOver(this.kept, execution, options.variables),
        parentContext: options.parentContext === undefined ? undefined : handOver(this.kept, execution, options.parentContext),
      };
      optionsJson = encodeValue(handed, { buffers, omitUndefined: true });
    } catch (error) {
      this.kept.release(execution);
      return unwritable(error);
    }
    if (this.cancelOnStart.delete(execution)) {
      // Cancelled while its flow was being written: it never starts.
      this.kept.release(execution);
      return refused("CANCELLED", MESSAGES.EXECUTION_CANCELLED);
    }
    const runId = this.nextRunId;
    this.nextRunId = this.nextRunId >= 0x7fffffff ? 1 : this.nextRunId + 1;
    const result = new Promise<WireResult>((resolve) => this.pending.set(runId, resolve));
    this.executionIds.set(runId, execution);
    try {
      this.settle(this.handle.run(runId, flowJson, optionsJson, buffers));
    } catch (error) {
      // A trap ends the run with INTERNAL_ERROR (see `stop`); only other failures throw.
      if (this.pending.has(runId)) throw error;
    }
    return result;
  }

  cancel(executionId: string): boolean | Promise<boolean> {
    if (this.writing.has(executionId)) {
      this.cancelOnStart.add(executionId);
      return true;
    }
    return this.handle.cancel(executionId);
  }

  controlRun(executionId: string, command: RunCommand): boolean | Promise<boolean> {
    if (!this.handle.controlRun) return false;
    const done = this.handle.controlRun(executionId, command);
    return typeof done === "boolean" ? done : this.whileAlive(done).catch(() => false);
  }

  validate(flow: NodeDefinition, customTypes: string[]): Outcome<ValidationResult> | Promise<Outcome<ValidationResult>> {
    const text = writable(flow);
    if (typeof text !== "string") return text;
    const validated = this.handle.validate(text, JSON.stringify(customTypes));
    return typeof validated === "string"
      ? outcomeOf<ValidationResult>(validated)
      : this.whileAlive(validated).then((json) => outcomeOf<ValidationResult>(json));
  }

  async saveFlow(flow: unknown) {
    const text = writable(flow);
    if (typeof text !== "string") return text;
    return decodeValue(await this.whileAlive(this.handle.saveFlow(text))) as Outcome<Record<string, unknown>>;
  }

  async loadFlow(id: string) {
    return decodeValue(await this.whileAlive(this.handle.loadFlow(id))) as Outcome<Record<string, unknown>>;
  }

  async listFlows(options: ListFlowsOptions) {
    return decodeValue(await this.whileAlive(this.handle.listFlows(JSON.stringify(options ?? {})))) as Outcome<{
      flows: Array<Record<string, unknown>>;
      total: number;
    }>;
  }

  async deleteFlow(id: string): Promise<Outcome<null>> {
    return outcomeOf<null>(await this.whileAlive(this.handle.deleteFlow(id)));
  }

  async executions(call: ExecutionsCall, arg: string): Promise<Outcome<unknown>> {
    if (!this.handle.executions) return historyUnavailable();
    return decodeValue(await this.whileAlive(this.handle.executions(call, arg))) as Outcome<unknown>;
  }

  listTemplates(): Outcome<{ templates: FlowTemplateInfo[] }> {
    return outcomeOf(this.catalog.listTemplates());
  }

  getTemplate(id: string): Outcome<NodeDefinition | null> {
    return outcomeOf(this.catalog.getTemplate(id));
  }

  nodeDefinitions(): Outcome<NodeDefinition[]> {
    return outcomeOf(this.catalog.nodeDefinitions());
  }

  nodeDefinition(type: string): Outcome<NodeDefinition | null> {
    return outcomeOf(this.catalog.nodeDefinition(type));
  }

  nodeDefinitionsByCategory(): Outcome<Array<{ name: string; title: string; items: NodeDefinition[] }>> {
    return outcomeOf(this.catalog.nodeDefinitionsByCategory());
  }

  parseFlow(text: string, options: { format?: "yaml" | "json"; defaults?: boolean }): Outcome<NodeDefinition> {
    return decodeValue(this.catalog.parseFlow(text, JSON.stringify(options))) as Outcome<NodeDefinition>;
  }

  flowToYaml(flow: NodeDefinition): Outcome<string> {
    const text = writable(flow);
    if (typeof text !== "string") return text;
    return outcomeOf<string>(this.catalog.flowToYaml(text));
  }
}

/**
 * An engine call's `{ok, value}` / `{ok: false, error}` envelope from its JSON text. The one
 * place the boundary's text becomes a typed value: the Rust side writes every envelope through
 * one function (`session::outcome`), so the shape is the engine's promise, not a guess.
 */
function outcomeOf<T>(text: string): Outcome<T> {
  return JSON.parse(text) as Outcome<T>;
}
