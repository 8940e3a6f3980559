//! `ConductorConfig`, declared once: what `createConductor(config)` accepts in each entry, the
//! TypeScript type of it, and which fields a session reads (`SessionConfig`).

use super::declare::{Choice, Entries, Field, JsCheck, Kind, Range, Shape};
use super::permissions::PERMISSIONS;
use super::queue::QUEUE_CONFIG;

const NODE_ONLY: &str = "it works on files and processes of a Node process";
const LOCAL_ONLY: &str = "it shapes runs this process makes; set it where the runs happen";
const REMOTE_ONLY: &str = "it sets up the connection of a remote conductor (createRemoteConductor)";
const MAIN_ONLY: &str = "it sets up serving renderers over IPC (setupMainProcessHandler)";

/// `storage: {type, directory}`.
pub const STORAGE: Shape = Shape {
    name: "StorageConfig",
    doc: "Flow storage settings.",
    extends: &[],
    fields: &[
        Field::new(
            "type",
            Kind::OneOf(&[
                Choice::only("fs", Entries::NODE_LOCAL),
                Choice::any("memory"),
                Choice::only("indexeddb", Entries::BROWSER),
                Choice::only("postgres", Entries::NODE_LOCAL),
            ]),
            "`\"fs\"` (Node's default: one YAML file per flow), `\"memory\"` (kept per conductor, lost with it), `\"indexeddb\"` (the browser's default), or `\"postgres\"` (in the PostgreSQL database `url` names, shared by every process naming it).",
        ),
        Field::new(
            "url",
            Kind::Text { non_empty: true },
            "The database of `\"postgres\"` (`postgres://user[:password]@host[:port]/database`).",
        )
        .only(Entries::NODE_LOCAL, NODE_ONLY),
        Field::new(
            "directory",
            Kind::Text { non_empty: true },
            "Directory for `\"fs\"` (default `~/.atomiton/flows`; Electron apps pass `userData`). The run history and the result cache are kept there too.",
        )
        .only(Entries::NODE_LOCAL, NODE_ONLY),
    ],
};

/// `history.retention`.
pub const RETENTION: Shape = Shape {
    name: "",
    doc: "",
    extends: &[],
    fields: &[
        Field::new(
            "maxAge",
            Kind::Number(Range::MS_POSITIVE),
            "Runs older than this many ms are pruned as runs end.",
        ),
        Field::new(
            "maxRuns",
            Kind::Number(Range::whole(1.0)),
            "All but the newest `maxRuns` (default 10,000) are pruned as runs end.",
        ),
    ],
};

/// `durability: {...}`.
pub const DURABILITY: Shape = Shape {
    name: "DurabilitySettings",
    doc: "Durable runs: each recorded run is checkpointed as it goes, and a run its process left unfinished (`interrupted`) goes on from its checkpoints as the same run.",
    extends: &[],
    fields: &[
        Field::new(
            "resume",
            Kind::OneOf(&[Choice::any("auto"), Choice::any("manual")]),
            "`\"manual\"` (the default): an interrupted run waits for `executions.resume(id)` (`executions.list({status: \"interrupted\"})` lists them); `\"auto\"`: it resumes when a conductor opens the store (one that needs a decision on a node with effects still waits for it).",
        ),
        Field::new(
            "sync",
            Kind::Boolean,
            "Node's native engine with its history in files: `true` makes a node with effects wait until its start mark and the checkpoints before it are on the disk (one flush), so an OS crash or a power cut keeps them too; by default they are in the OS's cache, which survives the process being killed but not the machine going down. PostgreSQL and Redis stores keep what their servers' settings keep.",
        ),
    ],
};

