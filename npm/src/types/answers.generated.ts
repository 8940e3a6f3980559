// Generated from the Rust engine by scripts/generate-ts.sh. Do not edit.
// What a session's methods answer, from the Rust types whose serialization the answers are.

import type { ExecutionError } from "./errors.js";
import type { NodeDefinition } from "./definition.js";
import type { ExecutionTrace } from "./execution.js";
import type { RunProgressEvent } from "./progress.js";
import type { FlowDefinition, FlowTemplateInfo } from "./storage.js";
import type { WireError, WireEvent, WireResult } from "./wire.js";
import type { RunPermissions as WirePermissions } from "./options.generated.js";

export type { ExecutionTrace, FlowDefinition, FlowTemplateInfo, NodeDefinition, RunProgressEvent, WireError, WireEvent, WireResult };

/**
 * Text (JSON, or codec text) that decodes to a `T`: how a method's answer crosses the boundary,
 * typed by what it holds. `decoded(text)` reads it.
 */
export type Encoded<T> = string & { readonly __decodesTo?: T };

/** The envelope every fallible answer comes in: `{ok: true, value}` or `{ok: false, error}`. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: WireError };

/**
 * `takeTrace`'s text: a run's trace.
 */
export type RunTrace = ExecutionTrace;

/**
 * `takeEvents`'s text: every waiting event.
 */
export type WireEvents = WireEvent[];

/**
 * `runState`'s text: the run's state as a progress snapshot.
 */
export type ProgressSnapshot = RunProgressEvent;

/**
 * `saveFlow`'s and `loadFlow`'s answer: a flow as the store keeps it, its own fields with
 * `id`, `savedAt`, `createdAt` and `version`.
 */
export type StoredFlow = FlowDefinition;

/**
 * A node definition as the catalog and the flow reader give it.
 */
export type CatalogNode = NodeDefinition;

/**
 * `nodeDefinitionsByCategory`'s answer: the built-in node types by category.
 */
export type NodeCategories = Array<{ name: string; title: string; items: NodeDefinition[] }>;

/**
 * `listTemplates`'s answer: the bundled templates.
 */
export type TemplateList = {
  templates: FlowTemplateInfo[]
};

/**
 * What `node.validate` finds: the old engine's `{valid, errors}`, the structured issues, and
 * the warnings when there are some (so a clean flow's answer is the old engine's shape).
 */
export type ValidationResult = {
  valid: boolean,
  /**
   * Each issue as one line (the old engine's form).
   */
  errors: Array<string>,
  issues: Array<ValidationIssue>,
  /**
   * Present only when there are some: what a flow gets away with under
   * `strictParameters: false` (unknown parameters and ports).
   */
  warnings?: Array<string>,
};

/**
 * One problem found in a flow.
 */
export type ValidationIssue = {
  /**
   * The error code (`VALIDATION_FAILED`, ...).
   */
  code: string,
  message: string,
  /**
   * Id of the node concerned, when it has one.
   */
  nodeId?: string,
  /**
   * Ids from the root down to the node (`[2]` stands for a child without an id).
   */
  path: Array<string>,
  /**
   * Field concerned, e.g. `parameters.operation`.
   */
  field?: string,
};

/**
 * `{flows, total}`.
 */
export type StoredFlowPage = {
  flows: Array<StoredFlowItem>,
  total: number,
};

/**
 * One listed flow: the desktop channel's fields plus the browser type's `createdAt` /
 * `modifiedAt`.
 */
export type StoredFlowItem = {
  id: string,
  name: string,
  nodeCount: number,
  savedAt: string,
  updatedAt: string,
  createdAt: string,
  modifiedAt: string,
  version: string,
};

/**
 * Where a run stands. A later conductor sets `Crashed` on a run whose process died while it was
 * `Running`, or `Interrupted` when the run was durable: it can be resumed from its checkpoints.
 * A durable run parked at a `wait` node is `Waiting` until a signal, an approval or its time
 * wakes it (its `error`, code `WAITING`, says what it waits for in its `context`).
 */
export type RecordedRunStatus = "running" | "success" | "failed" | "cancelled" | "crashed" | "interrupted" | "waiting";

