// Generated from the Rust engine by scripts/generate-ts.sh. Do not edit.
// Every option a user writes, from its one declaration (core/src/options/): the types, the
// declarations the entries check options against (npm/src/options/check.ts), and what a session reads.

import type { AppStorage } from "./app-storage.js";
import type { AtomitonBridge, ChannelTransport } from "./channel-transport.js";
import type { IpcMainLike, WebContentsLike } from "./electron-ipc.js";
import type { ExecutionFallback } from "./execution-fallback.js";
import type { ConductorExecutionContext, ConductorTransport, NodeExecutorFactory } from "./execution.js";
import type { FetchLike } from "./fetch.js";
import type { ConductorLogger } from "./logging.js";
import type { QueueWorkerEvent } from "./queue-worker-event.js";
import type { ChannelGrant, UserVerifier } from "./server-auth.js";
import type { WebSocketConstructor } from "./websocket-client.js";
import type { WebSocketServerClass } from "./websocket-server.js";
import type { WorkerOption } from "./worker-option.js";
import type { OptionShape } from "./option-declaration.js";

/**
 * A WebAssembly node type: a module written against Extism's plugin ABI (any Extism PDK), run
 * sandboxed by the engine.
 */
export type PluginConfig = {
  /**
   * The module: its bytes, or (in Node) the path of its `.wasm` file, relative to
   * `workingDirectory`.
   */
  wasm?: string | Uint8Array | ArrayBuffer;
  /**
   * The exported function a node calls (default `run`): an Extism plugin function, taking the
   * node's data as JSON text and setting its output as JSON text.
   */
  function?: string;
  /**
   * Values the plugin reads with its PDK's `config::get` (Extism's manifest config).
   */
  config?: Record<string, string>;
  /**
   * Bytes of memory the plugin may hold, default 64 MiB: its linear memory up to this, and the
   * kernel memory it allocates through the host up to this too; reached, the node fails with
   * `MEMORY_LIMIT_EXCEEDED`.
   */
  memoryLimit?: number;
  /**
   * Fuel a call may spend (about one unit per WebAssembly instruction), default 10 billion; spent,
   * the node fails. The node's `timeout` and cancellation end a call sooner.
   */
  fuel?: number;
};

/**
 * Flow storage settings.
 */
export type StorageConfig = {
  /**
   * `"fs"` (Node's default: one YAML file per flow), `"memory"` (kept per conductor, lost with it),
   * `"indexeddb"` (the browser's default), or `"postgres"` (in the PostgreSQL database `url` names,
   * shared by every process naming it).
   */
  type?: "fs" | "memory" | "indexeddb" | "postgres";
  /**
   * The database of `"postgres"` (`postgres://user[:password]@host[:port]/database`). Entries:
   * node, main.
   */
  url?: string;
  /**
   * Directory for `"fs"` (default `~/.atomiton/flows`; Electron apps pass `userData`). The run
   * history and the result cache are kept there too. Entries: node, main.
   */
  directory?: string;
};

/**
 * How runs are recorded and kept.
 */
export type HistorySettings = {
  /**
   * `false`: record nothing (as `history: false`).
   */
  enabled?: boolean;
  /**
   * Largest stored value, in bytes of JSON (default 65,536); larger ones become `{"$truncated":
   * true, limitBytes, preview}`.
   */
  maxValueBytes?: number;
  /**
   * Object keys (any depth, any case) whose values are stored as `"[REDACTED]"`.
   */
  redactKeys?: string[];
  /**
   * Runs older than `maxAge` ms, and all but the newest `maxRuns` (default 10,000), are pruned as
   * runs end.
   */
  retention?: {
    /**
     * Runs older than this many ms are pruned as runs end.
     */
    maxAge?: number;
    /**
     * All but the newest `maxRuns` (default 10,000) are pruned as runs end.
     */
    maxRuns?: number;
  };
  /**
   * A PostgreSQL database to keep the runs in (`postgres://user[:password]@host[:port]/database`)
   * instead of the SQLite file beside the flows: shared with every other process that names it
   * (`atomiton serve` reads the environment's `ATOMITON_DATABASE_URL`). Entries: node, main.
   */
  store?: string;
};

/**
 * Durable runs: each recorded run is checkpointed as it goes, and a run its process left unfinished
 * (`interrupted`) goes on from its checkpoints as the same run.
 */
export type DurabilitySettings = {
  /**
   * `"manual"` (the default): an interrupted run waits for `executions.resume(id)`
   * (`executions.list({status: "interrupted"})` lists them); `"auto"`: it resumes when a conductor
   * opens the store (one that needs a decision on a node with effects still waits for it).
   */
  resume?: "auto" | "manual";
  /**
   * Node's native engine with its history in files: `true` makes a node with effects wait until its
   * start mark and the checkpoints before it are on the disk (one flush), so an OS crash or a power
   * cut keeps them too; by default they are in the OS's cache, which survives the process being
   * killed but not the machine going down. PostgreSQL and Redis stores keep what their servers'
   * settings keep.
   */
  sync?: boolean;
};

/**
 * The node result cache's bounds, lifetime and place.
 */
export type CacheSettings = {
  /**
   * Entries kept at most (least recently used out first). Default 10,000.
   */
  maxEntries?: number;
  /**
   * Bytes of outputs kept at most. Default 256 MiB.
   */
  maxBytes?: number;
  /**
   * How long an entry is served unless a node says otherwise; default: until evicted.
   */
  ttlMs?: number;
  /**
   * `"persistent"` (the default): beside a kept run history; `"memory"`: in memory only.
   */
  store?: "persistent" | "memory";
};

/**
 * OpenTelemetry settings of a conductor.
 */
export type TelemetryConfig = {
  /**
   * The OpenTelemetry API (`import * as api from "@opentelemetry/api"`). In Node the package finds
   * it itself when it is installed; the browser entry needs it here.
   */
  api?: unknown;
  /**
   * `false`: no spans and no metrics from this conductor even with an SDK registered.
   */
  enabled?: boolean;
  /**
   * Whether `http-request` nodes send `traceparent`/`tracestate` naming their span (default
   * `true`).
   */
  propagate?: boolean;
  /**
   * Put the run's input and result on its span (`atomiton.run.input`, `atomiton.run.output`, as
   * JSON of at most 1 KiB), values under `history.redactKeys` and these keys replaced by
   * `"[REDACTED]"`. Off by default: spans carry no values.
   */
  recordValues?: boolean | {
    /**
     * Keys replaced by `"[REDACTED]"` besides `history.redactKeys`.
     */
    redactKeys?: string[];
  };
};

/**
 * What `createConductor(config)` accepts. A field an entry does not know, a value of the wrong type
 * or out of range is a `ConductorError` (`VALIDATION_FAILED`) naming it.
 */
export type ConductorConfig = {
  /**
   * Where flows run: `"local"` (this process; the default), `"http"` / `"ws"` (a protocol server at
   * `apiUrl`), `"ipc"` (an Electron main process, through the preload's bridge), or a custom
   * `{execute, health?}` object that runs them. Entries: node, browser.
   */
  transport?: "local" | "http" | "ws" | "ipc" | ConductorTransport;
  /**
   * A protocol server (`http(s)://` or `ws(s)://`) for `transport: "http"` / `"ws"`; alone, it
   * selects the transport its scheme names. Entries: node, browser.
   */
  apiUrl?: string;
  /**
   * A protocol server to run flows on (`http(s)://` or `ws(s)://`); the same as `apiUrl`. Entries:
   * node, browser, remote.
   */
  serverUrl?: string;
  /**
   * Where `transport: "ws"` finds its WebSocket class when there is no global one (Node 20: the
   * `ws` package's). Entries: node, browser, remote.
   */
  WebSocket?: WebSocketConstructor;
  /**
   * `{getNodeExecutable(type)}`: consulted first for every node type; built-ins are the fallback.
   * Entries: node, browser, main.
   */
  nodeExecutorFactory?: NodeExecutorFactory;
  /**
   * Accepted for compatibility with the TypeScript engine, whose debug controller held debug
   * settings per conductor; here debug options are per run (`contextOverrides.debug`), so it has no
   * effect.
   */
  debugController?: unknown;
  /**
   * Cap on a node's `parameters.retries` (default 3). Entries: node, browser, remote, main.
   */
  maxRetries?: number;
  /**
   * Base of the exponential retry backoff in ms (default 1000). Entries: node, browser, remote,
   * main.
   */
  retryDelay?: number;
  /**
   * Bound on every run in ms (none by default; `0`: none, over `CONDUCTOR_TIMEOUT`).
   */
  timeout?: number;
  /**
   * Log runs at this level and above (`"debug"`: each run's start, node states and end; `"info"`:
   * completed runs; `"warn"`: retries, fallbacks of `execute` and a run's warnings; `"error"`:
   * failed runs). Unset: nothing is logged, except runs started with `debug: true`.
   */
  logLevel?: "debug" | "info" | "warn" | "error";
  /**
   * Where log entries go (default: the console). A function receives each entry; an object's method
   * of the entry's level is called.
   */
  logger?: ConductorLogger;
  /**
   * Most atomic nodes of a run in flight at once, waiting or working (default 256). Nodes that wait
   * — timers, HTTP, processes, JS executors awaiting a promise — hold no CPU; CPU-heavy
   * built-in work is bounded separately by `workers`. 1 = strict sequential order. Entries: node,
   * browser, main.
   */
  concurrency?: number;
  /**
   * Node: slots of the process's worker pool, where CPU-heavy built-in work runs off the JS thread
   * (default: the machine's cores, or `ATOMITON_WORKERS`). The first conductor of a process sets
   * it; `workerPool.stats()` reports it. Entries: node, main.
   */
  workers?: number;
  /**
   * Node: `http-request` requests in flight to one origin, per conductor (default 64). Entries:
   * node, main.
   */
  http?: {
    /**
     * `http-request` requests in flight to one origin, per conductor (default 64).
     */
    maxRequestsPerHost?: number;
  };
  /**
   * WebAssembly node types, by type name: `{"text-stats": {wasm: "plugins/text_stats.wasm"}}` makes
   * `text-stats` a node type whose nodes call the plugin with their `data`. Sandboxed: capped
   * memory, bounded fuel, no network, no files. In a browser, the editor module runs them (loaded
   * on demand). Entries: node, browser, main.
   */
  plugins?: Record<string, PluginConfig>;
  /**
   * Node: the interpreter `python` nodes run on and its worker processes. Without an interpreter
   * (none set, none on the PATH), a flow with a `python` node fails validation. Entries: node,
   * main.
   */
  python?: {
    /**
     * The Python interpreter: a path, or a name looked up on the PATH (default `python3`, then
     * `python`).
     */
    interpreter?: string;
    /**
     * A virtual environment's directory: its `bin/python` (`Scripts\python.exe` on Windows) is the
     * interpreter, with its packages. Not with `interpreter`.
     */
    virtualenv?: string;
    /**
     * Python worker processes at most, each running one call at a time (default 2). They start on a
     * node's first call and are kept for the next.
     */
    workers?: number;
  };
  /**
   * Node: what the processes one `shell-command` or `python` node starts may use together (memory,
   * processes, CPU time, open files), and whether a restricted run's processes may run unconfined
   * where the OS cannot confine them. Every process a node starts ends when the node does. Entries:
   * node, main.
   */
  processes?: {
    /**
     * Resident memory of one node's processes together (default 2 GiB); past it they are all killed
     * and the node fails `MEMORY_LIMIT_EXCEEDED`.
     */
    memoryLimit?: number;
    /**
     * Processes one node may have alive at once, its program included (default 256); past it they
     * are all killed and the node fails `MEMORY_LIMIT_EXCEEDED` (a fork bomb ends there).
     */
    maxProcesses?: number;
    /**
     * CPU time of one node's processes together, ended ones included (none by default: the node's
     * `timeout` bounds its wall time); past it they are all killed and the node fails `TIMEOUT`.
     */
    cpuTimeLimit?: number;
    /**
     * Files each process may have open (default 4096).
     */
    maxOpenFiles?: number;
    /**
     * `true`: a run restricted to some files or hosts may start processes where the OS cannot
     * confine them to its grant (not Linux, or Linux without Landlock), unconfined. Default: such a
     * process is refused (`PERMISSION_DENIED`).
     */
    allowUnconfined?: boolean;
  };
  /**
   * Rows per batch when a chain of nodes runs as a stream (default 4096; `0` turns streaming off).
   * A chain streams when it starts at a `spreadsheet` reading a file or `data` text, with headers
   * and no range, and goes on through nodes that work row by row, each the only reader of the one
   * before, optionally ending in a `file-system` write: rows pass a batch at a time, so a file
   * larger than memory goes through. The result is the one a node-by-node run gives.
   * docs/data-at-scale.md has the full table. Entries: node, browser, main.
   */
  streamBatchRows?: number;
  /**
   * Bytes of rows a `sort` in a stream holds in memory (default 128 MiB); past them the native
   * engine writes them out sorted, as runs, to a `spill/` directory under the storage directory,
   * and merges the runs at the end. The WebAssembly engines hold every row. Entries: node, main.
   */
  streamSortMemory?: number;
  /**
   * Minimum ms between progress events (default 100). Entries: node, browser, main.
   */
  progressThrottle?: number;
  /**
   * Whether results carry an `ExecutionTrace` (default true). Entries: node, browser, main.
   */
  trace?: boolean;
  /**
   * Where saved flows live. Entries: node, browser, main.
   */
  storage?: StorageConfig;
  /**
   * Execution history (on by default): every run recorded as it goes, read with
   * `conductor.executions`. `false` records nothing. Node keeps it beside the flows. Entries: node,
   * browser, main.
   */
  history?: boolean | HistorySettings;
  /**
   * Durable runs (with the run history kept where it outlives the process: its file in Node,
   * IndexedDB in a browser with `history`): each run is checkpointed as it goes; a run interrupted
   * by the end of its process (or page) goes on from where it stopped, as the same run, when a
   * conductor opens the store again. Off by default. Entries: node, browser, main.
   */
  durability?: DurabilitySettings;
  /**
   * The node result cache (off by default): a node whose type, parameters, input and run context
   * were seen before gives the stored output without running (state `cached`). Pure nodes are
   * cached by default; nodes with effects only when opted in (`parameters.cache` or the run's
   * `cache.nodes`). In the browser it loads the editor module. Entries: node, browser, queue, main.
   */
  cache?: boolean | CacheSettings;
  /**
   * Node: the engine flows run on in this process. `"auto"` (the default, or
   * `ATOMITON_CONDUCTOR_ENGINE`): the native addon when a binary fits this platform, else the
   * WebAssembly engine (with a one-time warning; `getEnvironment().details.engine` says which).
   * `"native"`: the addon or a `NativeEngineUnavailableError`. `"wasm"`: the WebAssembly engine. A
   * browser always runs WebAssembly: there `"native"` is refused. Entries: node, browser, remote,
   * main.
   */
  engine?: "auto" | "native" | "wasm";
  /**
   * Browser: load the editor module (streams of rows, a span per node, the `python` type's own
   * validation) without recording runs. Debugging itself (`pinned`, `runTo`, `breakpoints`,
   * `node.pause/resume/step`) needs no option: every engine has it, the browser's default module
   * included. Entries: node, browser, main.
   */
  debugging?: boolean;
  /**
   * OpenTelemetry: with an SDK registered, each run is a span with a child span per node, and the
   * conductor records run and node metrics. Nothing is recorded without an SDK. Entries: node,
   * browser, remote, main.
   */
  telemetry?: TelemetryConfig;
  /**
   * Relative file paths and process working directories resolve here (default: the process cwd).
   * Entries: node, main.
   */
  workingDirectory?: string;
  /**
   * Limits: flow shape (checked before running), the step budget of each expression call and what a
   * node may hold as its output. Entries: node, browser, main.
   */
  limits?: {
    /**
     * Deepest nesting of groups a flow may have (default 10,000).
     */
    maxDepth?: number;
    /**
     * Most nodes a flow may have (default 1,000,000).
     */
    maxNodes?: number;
    /**
     * Largest flow document a run may be given, its binary data counted (default 64 MiB); a larger
     * one fails the run with `VALIDATION_FAILED` before it is read. What reading a flow costs grows
     * with it: a flow's values take several times their text in memory.
     */
    maxFlowBytes?: number;
    /**
     * Step budget of each expression call (`transformFunction`, conditions, ...; default
     * 1,000,000); exceeded, the node fails with "BudgetError: Expression exceeded its step budget
     * of N steps (limits.expressionSteps raises it)".
     */
    expressionSteps?: number;
    /**
     * What a node may hold as its output (default 128 MiB, counted as JSON text); exceeded, the
     * node fails with `MEMORY_LIMIT_EXCEEDED`. A streamed node holds a batch of rows, never its
     * whole output: streams never meet it.
     */
    maxOutputBytes?: number;
  };
  /**
   * `false`: a node parameter, port or template path the engine does not know is a warning (in
   * `validate`'s `warnings`, the run's `warnings` and its logs) instead of an error. For flows
   * written for the TypeScript engine, which ignored unknown parameters; on (`true`) by default.
   * Entries: node, browser, main.
   */
  strictParameters?: boolean;
};

