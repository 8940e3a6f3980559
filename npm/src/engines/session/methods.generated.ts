// Generated from the Rust engine by scripts/generate-ts.sh. Do not edit.
// A session's JS class (`NativeConductor`, `WasmConductor`) as the TypeScript layer sees it, from the
// one Rust declaration of its methods (core/src/session/boundary/methods.rs).

import type { CacheAnswers, CacheCall, CredentialsAnswers, CredentialsCall, ExecutionsAnswers, ExecutionsCall, RunCommand, TriggersAnswers, TriggersCall } from "../../types/calls.generated.js";
import type { CatalogNode, Encoded, NodeCategories, Outcome, ProgressSnapshot, RunTrace, StoredFlow, StoredFlowPage, TemplateList, ValidationResult, WireEvents, WireResult } from "../../types/answers.generated.js";

/**
 * A finished run as `takeCompleted` gives it: the result as codec text with the binary data its
 * tags refer to, its large arrays apart (`slices`), its trace's id for `takeTrace` / `dropTrace`.
 */
export type FinishedRun = {
  runId: number;
  result: Encoded<WireResult>;
  buffers: Uint8Array[];
  slices?: string[][];
  trace?: number | null;
};

/** The methods of a session's JS class; a method whose feature a build lacks is absent. */
export type SessionMethods = {
  /**
   * Polls every run woken since the last call; returns the status bits.
   */
  drive(): number;
  /**
   * Answers executor calls, `[[id, {ok, value?, error?}], ...]` as codec text with
   * the binary data its tags refer to, and carries the waiting runs on; returns the
   * status bits.
   */
  resolveCalls(answersJson: string, buffers: Uint8Array[]): number;
  /**
   * A finished run's trace as JSON text (by the id `takeCompleted` gave); none once
   * taken or dropped.
   */
  takeTrace(id: number): Encoded<RunTrace> | null | undefined;
  /**
   * Forgets a trace that will not be read.
   */
  dropTrace(id: number): void;
  /**
   * Every waiting event, as a JSON array.
   */
  takeEvents(): Encoded<WireEvents>;
  /**
   * The state of the run started last, as the JSON of a progress snapshot; none
   * before any run (or after one refused before any node could run).
   */
  runState(): Encoded<ProgressSnapshot> | null | undefined;
  /**
   * Cancels a running execution; `false` when no such run is going on.
   */
  cancel(executionId: string): boolean | Promise<boolean>;
  /**
   * Pauses, resumes or steps (`command`) a running execution; `false` when there is
   * no such run.
   */
  controlRun(executionId: string, command: RunCommand): boolean | Promise<boolean>;
  /**
   * Deep validation: `{ok, value: {valid, errors, issues}}`; the flows its sub-flows
   * call are looked for in the conductor's storage and templates.
   */
  validate(flowJson: string, customTypesJson: string): Promise<Encoded<Outcome<ValidationResult>>>;
  /**
   * `storage.saveFlow`: `{ok, value: savedFlow}`; `flowSaved` goes to the events.
   */
  saveFlow(flowJson: string): Promise<Encoded<Outcome<StoredFlow>>>;
  /**
   * `storage.loadFlow`.
   */
  loadFlow(id: string): Promise<Encoded<Outcome<StoredFlow>>>;
  /**
   * `storage.listFlows`: `{flows, total}`.
   */
  listFlows(optionsJson: string): Promise<Encoded<Outcome<StoredFlowPage>>>;
  /**
   * `storage.deleteFlow`; `flowDeleted` goes to the events.
   */
  deleteFlow(id: string): Promise<Encoded<Outcome<null>>>;
  /**
   * `executions.list` / `get` / `delete` / `prune` / `flush` by name (`arg`: options
   * JSON or an execution id): `{ok, value}` or `{ok: false, error}`.
   *
   * Only in builds with `history`.
   */
  executions?<C extends ExecutionsCall>(call: C, arg: string): Promise<Encoded<Outcome<ExecutionsAnswers[C]>>>;
  /**
   * `cache.clear` / `invalidate` / `stats` by name (`arg`: `{flowId?, nodeId?}`
   * JSON for `invalidate`): `{ok, value}` or `{ok: false, error}`.
   */
  cache<C extends CacheCall>(call: C, arg: string): Promise<Encoded<Outcome<CacheAnswers[C]>>>;
  /**
   * `triggers.activate` / `deactivate` / `list` / `fires` / `pause` / `resume` /
   * `due` / `ended` by name (`arg`: a flow id or JSON): `{ok, value}` or `{ok:
   * false, error}`.
   *
   * Only in builds with `history`.
   */
  triggers?<C extends TriggersCall>(call: C, arg: string): Promise<Encoded<Outcome<TriggersAnswers[C]>>>;
  /**
   * `credentials.set` / `list` / `delete` by name (`arg`: JSON for `set`, a name for
   * `delete`): `{ok, value}` or `{ok: false, error}`; no answer holds a value.
   *
   * Only in builds with `history`.
   */
  credentials?<C extends CredentialsCall>(call: C, arg: string): Promise<Encoded<Outcome<CredentialsAnswers[C]>>>;
  /**
   * Called (with no arguments, possibly from another thread) when something is
   * waiting for JS outside a driving call: JS then calls `drive`.
   */
  setNotifier(notify: () => void): void;
  /**
   * Starts a flow (codec text) as run `runId` with its options (codec text) and the
   * binary data both refer to; returns the status bits. (The wasm module takes the
   * flow as UTF-8 bytes.)
   */
  run(runId: number, flowJson: string, optionsJson: string, buffers: Uint8Array[]): number;
  /**
   * Finished runs: the result as codec text, its binary data, its large arrays
   * apart, its trace id.
   */
  takeCompleted(): FinishedRun[];
  /**
   * Waiting executor calls, materialize requests and aborts, as one codec array text.
   */
  takeCalls(): string;
  /**
   * The binary data the batch `takeCalls` gave last refers to (`"i": n` tags), once.
   */
  takeCallBuffers(): Uint8Array[];
  /**
   * Execution ids of the runs going on.
   *
   * Only in builds with `native`.
   */
  running?(): string[];
  /**
   * Marks a recorded run still `running` as `crashed` (its worker died); false when
   * it is not.
   *
   * Only in builds with `native`.
   */
  markCrashed?(executionId: string, message: string): Promise<boolean>;
  /**
   * Marks a recorded run still `running` whose worker was lost as `interrupted`
   * (durable) or `crashed`; the run's status afterwards (`""`: no such run).
   *
   * Only in builds with `native`.
   */
  markLost?(executionId: string, message: string): Promise<string>;
};