/**
 * `NodeExecutionState`.
 */
export type NodeExecutionState = "pending" | "executing" | "completed" | "error" | "skipped" | "pinned" | "cached";

/**
 * A run as `executions.list` shows it.
 */
export type ExecutionSummary = {
  /**
   * The run's execution id.
   */
  id: string,
  /**
   * The flow's root node id.
   */
  flowId: string,
  /**
   * FNV-1a 64 of the flow's text as it ran, in hex: equal hashes, same definition.
   */
  flowHash: string,
  status: RecordedRunStatus,
  startTime: number,
  endTime?: number,
  duration?: number,
  error?: ExecutionError,
  /**
   * The run this one retried.
   */
  retryOf?: string,
  /**
   * Which process owned the run while it was going on (a native host's `pid:<n>`), so a later
   * conductor can tell a crashed run from one still going on elsewhere.
   */
  owner?: string,
  /**
   * The run is checkpointed as it goes (`ConductorConfig.durability`): once interrupted, it can
   * be resumed.
   */
  durable?: boolean,
};

/**
 * One node of a run. Group nodes have state and timings only; atomic nodes also their values.
 */
export type ExecutionNodeRecord = {
  /**
   * The node's path from the flow's root: ids of enclosing groups and its own, joined by `/`.
   */
  nodeId: string,
  nodeType: string,
  state: NodeExecutionState,
  /**
   * Attempts made (retries included); 0 for a reused output or a group.
   */
  attempts: number,
  /**
   * The output was taken from the run this one retried; the node did not run.
   */
  reused?: boolean,
  /**
   * The output is recorded in full (not cut or redacted), so a retry may reuse it.
   */
  reusable?: boolean,
  input?: unknown,
  output?: unknown,
  error?: ExecutionError,
  startTime?: number,
  endTime?: number,
  /**
   * A node served from the result cache (state `cached`): its entry's key, 32 hex digits.
   */
  cacheKey?: string,
  /**
   * A node served from the result cache: the entry's age in ms when it was served.
   */
  cacheAge?: number,
};

/**
 * A whole run as `executions.get` gives it: the summary's fields, then these.
 */
export type ExecutionRecord = ExecutionSummary & {
  /**
   * The flow definition as it ran.
   */
  flow: NodeDefinition,
  /**
   * The run's input.
   */
  input: unknown,
  /**
   * The run's variables.
   */
  variables: Record<string, unknown>,
  /**
   * Nodes that finished (or were running when the run ended), in the order they ended (by
   * end time; nodes without one last).
   */
  nodes: Array<ExecutionNodeRecord>,
};

/**
 * `{executions, total}`: one page, and how many runs pass the filters.
 */
export type ExecutionListResponse = {
  executions: Array<ExecutionSummary>,
  total: number,
};

/**
 * `executions.prune`'s answer.
 */
export type PrunedExecutions = {
  /**
   * How many run records went.
   */
  deleted: number,
};

/**
 * `executions.counts`: how many runs pass the filters (`flowId`, `since`, `until`; a status
 * filter or a page is not one), in all and in each status — a dashboard's tiles.
 */
export type ExecutionCounts = {
  total: number,
  running: number,
  success: number,
  failed: number,
  cancelled: number,
  crashed: number,
  interrupted: number,
  waiting: number,
};

/**
 * `cache.clear`'s and `cache.invalidate`'s answer.
 */
export type CacheRemoved = {
  /**
   * How many entries went.
   */
  removed: number,
};

/**
 * `cache.stats`'s answer: `enabled`, and the store's counts when it is.
 */
export type CacheStats = {
  /**
   * Whether this conductor has a cache.
   */
  enabled: boolean,
  entries?: number,
  bytes?: number,
  hits?: number,
  misses?: number,
  /**
   * Entries removed to stay within the bounds (not expiries or invalidations).
   */
  evictions?: number,
};

/**
 * `executions.differences({of, run})`'s answer.
 */
export type ReplayDifferences = {
  /**
   * In the order the replay's nodes ended.
   */
  differences: Array<ReplayDifference>,
};

/**
 * One node whose output in the replay is not the recorded one (`None`: no output).
 */