/**
 * `ConductorConfig` in a Node process: `storage` may also be a storage object the app made.
 */
export type DesktopConductorConfig = Omit<ConductorConfig, "storage"> & {
  /**
   * Where saved flows live: a `StorageConfig`, or a storage object the app made — one with the
   * conductor's storage methods (`saveFlow`, `loadFlow`, `listFlows`, `deleteFlow`), or a key-value
   * engine (`save`/`load`/`list`/`delete`), where flows are kept under `flows/<id>`. Entries: node,
   * main.
   */
  storage?: StorageConfig | AppStorage;
};

/**
 * The browser entry's config: `ConductorConfig` and where the local wasm engine runs.
 */
export type BrowserConductorConfig = Pick<ConductorConfig, "transport" | "apiUrl" | "serverUrl" | "WebSocket" | "nodeExecutorFactory" | "debugController" | "maxRetries" | "retryDelay" | "timeout" | "logLevel" | "logger" | "concurrency" | "plugins" | "streamBatchRows" | "progressThrottle" | "trace" | "storage" | "history" | "durability" | "cache" | "engine" | "debugging" | "telemetry" | "limits" | "strictParameters"> & {
  /**
   * Run the local wasm engine in a dedicated Web Worker, so a heavy flow leaves the page's main
   * thread free: `true` (the package's worker script next to this module), `engineWorker` from
   * `@atomiton/conductor/browser/engine-worker` (in a bundled app), `{ url }` (that script served
   * from elsewhere) or `{ create }` (a worker you make). JS executors still run in the page. Off by
   * default. Entries: browser.
   */
  worker?: false | WorkerOption;
};

/**
 * `createRemoteConductor`'s options: where flows run, and the settings of this side.
 */
export type RemoteConductorOptions = Pick<ConductorConfig, "serverUrl" | "WebSocket" | "debugController" | "maxRetries" | "retryDelay" | "timeout" | "logLevel" | "logger" | "engine" | "telemetry"> & {
  /**
   * A desktop bridge (`window.atomiton.__bridge__`): wins over any URL. Entries: remote.
   */
  bridge?: AtomitonBridge | null;
  /**
   * A WebSocket server, used when `serverUrl` is not set. Entries: remote.
   */
  wsUrl?: string;
  /**
   * A `fetch` to use instead of the global one (HTTP). Entries: remote.
   */
  fetch?: FetchLike;
  /**
   * How long a WebSocket call waits for its answer (default 30 s). Entries: remote.
   */
  timeoutMs?: number;
  /**
   * A ready transport, instead of `bridge` / `serverUrl` / `wsUrl`. Entries: remote.
   */
  channelTransport?: ChannelTransport;
  /**
   * The bearer token to start with: an API key, or a saved session token. `auth.login` replaces it;
   * `auth.logout` clears it. Not used with `channelTransport`, which carries its own credentials.
   * Entries: remote.
   */
  token?: string;
};

/**
 * How the queue's shared run history records and keeps runs: capping and redaction of values, and
 * retention (applied as runs end).
 */
export type QueueHistoryOptions = {
  /**
   * Largest stored value, in bytes of JSON (default 65,536).
   */
  maxValueBytes?: number;
  /**
   * Object keys whose values are stored as `"[REDACTED]"`.
   */
  redactKeys?: string[];
  /**
   * Runs older than `maxAge` ms, and all but the newest `maxRuns` (default 10,000), are pruned as
   * runs end.
   */
  retention?: {
    /**
     * Runs older than this many ms are pruned as runs end.
     */
    maxAge?: number;
    /**
     * All but the newest `maxRuns` (default 10,000) are pruned as runs end.
     */
    maxRuns?: number;
  };
};

/**
 * `createQueueConductor`'s options: where the queue is, and the settings of the producer.
 */
export type QueueConductorOptions = Pick<ConductorConfig, "debugController" | "logLevel" | "logger" | "cache"> & {
  /**
   * The Redis server: a URL (`redis://[user:password@]host:port[/db]`) or its parts. Entries:
   * queue.
   */
  connection: string | {
    /**
     * Default `127.0.0.1`.
     */
    host?: string;
    /**
     * Default 6379.
     */
    port?: number;
    /**
     * For Redis ACLs.
     */
    username?: string;
    /**
     * The password.
     */
    password?: string;
    /**
     * The database number.
     */
    db?: number;
  };
  /**
   * The queue's name (default `"atomiton-runs"`): producers and workers of one pool share it.
   * Entries: queue.
   */
  queue?: string;
  /**
   * Prefix of every Redis key (default `"atomiton"`), BullMQ's included. Entries: queue.
   */
  prefix?: string;
  /**
   * Where the pool keeps its run history and durable runs' checkpoints: a PostgreSQL database
   * (`postgres://user[:password]@host[:port]/database`; when absent, the environment's
   * `ATOMITON_DATABASE_URL`), else the queue's Redis. Every producer and worker of a pool must say
   * the same. Entries: queue.
   */
  store?: string;
  /**
   * How often (ms) runs still waiting are looked up directly, in case their end went by unseen.
   * Default 5000. Entries: queue.
   */
  pollInterval?: number;
  /**
   * Capping and redaction of values, as the workers record them. Entries: queue.
   */
  history?: QueueHistoryOptions;
  /**
   * Bound on every run in ms (none by default; `0`: none). Entries: queue.
   */
  timeout?: number;
};

/**
 * What one run may reach outside its data. Nodes needing a capability not granted are refused
 * before anything runs (`PERMISSION_DENIED`, naming the node and the capability); paths and hosts
 * are checked at each file operation and HTTP request (redirects included), since inputs and
 * expressions decide them.
 */
export type RunPermissions = {
  /**
   * `shell-command`: starting processes. A process can do anything its user can, so this is as good
   * as every other permission.
   */
  shell?: boolean;
  /**
   * `image`: decoding and encoding images (the files it reads and writes need `files` too).
   */
  image?: boolean;
  /**
   * `file-system`, spreadsheet files and images: `true` any path, `false` none, `{roots}` paths
   * inside these directories.
   */
  files?: boolean | {
    /**
     * Paths that, with symlinks resolved, are inside one of these directories. Relative roots
     * resolve against the working directory.
     */
    roots: string[];
  };
  /**
   * `http-request`: `true` any host, `false` none, `{hosts}` these hosts.
   */
  http?: boolean | {
    /**
     * `example.com` (any port), `example.com:8080`, `*.example.com` (its subdomains, not itself),
     * IP addresses (`127.0.0.1`, `[::1]`).
     */
    hosts: string[];
  };
  /**
   * Nodes that name a credential (`database`, ...): `true` any, `false` none, `{names}` these. A
   * node naming one not granted is refused before anything runs.
   */
  credentials?: boolean | {
    /**
     * The names of the credentials (`conductor.credentials`) this run's nodes may use.
     */
    names: string[];
  };
};

/**
 * `setupMainProcessHandler`'s options: the conductor's config and how it is served over IPC.
 */
export type MainProcessHandlerOptions = Pick<DesktopConductorConfig, "nodeExecutorFactory" | "debugController" | "maxRetries" | "retryDelay" | "timeout" | "logLevel" | "logger" | "concurrency" | "workers" | "http" | "plugins" | "python" | "processes" | "streamBatchRows" | "streamSortMemory" | "progressThrottle" | "trace" | "storage" | "history" | "durability" | "cache" | "engine" | "debugging" | "telemetry" | "workingDirectory" | "limits" | "strictParameters"> & {
  /**
   * Electron's `ipcMain` (default: the one of `require("electron")` in Electron's main process).
   * Entries: main.
   */
  ipcMain?: IpcMainLike;
  /**
   * Where events go (default: every open window). Entries: main.
   */
  webContents?: Iterable<WebContentsLike> | (() => Iterable<WebContentsLike>);
  /**
   * Enables `system.restart` (e.g. Electron's `app.relaunch(); app.exit()`); without it the command
   * is unknown. Entries: main.
   */
  restart?: () => void | Promise<void>;
  /**
   * Permissions of the runs renderers start; default: unrestricted. Entries: main.
   */
  permissions?: RunPermissions;
};