/// `history: {...}`.
pub const HISTORY: Shape = Shape {
    name: "HistorySettings",
    doc: "How runs are recorded and kept.",
    extends: &[],
    fields: &[
        Field::new("enabled", Kind::Boolean, "`false`: record nothing (as `history: false`)."),
        Field::new(
            "maxValueBytes",
            Kind::Number(Range::BYTES),
            "Largest stored value, in bytes of JSON (default 65,536); larger ones become `{\"$truncated\": true, limitBytes, preview}`.",
        ),
        Field::new(
            "redactKeys",
            Kind::ListOf(&Kind::Text { non_empty: true }),
            "Object keys (any depth, any case) whose values are stored as `\"[REDACTED]\"`.",
        ),
        Field::new(
            "retention",
            Kind::Object(&RETENTION),
            "Runs older than `maxAge` ms, and all but the newest `maxRuns` (default 10,000), are pruned as runs end.",
        ),
        Field::new(
            "store",
            Kind::Text { non_empty: true },
            "A PostgreSQL database to keep the runs in (`postgres://user[:password]@host[:port]/database`) instead of the SQLite file beside the flows: shared with every other process that names it (`atomiton serve` reads the environment's `ATOMITON_DATABASE_URL`).",
        )
        .only(Entries::NODE_LOCAL, "a database store is for Node processes"),
    ],
};

/// `cache: {...}`.
pub const CACHE: Shape = Shape {
    name: "CacheSettings",
    doc: "The node result cache's bounds, lifetime and place.",
    extends: &[],
    fields: &[
        Field::new("maxEntries", Kind::Number(Range::whole(1.0)), "Entries kept at most (least recently used out first). Default 10,000."),
        Field::new("maxBytes", Kind::Number(Range::BYTES), "Bytes of outputs kept at most. Default 256 MiB."),
        Field::new("ttlMs", Kind::Number(Range::MS_POSITIVE), "How long an entry is served unless a node says otherwise; default: until evicted."),
        Field::new(
            "store",
            Kind::OneOf(&[Choice::any("persistent"), Choice::any("memory")]),
            "`\"persistent\"` (the default): beside a kept run history; `\"memory\"`: in memory only.",
        ),
    ],
};

const RECORD_VALUES: Shape = Shape {
    name: "",
    doc: "",
    extends: &[],
    fields: &[Field::new(
        "redactKeys",
        Kind::ListOf(&Kind::Text { non_empty: true }),
        "Keys replaced by `\"[REDACTED]\"` besides `history.redactKeys`.",
    )],
};

/// `telemetry: {...}`.
pub const TELEMETRY: Shape = Shape {
    name: "TelemetryConfig",
    doc: "OpenTelemetry settings of a conductor.",
    extends: &[],
    fields: &[
        Field::new(
            "api",
            Kind::Js { ts: "unknown", check: JsCheck::Methods(&[]) },
            "The OpenTelemetry API (`import * as api from \"@opentelemetry/api\"`). In Node the package finds it itself when it is installed; the browser entry needs it here.",
        ),
        Field::new("enabled", Kind::Boolean, "`false`: no spans and no metrics from this conductor even with an SDK registered."),
        Field::new(
            "propagate",
            Kind::Boolean,
            "Whether `http-request` nodes send `traceparent`/`tracestate` naming their span (default `true`).",
        ),
        Field::new(
            "recordValues",
            Kind::Either(&[Kind::Boolean, Kind::Object(&RECORD_VALUES)]),
            "Put the run's input and result on its span (`atomiton.run.input`, `atomiton.run.output`, as JSON of at most 1 KiB), values under `history.redactKeys` and these keys replaced by `\"[REDACTED]\"`. Off by default: spans carry no values.",
        ),
    ],
};

