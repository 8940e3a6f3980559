/** Execution shapes, as the TypeScript engine had them: config, run context, result and trace. */
import type { CacheConfig } from "./cache.js";
import type { HistoryConfig } from "./history.js";
import type { ExecutionError } from "./errors.js";
import type { ConductorLogger, LogLevel } from "../logging.js";
import type { TransportKind } from "../transports/configure.js";
import type { WebSocketConstructor } from "../transports/websocket.js";
import type { ExecutionId, NodeId } from "./ids.js";
import type { NodeDefinition } from "./definition.js";
import type { DebugOptions, WirePermissions, WireRetry, WireRunOptions, WireTelemetry } from "./wire.generated.js";
import type { TelemetryConfig } from "../telemetry/run.js";

export type { DebugOptions, DebugSimulateError, DebugSimulateLongRunning, DebugSimulatePanic } from "./wire.generated.js";

/** The kinds of simulated error with a default message. */
export type DebugErrorType = "generic" | "timeout" | "network" | "validation" | "permission";

/** The context of a node's execution; JS executors receive `{...context, ...parameters, signal}`. */
export type ConductorExecutionContext = {
  nodeId: NodeId;
  executionId: ExecutionId;
  variables: Record<string, unknown>;
  input?: Record<string, unknown>;
  parentContext?: ConductorExecutionContext;
  slowMo?: number;
  /** Debug simulation for this run, or `true`: log this run at debug level (nothing is simulated). */
  debug?: DebugOptions | boolean;
};

/**
 * What one run may reach outside its data. Nodes needing a capability not granted are refused
 * before anything runs (`PERMISSION_DENIED`, naming the node and the capability); paths and
 * hosts are checked at each file operation and HTTP request (redirects included), since inputs
 * and expressions decide them. The engine's own type (`WirePermissions`, generated with its
 * documentation).
 */
export type RunPermissions = WirePermissions;

/** Per-run options for `node.run(node, contextOverrides)`. */
export type ContextOverrides = Partial<Omit<ConductorExecutionContext, "executionId" | "nodeId">> &
  Pick<WireRunOptions, "timeout" | "permissions" | "history" | "pinned" | "runTo" | "breakpoints" | "cache"> & {
    /**
     * Tracing of this run (with an OpenTelemetry SDK registered): `propagate: false` stops its
     * `http-request` nodes sending trace context; `traceparent` (and `tracestate`) name a span
     * (W3C) the run's span is a child of, instead of the active context's.
     */
    telemetry?: WireTelemetry;
    executionId?: string;
    nodeId?: string;
    /** Aborting it cancels the run. */
    signal?: AbortSignal;
    /**
     * This run retries recorded execution `of` (see `conductor.executions.retry`, which sets it);
     * nodes that succeeded there keep their recorded outputs, as `from` says.
     */
    retry?: WireRetry;
  };

export type ExecutionStatus = "pending" | "running" | "completed" | "failed" | "cancelled";

export type ExecutionTraceEvent = {
  timestamp: number;
  type: "started" | "progress" | "state-change" | "completed" | "error";
  data: Record<string, unknown>;
};

export type NodeExecutionTrace = {
  nodeId: string;
  nodeName: string;
  nodeType: string;
  startTime: number;
  endTime?: number;
  duration?: number;
  state: string;
  progress: number;
  /** A node served from the result cache (`state: "cached"`): the entry's key (32 hex digits). */
  cacheKey?: string;
  /** A node served from the result cache: the entry's age in ms when it was served. */
  cacheAge?: number;
  events: ExecutionTraceEvent[];
  childTraces?: NodeExecutionTrace[];
};

export type ExecutionTrace = {
  executionId: ExecutionId;
  rootNodeId: NodeId;
  startTime: number;
  endTime?: number;
  duration?: number;
  config: { slowMo?: number };
  events: ExecutionTraceEvent[];
  nodes: NodeExecutionTrace[];
};

