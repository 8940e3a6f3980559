/**
 * `conductor.executions`: the execution history where runs are recorded (this process's engine,
 * or the server runs go to). The engine keeps and answers everything; this file only shapes calls.
 */
import { ConductorError, createExecutionError, ErrorCode } from "../types/errors.js";
import type { NodeDefinition } from "../types/definition.js";
import type { ContextOverrides, ExecutionResult } from "../types/execution.js";
import type {
  CountExecutionsOptions,
  ExecutionCounts,
  ExecutionListResponse,
  ExecutionRecord,
  ListExecutionsOptions,
  PrunedExecutions,
  PruneExecutionsOptions,
  ReplayDifferences,
  ReplayExecutionOptions,
  ReplayResult,
  ResumeExecutionOptions,
  RetryExecutionOptions,
  ApprovalDecision,
} from "../types/history.js";
import type { WokenRuns } from "../types/answers.generated.js";
import type { EngineAdapter } from "./engine.js";
import type { Outcome, WireError, WireResult } from "../types/wire.js";
import { toExecutionResult, unwrap } from "./hydrate.js";

type Run = (node: NodeDefinition, overrides: ContextOverrides) => Promise<ExecutionResult>;

/** The outcome of an `executions.*` call on an engine that records nothing. */
export function historyUnavailable<T>(): Outcome<T> {
  const error: WireError = {
    code: ErrorCode.VALIDATION_FAILED,
    message: "Execution history is not available in this build (the browser module records no runs)",
    timestamp: Date.now(),
  };
  return { ok: false, error };
}

const fields = <T extends object>(given: T | undefined | null): Partial<T> => (typeof given === "object" && given !== null ? given : {});

function requireId(id: unknown): asserts id is string {
  if (typeof id !== "string") {
    throw new ConductorError(
      createExecutionError(ErrorCode.VALIDATION_FAILED, `Execution id must be a string, got ${id === null ? "null" : typeof id}`),
    );
  }
}

/** A time bound of `executions.list` as the engine takes it: ms since the Unix epoch. */
function instant(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== "number" || !Number.isFinite(ms)) {
    throw new ConductorError(
      createExecutionError(ErrorCode.VALIDATION_FAILED, `executions: '${name}' must be a time (ms since the Unix epoch, or a Date)`),
    );
  }
  return ms;
}

/**
 * `executions.signal` / `approve`'s last argument. `resume: false`: resolve with `null` once the
 * wake is kept, and leave the run to be resumed (`executions.resume`, or a conductor's
 * `durability.resume: "auto"`) — what a webhook answering at once wants.
 */
export type WakeOptions = { resume?: boolean };

/** A wake call: the run's result, or `null` with `{resume: false}`. */
type WakeCall<A extends unknown[]> = {
  (executionId: string, ...args: [...A, options: { resume: false }]): Promise<null>;
  (executionId: string, ...args: [...A, options?: WakeOptions]): Promise<ExecutionResult>;
};

/** What a wake request tells a remote engine: whether it resumes the run itself (the server does, by default). */
function goesOn(options: WakeOptions): { resume?: false } {
  return options?.resume === false ? { resume: false } : {};
}

