/**
 * `EngineAdapter` over a Rust session (the napi addon's or the wasm module's): glue only. This
 * class runs a run's lifecycle (writes its flow and options, starts it, cancels it) and the
 * settle loop that collects what the session's status bits say is waiting; its parts do the
 * rest: `runs.ts` keeps finished runs' promises, `calls.ts` runs JS executors, `traces.ts` reads
 * traces lazily, `trap-guard.ts` watches for wasm traps, `forwarders.ts` forwards the other
 * calls, and `kept-values.ts` keeps the values JS nodes pass each other (the engine holds
 * handles to them).
 */
import type { FullCatalog } from "./catalog.js";
import type { NodeDefinition } from "../../types/definition.js";
import type { NodeExecutorFactory } from "../../types/execution.js";
import { failedResult, type EngineAdapter, type FlowTexts, type WireRunOptions } from "../../conductor/engine.js";
import type { WireError, WireEvent, WireResult } from "../../types/wire.js";
import type { Encoded, ProgressSnapshot } from "../../types/answers.generated.js";
import { historyUnavailable } from "../../conductor/executions.js";
import { decoded } from "../../conductor/decoded.js";
import { ErrorCode } from "../../types/errors.js";
import { MESSAGES } from "../../types/wire.generated.js";
import { encodeValue, revive, ValueEncodeError } from "../../values/codec.js";
import { writeSliced } from "../../values/sliced.js";
import { ExecutorCalls } from "./calls.js";
import { SessionForwarders } from "./forwarders.js";
import { STATUS_CALLS, STATUS_COMPLETED, STATUS_EVENTS, type SessionHandle } from "./handle.js";
import { handOver, handOverInput, KeptValues } from "./kept-values.js";
import { PendingRuns } from "./runs.js";
import { LazyTraces } from "./traces.js";
import { isWasmTrap, trapGuarded } from "./trap-guard.js";

/**
 * Where a flow holds values (its nodes' parameters), as opposed to its own structure (`nodes`,
 * `edges`...), which the engine reads as typed fields that take no tags.
 */
const inParameters = (path: ReadonlyArray<string | number>): boolean => path.includes("parameters");

/** A run refused before the engine started it. */
function refused(code: string, message: string, executionId?: string): WireResult {
  return failedResult({ code: code as WireError["code"], message, executionId });
}

/** A failed result for a run the engine never saw (its flow or options could not be written). */
function unwritable(error: unknown): WireResult {
  const message = error instanceof ValueEncodeError ? `The run's ${error.message}` : `The flow is not serialisable: ${String(error)}`;
  return failedResult({ code: ErrorCode.SERIALIZATION_FAILED, message });
}

export class SessionEngine extends SessionForwarders implements EngineAdapter {
  private listener: (events: WireEvent[]) => void = () => {};
  /** Runs whose flow is being written in pieces, and those of them cancelled meanwhile (never started). */
  private writing = new Set<string>();
  private cancelOnStart = new Set<string>();
  /** Values JS nodes hand each other, kept here while the engine holds handles to them. */
  readonly kept = new KeptValues();
  /** Whether the engine reads arrays of records sent as tables (builds with `bulk-data`). */
  private readonly tables: boolean;
  /** Set once the module instance under this session trapped: nothing more reaches it. */
  private stoppedBy: Error | undefined;
  /** Rejects when the session stops, so storage calls in flight on a dead instance do not hang. */
  private readonly stopped: Promise<never>;
  private rejectStopped: (error: Error) => void = () => {};
  protected readonly handle: SessionHandle;
  private readonly runs: PendingRuns;
  private readonly calls: ExecutorCalls;