export type ExecutionResult<T = unknown> = {
  success: boolean;
  data?: T;
  error?: ExecutionError;
  duration?: number;
  executedNodes?: NodeId[];
  context?: ConductorExecutionContext;
  trace?: ExecutionTrace;
};

/** What a custom executor exposes. */
export type NodeExecutable = {
  execute(params: Record<string, unknown> & { signal: AbortSignal }): unknown | Promise<unknown>;
};

/** `{getNodeExecutable(type)}`: consulted first for every node type; built-ins are the fallback. */
export type NodeExecutorFactory = {
  getNodeExecutable(nodeType: string): NodeExecutable | undefined | null;
};

export type HealthResult = { status: "ok" | "error"; timestamp: number; message?: string };

export type ConductorTransport = {
  execute(node: NodeDefinition, context: ConductorExecutionContext): Promise<ExecutionResult>;
  health?(): Promise<HealthResult>;
};

export type TransportConfig = { type: "local" | "rpc" | "custom"; endpoint?: string; timeout?: number; retries?: number };

/** Flow storage settings. */
export type StorageConfig = {
  /** `"fs"` (default in Node: one YAML file per flow), `"memory"`, or `"indexeddb"` (browser). */
  type?: "fs" | "memory" | "indexeddb";
  /** Directory for `"fs"` (default `~/.atomiton/flows`; Electron apps pass `userData`). */
  directory?: string;
};