export function createExecutionsApi(engine: EngineAdapter, run: Run) {
  /**
   * After a wake: the result a remote engine's server answered (it resumed the run where its
   * store is), else the run resumed here, or `null` when the caller resumes it later.
   */
  const wokenResult = async (answer: unknown, executionId: string, options: WakeOptions): Promise<ExecutionResult | null> => {
    if (options?.resume === false) return null;
    if (answer !== null && typeof answer === "object") return toExecutionResult(answer as WireResult);
    return executions.resume(executionId);
  };
  const executions = {
    /** Recorded runs, newest first by default: `{executions, total}` (total: how many pass the filters). */
    async list(options: ListExecutionsOptions = {}): Promise<ExecutionListResponse> {
      // Every field goes to the engine, which refuses one it does not know (a misspelt filter
      // would otherwise list every run).
      const given = fields(options);
      const range = { since: instant(given.since, "since"), until: instant(given.until, "until") };
      return unwrap(await engine.executions("list", JSON.stringify({ ...given, ...range })));
    },
    /**
     * How many runs there are, in all and in each status (`{total, running, success, failed,
     * cancelled, crashed, interrupted, waiting}`), of a flow or every flow, in a time range or all time:
     * a dashboard's tiles. Stores that keep totals answer without counting rows.
     */
    async counts(options: CountExecutionsOptions = {}): Promise<ExecutionCounts> {
      // Every field goes to the engine, which refuses one it does not know (a misspelt filter
      // would otherwise count every run).
      const given = fields(options);
      const range = { since: instant(given.since, "since"), until: instant(given.until, "until") };
      return unwrap(await engine.executions("counts", JSON.stringify({ ...given, ...range })));
    },
    /** One run with its nodes; a `NODE_NOT_FOUND` `ConductorError` when there is none. */
    async get(executionId: string): Promise<ExecutionRecord> {
      requireId(executionId);
      return unwrap(await engine.executions("get", executionId));
    },
    /** Removes a run's record; `NODE_NOT_FOUND` when there is none. */
    async delete(executionId: string): Promise<void> {
      requireId(executionId);
      unwrap(await engine.executions("delete", executionId));
    },
    /**
     * Removes runs older than `olderThan` ms and all but the newest `keep` (running runs stay): `{deleted}`.
     * Every field goes to the engine, which refuses one it does not know (a misspelt `olderThan`
     * would otherwise leave `keep` alone to decide).
     */
    async prune(options: PruneExecutionsOptions): Promise<PrunedExecutions> {
      return unwrap(await engine.executions("prune", JSON.stringify(fields(options))));
    },
    /**
     * Runs a recorded execution again, as a new run linked to it (`retryOf`). From `"failed"`
     * (the default), every node that succeeded keeps its recorded output and does not run
     * again. Resolves with the new run's result, like `node.run`.
     */
    async retry(executionId: string, options: RetryExecutionOptions = {}): Promise<ExecutionResult> {
      requireId(executionId);
      const given = fields(options);
      const record = await executions.get(executionId);
      const overrides: ContextOverrides = {
        input: ("input" in given ? given.input : record.input) as ContextOverrides["input"],
        variables: given.variables ?? (record.variables as Record<string, unknown> | undefined),
        retry: { of: executionId, from: given.from },
      };
      return run(given.flow ?? record.flow, overrides);
    },
    /**
     * Runs recorded execution `executionId` again (`flow`: an edited definition instead of the
     * recorded one) with every node that has effects given its recorded output instead of
     * running — no request sent, no file written, no command run — and reports the nodes whose
     * output now differs from the record (`differences`: `{nodeId, recorded, replayed}`, values as
     * the history keeps them). A node with effects without a whole recorded output (it did not run
     * then, or its output was cut at `history.maxValueBytes`) fails the replay with
     * `VALIDATION_FAILED` naming it. The replay is recorded as a run of its own.
     */
    async replay(executionId: string, options: ReplayExecutionOptions = {}): Promise<ReplayResult> {
      requireId(executionId);
      const given = fields(options);
      const record = await executions.get(executionId);
      const replayId = await engine.executionId();
      const result = await run(given.flow ?? record.flow, {
        executionId: replayId,
        input: record.input as ContextOverrides["input"],
        variables: record.variables as Record<string, unknown> | undefined,
        replay: { of: executionId },
      });
      if (!result.success && (result.executedNodes?.length ?? 0) === 0) return { ...result, differences: [] };
      const { differences } = await executions.differences(executionId, replayId);
      return { ...result, differences };
    },
    /**
     * The nodes of run `otherId` (a replay of `executionId`, or any later run of its flow)
     * whose output differs from recorded run `executionId`'s: `{differences: [{nodeId,
     * recorded, replayed}]}`, in the order `otherId`'s nodes ended. `NODE_NOT_FOUND` when either
     * run is not recorded.
     */
    async differences(executionId: string, otherId: string): Promise<ReplayDifferences> {
      requireId(executionId);
      requireId(otherId);
      return unwrap(await engine.executions("differences", JSON.stringify({ of: executionId, run: otherId })));
    },
    /**
     * Continues a durable run its process left unfinished (status `"interrupted"`) as the same
     * run: same id, same record, every node that completed keeps its checkpointed output and does
     * not run again. A node with effects that was running when the process ended needs a
     * decision (`rerun` or `skip`) unless the flow marks it `idempotent`; without one the result
     * is a `VALIDATION_FAILED` error naming it, and nothing changes (the same for a run that is
     * not interrupted, or that another conductor resumed first). Resolves with the run's
     * result, like `node.run`; an unknown id rejects with `NODE_NOT_FOUND`.
     */
    async resume(executionId: string, options: ResumeExecutionOptions = {}): Promise<ExecutionResult> {
      requireId(executionId);
      const { rerun, skip } = fields(options);
      const record = await executions.get(executionId);
      return run(record.flow, { executionId, resume: { rerun, skip } });
    },
    /**
     * Sends signal `name` to run `executionId`, parked at a `wait` node in mode `"signal"` that
     * waits for that name: `payload` (crossing as JSON) becomes the node's output, and the run
     * goes on here at once. Resolves with the run's result (to its end, or to its next wait).
     * Refused with a coded `ConductorError`, changing nothing, for an unknown run
     * (`NODE_NOT_FOUND`), a run that is not waiting, one waiting for another name or for an
     * approval, a payload the node's `payloadSchema` refuses, or a run another signal, approval
     * or its time woke first (each `VALIDATION_FAILED`).
     */
    signal: (async (executionId: string, name: string, payload?: unknown, options: WakeOptions = {}): Promise<ExecutionResult | null> => {
      requireId(executionId);
      const answer = unwrap(await engine.executions("signal", JSON.stringify({ executionId, name, payload, ...goesOn(options) })));
      return wokenResult(answer, executionId, options);
    }) as WakeCall<[name: string, payload?: unknown]>,
    /**
     * Approves (`approved: true`) or rejects run `executionId`'s `wait` node `nodeId` (mode
     * `"approval"`), as `by`, with `comment`; the run goes on here at once. An approval's output is
     * `{approved, by, comment, at}`; a rejection fails the run unless the node says
     * `onReject: "continue"`. Resolves with the run's result. Refused as `signal` is, and when the
     * run waits at another node; of two decisions racing, one wins and the other is refused.
     */
    approve: (async (
      executionId: string,
      nodeId: string,
      decision: ApprovalDecision,
      options: WakeOptions = {},
    ): Promise<ExecutionResult | null> => {
      requireId(executionId);
      // Every field goes to the engine, which refuses one it does not know (a misspelt
      // `approved` would otherwise be read as a rejection).
      const request = { ...fields(decision), executionId, nodeId, ...goesOn(options) };
      const answer = unwrap(await engine.executions("approve", JSON.stringify(request)));
      return wokenResult(answer, executionId, options);
    }) as WakeCall<[nodeId: string, decision: ApprovalDecision]>,
    /**
     * Wakes the parked runs whose time came (a duration, a date, a `waitTimeout`) and resolves
     * with `{woken, next}`: the ids woken (resume them with `executions.resume`) and when the next
     * comes (`{executionId}`: that run only). A conductor with `durability` does this itself, on
     * one timer; this is for an app that drives time itself (a scheduler, a test).
     */
    async due(options: { executionId?: string } = {}): Promise<WokenRuns> {
      const { executionId } = fields(options);
      if (executionId !== undefined) requireId(executionId);
      return unwrap(await engine.executions("due", executionId === undefined ? "" : JSON.stringify({ executionId })));
    },
  };
  return executions;
}