/// `limits: {...}`: each is sent to the session at the top level.
const LIMITS: Shape = Shape {
    name: "",
    doc: "",
    extends: &[],
    fields: &[
        Field::new("maxDepth", Kind::Number(Range::whole(1.0)), "Deepest nesting of groups a flow may have (default 10,000).")
            .wire_as("maxDepth"),
        Field::new("maxNodes", Kind::Number(Range::whole(1.0)), "Most nodes a flow may have (default 1,000,000).")
            .wire_as("maxNodes"),
        Field::new(
            "maxFlowBytes",
            Kind::Number(Range::BYTES),
            "Largest flow document a run may be given, its binary data counted (default 64 MiB); a larger one fails the run with `VALIDATION_FAILED` before it is read. What reading a flow costs grows with it: a flow's values take several times their text in memory.",
        )
        .wire_as("maxFlowBytes"),
        Field::new(
            "expressionSteps",
            Kind::Number(Range::whole(1.0)),
            "Step budget of each expression call (`transformFunction`, conditions, ...; default 1,000,000); exceeded, the node fails with \"BudgetError: Expression exceeded its step budget of N steps (limits.expressionSteps raises it)\".",
        )
        .wire_as("expressionSteps"),
        Field::new(
            "maxOutputBytes",
            Kind::Number(Range::BYTES),
            "What a node may hold as its output (default 128 MiB, counted as JSON text); exceeded, the node fails with `MEMORY_LIMIT_EXCEEDED`. A streamed node holds a batch of rows, never its whole output: streams never meet it.",
        )
        .wire_as("maxOutputBytes"),
    ],
};

const HTTP: Shape = Shape {
    name: "",
    doc: "",
    extends: &[],
    fields: &[Field::new(
        "maxRequestsPerHost",
        Kind::Number(Range::whole(1.0)),
        "`http-request` requests in flight to one origin, per conductor (default 64).",
    )],
};

/// `python: {...}`: where `python` nodes' interpreter is and how many workers run them.
const PYTHON: Shape = Shape {
    name: "",
    doc: "",
    extends: &[],
    fields: &[
        Field::new(
            "interpreter",
            Kind::Text { non_empty: true },
            "The Python interpreter: a path, or a name looked up on the PATH (default `python3`, then `python`).",
        ),
        Field::new(
            "virtualenv",
            Kind::Text { non_empty: true },
            "A virtual environment's directory: its `bin/python` (`Scripts\\python.exe` on Windows) is the interpreter, with its packages. Not with `interpreter`.",
        ),
        Field::new(
            "workers",
            Kind::Number(Range::whole(1.0)),
            "Python worker processes at most, each running one call at a time (default 2). They start on a node's first call and are kept for the next.",
        ),
    ],
};

/// `processes: {...}`: what one node's processes may use, and the fail-closed switch.
const PROCESSES: Shape = Shape {
    name: "",
    doc: "",
    extends: &[],
    fields: &[
        Field::new(
            "memoryLimit",
            Kind::Number(Range::BYTES),
            "Resident memory of one node's processes together (default 2 GiB); past it they are all killed and the node fails `MEMORY_LIMIT_EXCEEDED`.",
        ),
        Field::new(
            "maxProcesses",
            Kind::Number(Range::whole(1.0)),
            "Processes one node may have alive at once, its program included (default 256); past it they are all killed and the node fails `MEMORY_LIMIT_EXCEEDED` (a fork bomb ends there).",
        ),
        Field::new(
            "cpuTimeLimit",
            Kind::Number(Range { min: Some(1.0), integer: true, unit: "milliseconds", ..Range::ANY }),
            "CPU time of one node's processes together, ended ones included (none by default: the node's `timeout` bounds its wall time); past it they are all killed and the node fails `TIMEOUT`.",
        ),
        Field::new(
            "maxOpenFiles",
            Kind::Number(Range::whole(1.0)),
            "Files each process may have open (default 4096).",
        ),
        Field::new(
            "allowUnconfined",
            Kind::Boolean,
            "`true`: a run restricted to some files or hosts may start processes where the OS cannot confine them to its grant (not Linux, or Linux without Landlock), unconfined. Default: such a process is refused (`PERMISSION_DENIED`).",
        ),
    ],
};