export type ConductorConfig = {
  /**
   * Where flows run: `"local"` (this process; the default), `"http"` / `"ws"` (a protocol
   * server at `apiUrl`), `"ipc"` (an Electron main process, through the preload's bridge), or a
   * custom `{execute, health?}` object.
   */
  transport?: ConductorTransport | TransportKind;
  /**
   * A protocol server (`http(s)://` or `ws(s)://`) for `transport: "http"` / `"ws"`; alone, it
   * selects the transport its scheme names.
   */
  apiUrl?: string;
  /** Where `transport: "ws"` finds its WebSocket class when there is no global one (Node 20: the `ws` package's). */
  WebSocket?: WebSocketConstructor;
  nodeExecutorFactory?: NodeExecutorFactory;
  /** Accepted for compatibility; debug options are per run (`contextOverrides.debug`). */
  debugController?: unknown;
  /** Cap on a node's `parameters.retries` (default 3). */
  maxRetries?: number;
  /** Base of the exponential retry backoff in ms (default 1000). */
  retryDelay?: number;
  /** Bound on every run in ms (none by default). */
  timeout?: number;
  /**
   * Log runs at this level and above (`"debug"`: each run's start, node states and end;
   * `"info"`: completed runs; `"warn"`: retries and fallbacks of `execute`; `"error"`: failed
   * runs). Unset: nothing is logged, except runs started with `debug: true`.
   */
  logLevel?: LogLevel;
  /** Where log entries go (default: the console). A function receives each entry; an object's method of the entry's level is called. */
  logger?: ConductorLogger;
  /**
   * Most atomic nodes of a run in flight at once, waiting or working (default 256). Nodes that
   * wait — timers, HTTP, processes, JS executors awaiting a promise — hold no CPU; CPU-heavy
   * built-in work is bounded separately by `workers`. 1 = strict sequential order.
   */
  concurrency?: number;
  /**
   * Node: slots of the process's worker pool, where CPU-heavy built-in work runs off the JS
   * thread (default: the machine's cores, or `ATOMITON_WORKERS`). The first conductor of a
   * process sets it; `workerPool.stats()` reports it.
   */
  workers?: number;
  /** Node: `http-request` requests in flight to one origin, per conductor (default 64). */
  http?: { maxRequestsPerHost?: number };
  /**
   * Rows per batch when a chain of nodes runs as a stream (default 4096; `0` turns streaming
   * off). A chain streams when it starts at a `spreadsheet` reading a file (CSV, TSV, XLSX read
   * row by row; XLS, XLSB, ODS read whole) or `data` text, with headers and no range, and goes
   * on through nodes that work row by row — `transform` map, filter, flatten, unique, limit,
   * skip, slice and sort, `edit-fields` with `forEachItem`, `loop` forEach — each the only
   * reader of the one before, optionally ending in a `file-system` write: rows pass a batch at a
   * time, so a file larger than memory goes through. The result is the one a node-by-node run
   * gives; the chain's nodes before its last report `{"$streamed": <rows>, "first": [...]}` in
   * place of their rows (history, traces). README "Data at scale" has the full table.
   */
  streamBatchRows?: number;
  /**
   * Bytes of rows a `sort` in a stream holds in memory (default 128 MiB; rows are held in a
   * compact binary form, about a third of their size as objects); past them it writes
   * them out sorted, as a run, to a `spill/` directory under the storage directory (the system's
   * temporary directory with `storage: {type: "memory"}`), and merges the runs at the end: an
   * external merge sort, in the order a sort in memory gives. Native engine; a run's files are
   * gone when it ends (on Unix at once: they are unlinked while open). The WebAssembly engines
   * hold every row.
   */
  streamSortMemory?: number;
  /** Minimum ms between progress events (default 100). */
  progressThrottle?: number;
  /** Whether results carry an `ExecutionTrace` (default true). */
  trace?: boolean;
  storage?: StorageConfig;
  /**
   * Execution history (on by default): every run recorded as it goes, read with
   * `conductor.executions`. `false` records nothing. Node keeps it beside the flows.
   */
  history?: HistoryConfig;
  /**
   * The node result cache (off by default): a node whose type, parameters, input and run context
   * were seen before gives the stored output without running (state `cached`). Pure nodes are
   * cached by default; nodes with effects only when opted in (`parameters.cache` or the run's
   * `cache.nodes`). In the browser it loads the editor module. README "Result cache".
   */
  cache?: CacheConfig;
  /**
   * Node: the engine flows run on in this process. `"auto"` (the default, or
   * `ATOMITON_CONDUCTOR_ENGINE`): the native addon when a binary fits this platform, else the
   * WebAssembly engine (with a one-time warning; `getEnvironment().details.engine` says which).
   * `"native"`: the addon or a `NativeEngineUnavailableError`. `"wasm"`: the WebAssembly engine.
   * The browser entry always runs wasm and ignores it.
   */
  engine?: "auto" | "native" | "wasm";
  /**
   * Browser: load the editor module, which adds debugging (`pinned`, `runTo`, `breakpoints`,
   * `node.pause/resume/step`) to the default module (as `history` does). Node always has it.
   */
  debugging?: boolean;
  /**
   * OpenTelemetry: with an SDK registered, each run is a span with a child span per node, and
   * the conductor records run and node metrics (README "Observability"). Nothing is recorded
   * without an SDK.
   */
  telemetry?: TelemetryConfig;
  /** Relative file paths and process working directories resolve here (default: the process cwd). */
  workingDirectory?: string;
  /**
   * Limits: flow shape (checked before running), the step budget of each expression call
   * (`transformFunction`, conditions, ...; default 1,000,000, exceeded → the node fails with
   * "BudgetError: Expression exceeded its step budget of N steps (limits.expressionSteps raises it)"), and `maxOutputBytes`, what a
   * node may hold as its output (default 128 MiB, counted as JSON text; exceeded → the node
   * fails with `MEMORY_LIMIT_EXCEEDED`, "Output exceeds the node's output limit of N bytes ...").
   * A streamed node holds a batch of rows, never its whole output: streams never meet it.
   */
  limits?: { maxDepth?: number; maxNodes?: number; expressionSteps?: number; maxOutputBytes?: number };
  /** Browser: a server to run flows on (`POST /api/<channel>/<command>`). */
  serverUrl?: string;
};
