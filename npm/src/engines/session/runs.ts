/**
 * A session's runs between start and result: their promises and execution ids, the delivery of
 * finished runs' results, and (for the native addon) Node's event loop held open while any is
 * pending.
 */
import { failedResult } from "../../conductor/engine.js";
import type { WireResult } from "../../types/wire.js";
import { ErrorCode } from "../../types/errors.js";
import { nextTurn, readSliced } from "../../values/sliced.js";
import type { SessionHandle } from "./handle.js";
import type { KeptValues } from "./kept-values.js";
import type { LazyTraces } from "./traces.js";
import { isWasmTrap } from "./trap-guard.js";

/** Results resolved in a row before one waits for a turn of the event loop (see `finish`). */
const YIELD_EVERY = 1000;

/** The result of a run whose result text could not be read. */
function unreadable(error: unknown): WireResult {
  return failedResult({ code: ErrorCode.SERIALIZATION_FAILED, message: `The run's result could not be read: ${String(error)}` });
}

export class PendingRuns {
  /** Runs started and not finished, by the run id JS gave them. */
  private readonly pending = new Map<number, (result: WireResult) => void>();
  /** The execution id of each pending run. */
  private readonly executionIds = new Map<number, string>();
  private nextRunId = 1;
  /** Results resolved since one last waited for a task (see `finish`). */
  private finishedSinceYield = 0;
  /** Holds Node's event loop open while runs are pending (a native session's notifier is weak). */
  private keepAlive: ReturnType<typeof setInterval> | undefined;
  /** Whether `keepAlive` holds the event loop now. */
  private holding = false;

  /**
   * @param holdEventLoop keep Node's event loop alive while runs are pending: needed when the
   *   session's wake-ups come from threads Node does not know about (the native addon).
   */
  constructor(
    private readonly handle: SessionHandle,
    private readonly kept: KeptValues,
    private readonly traces: LazyTraces,
    private readonly holdEventLoop: boolean,
  ) {}

  /** A new pending run: the id the engine is to know it by, and the promise of its result. */
  add(execution: string): { runId: number; result: Promise<WireResult> } {
    const runId = this.nextRunId;
    this.nextRunId = this.nextRunId >= 0x7fffffff ? 1 : this.nextRunId + 1;
    const result = new Promise<WireResult>((resolve) => this.pending.set(runId, resolve));
    this.executionIds.set(runId, execution);
    return { runId, result };
  }

  has(runId: number): boolean {
    return this.pending.has(runId);
  }

  /** Whether a pending run has this execution id. */
  running(execution: string): boolean {
    return [...this.executionIds.values()].includes(execution);
  }

  /** Reads the results of the runs the engine finished, and resolves their promises. */
  deliverCompleted(): void {
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
    if (isWasmTrap(error)) return; // a trap: the session's `stop` ends them
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
    if (typeof trace === "number") this.traces.attach(value, trace);
    const resolve = this.pending.get(runId);
    this.pending.delete(runId);
    this.executionIds.delete(runId);
    // Every YIELD_EVERY-th result resolves after a turn of the event loop. A loop awaiting run after run
    // otherwise never leaves the microtask queue, and whatever waits for a task waited with it:
    // timers, I/O, and the FinalizationRegistry callbacks that free unread traces (which then
    // piled up by the megabyte: docs/PERFORMANCE.md, "Runs from JavaScript, native").
    if (++this.finishedSinceYield >= YIELD_EVERY) {
      this.finishedSinceYield = 0;
      void nextTurn().then(() => resolve?.(value));
    } else {
      resolve?.(value);
    }
    this.holdLoopWhilePending();
  }

  /** Ends every pending run with `INTERNAL_ERROR` (the session stopped) and lets the event loop go. */
  failAll(message: string): void {
    for (const resolve of this.pending.values()) {
      resolve(failedResult({ code: ErrorCode.INTERNAL_ERROR, message }));
    }
    this.pending.clear();
    this.executionIds.clear();
    if (this.keepAlive !== undefined) clearInterval(this.keepAlive);
    this.keepAlive = undefined;
    this.holding = false;
  }

  /** Keeps Node's event loop open while runs wait on the engine alone, and only then. */
  holdLoopWhilePending(): void {
    if (!this.holdEventLoop) return;
    const hold = this.pending.size > 0;
    if (hold === this.holding) return;
    this.holding = hold;
    // One timer for the session's life, held and let go: a timer made and cleared per run was a
    // noticeable share of a small run's time.
    this.keepAlive ??= setInterval(() => {}, 1 << 30);
    if (hold) this.keepAlive.ref?.();
    else this.keepAlive.unref?.();
  }
}