/// One of `plugins`: a WebAssembly node type.
const PLUGIN: Shape = Shape {
    name: "PluginConfig",
    doc: "A WebAssembly node type: a module written against Extism's plugin ABI (any Extism PDK), run sandboxed by the engine.",
    extends: &[],
    fields: &[
        Field::new(
            "wasm",
            Kind::Either(&[
                Kind::Text { non_empty: true },
                Kind::Js { ts: "Uint8Array | ArrayBuffer", check: JsCheck::Methods(&[]) },
            ]),
            "The module: its bytes, or (in Node) the path of its `.wasm` file, relative to `workingDirectory`.",
        ),
        Field::new(
            "function",
            Kind::Text { non_empty: true },
            "The exported function a node calls (default `run`): an Extism plugin function, taking the node's data as JSON text and setting its output as JSON text.",
        ),
        Field::new(
            "config",
            Kind::RecordOf(&Kind::Text { non_empty: false }),
            "Values the plugin reads with its PDK's `config::get` (Extism's manifest config).",
        ),
        Field::new(
            "memoryLimit",
            Kind::Number(Range::BYTES),
            "Bytes of memory the plugin may hold, default 64 MiB: its linear memory up to this, and the kernel memory it allocates through the host up to this too; reached, the node fails with `MEMORY_LIMIT_EXCEEDED`.",
        ),
        Field::new(
            "fuel",
            Kind::Number(Range::whole(1.0)),
            "Fuel a call may spend (about one unit per WebAssembly instruction), default 10 billion; spent, the node fails. The node's `timeout` and cancellation end a call sooner.",
        ),
    ],
};

/// A custom transport object (`{execute, health?}`).
const CUSTOM_TRANSPORT: Kind =
    Kind::Js { ts: "ConductorTransport", check: JsCheck::Methods(&["execute"]) };

/// A storage object an app made (`saveFlow`, `loadFlow`, ... or a key-value engine).
const APP_STORAGE: Kind = Kind::Js { ts: "AppStorage", check: JsCheck::Methods(&[]) };