export type ReplayDifference = {
  nodeId: string,
  recorded: unknown,
  replayed: unknown,
};

/**
 * What a `wait` node waits for (its `mode`).
 */
export type WaitKind = "duration" | "until" | "signal" | "approval";

/**
 * What a parked run waits for: the `context` of its `WAITING` error, in its result and in its
 * record.
 */
export type ExecutionWaiting = {
  /**
   * The wait node's path from the flow's root.
   */
  nodeId: string,
  kind: WaitKind,
  /**
   * When the run parked there (ms since the Unix epoch): with the node, names this wait.
   */
  since: number,
  /**
   * When a time wakes it (ms since the Unix epoch): a duration's or a date's end, or a
   * signal's or an approval's `waitTimeout`.
   */
  wakeAt?: number,
  /**
   * The signal's name (mode `signal`).
   */
  signal?: string,
  /**
   * The schema a signal's payload must pass (the node's `payloadSchema`).
   */
  payloadSchema?: unknown,
  /**
   * The run's permissions (its `permissions` option), when it had some: a wake hands them to
   * the resumed run (in its delivery), so that a run goes on with the reach it started with,
   * whoever wakes it.
   */
  permissions?: WirePermissions,
};

/**
 * `executions.due`'s answer: the runs woken (to be resumed), and when the next parked run's
 * time comes (ms since the Unix epoch; `null`: none waits for a time).
 */
export type WokenRuns = {
  woken: Array<string>,
  next: number | null,
};

/**
 * One active trigger.
 */
export type TriggerInfo = {
  /**
   * `flowId/nodeId`: how `triggers.fires`, `pause` and `resume` name it.
   */
  id: string,
  flowId: string,
  nodeId: string,
  /**
   * The node's type (`"schedule"`).
   */
  type: string,
  paused: boolean,
  /**
   * When the flow was first activated (ms since the Unix epoch).
   */
  activatedAt: number,
  /**
   * Every fire up to this instant is handled (ran, runs, or was skipped).
   */
  handledThrough: number,
  /**
   * The next fire after now (`null`: the pattern has no more).
   */
  next: number | null,
};

/**
 * `triggers.list`'s and `activate`'s answer.
 */
export type ActiveTriggers = {
  triggers: Array<TriggerInfo>,
};

/**
 * `triggers.deactivate`'s answer.
 */
export type DeactivatedTriggers = {
  /**
   * How many triggers were active.
   */
  removed: number,
};

/**
 * Fires that did not run, one record for the range.
 */
export type SkippedFires = {
  /**
   * The first and last fire time of the range.
   */
  first: number,
  last: number,
  /**
   * How many fires (at least this many when `exact` is false).
   */
  count: number,
  exact: boolean,
  /**
   * `"missed"` (later than a minute, misfire `skip`), `"coalesced"` (one run, `into`, stood
   * for them) or `"over-cap"` (misfire `all` with more missed than `cap`).
   */
  reason: string,
  into?: number,
  cap?: number,
};

/**
 * One fire of a trigger.
 */
export type TriggerFire = {
  /**
   * The fire's time (ms since the Unix epoch).
   */
  scheduledAt: number,
  /**
   * When its run started.
   */
  firedAt?: number,
  executionId?: string,
  /**
   * `"claimed"`, `"started"`, `"running"` (its run seen in the history by a process that
   * looked), `"succeeded"`, `"failed"` or `"skipped"`.
   */
  status: string,
  skipped?: SkippedFires,
};

/**
 * `triggers.fires`' answer.
 */
export type TriggerFires = {
  fires: Array<TriggerFire>,
};

/**
 * What a fire's run gets as its input's `trigger` (and the trigger node's output).
 */
export type FireInput = {
  /**
   * The trigger node's type.
   */
  type: string,
  flowId: string,
  nodeId: string,
  /**
   * The fire's time and when it started, as ISO 8601 text in UTC (a file event's time is the
   * file's modification, or when its deletion was seen).
   */
  scheduledAt: string,
  firedAt: string,
  /**
   * A file watch's: `"created"`, `"changed"` or `"deleted"`.
   */
  event?: string,
  /**
   * A file watch's: the file's path (the folder's joined with `relativePath`).
   */
  path?: string,
  /**
   * A file watch's: the file's path relative to the folder, `/` between folders.
   */
  relativePath?: string,
  /**
   * A file watch's: the file's size in bytes.
   */
  size?: number,
  /**
   * A file watch's: when the file was last modified (ISO 8601, UTC).
   */
  modifiedAt?: string,
};

