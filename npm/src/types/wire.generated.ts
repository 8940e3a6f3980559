// Generated from the Rust engine by scripts/generate-ts.sh. Do not edit.
// The shapes of the engine's inputs, from the serde types that read them.

import type { DebugOptions, RunPermissions as WirePermissions, RunReplay as WireReplay, RunResume as WireResume, RunRetry as WireRetry, RunTelemetry as WireTelemetry } from "./options.generated.js";

/**
 * How to run one flow. An unknown field is an error (a misspelt option must not run with its
 * default instead).
 */
export type WireRunOptions = {
  /**
   * Id of the run; made once (`exec_<uuid>`) when absent.
   */
  executionId?: string,
  /**
   * Shared with every node (`params.variables`). Default `{}`.
   */
  variables?: Record<string, unknown>,
  /**
   * The flow's input: an atomic node's `input`, a group's children's fallback input.
   */
  input?: unknown,
  /**
   * Given back in the result's `context`.
   */
  parentContext?: unknown,
  /**
   * Visualisation pacing in ms per progress step; 0 or absent = no artificial delay.
   */
  slowMo?: number,
  /**
   * Debug simulation for this run only, or `true`: log this run at debug level (nothing is
   * simulated).
   */
  debug?: DebugOptions | boolean,
  /**
   * Bound on this run in ms (instead of the engine's configured timeout).
   */
  timeout?: number,
  /**
   * Types the embedder provides executors for; consulted before built-ins.
   */
  customTypes?: Array<string>,
  /**
   * Whether the embedder listens to this run's events: a session attaches its event sink
   * only then (progress snapshots are built only for a listener).
   */
  events?: boolean,
  /**
   * Whether every change of a node's state or progress is also an event (`nodeChanged`),
   * unthrottled: for a store whose subscribers see each change. Progress snapshots stay
   * throttled.
   * Builds without the live state have no change events to send.
   */
  stateEvents?: boolean,
  /**
   * What this run may reach outside its data; absent: whatever the host provides.
   */
  permissions?: WirePermissions,
  /**
   * Who started the run, for audit (the protocol server sets its caller's id): a durable
   * run's record keeps it, and a resumed run goes on with the one it started with.
   */
  caller?: string,
  /**
   * Outputs given for nodes (`{path: output}` on the wire): those nodes do not run, their
   * successors take these.
   */
  pinned?: Record<string, unknown>,
  /**
   * Runs only this node (by path) and what it depends on; the result's data is its output.
   */
  runTo?: string,
  /**
   * Nodes (by path) the run pauses before.
   */
  breakpoints?: Array<string>,
  /**
   * `false`: a session does not record this run in its execution history.
   */
  history?: boolean,
  /**
   * The run retries a recorded one, reusing what it may (a session resolves it into the
   * `reuse` handle).
   * Builds without history refuse it (the TypeScript layer's engines refuse a retry there
   * first).
   */
  retry?: WireRetry,
  /**
   * The run goes on from the checkpoints of interrupted execution `executionId` (its id is
   * this run's), as the decisions in it say (`conductor.executions.resume` sets it).
   * Builds without history refuse it, as `retry`.
   */
  resume?: WireResume,
  /**
   * The run replays recorded execution `of`: its nodes with effects take their recorded
   * outputs instead of running (`conductor.executions.replay` sets it).
   * Builds without history refuse it, as `retry`.
   */
  replay?: WireReplay,
  /**
   * The run is traced: its result lists its nodes' spans (`spans`), and `http-request`
   * nodes send trace context unless `propagate` is `false`. Read by the engine's tracing,
   * where the build has it; elsewhere it is left unused, and the TypeScript layer traces the
   * run as one span.
   */
  telemetry?: WireTelemetry,
  /**
   * The node result cache for this run: `false` neither reads nor writes it; `{nodes: {path:
   * false | true | {ttlMs}}}` turns it off or on (effects included) for those nodes, over
   * their `parameters.cache`. Only on conductors created with `cache`.
   * A session without a cache ignores it (the TypeScript layer refuses a run's `cache` on a
   * conductor created without one).
   */
  cache?: boolean | { nodes?: Record<string, boolean | { ttlMs?: number }> }, };

/**
 * A run's options for the engine: each one the conductor `set`, else the one the caller `given`, with
 * every option named, so the object always has one shape.
 */
export function wireRunOptions(given: Partial<WireRunOptions>, set: Partial<WireRunOptions>): WireRunOptions {
  return {
    executionId: set.executionId ?? given.executionId,
    variables: set.variables ?? given.variables,
    input: set.input ?? given.input,
    parentContext: set.parentContext ?? given.parentContext,
    slowMo: set.slowMo ?? given.slowMo,
    debug: set.debug ?? given.debug,
    timeout: set.timeout ?? given.timeout,
    customTypes: set.customTypes ?? given.customTypes,
    events: set.events ?? given.events,
    stateEvents: set.stateEvents ?? given.stateEvents,
    permissions: set.permissions ?? given.permissions,
    caller: set.caller ?? given.caller,
    pinned: set.pinned ?? given.pinned,
    runTo: set.runTo ?? given.runTo,
    breakpoints: set.breakpoints ?? given.breakpoints,
    history: set.history ?? given.history,
    retry: set.retry ?? given.retry,
    resume: set.resume ?? given.resume,
    replay: set.replay ?? given.replay,
    telemetry: set.telemetry ?? given.telemetry,
    cache: set.cache ?? given.cache,
  };
}

/** Messages the package gives for failures it finds before the engine does, in the engine's words. */
export const MESSAGES = {
  EXECUTION_CANCELLED: "Execution cancelled",
  INVALID_NODE_DEFINITION: "Invalid node definition: id and type are required",
  EMPTY_FLOW: "Flow must contain at least one node",
  NO_PROGRAM: "No program given",
  REQUEST_CANCELLED: "The request was cancelled",
  NO_CREDENTIALS: "This conductor keeps no credentials: a conductor on the native addon keeps them sealed in its storage, the WebAssembly editor module (history: true) and Node's WebAssembly fallback in memory; flows run in the browser's default module use them through a remote conductor",
} as const;