/** The module-level functions of either build; each returns an outcome envelope as JSON text. */
export type CatalogFunctions = {
  /**
   * Every built-in node definition (`getAllNodeDefinitions`).
   *
   * Only in builds with `catalog`.
   */
  nodeDefinitions?(): Encoded<Outcome<Array<CatalogNode>>>;
  /**
   * One built-in node definition, or `null`.
   *
   * Only in builds with `catalog`.
   */
  nodeDefinition?(nodeType: string): Encoded<Outcome<CatalogNode | null>>;
  /**
   * `getNodeDefinitionsGroupedByCategory`.
   *
   * Only in builds with `catalog`.
   */
  nodeDefinitionsByCategory?(): Encoded<Outcome<NodeCategories>>;
  /**
   * `{templates: [{id, name, description, nodeCount}]}`.
   *
   * Only in builds with `catalog`.
   */
  listTemplates?(): Encoded<Outcome<TemplateList>>;
  /**
   * A bundled template's definition (`NODE_NOT_FOUND` when there is none).
   *
   * Only in builds with `catalog`.
   */
  getTemplate?(id: string): Encoded<Outcome<CatalogNode>>;
  /**
   * Reads a flow from JSON or YAML text; `optionsJson` is `{format?, defaults?}`.
   */
  parseFlow(text: string, optionsJson: string): Encoded<Outcome<CatalogNode>>;
  /**
   * Writes a flow (JSON text) as YAML.
   */
  flowToYaml(flowJson: string): Encoded<Outcome<string>>;
  /**
   * `getErrorRecoveryStrategy` for every code: `{CODE: strategy}`.
   */
  recoveryTable(): string;
  /**
   * The engine's version.
   */
  engineVersion(): string;
  /**
   * How long to wait before running a failed flow again (`execute(request)` with
   * `options.retries`), in ms, or `null`: not again. Each argument is a number as
   * text, empty when not given.
   */
  retryDelay(attempt: string, retries: string, maxRetries: string, retryDelay: string, retryAfterMs: string): Encoded<Outcome<number | null>>;
  /**
   * A run's id: `given` when not empty, else a fresh `exec_<uuid>`.
   */
  executionId(given: string): string;
  /**
   * Whether the engine reads arrays of records sent as tables of columns (the codec's
   * `"rows"` tag; builds with the `bulk-data` feature). Every build writes them only to
   * an embedder that reads them all.
   */
  readsTables(): boolean;
};

/**
 * How the TypeScript layer reaches each method: `driving` (returns status bits; across a Web
 * Worker a message whose outcome comes back relayed), `relayed` (takes what a driving call left
 * waiting; across a worker, read from what was relayed), `read` (reads the session's state at
 * once; not across a worker), `call` (a result at once in the page, a promise across a worker),
 * `promise` (a promise), `bespoke` (how depends on where the session is).
 */
export const SESSION_METHOD_KINDS = {
  drive: "driving",
  resolveCalls: "driving",
  takeTrace: "relayed",
  dropTrace: "relayed",
  takeEvents: "relayed",
  runState: "read",
  cancel: "call",
  controlRun: "call",
  validate: "promise",
  saveFlow: "promise",
  loadFlow: "promise",
  listFlows: "promise",
  deleteFlow: "promise",
  executions: "promise",
  cache: "promise",
  triggers: "promise",
  credentials: "promise",
  setNotifier: "bespoke",
  run: "driving",
  takeCompleted: "relayed",
  takeCalls: "relayed",
  takeCallBuffers: "relayed",
  running: "read",
  markCrashed: "promise",
  markLost: "promise",
} as const;

/** Status bit: Finished runs are waiting in `takeCompleted`. */
export const STATUS_COMPLETED = 1;
/** Status bit: Executor calls or aborts are waiting in `takeCalls`. */
export const STATUS_CALLS = 2;
/** Status bit: Events are waiting in `takeEvents`. */
export const STATUS_EVENTS = 4;
/** The feature each method needs (`native`: the native addon only); the others are in every build. */
export const SESSION_METHOD_GATES = {
  executions: "history",
  triggers: "history",
  credentials: "history",
  running: "native",
  markCrashed: "native",
  markLost: "native",
} as const;

/** The feature each module function needs; the others are in every build. */
export const CATALOG_FUNCTION_GATES = {
  nodeDefinitions: "catalog",
  nodeDefinition: "catalog",
  nodeDefinitionsByCategory: "catalog",
  listTemplates: "catalog",
  getTemplate: "catalog",
} as const;
