/**
 * Execution history: every run recorded as it goes, read back with `conductor.executions`.
 */
import type { NodeDefinition } from "./definition.js";
import type { ExecutionError } from "./errors.js";
import type { HistorySettings } from "./options.generated.js";

export type { HistorySettings } from "./options.generated.js";

/** Where a recorded run stands. `"crashed"`: its process died while it ran (set by the next conductor to open the store; in queue mode, when the queue finds the worker gone). */
export type RecordedRunStatus = "running" | "success" | "failed" | "cancelled" | "crashed";

/**
 * `ConductorConfig.history`: `false` records nothing; an object says how runs are kept.
 * On by default. Node keeps it beside the flows (`history.sqlite` in the storage directory;
 * in memory with `storage: {type: "memory"}`).
 */
export type HistoryConfig = boolean | HistorySettings;

/** A run as `executions.list` shows it. Times are epoch milliseconds. */
export type ExecutionSummary = {
  id: string;
  /** The flow's root node id. */
  flowId: string;
  /** A hash of the flow's definition as it ran: equal hashes, same definition. */
  flowHash: string;
  status: RecordedRunStatus;
  startTime: number;
  endTime?: number;
  duration?: number;
  error?: ExecutionError;
  /** The run this one retried. */
  retryOf?: string;
  /** The process that ran it (`pid:<n>`). */
  owner?: string;
};

/** One node of a recorded run. */
export type ExecutionNodeRecord = {
  /** The node's path: ids of enclosing groups and its own, joined by `/`. */
  nodeId: string;
  nodeType: string;
  state: "pending" | "executing" | "completed" | "error" | "skipped" | "pinned" | "cached";
  /** Attempts made, retries included; 0 when the output was reused. */
  attempts: number;
  /** The output was taken from the run this one retried (the node did not run). */
  reused?: boolean;
  /** The output is recorded whole, so a retry may reuse it. */
  reusable?: boolean;
  input?: unknown;
  output?: unknown;
  error?: ExecutionError;
  startTime?: number;
  endTime?: number;
  /** Served from the result cache (`state: "cached"`): the entry's key, 32 hex digits. */
  cacheKey?: string;
  /** Served from the result cache: the entry's age in ms when it was served. */
  cacheAge?: number;
};

/** A whole recorded run, as `executions.get` gives it. */
export type ExecutionRecord = ExecutionSummary & {
  /** The flow definition as it ran. */
  flow: NodeDefinition;
  input: unknown;
  variables: Record<string, unknown>;
  /** Nodes that ended (or were running when the run ended), in the order they ended. */
  nodes: ExecutionNodeRecord[];
};

export type ListExecutionsOptions = {
  flowId?: string;
  status?: RecordedRunStatus;
  /** Default 50. */
  limit?: number;
  offset?: number;
  /** By start time; default `"desc"` (newest first). */
  sortOrder?: "asc" | "desc";
};

export type ExecutionListResponse = { executions: ExecutionSummary[]; total: number };

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