/**
 * `startQueueWorker`'s options: where the queue is, and how this process runs its jobs. A misspelt
 * or mistyped option is a `ConductorError` (`VALIDATION_FAILED`) naming it.
 */
export type QueueWorkerOptions = {
  /**
   * The Redis server: a URL (`redis://[user:password@]host:port[/db]`) or its parts.
   */
  connection: string | {
    /**
     * Default `127.0.0.1`.
     */
    host?: string;
    /**
     * Default 6379.
     */
    port?: number;
    /**
     * For Redis ACLs.
     */
    username?: string;
    /**
     * The password.
     */
    password?: string;
    /**
     * The database number.
     */
    db?: number;
  };
  /**
   * The queue's name (default `"atomiton-runs"`): producers and workers of one pool share it.
   */
  queue?: string;
  /**
   * Prefix of every Redis key (default `"atomiton"`), BullMQ's included.
   */
  prefix?: string;
  /**
   * Where the pool keeps its run history and durable runs' checkpoints: a PostgreSQL database
   * (`postgres://user[:password]@host[:port]/database`; when absent, the environment's
   * `ATOMITON_DATABASE_URL`), else the queue's Redis. Every producer and worker of a pool must say
   * the same.
   */
  store?: string;
  /**
   * Runs at once in this process (default 4).
   */
  concurrency?: number;
  /**
   * Host-provided node types, as for `createConductor`.
   */
  nodeExecutorFactory?: NodeExecutorFactory;
  /**
   * Where shell commands and relative file paths start (default: the process's directory).
   */
  workingDirectory?: string;
  /**
   * Default bound (ms) on runs that do not set one (`0`: none).
   */
  timeout?: number;
  /**
   * How runs are recorded in the shared history (capping, redaction).
   */
  history?: QueueHistoryOptions;
  /**
   * The node result cache, kept in the queue's Redis beside its history: a result one worker made
   * is a hit on every worker (and `createQueueConductor({cache})` clears and invalidates it).
   */
  cache?: boolean | CacheSettings;
  /**
   * How long (ms) a job's lock lasts without renewal (default 10000; renewed every half of it). A
   * worker that stops renewing (it died) loses its runs after this long, plus `stalledInterval`.
   */
  lockDuration?: number;
  /**
   * How often (ms) workers look for runs whose worker died (default 5000).
   */
  stalledInterval?: number;
  /**
   * What becomes of a run whose worker died (its lock lapsed): `"resume"` (the default) — it is
   * checkpointed as it goes, and another worker resumes it as the same run (nodes that completed
   * are not run again; a node with effects that was running runs again only when it is idempotent,
   * else the run waits `interrupted` for `executions.resume(id, {rerun | skip})`), up to 3 times;
   * `"crash"` — it ends `crashed` and is never run again (at most once). Every worker of a pool
   * must say the same.
   */
  lostRuns?: "resume" | "crash";
  /**
   * Called as runs start and end (the CLI prints these).
   */
  onRun?: (event: QueueWorkerEvent) => void;
  /**
   * OpenTelemetry, as for `createConductor`: each run's span continues the producer's trace.
   */
  telemetry?: TelemetryConfig;
};

/**
 * The node fails with `"[TYPE] message"` (after `delayMs`).
 */
export type DebugSimulateError = {
  /**
   * The atomic node to act on, by id (`"random"`: one atomic node, drawn once per run).
   */
  nodeId: string;
  /**
   * `generic`, `timeout`, `network`, `validation` or `permission` (each with a default message);
   * any other type has a generic one.
   */
  errorType: string;
  /**
   * The error's message instead of the type's default.
   */
  message?: string;
  /**
   * How long the node runs before it fails.
   */
  delayMs?: number;
};

/**
 * The node takes `delayMs` longer.
 */
export type DebugSimulateLongRunning = {
  /**
   * The atomic node to act on, by id (`"random"`: one atomic node, drawn once per run).
   */
  nodeId: string;
  /**
   * The extra time.
   */
  delayMs: number;
};

/**
 * The node panics inside the engine: the run must end with an `INTERNAL_ERROR` result and the host
 * process go on.
 */
export type DebugSimulatePanic = {
  /**
   * The atomic node to act on, by id (`"random"`: one atomic node, drawn once per run).
   */
  nodeId: string;
};

/**
 * Debug simulation for one run only.
 */
export type DebugOptions = {
  /**
   * The node fails with `"[TYPE] message"` (after `delayMs`).
   */
  simulateError?: DebugSimulateError;
  /**
   * The node takes `delayMs` longer.
   */
  simulateLongRunning?: DebugSimulateLongRunning;
  /**
   * The node panics inside the engine: the run must end with an `INTERNAL_ERROR` result and the
   * host process go on.
   */
  simulatePanic?: DebugSimulatePanic;
};

/**
 * Tracing of one run (with an OpenTelemetry SDK registered).
 */
export type RunTelemetry = {
  /**
   * `false` stops the run's `http-request` nodes sending trace context.
   */
  propagate?: boolean;
  /**
   * A W3C `traceparent` naming the span the run's span is a child of, instead of the active
   * context's.
   */
  traceparent?: string;
  /**
   * The `tracestate` that goes with `traceparent`.
   */
  tracestate?: string;
};

/**
 * The run retries a recorded one.
 */
export type RunRetry = {
  /**
   * The execution id of the run retried.
   */
  of: string;
  /**
   * `"failed"` (the default: reuse every node that succeeded), `"start"` (reuse nothing) or a
   * node's path (reuse every node that succeeded except that one and what depends on it).
   */
  from?: string;
};

/**
 * The run replays a recorded one.
 */
export type RunReplay = {
  /**
   * The execution id of the run replayed.
   */
  of: string;
};

/**
 * The run goes on from an interrupted one's checkpoints.
 */
export type RunResume = {
  /**
   * Nodes with effects that were running when the process ended, to run again.
   */
  rerun?: string[];
  /**
   * Outputs for nodes with effects that were running when the process ended (their effect
   * happened): they do not run again.
   */
  skip?: Record<string, unknown>;
};

/**
 * Per-run options for `node.run(node, contextOverrides)`. An option the engine does not know, a
 * value of the wrong type or out of range fails the run with `VALIDATION_FAILED` naming it, before
 * anything runs.
 */
export type ContextOverrides = {
  /**
   * Id of the run (default: a new `exec_<uuid>`).
   */
  executionId?: string;
  /**
   * The id of the node run (the TypeScript engine's context carried it); when given it must be the
   * flow's own id.
   */
  nodeId?: string;
  /**
   * Shared with every node (`params.variables`). Default `{}`.
   */
  variables?: Record<string, unknown>;
  /**
   * The flow's input: an atomic node's `input`, a group's children's input where no edge delivers
   * one.
   */
  input?: Record<string, unknown>;
  /**
   * Given back in the result's `context`.
   */
  parentContext?: ConductorExecutionContext;
  /**
   * Visualisation pacing in ms per progress step; 0, a negative number or absent: no artificial
   * delay.
   */
  slowMo?: number;
  /**
   * Debug simulation for this run only, or `true`: log this run at debug level (nothing is
   * simulated).
   */
  debug?: boolean | DebugOptions;
  /**
   * Bound on this run in ms, instead of the conductor's `timeout` (`0`: none, whatever the
   * conductor's).
   */
  timeout?: number;
  /**
   * What this run may reach outside its data; absent: whatever the conductor provides.
   */
  permissions?: RunPermissions;
  /**
   * Who started this run, for audit (the protocol server sets its caller's id: `user:<id>`,
   * `key:<id>`, `anonymous`): a durable run's record keeps it, and the run keeps it when resumed,
   * whoever resumes it.
   */
  caller?: string;
  /**
   * `false`: this run is not recorded in the execution history.
   */
  history?: boolean;
  /**
   * Outputs given for nodes, by path (`group/node` or a unique id): those nodes do not run, their
   * successors take these.
   */
  pinned?: Record<string, unknown>;
  /**
   * Runs only this node (by path) and what it depends on; the result's data is its output.
   */
  runTo?: string;
  /**
   * Nodes (by path) the run pauses before.
   */
  breakpoints?: string[];
  /**
   * The node result cache for this run: `false` neither reads nor writes it; `{nodes: {path: false
   * | true | {ttlMs}}}` turns it off or on (effects included) for those nodes. Only on conductors
   * created with `cache`.
   */
  cache?: boolean | {
    /**
     * Per node path: `false` never cached, `true` cached (effects included), `{ttlMs}` cached for
     * that long; over the node's own `parameters.cache`.
     */
    nodes?: Record<string, boolean | {
      /**
       * How long the node's entries are served.
       */
      ttlMs?: number;
    }>;
  };
  /**
   * Tracing of one run (with an OpenTelemetry SDK registered).
   */
  telemetry?: RunTelemetry;
  /**
   * Aborting it cancels the run.
   */
  signal?: AbortSignal;
  /**
   * This run retries recorded execution `of` (`conductor.executions.retry` sets it); nodes that
   * succeeded there keep their recorded outputs, as `from` says.
   */
  retry?: RunRetry;
  /**
   * This run replays recorded execution `of` (`conductor.executions.replay` sets it): its nodes
   * with effects take their recorded outputs instead of running.
   */
  replay?: RunReplay;
  /**
   * This run goes on from the checkpoints of interrupted execution `executionId`
   * (`conductor.executions.resume` sets it).
   */
  resume?: RunResume;
};

/**
 * `execute`'s runtime options.
 */
export type ExecutionOptions = {
  /**
   * Extra runs of the whole flow after a retryable failure (`error.retryable`), capped by
   * `ConductorConfig.maxRetries` (default 3).
   */
  retries?: number;
  /**
   * Bound on each attempt in ms (each attempt's run option `timeout`).
   */
  timeout?: number;
  /**
   * First backoff in ms, doubled for each further retry (default `ConductorConfig.retryDelay`, else
   * 1000).
   */
  retryDelay?: number;
  /**
   * When every attempt failed (except by cancellation): a string is another flow's id, run with the
   * same inputs; a function receives the failed result and its return value becomes `outputs`; any
   * other value is `outputs` itself.
   */
  fallback?: ExecutionFallback;
};

/**
 * `execute(request)`: a flow by id and how to run it. An unknown key or a value of the wrong type
 * fails the request with `VALIDATION_FAILED` naming it.
 */
export type ExecutionRequest = {
  /**
   * A saved flow's id, or a template's id or slug (`"hello-world"`).
   */
  flowId?: string;
  /**
   * The older docs' name for `flowId`.
   */
  blueprintId?: string;
  /**
   * The run's input: nodes without incoming edges receive it.
   */
  inputs?: Record<string, unknown>;
  /**
   * Everything `node.run` takes: `variables`, `executionId`, `slowMo`, `debug`, `signal`,
   * `timeout`.
   */
  context?: ContextOverrides;
  /**
   * `execute`'s runtime options.
   */
  options?: ExecutionOptions;
  /**
   * The older docs' per-request config.
   */
  config?: {
    /**
     * `true`: independent nodes run at once, as they always do (up to the conductor's
     * `concurrency`); `false` is refused: set `concurrency: 1` on the conductor for one node at a
     * time.
     */
    parallel?: boolean;
    /**
     * `true` is the run option `debug: true`.
     */
    debugMode?: boolean;
  };
};

/**
 * Per-caller limits on runs.
 */
export type CallerLimits = {
  /**
   * Runs of this caller going on at once (default 8).
   */
  concurrentRuns?: number;
  /**
   * Runs this caller may start per rolling minute (default 120).
   */
  runsPerMinute?: number;
};

/**
 * What a user or API key may do.
 */
export type Grant = {
  /**
   * Channels and commands: `"*"` or a list of commands per channel (default: `node`, `storage`,
   * `flow`, `executions` and `cache` entirely, `system.health`). `auth` is always allowed.
   */
  channels?: ChannelGrant;
  /**
   * What runs this caller starts may reach outside their data (default `{}`: pure computation
   * only).
   */
  permissions?: RunPermissions;
  /**
   * `"own"` (default): the saved flows and runs of this caller only; `"all"`: every one.
   */
  scope?: "own" | "all";
  /**
   * This caller's run limits.
   */
  limits?: CallerLimits;
};