  /**
   * @param options.holdEventLoop keep Node's event loop alive while runs are pending: needed
   *   when the session's wake-ups come from threads Node does not know about (the native addon).
   * @param options.deferNotify the session pokes from inside its own calls (wasm: one thread),
   *   so drive on a microtask rather than re-entering it.
   */
  constructor(
    readonly kind: "native" | "wasm",
    handle: SessionHandle,
    catalog: FullCatalog,
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
    super(catalog);
    const onTrap = options.onTrap;
    const isStopped = () => this.stoppedBy !== undefined;
    this.handle = onTrap
      ? trapGuarded(handle, isStopped, (error) => {
          this.stop(error);
          onTrap(error);
        })
      : handle;
    this.stopped = new Promise<never>((_, reject) => (this.rejectStopped = reject));
    this.stopped.catch(() => {});
    // A session that cannot be read synchronously (in a Web Worker) has no run state to give.
    if (typeof handle.runState !== "function") Object.defineProperty(this, "runState", { value: undefined });
    this.tables = catalog.readsTables?.() === true;
    this.runs = new PendingRuns(this.handle, this.kept, new LazyTraces(this.handle, isStopped), options.holdEventLoop);
    this.calls = new ExecutorCalls(this.handle, this.kept, (status) => this.settle(status));
    const drive = () => {
      // A late wake-up (a timer, a host call answered after shutdown) finds nothing to drive.
      if (this.stoppedBy !== undefined) return;
      try {
        this.settle(this.handle.drive());
      } catch (error) {
        // A trap has already ended the pending runs; anything else is a bug worth seeing, but
        // must not become an uncaught exception in the embedder's event loop.
        if (!isWasmTrap(error)) console.error("[@atomiton/conductor] driving the engine failed:", error);
      }
    };
    this.handle.setNotifier(options.deferNotify ? () => queueMicrotask(drive) : drive);
  }

  setExecutorFactory(factory: NodeExecutorFactory | undefined): void {
    this.calls.factory = factory;
  }

  keepFlowsIn(texts: FlowTexts): void {
    this.calls.flowTexts = texts;
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
      if (status & STATUS_COMPLETED) this.runs.deliverCompleted();
      const answered = status & STATUS_CALLS ? this.calls.pump() : undefined;
      status = answered && answered.texts.length > 0 ? this.calls.send(answered) : 0;
    }
    this.runs.holdLoopWhilePending();
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
    this.runs.failAll(message);
    this.calls.clear();
    this.kept.clear();
  }

  /**
   * The instance under this session is about to be freed (`shutdown()`): nothing reaches it
   * afterwards. Without this a result collected later would ask the freed instance to drop its
   * trace, which throws from the garbage collector's callback, outside any caller's reach.
   */
  close(): void {
    this.stop(new Error("the conductor was shut down"));
  }

  protected whileAlive<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.stopped]);
  }

  runState(): Encoded<ProgressSnapshot> | null | undefined {
    if (this.stoppedBy !== undefined || typeof this.handle.runState !== "function") return undefined;
    return this.handle.runState() ?? null;
  }

  flushEvents(): void {
    const events = decoded(this.handle.takeEvents());
    if (events.length === 0) return;
    // A paused node's input is codec text inside the event: what JSON cannot say comes tagged.
    // Values this side keeps stay handles in it, resolved here.
    for (const event of events) if (event.type === "paused") event.input = revive(event.input, { resolve: this.kept.resolve });
    this.listener(events);
  }

  async run(flow: NodeDefinition, options: WireRunOptions): Promise<WireResult> {
    const execution = options.executionId;
    // A module without history would run everything again and say nothing.
    if ((options.retry || options.resume || options.replay) && !this.handle.executions) {
      const unavailable = historyUnavailable<never>();
      if (!unavailable.ok) return refused(unavailable.error.code, unavailable.error.message, execution);
    }
    // A second run under the id of one going on is refused before it touches that run's kept
    // values (the engine refuses it too: cancel, pause and events would reach both).
    if (this.writing.has(execution) || this.runs.running(execution)) {
      return refused("VALIDATION_FAILED", `An execution with id '${execution}' is already running`, execution);
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
    const { runId, result } = this.runs.add(execution);
    try {
      this.settle(this.handle.run(runId, flowJson, optionsJson, buffers));
    } catch (error) {
      // A trap ends the run with INTERNAL_ERROR (see `stop`); only other failures throw.
      if (this.runs.has(runId)) throw error;
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
}