/// Every field of `ConductorConfig`, whichever entry takes it.
pub const CONDUCTOR_CONFIG: Shape = Shape {
    name: "ConductorConfig",
    doc: "What `createConductor(config)` accepts. A field an entry does not know, a value of the wrong type or out of range is a `ConductorError` (`VALIDATION_FAILED`) naming it.",
    extends: &[],
    fields: &[
        Field::new(
            "transport",
            Kind::Either(&[
                Kind::OneOf(&[Choice::any("local"), Choice::any("http"), Choice::any("ws"), Choice::any("ipc")]),
                CUSTOM_TRANSPORT,
            ]),
            "Where flows run: `\"local\"` (this process; the default), `\"http\"` / `\"ws\"` (a protocol server at `apiUrl`), `\"ipc\"` (an Electron main process, through the preload's bridge), or a custom `{execute, health?}` object that runs them.",
        )
        .only(Entries::NODE.and(Entries::BROWSER), "this conductor's runs already go where its entry sends them"),
        Field::new(
            "apiUrl",
            Kind::Text { non_empty: true },
            "A protocol server (`http(s)://` or `ws(s)://`) for `transport: \"http\"` / `\"ws\"`; alone, it selects the transport its scheme names.",
        )
        .only(Entries::NODE.and(Entries::BROWSER), "its transport is set by its own options"),
        Field::new(
            "serverUrl",
            Kind::Text { non_empty: true },
            "A protocol server to run flows on (`http(s)://` or `ws(s)://`); the same as `apiUrl`.",
        )
        .only(Entries::NODE.and(Entries::BROWSER).and(Entries::REMOTE), "its transport is set by its own options"),
        Field::new(
            "WebSocket",
            Kind::Js { ts: "WebSocketConstructor", check: JsCheck::Function },
            "Where `transport: \"ws\"` finds its WebSocket class when there is no global one (Node 20: the `ws` package's).",
        )
        .only(Entries::NODE.and(Entries::BROWSER).and(Entries::REMOTE), "it makes no WebSocket connection"),
        Field::new(
            "nodeExecutorFactory",
            Kind::Js { ts: "NodeExecutorFactory", check: JsCheck::Methods(&["getNodeExecutable"]) },
            "`{getNodeExecutable(type)}`: consulted first for every node type; built-ins are the fallback.",
        )
        .only(Entries::LOCAL, "its runs execute elsewhere: register executors where they run"),
        Field::new(
            "debugController",
            Kind::Any { ts: "unknown" },
            "Accepted for compatibility with the TypeScript engine, whose debug controller held debug settings per conductor; here debug options are per run (`contextOverrides.debug`), so it has no effect.",
        ),
        Field::new("maxRetries", Kind::Number(Range::whole(0.0)), "Cap on a node's `parameters.retries` (default 3).")
            .wire()
            .only(Entries::LOCAL.and(Entries::REMOTE), "its runs retry on the workers"),
        Field::new(
            "retryDelay",
            Kind::Number(Range::MS),
            "Base of the exponential retry backoff in ms (default 1000).",
        )
        .wire()
        .only(Entries::LOCAL.and(Entries::REMOTE), "its runs retry on the workers"),
        Field::new(
            "timeout",
            Kind::Number(Range::MS),
            "Bound on every run in ms (none by default; `0`: none, over `CONDUCTOR_TIMEOUT`).",
        )
        .wire(),
        Field::new(
            "logLevel",
            Kind::OneOf(&[Choice::any("debug"), Choice::any("info"), Choice::any("warn"), Choice::any("error")]),
            "Log runs at this level and above (`\"debug\"`: each run's start, node states and end; `\"info\"`: completed runs; `\"warn\"`: retries, fallbacks of `execute` and a run's warnings; `\"error\"`: failed runs). Unset: nothing is logged, except runs started with `debug: true`.",
        ),
        Field::new(
            "logger",
            Kind::Js { ts: "ConductorLogger", check: JsCheck::Methods(&[]) },
            "Where log entries go (default: the console). A function receives each entry; an object's method of the entry's level is called.",
        ),
        Field::new(
            "concurrency",
            Kind::Number(Range::whole(1.0)),
            "Most atomic nodes of a run in flight at once, waiting or working (default 256). Nodes that wait — timers, HTTP, processes, JS executors awaiting a promise — hold no CPU; CPU-heavy built-in work is bounded separately by `workers`. 1 = strict sequential order.",
        )
        .wire()
        .only(Entries::LOCAL, LOCAL_ONLY),
        Field::new(
            "workers",
            Kind::Number(Range::whole(1.0)),
            "Node: slots of the process's worker pool, where CPU-heavy built-in work runs off the JS thread (default: the machine's cores, or `ATOMITON_WORKERS`). The first conductor of a process sets it; `workerPool.stats()` reports it.",
        )
        .wire()
        .only(Entries::NODE_LOCAL, "it sizes the worker pool of a Node process that runs flows itself (a browser's engine runs in the page or in its own `worker`)"),
        Field::new(
            "http",
            Kind::Object(&HTTP),
            "Node: `http-request` requests in flight to one origin, per conductor (default 64).",
        )
        .wire()
        .only(Entries::NODE_LOCAL, "the browser bounds its own connections"),
        Field::new(
            "plugins",
            Kind::RecordOf(&Kind::Object(&PLUGIN)),
            "WebAssembly node types, by type name: `{\"text-stats\": {wasm: \"plugins/text_stats.wasm\"}}` makes `text-stats` a node type whose nodes call the plugin with their `data`. Sandboxed: capped memory, bounded fuel, no network, no files. In a browser, the editor module runs them (loaded on demand).",
        )
        .wire()
        .only(Entries::LOCAL, LOCAL_ONLY),
        Field::new(
            "python",
            Kind::Object(&PYTHON),
            "Node: the interpreter `python` nodes run on and its worker processes. Without an interpreter (none set, none on the PATH), a flow with a `python` node fails validation.",
        )
        .wire()
        .only(Entries::NODE_LOCAL, "Python nodes run in worker processes of a Node process"),
        Field::new(
            "processes",
            Kind::Object(&PROCESSES),
            "Node: what the processes one `shell-command` or `python` node starts may use together (memory, processes, CPU time, open files), and whether a restricted run's processes may run unconfined where the OS cannot confine them. Every process a node starts ends when the node does.",
        )
        .wire()
        .only(Entries::NODE_LOCAL, "processes run in a Node process"),
        Field::new(
            "streamBatchRows",
            Kind::Number(Range::whole(0.0)),
            "Rows per batch when a chain of nodes runs as a stream (default 4096; `0` turns streaming off). A chain streams when it starts at a `spreadsheet` reading a file or `data` text, with headers and no range, and goes on through nodes that work row by row, each the only reader of the one before, optionally ending in a `file-system` write: rows pass a batch at a time, so a file larger than memory goes through. The result is the one a node-by-node run gives. docs/data-at-scale.md has the full table.",
        )
        .wire()
        .only(Entries::LOCAL, LOCAL_ONLY),
        Field::new(
            "streamSortMemory",
            Kind::Number(Range::BYTES),
            "Bytes of rows a `sort` in a stream holds in memory (default 128 MiB); past them the native engine writes them out sorted, as runs, to a `spill/` directory under the storage directory, and merges the runs at the end. The WebAssembly engines hold every row.",
        )
        .wire()
        .only(Entries::NODE_LOCAL, NODE_ONLY),
        Field::new("progressThrottle", Kind::Number(Range::MS), "Minimum ms between progress events (default 100).")
            .wire()
            .only(Entries::LOCAL, LOCAL_ONLY),
        Field::new("trace", Kind::Boolean, "Whether results carry an `ExecutionTrace` (default true).")
            .wire()
            .only(Entries::LOCAL, LOCAL_ONLY),
        Field::new("storage", Kind::Object(&STORAGE), "Where saved flows live.")
        .wire()
        .only(Entries::LOCAL, "saved flows live where its runs happen"),
        Field::new(
            "history",
            Kind::Either(&[Kind::Boolean, Kind::Object(&HISTORY)]),
            "Execution history (on by default): every run recorded as it goes, read with `conductor.executions`. `false` records nothing. Node keeps it beside the flows.",
        )
        .wire()
        .only(Entries::LOCAL, "its runs are recorded where they happen"),
        Field::new(
            "durability",
            Kind::Object(&DURABILITY),
            "Durable runs (with the run history kept where it outlives the process: its file in Node, IndexedDB in a browser with `history`): each run is checkpointed as it goes; a run interrupted by the end of its process (or page) goes on from where it stopped, as the same run, when a conductor opens the store again. Off by default.",
        )
        .wire()
        .only(Entries::LOCAL, "its runs are checkpointed where they happen"),
        Field::new(
            "cache",
            Kind::Either(&[Kind::Boolean, Kind::Object(&CACHE)]),
            "The node result cache (off by default): a node whose type, parameters, input and run context were seen before gives the stored output without running (state `cached`). Pure nodes are cached by default; nodes with effects only when opted in (`parameters.cache` or the run's `cache.nodes`). In the browser it loads the editor module.",
        )
        .wire()
        .only(Entries::LOCAL.and(Entries::QUEUE), "its runs are cached where they happen"),
        Field::new(
            "engine",
            Kind::OneOf(&[
                Choice::any("auto"),
                Choice::only("native", Entries::NODE.and(Entries::REMOTE).and(Entries::MAIN)),
                Choice::any("wasm"),
            ]),
            "Node: the engine flows run on in this process. `\"auto\"` (the default, or `ATOMITON_CONDUCTOR_ENGINE`): the native addon when a binary fits this platform, else the WebAssembly engine (with a one-time warning; `getEnvironment().details.engine` says which). `\"native\"`: the addon or a `NativeEngineUnavailableError`. `\"wasm\"`: the WebAssembly engine. A browser always runs WebAssembly: there `\"native\"` is refused.",
        )
        .only(Entries::NODE.and(Entries::BROWSER).and(Entries::REMOTE).and(Entries::MAIN), "its engine is the queue workers'"),
        Field::new(
            "debugging",
            Kind::Boolean,
            "Browser: load the editor module (streams of rows, a span per node, the `python` type's own validation) without recording runs. Debugging itself (`pinned`, `runTo`, `breakpoints`, `node.pause/resume/step`) needs no option: every engine has it, the browser's default module included.",
        )
        .only(Entries::LOCAL, "its runs are debugged where they happen"),
        Field::new(
            "telemetry",
            Kind::Object(&TELEMETRY),
            "OpenTelemetry: with an SDK registered, each run is a span with a child span per node, and the conductor records run and node metrics. Nothing is recorded without an SDK.",
        )
        .only(Entries::LOCAL.and(Entries::REMOTE), "its spans come from the workers"),
        Field::new(
            "workingDirectory",
            Kind::Text { non_empty: true },
            "Relative file paths and process working directories resolve here (default: the process cwd).",
        )
        .wire()
        .only(Entries::NODE_LOCAL, NODE_ONLY),
        Field::new(
            "limits",
            Kind::Object(&LIMITS),
            "Limits: flow shape (checked before running), the step budget of each expression call and what a node may hold as its output.",
        )
        .only(Entries::LOCAL, LOCAL_ONLY),
        Field::new(
            "strictParameters",
            Kind::Boolean,
            "`false`: a node parameter, port or template path the engine does not know is a warning (in `validate`'s `warnings`, the run's `warnings` and its logs) instead of an error. For flows written for the TypeScript engine, which ignored unknown parameters; on (`true`) by default.",
        )
        .wire()
        .only(Entries::LOCAL, LOCAL_ONLY),
    ],
};