/**
 * A user who may log in.
 */
export type UserEntry = {
  /**
   * The name logged in with.
   */
  username: string;
  /**
   * From `hashPassword(password)`; a plain password is refused at startup.
   */
  passwordHash: string;
  /**
   * Stable id (default: the username).
   */
  id?: string;
  /**
   * What `auth.getCurrentUser` answers.
   */
  email?: string;
  /**
   * What `auth.getCurrentUser` answers.
   */
  roles?: string[];
  /**
   * What this user may do (default: the server's `auth.defaultGrant`).
   */
  grant?: Grant;
};

/**
 * A machine client's key.
 */
export type ApiKeyEntry = {
  /**
   * Names the client (its runs, flows and limits are kept under `key:<id>`).
   */
  id: string;
  /**
   * `generateApiKey().keyHash`: the hex SHA-256 of the key.
   */
  keyHash?: string;
  /**
   * The key itself, digested at startup (prefer `keyHash`: then the server never holds the key).
   */
  key?: string;
  /**
   * What this key may do (default: the server's `auth.defaultGrant`).
   */
  grant?: Grant;
};

/**
 * Users, API keys and sessions of a protocol server.
 */
export type AuthOptions = {
  /**
   * Who may log in: entries with `hashPassword` hashes, or the app's own verifier.
   */
  users?: UserEntry[] | UserVerifier;
  /**
   * Machine clients: `Authorization: Bearer <key>`.
   */
  apiKeys?: ApiKeyEntry[];
  /**
   * The grant of users and keys that have none of their own.
   */
  defaultGrant?: Grant;
  /**
   * Lifetime of a session token, ms (default one hour); `refreshToken` issues a new one.
   */
  tokenTtlMs?: number;
  /**
   * Longest a login lasts, refreshes included, ms (default 24 hours).
   */
  sessionMaxMs?: number;
  /**
   * Sessions one user may hold; logging in past it ends the oldest (default 50).
   */
  maxSessionsPerUser?: number;
  /**
   * Failed logins allowed per user name and per client address within a window.
   */
  loginAttempts?: {
    /**
     * Failed logins allowed per user name (default 5).
     */
    max?: number;
    /**
     * Failed logins allowed per client address (default 20).
     */
    maxPerAddress?: number;
    /**
     * The window they are counted in (default 15 minutes).
     */
    windowMs?: number;
  };
};

/**
 * Limits on what one request, message or connection may do (each caller's run limits too).
 */
export type ServerLimitOptions = CallerLimits & {
  /**
   * Largest flow a call may carry (`node.execute`, `node.validate`, `storage.saveFlow`), bytes of
   * JSON (default 8 MiB).
   */
  maxFlowBytes?: number;
  /**
   * Largest WebSocket message, bytes (default `maxBodyBytes`); a larger one closes the connection
   * (1009) unread.
   */
  maxMessageBytes?: number;
  /**
   * A WebSocket connection silent this long (no message, no pong to the server's pings) is closed,
   * ms (default 60 s).
   */
  idleTimeoutMs?: number;
  /**
   * How long a WebSocket connection may stay unauthenticated, ms (default 10 s); with
   * authentication only.
   */
  authTimeoutMs?: number;
};

/**
 * A protocol server's options. An unknown key, a value of the wrong type or out of range is a
 * `ConductorError` (`VALIDATION_FAILED`) naming it.
 */
export type ProtocolServerOptions = {
  /**
   * Default 0: any free port (read it from `port` / `url`).
   */
  port?: number;
  /**
   * Default `"127.0.0.1"`. Without `auth`, only a loopback address is accepted unless `insecure:
   * true`: anyone who can reach the server could otherwise run flows.
   */
  host?: string;
  /**
   * Enables the WebSocket endpoint, e.g. `WebSocketServer` from the `ws` package.
   */
  WebSocketServer?: WebSocketServerClass;
  /**
   * Browser origins allowed to call (CORS) and connect; `"*"` for any. Default none.
   */
  allowedOrigins?: string[];
  /**
   * Largest request body accepted (default 64 MiB); larger ones get 413, before the body is read
   * when it declares its length.
   */
  maxBodyBytes?: number;
  /**
   * Users, API keys, sessions. Without it every caller is the anonymous one (loopback only).
   */
  auth?: AuthOptions;
  /**
   * Request, message, connection and per-caller run limits.
   */
  limits?: ServerLimitOptions;
  /**
   * Listen beyond loopback without authentication. Anyone who reaches the port can then run flows.
   */
  insecure?: boolean;
  /**
   * Enables `system.restart` (e.g. Electron's `app.relaunch(); app.exit()`); without it the command
   * is unknown.
   */
  restart?: () => void | Promise<void>;
  /**
   * Permissions of runs started without a caller (over IPC); default: unrestricted.
   */
  permissions?: RunPermissions;
  /**
   * Signs the resume URLs of runs parked at wait nodes (HMAC-SHA256; 32 characters at least).
   * Default: a random one per server, so its URLs stop working when it stops; give one to keep them
   * across restarts.
   */
  waitSecret?: string;
};

/**
 * The JSON file `atomiton serve --config` reads: the server's authentication, limits, permissions
 * and origins.
 */
export type ServeConfigFile = {
  /**
   * Users, API keys, sessions.
   */
  auth?: AuthOptions;
  /**
   * Request, message, connection and per-caller run limits.
   */
  limits?: ServerLimitOptions;
  /**
   * Permissions of runs started without a caller.
   */
  permissions?: RunPermissions;
  /**
   * Browser origins allowed to call.
   */
  allowedOrigins?: string[];
  /**
   * Largest request body accepted.
   */
  maxBodyBytes?: number;
  /**
   * Signs the resume URLs of parked runs (32 characters at least).
   */
  waitSecret?: string;
};

/** Each entry, as the declarations' `entries` bits name it. */
export const ENTRY = {
  node: 1,
  browser: 2,
  remote: 4,
  queue: 8,
  main: 16,
} as const;

/** The declaration of `PluginConfig`. */
export const PluginConfig_SHAPE: OptionShape = { name: "PluginConfig", fields: {
    wasm: { kind: { k: "either", of: [{ k: "text", nonEmpty: true }, { k: "js", ts: "Uint8Array | ArrayBuffer", check: [] }] } },
    function: { kind: { k: "text", nonEmpty: true } },
    config: { kind: { k: "record", of: { k: "text" } } },
    memoryLimit: { kind: { k: "number", min: 1, integer: true, unit: "bytes" } },
    fuel: { kind: { k: "number", min: 1, integer: true } },
  } };

/** The declaration of `StorageConfig`. */
export const StorageConfig_SHAPE: OptionShape = { name: "StorageConfig", fields: {
    type: { kind: { k: "oneOf", of: [{ value: "fs", entries: 17 }, { value: "memory" }, { value: "indexeddb", entries: 2 }, { value: "postgres", entries: 17 }] } },
    url: { kind: { k: "text", nonEmpty: true }, entries: 17, elsewhere: "it works on files and processes of a Node process" },
    directory: { kind: { k: "text", nonEmpty: true }, entries: 17, elsewhere: "it works on files and processes of a Node process" },
  } };

/** The declaration of `HistorySettings`. */
export const HistorySettings_SHAPE: OptionShape = { name: "HistorySettings", fields: {
    enabled: { kind: { k: "boolean" } },
    maxValueBytes: { kind: { k: "number", min: 1, integer: true, unit: "bytes" } },
    redactKeys: { kind: { k: "list", of: { k: "text", nonEmpty: true } } },
    retention: { kind: { k: "object", shape: () => ({ name: "", fields: {
        maxAge: { kind: { k: "number", min: 0, minExclusive: true, unit: "milliseconds" } },
        maxRuns: { kind: { k: "number", min: 1, integer: true } },
      } }) } },
    store: { kind: { k: "text", nonEmpty: true }, entries: 17, elsewhere: "a database store is for Node processes" },
  } };

/** The declaration of `DurabilitySettings`. */
export const DurabilitySettings_SHAPE: OptionShape = { name: "DurabilitySettings", fields: {
    resume: { kind: { k: "oneOf", of: [{ value: "auto" }, { value: "manual" }] } },
    sync: { kind: { k: "boolean" } },
  } };

/** The declaration of `CacheSettings`. */
export const CacheSettings_SHAPE: OptionShape = { name: "CacheSettings", fields: {
    maxEntries: { kind: { k: "number", min: 1, integer: true } },
    maxBytes: { kind: { k: "number", min: 1, integer: true, unit: "bytes" } },
    ttlMs: { kind: { k: "number", min: 0, minExclusive: true, unit: "milliseconds" } },
    store: { kind: { k: "oneOf", of: [{ value: "persistent" }, { value: "memory" }] } },
  } };

/** The declaration of `TelemetryConfig`. */
export const TelemetryConfig_SHAPE: OptionShape = { name: "TelemetryConfig", fields: {
    api: { kind: { k: "js", ts: "unknown", check: [] } },
    enabled: { kind: { k: "boolean" } },
    propagate: { kind: { k: "boolean" } },
    recordValues: { kind: { k: "either", of: [{ k: "boolean" }, { k: "object", shape: () => ({ name: "", fields: {
        redactKeys: { kind: { k: "list", of: { k: "text", nonEmpty: true } } },
      } }) }] } },
  } };