/**
 * A run `triggers.due` asks its caller to start now.
 */
export type FireToStart = {
  flowId: string,
  nodeId: string,
  /**
   * The fire's time, and the key of its record: a schedule's fire time; for a file event,
   * its time, or the next whole ms no other record of the trigger has.
   */
  scheduledAt: number,
  /**
   * Whether the fire has a record (`triggers.ended` then says how its run ended). Always,
   * for a schedule's; a file event finds no free key only when dozens land in one ms.
   */
  recorded: boolean,
  /**
   * The run's id: the fire's record names it.
   */
  executionId: string,
  /**
   * The run's input is `{trigger: this}`.
   */
  trigger: FireInput,
  /**
   * What the run may reach: the permissions its trigger was activated with (none: the
   * conductor's own runs, unrestricted).
   */
  permissions?: WirePermissions,
};

/**
 * Fires a `triggers.due` recorded as not run (its misfire policy's doing), for the timer's
 * metrics: each range is reported once, by the process whose plan recorded it.
 */
export type MissedFires = {
  flowId: string,
  nodeId: string,
  skipped: SkippedFires,
};

/**
 * `triggers.due`'s answer.
 */
export type DueFires = {
  start: Array<FireToStart>,
  /**
   * The ranges of fires this call recorded as not run.
   */
  missed: Array<MissedFires>,
  /**
   * When the next fire comes (ms since the Unix epoch; `null`: none will).
   */
  next: number | null,
};

/**
 * Why a request to a hook is refused: the HTTP status to answer with, a code and a message.
 */
export type HookRefusal = {
  status: number,
  /**
   * An `ErrorCode` name.
   */
  code: string,
  error: string,
  /**
   * With status 405: the methods the hook accepts.
   */
  allow?: Array<string>,
};

/**
 * `triggers.hook`'s answer: the hook at a path, or why the request is refused before its body
 * is read.
 */
export type HookRoute = {
  /**
   * The hook's trigger id (`flowId/nodeId`).
   */
  trigger?: string,
  refused?: HookRefusal,
  /**
   * The largest body the hook accepts, in bytes.
   */
  maxBytes: number,
  /**
   * The hook needs the server's own authentication.
   */
  serverAuth: boolean,
  /**
   * The hook's own run limits (the server's apply where it has none).
   */
  runsPerMinute?: number,
  concurrentRuns?: number,
};

/**
 * A run a request to a hook starts.
 */
export type HookStart = {
  flowId: string,
  nodeId: string,
  executionId: string,
  /**
   * The key of the delivery's fire record (when it was received, or the next whole ms no
   * other record of the hook has), for `triggers.ended`; none when it found no free key.
   */
  scheduledAt?: number,
  /**
   * The run's input is `{trigger: this}`: the request.
   */
  trigger: unknown,
  /**
   * What the run may reach: the permissions its trigger was activated with (none: the
   * conductor's own runs, unrestricted).
   */
  permissions?: WirePermissions,
};

/**
 * `triggers.deliver`'s answer: the run to start, the run an earlier delivery with the same
 * `Idempotency-Key` started, or why the request is refused; and how to answer the caller.
 */
export type HookDelivery = {
  refused?: HookRefusal,
  start?: HookStart,
  /**
   * The execution id of the run an earlier delivery with this `Idempotency-Key` started.
   */
  replayed?: string,
  /**
   * `"accepted"`, `"result"` or `"node"`.
   */
  respond: string,
  responseNode?: string,
  /**
   * How long the caller waits for the result, in ms.
   */
  responseTimeout?: number,
};

/**
 * One credential as `credentials.list` shows it.
 */
export type CredentialInfo = {
  name: string,
  type: string,
};

/**
 * `credentials.list`'s answer, by name.
 */
export type CredentialList = {
  credentials: Array<CredentialInfo>,
};