/// The storage object an app made, or storage settings.
const DESKTOP_STORAGE: Field = Field::new(
    "storage",
    Kind::Either(&[Kind::Object(&STORAGE), APP_STORAGE]),
    "Where saved flows live: a `StorageConfig`, or a storage object the app made — one with the conductor's storage methods (`saveFlow`, `loadFlow`, `listFlows`, `deleteFlow`), or a key-value engine (`save`/`load`/`list`/`delete`), where flows are kept under `flows/<id>`.",
)
.wire()
.only(Entries::NODE_LOCAL, "a storage object is for Node processes");

/// `createConductor` in a Node process: `storage` may also be a storage object the app made.
pub const DESKTOP_CONFIG: Shape = Shape {
    name: "DesktopConductorConfig",
    doc:
        "`ConductorConfig` in a Node process: `storage` may also be a storage object the app made.",
    extends: &[&CONDUCTOR_CONFIG],
    fields: &[DESKTOP_STORAGE],
};

/// `worker: {url}` or `{create}`.
const WORKER_SCRIPT: Shape = Shape {
    name: "",
    doc: "",
    extends: &[],
    fields: &[
        Field::new(
            "url",
            Kind::Js { ts: "string | URL", check: JsCheck::Any },
            "The worker script, served from elsewhere.",
        ),
        Field::new(
            "create",
            Kind::Js { ts: "() => Worker", check: JsCheck::Function },
            "Makes the worker.",
        ),
    ],
};

