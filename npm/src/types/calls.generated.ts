// Generated from the Rust engine by scripts/generate-ts.sh. Do not edit.
// The calls boundary methods take by name and what each answers, from their one Rust
// declaration (`named_calls!`: core/src/run/command.rs, core/src/session/boundary/calls.rs).

import type { ActiveTriggers, CacheRemoved, CacheStats, CredentialList, DeactivatedTriggers, DueFires, ExecutionCounts, ExecutionListResponse, ExecutionRecord, HookDelivery, HookRoute, PrunedExecutions, ReplayDifferences, TriggerFires, WokenRuns } from "./answers.generated.js";

/** What `node.pause` / `resume` / `step` ask of a running execution (`controlRun`). */
export type RunCommand = "pause" | "resume" | "step";

/** An `executions.*` call, by name; `flush` waits until every run record written so far is stored. */
export type ExecutionsCall = "list" | "get" | "counts" | "delete" | "prune" | "flush" | "suspend" | "differences" | "signal" | "approve" | "due";

/** What each `ExecutionsCall` answers (inside the outcome envelope). */
export type ExecutionsAnswers = {
  list: ExecutionListResponse;
  get: ExecutionRecord;
  counts: ExecutionCounts;
  delete: null;
  prune: PrunedExecutions;
  flush: null;
  suspend: boolean;
  differences: ReplayDifferences;
  signal: null;
  approve: null;
  due: WokenRuns;
};

/** The node result cache's calls (`conductor.cache`). */
export type CacheCall = "clear" | "invalidate" | "stats";

/** What each `CacheCall` answers (inside the outcome envelope). */
export type CacheAnswers = {
  clear: CacheRemoved;
  invalidate: CacheRemoved;
  stats: CacheStats;
};

/** The triggers' calls (`conductor.triggers`; `due` and `ended` are its timer's). */
export type TriggersCall = "activate" | "deactivate" | "list" | "fires" | "pause" | "resume" | "due" | "ended" | "hook" | "deliver";

/** What each `TriggersCall` answers (inside the outcome envelope). */
export type TriggersAnswers = {
  activate: ActiveTriggers;
  deactivate: DeactivatedTriggers;
  list: ActiveTriggers;
  fires: TriggerFires;
  pause: boolean;
  resume: boolean;
  due: DueFires;
  ended: null;
  hook: HookRoute;
  deliver: HookDelivery;
};

/** The credentials' calls (`conductor.credentials`); no answer holds a field's value. */
export type CredentialsCall = "set" | "list" | "delete";

/** What each `CredentialsCall` answers (inside the outcome envelope). */
export type CredentialsAnswers = {
  set: null;
  list: CredentialList;
  delete: boolean;
};
