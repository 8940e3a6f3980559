/**
 * Execution history: every run recorded as it goes, read back with `conductor.executions`.
 */
import type { NodeDefinition } from "./definition.js";
import type { HistorySettings } from "./options.generated.js";

export type { HistorySettings } from "./options.generated.js";

/**
 * `ConductorConfig.history`: `false` records nothing; an object says how runs are kept.
 * On by default. Node keeps it beside the flows (`history.sqlite` in the storage directory;
 * in memory with `storage: {type: "memory"}`).
 */
export type HistoryConfig = boolean | HistorySettings;

/** The shapes of recorded runs, generated from the Rust types that write them. */
export type {
  ExecutionCounts,
  ExecutionListResponse,
  ExecutionNodeRecord,
  ExecutionRecord,
  ExecutionSummary,
  PrunedExecutions,
  RecordedRunStatus,
  ReplayDifference,
  ReplayDifferences,
} from "./answers.generated.js";
import type { RecordedRunStatus, ReplayDifference } from "./answers.generated.js";
import type { ExecutionResult } from "./execution.js";

export type ListExecutionsOptions = {
  flowId?: string;
  status?: RecordedRunStatus;
  /** Runs that began at or after this time (ms since the Unix epoch, or a `Date`). */
  since?: number | Date;
  /** Runs that began before this time (ms since the Unix epoch, or a `Date`). */
  until?: number | Date;
  /** Default 50. */
  limit?: number;
  offset?: number;
  /** By start time; default `"desc"` (newest first). */
  sortOrder?: "asc" | "desc";
};

/** `executions.counts` filters: a flow, a time range (as `list` takes them). */
export type CountExecutionsOptions = {
  flowId?: string;
  /** Runs that began at or after this time (ms since the Unix epoch, or a `Date`). */
  since?: number | Date;
  /** Runs that began before this time (ms since the Unix epoch, or a `Date`). */
  until?: number | Date;
};

export type PruneExecutionsOptions = {
  /** Remove runs that began more than this many ms ago. */
  olderThan?: number;
  /** Keep only the newest this many runs. */
  keep?: number;
};

export type RetryExecutionOptions = {
  /**
   * `"failed"` (the default): reuse the recorded output of every node that succeeded, run the
   * rest; `"start"`: run everything again; a node id (its path): run that node and everything
   * downstream of it again, reuse the rest.
   */
  from?: "failed" | "start" | (string & {});
  /** Run this definition instead of the recorded one; nodes whose ids still match reuse their outputs. */
  flow?: NodeDefinition;
  /** The run's input; default the recorded one (pass it when the recorded one was cut or redacted). */
  input?: unknown;
  /** The run's variables; default the recorded ones. */
  variables?: Record<string, unknown>;
};

/**
 * `executions.resume(id, options)`: decisions on nodes with effects that were running when the
 * run's process ended (they may have had their effect). A node marked `idempotent: true` in the
 * flow needs none: it runs again.
 */
export type ResumeExecutionOptions = {
  /** Run these nodes again (their effect may happen twice). */
  rerun?: string[];
  /** Take these outputs for these nodes instead of running them (their effect happened). */
  skip?: Record<string, unknown>;
};

/** `executions.approve(id, nodeId, decision)`: the decision on a run parked at an approval. */
export type ApprovalDecision = {
  /** `true` approves; `false` rejects (the run fails, unless the node says `onReject: "continue"`). */
  approved: boolean;
  /** Who decided (kept in the node's output and the run's record). */
  by?: string;
  comment?: string;
};

/** What a run parked at a `wait` node waits for, and the answer of `executions.due`. */
export type { ExecutionWaiting, WaitKind, WokenRuns } from "./answers.generated.js";

/** `ConductorConfig.durability`: every recorded run is checkpointed; see `executions.resume`. */
export type { DurabilitySettings } from "./options.generated.js";

/** `executions.replay(id, options)`. */
export type ReplayExecutionOptions = {
  /** Replay this definition instead of the recorded one (nodes are matched by path and type). */
  flow?: NodeDefinition;
};

/** A replay's result: the run's, and the nodes whose output differs from the record. */
export type ReplayResult = ExecutionResult & { differences: ReplayDifference[] };