/// The browser entry: `ConductorConfig` and where its engine runs.
pub const BROWSER_CONFIG: Shape = Shape {
    name: "BrowserConductorConfig",
    doc: "The browser entry's config: `ConductorConfig` and where the local wasm engine runs.",
    extends: &[&CONDUCTOR_CONFIG],
    fields: &[Field::new(
        "worker",
        Kind::Either(&[Kind::Boolean, Kind::Object(&WORKER_SCRIPT)]),
        "Run the local wasm engine in a dedicated Web Worker, so a heavy flow leaves the page's main thread free: `true` (the package's worker script next to this module), `engineWorker` from `@atomiton/conductor/browser/engine-worker` (in a bundled app), `{ url }` (that script served from elsewhere) or `{ create }` (a worker you make). JS executors still run in the page. Off by default.",
    )
    .only(Entries::BROWSER, "Node's engine never blocks the JS thread")
    .ts("false | WorkerOption")],
};

/// `createRemoteConductor`'s options: `ConductorConfig` and the transport's.
pub const REMOTE_CONFIG: Shape = Shape {
    name: "RemoteConductorOptions",
    doc: "`createRemoteConductor`'s options: where flows run, and the settings of this side.",
    extends: &[&CONDUCTOR_CONFIG],
    fields: &[
        Field::new("bridge", Kind::Js { ts: "AtomitonBridge | null", check: JsCheck::Any }, "A desktop bridge (`window.atomiton.__bridge__`): wins over any URL.")
            .only(Entries::REMOTE, REMOTE_ONLY),
        Field::new("wsUrl", Kind::Text { non_empty: true }, "A WebSocket server, used when `serverUrl` is not set.")
            .only(Entries::REMOTE, REMOTE_ONLY),
        Field::new("fetch", Kind::Js { ts: "FetchLike", check: JsCheck::Function }, "A `fetch` to use instead of the global one (HTTP).")
            .only(Entries::REMOTE, REMOTE_ONLY),
        Field::new("timeoutMs", Kind::Number(Range::MS_POSITIVE), "How long a WebSocket call waits for its answer (default 30 s).")
            .only(Entries::REMOTE, REMOTE_ONLY),
        Field::new(
            "channelTransport",
            Kind::Js { ts: "ChannelTransport", check: JsCheck::Methods(&["call"]) },
            "A ready transport, instead of `bridge` / `serverUrl` / `wsUrl`.",
        )
        .only(Entries::REMOTE, REMOTE_ONLY),
        Field::new(
            "token",
            Kind::Text { non_empty: true },
            "The bearer token to start with: an API key, or a saved session token. `auth.login` replaces it; `auth.logout` clears it. Not used with `channelTransport`, which carries its own credentials.",
        )
        .only(Entries::REMOTE, REMOTE_ONLY),
    ],
};