/** The declaration of `ConductorConfig`. */
export const ConductorConfig_SHAPE: OptionShape = { name: "ConductorConfig", fields: {
    transport: { kind: { k: "either", of: [{ k: "oneOf", of: [{ value: "local" }, { value: "http" }, { value: "ws" }, { value: "ipc" }] }, { k: "js", ts: "ConductorTransport", check: ["execute"] }] }, entries: 3, elsewhere: "this conductor's runs already go where its entry sends them" },
    apiUrl: { kind: { k: "text", nonEmpty: true }, entries: 3, elsewhere: "its transport is set by its own options" },
    serverUrl: { kind: { k: "text", nonEmpty: true }, entries: 7, elsewhere: "its transport is set by its own options" },
    WebSocket: { kind: { k: "js", ts: "WebSocketConstructor", check: "function" }, entries: 7, elsewhere: "it makes no WebSocket connection" },
    nodeExecutorFactory: { kind: { k: "js", ts: "NodeExecutorFactory", check: ["getNodeExecutable"] }, entries: 19, elsewhere: "its runs execute elsewhere: register executors where they run" },
    debugController: { kind: { k: "any" } },
    maxRetries: { kind: { k: "number", min: 0, integer: true }, entries: 23, elsewhere: "its runs retry on the workers" },
    retryDelay: { kind: { k: "number", min: 0, unit: "milliseconds" }, entries: 23, elsewhere: "its runs retry on the workers" },
    timeout: { kind: { k: "number", min: 0, unit: "milliseconds" } },
    logLevel: { kind: { k: "oneOf", of: [{ value: "debug" }, { value: "info" }, { value: "warn" }, { value: "error" }] } },
    logger: { kind: { k: "js", ts: "ConductorLogger", check: [] } },
    concurrency: { kind: { k: "number", min: 1, integer: true }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    workers: { kind: { k: "number", min: 1, integer: true }, entries: 17, elsewhere: "it sizes the worker pool of a Node process that runs flows itself (a browser's engine runs in the page or in its own `worker`)" },
    http: { kind: { k: "object", shape: () => ({ name: "", fields: {
        maxRequestsPerHost: { kind: { k: "number", min: 1, integer: true } },
      } }) }, entries: 17, elsewhere: "the browser bounds its own connections" },
    plugins: { kind: { k: "record", of: { k: "object", shape: () => PluginConfig_SHAPE } }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    python: { kind: { k: "object", shape: () => ({ name: "", fields: {
        interpreter: { kind: { k: "text", nonEmpty: true } },
        virtualenv: { kind: { k: "text", nonEmpty: true } },
        workers: { kind: { k: "number", min: 1, integer: true } },
      } }) }, entries: 17, elsewhere: "Python nodes run in worker processes of a Node process" },
    processes: { kind: { k: "object", shape: () => ({ name: "", fields: {
        memoryLimit: { kind: { k: "number", min: 1, integer: true, unit: "bytes" } },
        maxProcesses: { kind: { k: "number", min: 1, integer: true } },
        cpuTimeLimit: { kind: { k: "number", min: 1, integer: true, unit: "milliseconds" } },
        maxOpenFiles: { kind: { k: "number", min: 1, integer: true } },
        allowUnconfined: { kind: { k: "boolean" } },
      } }) }, entries: 17, elsewhere: "processes run in a Node process" },
    streamBatchRows: { kind: { k: "number", min: 0, integer: true }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    streamSortMemory: { kind: { k: "number", min: 1, integer: true, unit: "bytes" }, entries: 17, elsewhere: "it works on files and processes of a Node process" },
    progressThrottle: { kind: { k: "number", min: 0, unit: "milliseconds" }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    trace: { kind: { k: "boolean" }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    storage: { kind: { k: "object", shape: () => StorageConfig_SHAPE }, entries: 19, elsewhere: "saved flows live where its runs happen" },
    history: { kind: { k: "either", of: [{ k: "boolean" }, { k: "object", shape: () => HistorySettings_SHAPE }] }, entries: 19, elsewhere: "its runs are recorded where they happen" },
    durability: { kind: { k: "object", shape: () => DurabilitySettings_SHAPE }, entries: 19, elsewhere: "its runs are checkpointed where they happen" },
    cache: { kind: { k: "either", of: [{ k: "boolean" }, { k: "object", shape: () => CacheSettings_SHAPE }] }, entries: 27, elsewhere: "its runs are cached where they happen" },
    engine: { kind: { k: "oneOf", of: [{ value: "auto" }, { value: "native", entries: 21 }, { value: "wasm" }] }, entries: 23, elsewhere: "its engine is the queue workers'" },
    debugging: { kind: { k: "boolean" }, entries: 19, elsewhere: "its runs are debugged where they happen" },
    telemetry: { kind: { k: "object", shape: () => TelemetryConfig_SHAPE }, entries: 23, elsewhere: "its spans come from the workers" },
    workingDirectory: { kind: { k: "text", nonEmpty: true }, entries: 17, elsewhere: "it works on files and processes of a Node process" },
    limits: { kind: { k: "object", shape: () => ({ name: "", fields: {
        maxDepth: { kind: { k: "number", min: 1, integer: true } },
        maxNodes: { kind: { k: "number", min: 1, integer: true } },
        maxFlowBytes: { kind: { k: "number", min: 1, integer: true, unit: "bytes" } },
        expressionSteps: { kind: { k: "number", min: 1, integer: true } },
        maxOutputBytes: { kind: { k: "number", min: 1, integer: true, unit: "bytes" } },
      } }) }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    strictParameters: { kind: { k: "boolean" }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
  } };

/** The declaration of `DesktopConductorConfig`. */
export const DesktopConductorConfig_SHAPE: OptionShape = { name: "DesktopConductorConfig", fields: {
    transport: { kind: { k: "either", of: [{ k: "oneOf", of: [{ value: "local" }, { value: "http" }, { value: "ws" }, { value: "ipc" }] }, { k: "js", ts: "ConductorTransport", check: ["execute"] }] }, entries: 3, elsewhere: "this conductor's runs already go where its entry sends them" },
    apiUrl: { kind: { k: "text", nonEmpty: true }, entries: 3, elsewhere: "its transport is set by its own options" },
    serverUrl: { kind: { k: "text", nonEmpty: true }, entries: 7, elsewhere: "its transport is set by its own options" },
    WebSocket: { kind: { k: "js", ts: "WebSocketConstructor", check: "function" }, entries: 7, elsewhere: "it makes no WebSocket connection" },
    nodeExecutorFactory: { kind: { k: "js", ts: "NodeExecutorFactory", check: ["getNodeExecutable"] }, entries: 19, elsewhere: "its runs execute elsewhere: register executors where they run" },
    debugController: { kind: { k: "any" } },
    maxRetries: { kind: { k: "number", min: 0, integer: true }, entries: 23, elsewhere: "its runs retry on the workers" },
    retryDelay: { kind: { k: "number", min: 0, unit: "milliseconds" }, entries: 23, elsewhere: "its runs retry on the workers" },
    timeout: { kind: { k: "number", min: 0, unit: "milliseconds" } },
    logLevel: { kind: { k: "oneOf", of: [{ value: "debug" }, { value: "info" }, { value: "warn" }, { value: "error" }] } },
    logger: { kind: { k: "js", ts: "ConductorLogger", check: [] } },
    concurrency: { kind: { k: "number", min: 1, integer: true }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    workers: { kind: { k: "number", min: 1, integer: true }, entries: 17, elsewhere: "it sizes the worker pool of a Node process that runs flows itself (a browser's engine runs in the page or in its own `worker`)" },
    http: { kind: { k: "object", shape: () => ({ name: "", fields: {
        maxRequestsPerHost: { kind: { k: "number", min: 1, integer: true } },
      } }) }, entries: 17, elsewhere: "the browser bounds its own connections" },
    plugins: { kind: { k: "record", of: { k: "object", shape: () => PluginConfig_SHAPE } }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    python: { kind: { k: "object", shape: () => ({ name: "", fields: {
        interpreter: { kind: { k: "text", nonEmpty: true } },
        virtualenv: { kind: { k: "text", nonEmpty: true } },
        workers: { kind: { k: "number", min: 1, integer: true } },
      } }) }, entries: 17, elsewhere: "Python nodes run in worker processes of a Node process" },
    processes: { kind: { k: "object", shape: () => ({ name: "", fields: {
        memoryLimit: { kind: { k: "number", min: 1, integer: true, unit: "bytes" } },
        maxProcesses: { kind: { k: "number", min: 1, integer: true } },
        cpuTimeLimit: { kind: { k: "number", min: 1, integer: true, unit: "milliseconds" } },
        maxOpenFiles: { kind: { k: "number", min: 1, integer: true } },
        allowUnconfined: { kind: { k: "boolean" } },
      } }) }, entries: 17, elsewhere: "processes run in a Node process" },
    streamBatchRows: { kind: { k: "number", min: 0, integer: true }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    streamSortMemory: { kind: { k: "number", min: 1, integer: true, unit: "bytes" }, entries: 17, elsewhere: "it works on files and processes of a Node process" },
    progressThrottle: { kind: { k: "number", min: 0, unit: "milliseconds" }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    trace: { kind: { k: "boolean" }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    storage: { kind: { k: "either", of: [{ k: "object", shape: () => StorageConfig_SHAPE }, { k: "js", ts: "AppStorage", check: [] }] }, entries: 17, elsewhere: "a storage object is for Node processes" },
    history: { kind: { k: "either", of: [{ k: "boolean" }, { k: "object", shape: () => HistorySettings_SHAPE }] }, entries: 19, elsewhere: "its runs are recorded where they happen" },
    durability: { kind: { k: "object", shape: () => DurabilitySettings_SHAPE }, entries: 19, elsewhere: "its runs are checkpointed where they happen" },
    cache: { kind: { k: "either", of: [{ k: "boolean" }, { k: "object", shape: () => CacheSettings_SHAPE }] }, entries: 27, elsewhere: "its runs are cached where they happen" },
    engine: { kind: { k: "oneOf", of: [{ value: "auto" }, { value: "native", entries: 21 }, { value: "wasm" }] }, entries: 23, elsewhere: "its engine is the queue workers'" },
    debugging: { kind: { k: "boolean" }, entries: 19, elsewhere: "its runs are debugged where they happen" },
    telemetry: { kind: { k: "object", shape: () => TelemetryConfig_SHAPE }, entries: 23, elsewhere: "its spans come from the workers" },
    workingDirectory: { kind: { k: "text", nonEmpty: true }, entries: 17, elsewhere: "it works on files and processes of a Node process" },
    limits: { kind: { k: "object", shape: () => ({ name: "", fields: {
        maxDepth: { kind: { k: "number", min: 1, integer: true } },
        maxNodes: { kind: { k: "number", min: 1, integer: true } },
        maxFlowBytes: { kind: { k: "number", min: 1, integer: true, unit: "bytes" } },
        expressionSteps: { kind: { k: "number", min: 1, integer: true } },
        maxOutputBytes: { kind: { k: "number", min: 1, integer: true, unit: "bytes" } },
      } }) }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    strictParameters: { kind: { k: "boolean" }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
  } };

/** The declaration of `BrowserConductorConfig`. */
export const BrowserConductorConfig_SHAPE: OptionShape = { name: "BrowserConductorConfig", fields: {
    transport: { kind: { k: "either", of: [{ k: "oneOf", of: [{ value: "local" }, { value: "http" }, { value: "ws" }, { value: "ipc" }] }, { k: "js", ts: "ConductorTransport", check: ["execute"] }] }, entries: 3, elsewhere: "this conductor's runs already go where its entry sends them" },
    apiUrl: { kind: { k: "text", nonEmpty: true }, entries: 3, elsewhere: "its transport is set by its own options" },
    serverUrl: { kind: { k: "text", nonEmpty: true }, entries: 7, elsewhere: "its transport is set by its own options" },
    WebSocket: { kind: { k: "js", ts: "WebSocketConstructor", check: "function" }, entries: 7, elsewhere: "it makes no WebSocket connection" },
    nodeExecutorFactory: { kind: { k: "js", ts: "NodeExecutorFactory", check: ["getNodeExecutable"] }, entries: 19, elsewhere: "its runs execute elsewhere: register executors where they run" },
    debugController: { kind: { k: "any" } },
    maxRetries: { kind: { k: "number", min: 0, integer: true }, entries: 23, elsewhere: "its runs retry on the workers" },
    retryDelay: { kind: { k: "number", min: 0, unit: "milliseconds" }, entries: 23, elsewhere: "its runs retry on the workers" },
    timeout: { kind: { k: "number", min: 0, unit: "milliseconds" } },
    logLevel: { kind: { k: "oneOf", of: [{ value: "debug" }, { value: "info" }, { value: "warn" }, { value: "error" }] } },
    logger: { kind: { k: "js", ts: "ConductorLogger", check: [] } },
    concurrency: { kind: { k: "number", min: 1, integer: true }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    workers: { kind: { k: "number", min: 1, integer: true }, entries: 17, elsewhere: "it sizes the worker pool of a Node process that runs flows itself (a browser's engine runs in the page or in its own `worker`)" },
    http: { kind: { k: "object", shape: () => ({ name: "", fields: {
        maxRequestsPerHost: { kind: { k: "number", min: 1, integer: true } },
      } }) }, entries: 17, elsewhere: "the browser bounds its own connections" },
    plugins: { kind: { k: "record", of: { k: "object", shape: () => PluginConfig_SHAPE } }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    python: { kind: { k: "object", shape: () => ({ name: "", fields: {
        interpreter: { kind: { k: "text", nonEmpty: true } },
        virtualenv: { kind: { k: "text", nonEmpty: true } },
        workers: { kind: { k: "number", min: 1, integer: true } },
      } }) }, entries: 17, elsewhere: "Python nodes run in worker processes of a Node process" },
    processes: { kind: { k: "object", shape: () => ({ name: "", fields: {
        memoryLimit: { kind: { k: "number", min: 1, integer: true, unit: "bytes" } },
        maxProcesses: { kind: { k: "number", min: 1, integer: true } },
        cpuTimeLimit: { kind: { k: "number", min: 1, integer: true, unit: "milliseconds" } },
        maxOpenFiles: { kind: { k: "number", min: 1, integer: true } },
        allowUnconfined: { kind: { k: "boolean" } },
      } }) }, entries: 17, elsewhere: "processes run in a Node process" },
    streamBatchRows: { kind: { k: "number", min: 0, integer: true }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    streamSortMemory: { kind: { k: "number", min: 1, integer: true, unit: "bytes" }, entries: 17, elsewhere: "it works on files and processes of a Node process" },
    progressThrottle: { kind: { k: "number", min: 0, unit: "milliseconds" }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    trace: { kind: { k: "boolean" }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    storage: { kind: { k: "object", shape: () => StorageConfig_SHAPE }, entries: 19, elsewhere: "saved flows live where its runs happen" },
    history: { kind: { k: "either", of: [{ k: "boolean" }, { k: "object", shape: () => HistorySettings_SHAPE }] }, entries: 19, elsewhere: "its runs are recorded where they happen" },
    durability: { kind: { k: "object", shape: () => DurabilitySettings_SHAPE }, entries: 19, elsewhere: "its runs are checkpointed where they happen" },
    cache: { kind: { k: "either", of: [{ k: "boolean" }, { k: "object", shape: () => CacheSettings_SHAPE }] }, entries: 27, elsewhere: "its runs are cached where they happen" },
    engine: { kind: { k: "oneOf", of: [{ value: "auto" }, { value: "native", entries: 21 }, { value: "wasm" }] }, entries: 23, elsewhere: "its engine is the queue workers'" },
    debugging: { kind: { k: "boolean" }, entries: 19, elsewhere: "its runs are debugged where they happen" },
    telemetry: { kind: { k: "object", shape: () => TelemetryConfig_SHAPE }, entries: 23, elsewhere: "its spans come from the workers" },
    workingDirectory: { kind: { k: "text", nonEmpty: true }, entries: 17, elsewhere: "it works on files and processes of a Node process" },
    limits: { kind: { k: "object", shape: () => ({ name: "", fields: {
        maxDepth: { kind: { k: "number", min: 1, integer: true } },
        maxNodes: { kind: { k: "number", min: 1, integer: true } },
        maxFlowBytes: { kind: { k: "number", min: 1, integer: true, unit: "bytes" } },
        expressionSteps: { kind: { k: "number", min: 1, integer: true } },
        maxOutputBytes: { kind: { k: "number", min: 1, integer: true, unit: "bytes" } },
      } }) }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    strictParameters: { kind: { k: "boolean" }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    worker: { kind: { k: "either", of: [{ k: "boolean" }, { k: "object", shape: () => ({ name: "", fields: {
        url: { kind: { k: "js", ts: "string | URL", check: "any" } },
        create: { kind: { k: "js", ts: "() => Worker", check: "function" } },
      } }) }] }, entries: 2, elsewhere: "Node's engine never blocks the JS thread" },
  } };

/** The declaration of `RemoteConductorOptions`. */
export const RemoteConductorOptions_SHAPE: OptionShape = { name: "RemoteConductorOptions", fields: {
    transport: { kind: { k: "either", of: [{ k: "oneOf", of: [{ value: "local" }, { value: "http" }, { value: "ws" }, { value: "ipc" }] }, { k: "js", ts: "ConductorTransport", check: ["execute"] }] }, entries: 3, elsewhere: "this conductor's runs already go where its entry sends them" },
    apiUrl: { kind: { k: "text", nonEmpty: true }, entries: 3, elsewhere: "its transport is set by its own options" },
    serverUrl: { kind: { k: "text", nonEmpty: true }, entries: 7, elsewhere: "its transport is set by its own options" },
    WebSocket: { kind: { k: "js", ts: "WebSocketConstructor", check: "function" }, entries: 7, elsewhere: "it makes no WebSocket connection" },
    nodeExecutorFactory: { kind: { k: "js", ts: "NodeExecutorFactory", check: ["getNodeExecutable"] }, entries: 19, elsewhere: "its runs execute elsewhere: register executors where they run" },
    debugController: { kind: { k: "any" } },
    maxRetries: { kind: { k: "number", min: 0, integer: true }, entries: 23, elsewhere: "its runs retry on the workers" },
    retryDelay: { kind: { k: "number", min: 0, unit: "milliseconds" }, entries: 23, elsewhere: "its runs retry on the workers" },
    timeout: { kind: { k: "number", min: 0, unit: "milliseconds" } },
    logLevel: { kind: { k: "oneOf", of: [{ value: "debug" }, { value: "info" }, { value: "warn" }, { value: "error" }] } },
    logger: { kind: { k: "js", ts: "ConductorLogger", check: [] } },
    concurrency: { kind: { k: "number", min: 1, integer: true }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    workers: { kind: { k: "number", min: 1, integer: true }, entries: 17, elsewhere: "it sizes the worker pool of a Node process that runs flows itself (a browser's engine runs in the page or in its own `worker`)" },
    http: { kind: { k: "object", shape: () => ({ name: "", fields: {
        maxRequestsPerHost: { kind: { k: "number", min: 1, integer: true } },
      } }) }, entries: 17, elsewhere: "the browser bounds its own connections" },
    plugins: { kind: { k: "record", of: { k: "object", shape: () => PluginConfig_SHAPE } }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    python: { kind: { k: "object", shape: () => ({ name: "", fields: {
        interpreter: { kind: { k: "text", nonEmpty: true } },
        virtualenv: { kind: { k: "text", nonEmpty: true } },
        workers: { kind: { k: "number", min: 1, integer: true } },
      } }) }, entries: 17, elsewhere: "Python nodes run in worker processes of a Node process" },
    processes: { kind: { k: "object", shape: () => ({ name: "", fields: {
        memoryLimit: { kind: { k: "number", min: 1, integer: true, unit: "bytes" } },
        maxProcesses: { kind: { k: "number", min: 1, integer: true } },
        cpuTimeLimit: { kind: { k: "number", min: 1, integer: true, unit: "milliseconds" } },
        maxOpenFiles: { kind: { k: "number", min: 1, integer: true } },
        allowUnconfined: { kind: { k: "boolean" } },
      } }) }, entries: 17, elsewhere: "processes run in a Node process" },
    streamBatchRows: { kind: { k: "number", min: 0, integer: true }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    streamSortMemory: { kind: { k: "number", min: 1, integer: true, unit: "bytes" }, entries: 17, elsewhere: "it works on files and processes of a Node process" },
    progressThrottle: { kind: { k: "number", min: 0, unit: "milliseconds" }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    trace: { kind: { k: "boolean" }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    storage: { kind: { k: "object", shape: () => StorageConfig_SHAPE }, entries: 19, elsewhere: "saved flows live where its runs happen" },
    history: { kind: { k: "either", of: [{ k: "boolean" }, { k: "object", shape: () => HistorySettings_SHAPE }] }, entries: 19, elsewhere: "its runs are recorded where they happen" },
    durability: { kind: { k: "object", shape: () => DurabilitySettings_SHAPE }, entries: 19, elsewhere: "its runs are checkpointed where they happen" },
    cache: { kind: { k: "either", of: [{ k: "boolean" }, { k: "object", shape: () => CacheSettings_SHAPE }] }, entries: 27, elsewhere: "its runs are cached where they happen" },
    engine: { kind: { k: "oneOf", of: [{ value: "auto" }, { value: "native", entries: 21 }, { value: "wasm" }] }, entries: 23, elsewhere: "its engine is the queue workers'" },
    debugging: { kind: { k: "boolean" }, entries: 19, elsewhere: "its runs are debugged where they happen" },
    telemetry: { kind: { k: "object", shape: () => TelemetryConfig_SHAPE }, entries: 23, elsewhere: "its spans come from the workers" },
    workingDirectory: { kind: { k: "text", nonEmpty: true }, entries: 17, elsewhere: "it works on files and processes of a Node process" },
    limits: { kind: { k: "object", shape: () => ({ name: "", fields: {
        maxDepth: { kind: { k: "number", min: 1, integer: true } },
        maxNodes: { kind: { k: "number", min: 1, integer: true } },
        maxFlowBytes: { kind: { k: "number", min: 1, integer: true, unit: "bytes" } },
        expressionSteps: { kind: { k: "number", min: 1, integer: true } },
        maxOutputBytes: { kind: { k: "number", min: 1, integer: true, unit: "bytes" } },
      } }) }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    strictParameters: { kind: { k: "boolean" }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    bridge: { kind: { k: "js", ts: "AtomitonBridge | null", check: "any" }, entries: 4, elsewhere: "it sets up the connection of a remote conductor (createRemoteConductor)" },
    wsUrl: { kind: { k: "text", nonEmpty: true }, entries: 4, elsewhere: "it sets up the connection of a remote conductor (createRemoteConductor)" },
    fetch: { kind: { k: "js", ts: "FetchLike", check: "function" }, entries: 4, elsewhere: "it sets up the connection of a remote conductor (createRemoteConductor)" },
    timeoutMs: { kind: { k: "number", min: 0, minExclusive: true, unit: "milliseconds" }, entries: 4, elsewhere: "it sets up the connection of a remote conductor (createRemoteConductor)" },
    channelTransport: { kind: { k: "js", ts: "ChannelTransport", check: ["call"] }, entries: 4, elsewhere: "it sets up the connection of a remote conductor (createRemoteConductor)" },
    token: { kind: { k: "text", nonEmpty: true }, entries: 4, elsewhere: "it sets up the connection of a remote conductor (createRemoteConductor)" },
  } };

/** The declaration of `QueueHistoryOptions`. */
export const QueueHistoryOptions_SHAPE: OptionShape = { name: "QueueHistoryOptions", fields: {
    maxValueBytes: { kind: { k: "number", min: 1, integer: true, unit: "bytes" } },
    redactKeys: { kind: { k: "list", of: { k: "text", nonEmpty: true } } },
    retention: { kind: { k: "object", shape: () => ({ name: "", fields: {
        maxAge: { kind: { k: "number", min: 0, minExclusive: true, unit: "milliseconds" } },
        maxRuns: { kind: { k: "number", min: 1, integer: true } },
      } }) } },
  } };

/** The declaration of `QueueConductorOptions`. */
export const QueueConductorOptions_SHAPE: OptionShape = { name: "QueueConductorOptions", fields: {
    transport: { kind: { k: "either", of: [{ k: "oneOf", of: [{ value: "local" }, { value: "http" }, { value: "ws" }, { value: "ipc" }] }, { k: "js", ts: "ConductorTransport", check: ["execute"] }] }, entries: 3, elsewhere: "this conductor's runs already go where its entry sends them" },
    apiUrl: { kind: { k: "text", nonEmpty: true }, entries: 3, elsewhere: "its transport is set by its own options" },
    serverUrl: { kind: { k: "text", nonEmpty: true }, entries: 7, elsewhere: "its transport is set by its own options" },
    WebSocket: { kind: { k: "js", ts: "WebSocketConstructor", check: "function" }, entries: 7, elsewhere: "it makes no WebSocket connection" },
    nodeExecutorFactory: { kind: { k: "js", ts: "NodeExecutorFactory", check: ["getNodeExecutable"] }, entries: 19, elsewhere: "its runs execute elsewhere: register executors where they run" },
    debugController: { kind: { k: "any" } },
    maxRetries: { kind: { k: "number", min: 0, integer: true }, entries: 23, elsewhere: "its runs retry on the workers" },
    retryDelay: { kind: { k: "number", min: 0, unit: "milliseconds" }, entries: 23, elsewhere: "its runs retry on the workers" },
    timeout: { kind: { k: "number", min: 0, unit: "milliseconds" }, entries: 8, elsewhere: "it sets up a queue conductor (createQueueConductor)" },
    logLevel: { kind: { k: "oneOf", of: [{ value: "debug" }, { value: "info" }, { value: "warn" }, { value: "error" }] } },
    logger: { kind: { k: "js", ts: "ConductorLogger", check: [] } },
    concurrency: { kind: { k: "number", min: 1, integer: true }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    workers: { kind: { k: "number", min: 1, integer: true }, entries: 17, elsewhere: "it sizes the worker pool of a Node process that runs flows itself (a browser's engine runs in the page or in its own `worker`)" },
    http: { kind: { k: "object", shape: () => ({ name: "", fields: {
        maxRequestsPerHost: { kind: { k: "number", min: 1, integer: true } },
      } }) }, entries: 17, elsewhere: "the browser bounds its own connections" },
    plugins: { kind: { k: "record", of: { k: "object", shape: () => PluginConfig_SHAPE } }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    python: { kind: { k: "object", shape: () => ({ name: "", fields: {
        interpreter: { kind: { k: "text", nonEmpty: true } },
        virtualenv: { kind: { k: "text", nonEmpty: true } },
        workers: { kind: { k: "number", min: 1, integer: true } },
      } }) }, entries: 17, elsewhere: "Python nodes run in worker processes of a Node process" },
    processes: { kind: { k: "object", shape: () => ({ name: "", fields: {
        memoryLimit: { kind: { k: "number", min: 1, integer: true, unit: "bytes" } },
        maxProcesses: { kind: { k: "number", min: 1, integer: true } },
        cpuTimeLimit: { kind: { k: "number", min: 1, integer: true, unit: "milliseconds" } },
        maxOpenFiles: { kind: { k: "number", min: 1, integer: true } },
        allowUnconfined: { kind: { k: "boolean" } },
      } }) }, entries: 17, elsewhere: "processes run in a Node process" },
    streamBatchRows: { kind: { k: "number", min: 0, integer: true }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    streamSortMemory: { kind: { k: "number", min: 1, integer: true, unit: "bytes" }, entries: 17, elsewhere: "it works on files and processes of a Node process" },
    progressThrottle: { kind: { k: "number", min: 0, unit: "milliseconds" }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    trace: { kind: { k: "boolean" }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    storage: { kind: { k: "object", shape: () => StorageConfig_SHAPE }, entries: 19, elsewhere: "saved flows live where its runs happen" },
    history: { kind: { k: "object", shape: () => QueueHistoryOptions_SHAPE }, entries: 8, elsewhere: "it sets up a queue conductor (createQueueConductor)" },
    durability: { kind: { k: "object", shape: () => DurabilitySettings_SHAPE }, entries: 19, elsewhere: "its runs are checkpointed where they happen" },
    cache: { kind: { k: "either", of: [{ k: "boolean" }, { k: "object", shape: () => CacheSettings_SHAPE }] }, entries: 27, elsewhere: "its runs are cached where they happen" },
    engine: { kind: { k: "oneOf", of: [{ value: "auto" }, { value: "native", entries: 21 }, { value: "wasm" }] }, entries: 23, elsewhere: "its engine is the queue workers'" },
    debugging: { kind: { k: "boolean" }, entries: 19, elsewhere: "its runs are debugged where they happen" },
    telemetry: { kind: { k: "object", shape: () => TelemetryConfig_SHAPE }, entries: 23, elsewhere: "its spans come from the workers" },
    workingDirectory: { kind: { k: "text", nonEmpty: true }, entries: 17, elsewhere: "it works on files and processes of a Node process" },
    limits: { kind: { k: "object", shape: () => ({ name: "", fields: {
        maxDepth: { kind: { k: "number", min: 1, integer: true } },
        maxNodes: { kind: { k: "number", min: 1, integer: true } },
        maxFlowBytes: { kind: { k: "number", min: 1, integer: true, unit: "bytes" } },
        expressionSteps: { kind: { k: "number", min: 1, integer: true } },
        maxOutputBytes: { kind: { k: "number", min: 1, integer: true, unit: "bytes" } },
      } }) }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    strictParameters: { kind: { k: "boolean" }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    connection: { kind: { k: "either", of: [{ k: "text", nonEmpty: true }, { k: "object", shape: () => ({ name: "", fields: {
        host: { kind: { k: "text", nonEmpty: true } },
        port: { kind: { k: "number", min: 1, max: 65535, integer: true } },
        username: { kind: { k: "text", nonEmpty: true } },
        password: { kind: { k: "text" } },
        db: { kind: { k: "number", min: 0, integer: true } },
      } }) }] }, required: true, entries: 8, elsewhere: "it sets up a queue conductor (createQueueConductor)" },
    queue: { kind: { k: "text", nonEmpty: true }, entries: 8, elsewhere: "it sets up a queue conductor (createQueueConductor)" },
    prefix: { kind: { k: "text", nonEmpty: true }, entries: 8, elsewhere: "it sets up a queue conductor (createQueueConductor)" },
    store: { kind: { k: "text", nonEmpty: true }, entries: 8, elsewhere: "it sets up a queue conductor (createQueueConductor)" },
    pollInterval: { kind: { k: "number", min: 0, minExclusive: true, unit: "milliseconds" }, entries: 8, elsewhere: "it sets up a queue conductor (createQueueConductor)" },
  } };

/** The declaration of `RunPermissions`. */
export const RunPermissions_SHAPE: OptionShape = { name: "RunPermissions", fields: {
    shell: { kind: { k: "boolean" } },
    image: { kind: { k: "boolean" } },
    files: { kind: { k: "either", of: [{ k: "boolean" }, { k: "object", shape: () => ({ name: "", fields: {
        roots: { kind: { k: "list", of: { k: "text", nonEmpty: true } }, required: true },
      } }) }] } },
    http: { kind: { k: "either", of: [{ k: "boolean" }, { k: "object", shape: () => ({ name: "", fields: {
        hosts: { kind: { k: "list", of: { k: "text", nonEmpty: true } }, required: true },
      } }) }] } },
    credentials: { kind: { k: "either", of: [{ k: "boolean" }, { k: "object", shape: () => ({ name: "", fields: {
        names: { kind: { k: "list", of: { k: "text", nonEmpty: true } }, required: true },
      } }) }] } },
  } };

/** The declaration of `MainProcessHandlerOptions`. */
export const MainProcessHandlerOptions_SHAPE: OptionShape = { name: "MainProcessHandlerOptions", fields: {
    transport: { kind: { k: "either", of: [{ k: "oneOf", of: [{ value: "local" }, { value: "http" }, { value: "ws" }, { value: "ipc" }] }, { k: "js", ts: "ConductorTransport", check: ["execute"] }] }, entries: 3, elsewhere: "this conductor's runs already go where its entry sends them" },
    apiUrl: { kind: { k: "text", nonEmpty: true }, entries: 3, elsewhere: "its transport is set by its own options" },
    serverUrl: { kind: { k: "text", nonEmpty: true }, entries: 7, elsewhere: "its transport is set by its own options" },
    WebSocket: { kind: { k: "js", ts: "WebSocketConstructor", check: "function" }, entries: 7, elsewhere: "it makes no WebSocket connection" },
    nodeExecutorFactory: { kind: { k: "js", ts: "NodeExecutorFactory", check: ["getNodeExecutable"] }, entries: 19, elsewhere: "its runs execute elsewhere: register executors where they run" },
    debugController: { kind: { k: "any" } },
    maxRetries: { kind: { k: "number", min: 0, integer: true }, entries: 23, elsewhere: "its runs retry on the workers" },
    retryDelay: { kind: { k: "number", min: 0, unit: "milliseconds" }, entries: 23, elsewhere: "its runs retry on the workers" },
    timeout: { kind: { k: "number", min: 0, unit: "milliseconds" } },
    logLevel: { kind: { k: "oneOf", of: [{ value: "debug" }, { value: "info" }, { value: "warn" }, { value: "error" }] } },
    logger: { kind: { k: "js", ts: "ConductorLogger", check: [] } },
    concurrency: { kind: { k: "number", min: 1, integer: true }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    workers: { kind: { k: "number", min: 1, integer: true }, entries: 17, elsewhere: "it sizes the worker pool of a Node process that runs flows itself (a browser's engine runs in the page or in its own `worker`)" },
    http: { kind: { k: "object", shape: () => ({ name: "", fields: {
        maxRequestsPerHost: { kind: { k: "number", min: 1, integer: true } },
      } }) }, entries: 17, elsewhere: "the browser bounds its own connections" },
    plugins: { kind: { k: "record", of: { k: "object", shape: () => PluginConfig_SHAPE } }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    python: { kind: { k: "object", shape: () => ({ name: "", fields: {
        interpreter: { kind: { k: "text", nonEmpty: true } },
        virtualenv: { kind: { k: "text", nonEmpty: true } },
        workers: { kind: { k: "number", min: 1, integer: true } },
      } }) }, entries: 17, elsewhere: "Python nodes run in worker processes of a Node process" },
    processes: { kind: { k: "object", shape: () => ({ name: "", fields: {
        memoryLimit: { kind: { k: "number", min: 1, integer: true, unit: "bytes" } },
        maxProcesses: { kind: { k: "number", min: 1, integer: true } },
        cpuTimeLimit: { kind: { k: "number", min: 1, integer: true, unit: "milliseconds" } },
        maxOpenFiles: { kind: { k: "number", min: 1, integer: true } },
        allowUnconfined: { kind: { k: "boolean" } },
      } }) }, entries: 17, elsewhere: "processes run in a Node process" },
    streamBatchRows: { kind: { k: "number", min: 0, integer: true }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    streamSortMemory: { kind: { k: "number", min: 1, integer: true, unit: "bytes" }, entries: 17, elsewhere: "it works on files and processes of a Node process" },
    progressThrottle: { kind: { k: "number", min: 0, unit: "milliseconds" }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    trace: { kind: { k: "boolean" }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    storage: { kind: { k: "either", of: [{ k: "object", shape: () => StorageConfig_SHAPE }, { k: "js", ts: "AppStorage", check: [] }] }, entries: 17, elsewhere: "a storage object is for Node processes" },
    history: { kind: { k: "either", of: [{ k: "boolean" }, { k: "object", shape: () => HistorySettings_SHAPE }] }, entries: 19, elsewhere: "its runs are recorded where they happen" },
    durability: { kind: { k: "object", shape: () => DurabilitySettings_SHAPE }, entries: 19, elsewhere: "its runs are checkpointed where they happen" },
    cache: { kind: { k: "either", of: [{ k: "boolean" }, { k: "object", shape: () => CacheSettings_SHAPE }] }, entries: 27, elsewhere: "its runs are cached where they happen" },
    engine: { kind: { k: "oneOf", of: [{ value: "auto" }, { value: "native", entries: 21 }, { value: "wasm" }] }, entries: 23, elsewhere: "its engine is the queue workers'" },
    debugging: { kind: { k: "boolean" }, entries: 19, elsewhere: "its runs are debugged where they happen" },
    telemetry: { kind: { k: "object", shape: () => TelemetryConfig_SHAPE }, entries: 23, elsewhere: "its spans come from the workers" },
    workingDirectory: { kind: { k: "text", nonEmpty: true }, entries: 17, elsewhere: "it works on files and processes of a Node process" },
    limits: { kind: { k: "object", shape: () => ({ name: "", fields: {
        maxDepth: { kind: { k: "number", min: 1, integer: true } },
        maxNodes: { kind: { k: "number", min: 1, integer: true } },
        maxFlowBytes: { kind: { k: "number", min: 1, integer: true, unit: "bytes" } },
        expressionSteps: { kind: { k: "number", min: 1, integer: true } },
        maxOutputBytes: { kind: { k: "number", min: 1, integer: true, unit: "bytes" } },
      } }) }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    strictParameters: { kind: { k: "boolean" }, entries: 19, elsewhere: "it shapes runs this process makes; set it where the runs happen" },
    ipcMain: { kind: { k: "js", ts: "IpcMainLike", check: ["handle"] }, entries: 16, elsewhere: "it sets up serving renderers over IPC (setupMainProcessHandler)" },
    webContents: { kind: { k: "js", ts: "Iterable<WebContentsLike> | (() => Iterable<WebContentsLike>)", check: "any" }, entries: 16, elsewhere: "it sets up serving renderers over IPC (setupMainProcessHandler)" },
    restart: { kind: { k: "js", ts: "() => void | Promise<void>", check: "function" }, entries: 16, elsewhere: "it sets up serving renderers over IPC (setupMainProcessHandler)" },
    permissions: { kind: { k: "object", shape: () => RunPermissions_SHAPE }, entries: 16, elsewhere: "it sets up serving renderers over IPC (setupMainProcessHandler)" },
  } };

/** The declaration of `QueueWorkerOptions`. */
export const QueueWorkerOptions_SHAPE: OptionShape = { name: "QueueWorkerOptions", fields: {
    connection: { kind: { k: "either", of: [{ k: "text", nonEmpty: true }, { k: "object", shape: () => ({ name: "", fields: {
        host: { kind: { k: "text", nonEmpty: true } },
        port: { kind: { k: "number", min: 1, max: 65535, integer: true } },
        username: { kind: { k: "text", nonEmpty: true } },
        password: { kind: { k: "text" } },
        db: { kind: { k: "number", min: 0, integer: true } },
      } }) }] }, required: true },
    queue: { kind: { k: "text", nonEmpty: true } },
    prefix: { kind: { k: "text", nonEmpty: true } },
    store: { kind: { k: "text", nonEmpty: true } },
    concurrency: { kind: { k: "number", min: 1, integer: true } },
    nodeExecutorFactory: { kind: { k: "js", ts: "NodeExecutorFactory", check: ["getNodeExecutable"] } },
    workingDirectory: { kind: { k: "text", nonEmpty: true } },
    timeout: { kind: { k: "number", min: 0, unit: "milliseconds" } },
    history: { kind: { k: "object", shape: () => QueueHistoryOptions_SHAPE } },
    cache: { kind: { k: "either", of: [{ k: "boolean" }, { k: "object", shape: () => CacheSettings_SHAPE }] } },
    lockDuration: { kind: { k: "number", min: 0, minExclusive: true, unit: "milliseconds" } },
    stalledInterval: { kind: { k: "number", min: 0, minExclusive: true, unit: "milliseconds" } },
    lostRuns: { kind: { k: "oneOf", of: [{ value: "resume" }, { value: "crash" }] } },
    onRun: { kind: { k: "js", ts: "(event: QueueWorkerEvent) => void", check: "function" } },
    telemetry: { kind: { k: "object", shape: () => TelemetryConfig_SHAPE } },
  } };

/** The declaration of `DebugSimulateError`. */
export const DebugSimulateError_SHAPE: OptionShape = { name: "DebugSimulateError", fields: {
    nodeId: { kind: { k: "text", nonEmpty: true }, required: true },
    errorType: { kind: { k: "text", nonEmpty: true }, required: true },
    message: { kind: { k: "text" } },
    delayMs: { kind: { k: "number", min: 0, unit: "milliseconds" } },
  } };

/** The declaration of `DebugSimulateLongRunning`. */
export const DebugSimulateLongRunning_SHAPE: OptionShape = { name: "DebugSimulateLongRunning", fields: {
    nodeId: { kind: { k: "text", nonEmpty: true }, required: true },
    delayMs: { kind: { k: "number", min: 0, unit: "milliseconds" }, required: true },
  } };

/** The declaration of `DebugSimulatePanic`. */
export const DebugSimulatePanic_SHAPE: OptionShape = { name: "DebugSimulatePanic", fields: {
    nodeId: { kind: { k: "text", nonEmpty: true }, required: true },
  } };

/** The declaration of `DebugOptions`. */
export const DebugOptions_SHAPE: OptionShape = { name: "DebugOptions", fields: {
    simulateError: { kind: { k: "object", shape: () => DebugSimulateError_SHAPE } },
    simulateLongRunning: { kind: { k: "object", shape: () => DebugSimulateLongRunning_SHAPE } },
    simulatePanic: { kind: { k: "object", shape: () => DebugSimulatePanic_SHAPE } },
  } };

/** The declaration of `RunTelemetry`. */
export const RunTelemetry_SHAPE: OptionShape = { name: "RunTelemetry", fields: {
    propagate: { kind: { k: "boolean" } },
    traceparent: { kind: { k: "text", nonEmpty: true } },
    tracestate: { kind: { k: "text" } },
  } };

/** The declaration of `RunRetry`. */
export const RunRetry_SHAPE: OptionShape = { name: "RunRetry", fields: {
    of: { kind: { k: "text", nonEmpty: true }, required: true },
    from: { kind: { k: "text", nonEmpty: true } },
  } };

/** The declaration of `RunReplay`. */
export const RunReplay_SHAPE: OptionShape = { name: "RunReplay", fields: {
    of: { kind: { k: "text", nonEmpty: true }, required: true },
  } };

/** The declaration of `RunResume`. */
export const RunResume_SHAPE: OptionShape = { name: "RunResume", fields: {
    rerun: { kind: { k: "list", of: { k: "text", nonEmpty: true } } },
    skip: { kind: { k: "record", of: { k: "any" } } },
  } };

/** The declaration of `ContextOverrides`. */
export const ContextOverrides_SHAPE: OptionShape = { name: "ContextOverrides", fields: {
    executionId: { kind: { k: "text", nonEmpty: true } },
    nodeId: { kind: { k: "text", nonEmpty: true } },
    variables: { kind: { k: "record", of: { k: "any" } } },
    input: { kind: { k: "any" } },
    parentContext: { kind: { k: "any" } },
    slowMo: { kind: { k: "number", unit: "milliseconds" } },
    debug: { kind: { k: "either", of: [{ k: "boolean" }, { k: "object", shape: () => DebugOptions_SHAPE }] } },
    timeout: { kind: { k: "number", min: 0, unit: "milliseconds" } },
    permissions: { kind: { k: "object", shape: () => RunPermissions_SHAPE } },
    caller: { kind: { k: "text", nonEmpty: true } },
    history: { kind: { k: "boolean" } },
    pinned: { kind: { k: "record", of: { k: "any" } } },
    runTo: { kind: { k: "text", nonEmpty: true } },
    breakpoints: { kind: { k: "list", of: { k: "text", nonEmpty: true } } },
    cache: { kind: { k: "either", of: [{ k: "boolean" }, { k: "object", shape: () => ({ name: "", fields: {
        nodes: { kind: { k: "record", of: { k: "either", of: [{ k: "boolean" }, { k: "object", shape: () => ({ name: "", fields: {
            ttlMs: { kind: { k: "number", min: 0, minExclusive: true, unit: "milliseconds" } },
          } }) }] } } },
      } }) }] } },
    telemetry: { kind: { k: "object", shape: () => RunTelemetry_SHAPE } },
    signal: { kind: { k: "js", ts: "AbortSignal", check: ["addEventListener"] } },
    retry: { kind: { k: "object", shape: () => RunRetry_SHAPE } },
    replay: { kind: { k: "object", shape: () => RunReplay_SHAPE } },
    resume: { kind: { k: "object", shape: () => RunResume_SHAPE } },
  } };

/** The declaration of `ExecutionOptions`. */
export const ExecutionOptions_SHAPE: OptionShape = { name: "ExecutionOptions", fields: {
    retries: { kind: { k: "number", min: 0, integer: true } },
    timeout: { kind: { k: "number", min: 0, minExclusive: true, unit: "milliseconds" } },
    retryDelay: { kind: { k: "number", min: 0, unit: "milliseconds" } },
    fallback: { kind: { k: "any" } },
  } };

/** The declaration of `ExecutionRequest`. */
export const ExecutionRequest_SHAPE: OptionShape = { name: "ExecutionRequest", fields: {
    flowId: { kind: { k: "text" } },
    blueprintId: { kind: { k: "text" } },
    inputs: { kind: { k: "record", of: { k: "any" } } },
    context: { kind: { k: "object", shape: () => ContextOverrides_SHAPE } },
    options: { kind: { k: "object", shape: () => ExecutionOptions_SHAPE } },
    config: { kind: { k: "object", shape: () => ({ name: "", fields: {
        parallel: { kind: { k: "boolean" } },
        debugMode: { kind: { k: "boolean" } },
      } }) } },
  } };

/** The declaration of `CallerLimits`. */
export const CallerLimits_SHAPE: OptionShape = { name: "CallerLimits", fields: {
    concurrentRuns: { kind: { k: "number", min: 1, integer: true } },
    runsPerMinute: { kind: { k: "number", min: 1, integer: true } },
  } };

/** The declaration of `Grant`. */
export const Grant_SHAPE: OptionShape = { name: "Grant", fields: {
    channels: { kind: { k: "record", of: { k: "either", of: [{ k: "oneOf", of: [{ value: "*" }] }, { k: "list", of: { k: "text", nonEmpty: true } }] } } },
    permissions: { kind: { k: "object", shape: () => RunPermissions_SHAPE } },
    scope: { kind: { k: "oneOf", of: [{ value: "own" }, { value: "all" }] } },
    limits: { kind: { k: "object", shape: () => CallerLimits_SHAPE } },
  } };

/** The declaration of `UserEntry`. */
export const UserEntry_SHAPE: OptionShape = { name: "UserEntry", fields: {
    username: { kind: { k: "text", nonEmpty: true }, required: true },
    passwordHash: { kind: { k: "text", nonEmpty: true }, required: true },
    id: { kind: { k: "text", nonEmpty: true } },
    email: { kind: { k: "text" } },
    roles: { kind: { k: "list", of: { k: "text", nonEmpty: true } } },
    grant: { kind: { k: "object", shape: () => Grant_SHAPE } },
  } };

/** The declaration of `ApiKeyEntry`. */
export const ApiKeyEntry_SHAPE: OptionShape = { name: "ApiKeyEntry", fields: {
    id: { kind: { k: "text", nonEmpty: true }, required: true },
    keyHash: { kind: { k: "text", nonEmpty: true } },
    key: { kind: { k: "text", nonEmpty: true } },
    grant: { kind: { k: "object", shape: () => Grant_SHAPE } },
  } };

/** The declaration of `AuthOptions`. */
export const AuthOptions_SHAPE: OptionShape = { name: "AuthOptions", fields: {
    users: { kind: { k: "either", of: [{ k: "list", of: { k: "object", shape: () => UserEntry_SHAPE } }, { k: "js", ts: "UserVerifier", check: "function" }] } },
    apiKeys: { kind: { k: "list", of: { k: "object", shape: () => ApiKeyEntry_SHAPE } } },
    defaultGrant: { kind: { k: "object", shape: () => Grant_SHAPE } },
    tokenTtlMs: { kind: { k: "number", min: 0, minExclusive: true, unit: "milliseconds" } },
    sessionMaxMs: { kind: { k: "number", min: 0, minExclusive: true, unit: "milliseconds" } },
    maxSessionsPerUser: { kind: { k: "number", min: 1, integer: true } },
    loginAttempts: { kind: { k: "object", shape: () => ({ name: "", fields: {
        max: { kind: { k: "number", min: 1, integer: true } },
        maxPerAddress: { kind: { k: "number", min: 1, integer: true } },
        windowMs: { kind: { k: "number", min: 0, minExclusive: true, unit: "milliseconds" } },
      } }) } },
  } };

/** The declaration of `ServerLimitOptions`. */
export const ServerLimitOptions_SHAPE: OptionShape = { name: "ServerLimitOptions", fields: {
    concurrentRuns: { kind: { k: "number", min: 1, integer: true } },
    runsPerMinute: { kind: { k: "number", min: 1, integer: true } },
    maxFlowBytes: { kind: { k: "number", min: 1, integer: true, unit: "bytes" } },
    maxMessageBytes: { kind: { k: "number", min: 1, integer: true, unit: "bytes" } },
    idleTimeoutMs: { kind: { k: "number", min: 0, minExclusive: true, unit: "milliseconds" } },
    authTimeoutMs: { kind: { k: "number", min: 0, minExclusive: true, unit: "milliseconds" } },
  } };

/** The declaration of `ProtocolServerOptions`. */
export const ProtocolServerOptions_SHAPE: OptionShape = { name: "ProtocolServerOptions", fields: {
    port: { kind: { k: "number", min: 0, max: 65535, integer: true } },
    host: { kind: { k: "text", nonEmpty: true } },
    WebSocketServer: { kind: { k: "js", ts: "WebSocketServerClass", check: "function" } },
    allowedOrigins: { kind: { k: "list", of: { k: "text", nonEmpty: true } } },
    maxBodyBytes: { kind: { k: "number", min: 1, integer: true, unit: "bytes" } },
    auth: { kind: { k: "object", shape: () => AuthOptions_SHAPE } },
    limits: { kind: { k: "object", shape: () => ServerLimitOptions_SHAPE } },
    insecure: { kind: { k: "boolean" } },
    restart: { kind: { k: "js", ts: "() => void | Promise<void>", check: "function" } },
    permissions: { kind: { k: "object", shape: () => RunPermissions_SHAPE } },
    waitSecret: { kind: { k: "text", nonEmpty: true } },
  } };

/** The declaration of `ServeConfigFile`. */
export const ServeConfigFile_SHAPE: OptionShape = { name: "ServeConfigFile", fields: {
    auth: { kind: { k: "object", shape: () => AuthOptions_SHAPE } },
    limits: { kind: { k: "object", shape: () => ServerLimitOptions_SHAPE } },
    permissions: { kind: { k: "object", shape: () => RunPermissions_SHAPE } },
    allowedOrigins: { kind: { k: "list", of: { k: "text", nonEmpty: true } } },
    maxBodyBytes: { kind: { k: "number", min: 1, integer: true, unit: "bytes" } },
    waitSecret: { kind: { k: "text", nonEmpty: true } },
  } };

/** The fields of `config` a session reads (the Rust `SessionConfig`), as its constructor takes them. */
export function sessionConfigJson(config: ConductorConfig): string {
  return JSON.stringify({
    maxRetries: config.maxRetries,
    retryDelay: config.retryDelay,
    timeout: config.timeout,
    concurrency: config.concurrency,
    workers: config.workers,
    http: config.http,
    plugins: config.plugins,
    python: config.python,
    processes: config.processes,
    streamBatchRows: config.streamBatchRows,
    streamSortMemory: config.streamSortMemory,
    progressThrottle: config.progressThrottle,
    trace: config.trace,
    storage: config.storage,
    history: config.history,
    durability: config.durability,
    cache: config.cache,
    workingDirectory: config.workingDirectory,
    maxDepth: config.limits?.maxDepth,
    maxNodes: config.limits?.maxNodes,
    maxFlowBytes: config.limits?.maxFlowBytes,
    expressionSteps: config.limits?.expressionSteps,
    maxOutputBytes: config.limits?.maxOutputBytes,
    strictParameters: config.strictParameters,
  });
}