/// `setupMainProcessHandler`'s options.
pub const MAIN_CONFIG: Shape = Shape {
    name: "MainProcessHandlerOptions",
    doc: "`setupMainProcessHandler`'s options: the conductor's config and how it is served over IPC.",
    extends: &[&DESKTOP_CONFIG],
    fields: &[
        Field::new("ipcMain", Kind::Js { ts: "IpcMainLike", check: JsCheck::Methods(&["handle"]) }, "Electron's `ipcMain` (default: the one of `require(\"electron\")` in Electron's main process).")
            .only(Entries::MAIN, MAIN_ONLY),
        Field::new(
            "webContents",
            Kind::Js { ts: "Iterable<WebContentsLike> | (() => Iterable<WebContentsLike>)", check: JsCheck::Any },
            "Where events go (default: every open window).",
        )
        .only(Entries::MAIN, MAIN_ONLY),
        Field::new("restart", Kind::Js { ts: "() => void | Promise<void>", check: JsCheck::Function }, "Enables `system.restart` (e.g. Electron's `app.relaunch(); app.exit()`); without it the command is unknown.")
            .only(Entries::MAIN, MAIN_ONLY),
        Field::new("permissions", Kind::Object(&PERMISSIONS), "Permissions of the runs renderers start; default: unrestricted.")
            .only(Entries::MAIN, MAIN_ONLY),
    ],
};

/// Every entry's shape, with the entry it is for.
pub const ENTRIES: [(Entries, &Shape); 5] = [
    (Entries::NODE, &DESKTOP_CONFIG),
    (Entries::BROWSER, &BROWSER_CONFIG),
    (Entries::REMOTE, &REMOTE_CONFIG),
    (Entries::QUEUE, &QUEUE_CONFIG),
    (Entries::MAIN, &MAIN_CONFIG),
];
