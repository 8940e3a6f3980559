//! A run's options (`node.run(flow, contextOverrides)`), declared: what a caller may ask of one
//! run. The engine's wire type (`RunOptions`, `WireRunOptions` in TypeScript) is what the
//! conductor sends of them; a test holds the two to the same names.

use super::declare::{Field, JsCheck, Kind, Range, Shape};
use super::permissions::PERMISSIONS;

const NODE_ID: Field = Field::new(
    "nodeId",
    Kind::Text { non_empty: true },
    "The atomic node to act on, by id (`\"random\"`: one atomic node, drawn once per run).",
)
.required();

const SIMULATE_ERROR: Shape = Shape {
    name: "DebugSimulateError",
    doc: "The node fails with `\"[TYPE] message\"` (after `delayMs`).",
    extends: &[],
    fields: &[
        NODE_ID,
        Field::new(
            "errorType",
            Kind::Text { non_empty: true },
            "`generic`, `timeout`, `network`, `validation` or `permission` (each with a default message); any other type has a generic one.",
        )
        .required(),
        Field::new("message", Kind::Text { non_empty: false }, "The error's message instead of the type's default."),
        Field::new("delayMs", Kind::Number(Range::MS), "How long the node runs before it fails."),
    ],
};

const SIMULATE_LONG_RUNNING: Shape = Shape {
    name: "DebugSimulateLongRunning",
    doc: "The node takes `delayMs` longer.",
    extends: &[],
    fields: &[
        NODE_ID,
        Field::new("delayMs", Kind::Number(Range::MS), "The extra time.").required(),
    ],
};

const SIMULATE_PANIC: Shape = Shape {
    name: "DebugSimulatePanic",
    doc: "The node panics inside the engine: the run must end with an `INTERNAL_ERROR` result and the host process go on.",
    extends: &[],
    fields: &[NODE_ID],
};

/// `debug: {...}`.
pub const DEBUG: Shape = Shape {
    name: "DebugOptions",
    doc: "Debug simulation for one run only.",
    extends: &[],
    fields: &[
        Field::new("simulateError", Kind::Object(&SIMULATE_ERROR), SIMULATE_ERROR.doc),
        Field::new(
            "simulateLongRunning",
            Kind::Object(&SIMULATE_LONG_RUNNING),
            SIMULATE_LONG_RUNNING.doc,
        ),
        Field::new("simulatePanic", Kind::Object(&SIMULATE_PANIC), SIMULATE_PANIC.doc),
    ],
};

const NODE_CACHE: Shape = Shape {
    name: "",
    doc: "",
    extends: &[],
    fields: &[Field::new(
        "ttlMs",
        Kind::Number(Range::MS_POSITIVE),
        "How long the node's entries are served.",
    )],
};

const RUN_CACHE: Shape = Shape {
    name: "",
    doc: "",
    extends: &[],
    fields: &[Field::new(
        "nodes",
        Kind::RecordOf(&Kind::Either(&[Kind::Boolean, Kind::Object(&NODE_CACHE)])),
        "Per node path: `false` never cached, `true` cached (effects included), `{ttlMs}` cached for that long; over the node's own `parameters.cache`.",
    )],
};

const RETRY: Shape = Shape {
    name: "RunRetry",
    doc: "The run retries a recorded one.",
    extends: &[],
    fields: &[
        Field::new("of", Kind::Text { non_empty: true }, "The execution id of the run retried.").required(),
        Field::new(
            "from",
            Kind::Text { non_empty: true },
            "`\"failed\"` (the default: reuse every node that succeeded), `\"start\"` (reuse nothing) or a node's path (reuse every node that succeeded except that one and what depends on it).",
        ),
    ],
};

const RESUME: Shape = Shape {
    name: "RunResume",
    doc: "The run goes on from an interrupted one's checkpoints.",
    extends: &[],
    fields: &[
        Field::new(
            "rerun",
            Kind::ListOf(&Kind::Text { non_empty: true }),
            "Nodes with effects that were running when the process ended, to run again.",
        ),
        Field::new(
            "skip",
            Kind::RecordOf(&Kind::Any { ts: "unknown" }),
            "Outputs for nodes with effects that were running when the process ended (their effect happened): they do not run again.",
        ),
    ],
};

const REPLAY: Shape = Shape {
    name: "RunReplay",
    doc: "The run replays a recorded one.",
    extends: &[],
    fields: &[Field::new(
        "of",
        Kind::Text { non_empty: true },
        "The execution id of the run replayed.",
    )
    .required()],
};

const RUN_TELEMETRY: Shape = Shape {
    name: "RunTelemetry",
    doc: "Tracing of one run (with an OpenTelemetry SDK registered).",
    extends: &[],
    fields: &[
        Field::new("propagate", Kind::Boolean, "`false` stops the run's `http-request` nodes sending trace context."),
        Field::new("traceparent", Kind::Text { non_empty: true }, "A W3C `traceparent` naming the span the run's span is a child of, instead of the active context's."),
        Field::new("tracestate", Kind::Text { non_empty: false }, "The `tracestate` that goes with `traceparent`."),
    ],
};

/// Every run option a caller may give.
pub const RUN_OPTIONS: Shape = Shape {
    name: "ContextOverrides",
    doc: "Per-run options for `node.run(node, contextOverrides)`. An option the engine does not know, a value of the wrong type or out of range fails the run with `VALIDATION_FAILED` naming it, before anything runs.",
    extends: &[],
    fields: &[
        Field::new("executionId", Kind::Text { non_empty: true }, "Id of the run (default: a new `exec_<uuid>`).").wire(),
        Field::new(
            "nodeId",
            Kind::Text { non_empty: true },
            "The id of the node run (the TypeScript engine's context carried it); when given it must be the flow's own id.",
        ),
        Field::new(
            "variables",
            Kind::RecordOf(&Kind::Any { ts: "unknown" }),
            "Shared with every node (`params.variables`). Default `{}`.",
        )
        .wire(),
        Field::new(
            "input",
            Kind::Any { ts: "Record<string, unknown>" },
            "The flow's input: an atomic node's `input`, a group's children's input where no edge delivers one.",
        )
        .wire(),
        Field::new(
            "parentContext",
            Kind::Any { ts: "ConductorExecutionContext" },
            "Given back in the result's `context`.",
        )
        .wire(),
        Field::new(
            "slowMo",
            // Any number: the TypeScript engine took a negative one as 0, and its own tests
            // pass one.
            Kind::Number(Range { unit: "milliseconds", ..Range::ANY }),
            "Visualisation pacing in ms per progress step; 0, a negative number or absent: no artificial delay.",
        )
        .wire(),
        Field::new(
            "debug",
            Kind::Either(&[Kind::Boolean, Kind::Object(&DEBUG)]),
            "Debug simulation for this run only, or `true`: log this run at debug level (nothing is simulated).",
        )
        .wire(),
        Field::new(
            "timeout",
            Kind::Number(Range::MS),
            "Bound on this run in ms, instead of the conductor's `timeout` (`0`: none, whatever the conductor's).",
        )
        .wire(),
        Field::new("permissions", Kind::Object(&PERMISSIONS), "What this run may reach outside its data; absent: whatever the conductor provides.")
            .wire(),
        Field::new(
            "caller",
            Kind::Text { non_empty: true },
            "Who started this run, for audit (the protocol server sets its caller's id: `user:<id>`, `key:<id>`, `anonymous`): a durable run's record keeps it, and the run keeps it when resumed, whoever resumes it.",
        )
        .wire(),
        Field::new("history", Kind::Boolean, "`false`: this run is not recorded in the execution history.").wire(),
        Field::new(
            "pinned",
            Kind::RecordOf(&Kind::Any { ts: "unknown" }),
            "Outputs given for nodes, by path (`group/node` or a unique id): those nodes do not run, their successors take these.",
        )
        .wire(),
        Field::new(
            "runTo",
            Kind::Text { non_empty: true },
            "Runs only this node (by path) and what it depends on; the result's data is its output.",
        )
        .wire(),
        Field::new("breakpoints", Kind::ListOf(&Kind::Text { non_empty: true }), "Nodes (by path) the run pauses before.")
            .wire(),
        Field::new(
            "cache",
            Kind::Either(&[Kind::Boolean, Kind::Object(&RUN_CACHE)]),
            "The node result cache for this run: `false` neither reads nor writes it; `{nodes: {path: false | true | {ttlMs}}}` turns it off or on (effects included) for those nodes. Only on conductors created with `cache`.",
        )
        .wire(),
        Field::new("telemetry", Kind::Object(&RUN_TELEMETRY), RUN_TELEMETRY.doc).wire(),
        Field::new(
            "signal",
            Kind::Js { ts: "AbortSignal", check: JsCheck::Methods(&["addEventListener"]) },
            "Aborting it cancels the run.",
        ),
        Field::new(
            "retry",
            Kind::Object(&RETRY),
            "This run retries recorded execution `of` (`conductor.executions.retry` sets it); nodes that succeeded there keep their recorded outputs, as `from` says.",
        )
        .wire(),
        Field::new(
            "replay",
            Kind::Object(&REPLAY),
            "This run replays recorded execution `of` (`conductor.executions.replay` sets it): its nodes with effects take their recorded outputs instead of running.",
        )
        .wire(),
        Field::new(
            "resume",
            Kind::Object(&RESUME),
            "This run goes on from the checkpoints of interrupted execution `executionId` (`conductor.executions.resume` sets it).",
        )
        .wire(),
    ],
};

const EXECUTION_OPTIONS: Shape = Shape {
    name: "ExecutionOptions",
    doc: "`execute`'s runtime options.",
    extends: &[],
    fields: &[
        Field::new(
            "retries",
            Kind::Number(Range::whole(0.0)),
            "Extra runs of the whole flow after a retryable failure (`error.retryable`), capped by `ConductorConfig.maxRetries` (default 3).",
        ),
        Field::new("timeout", Kind::Number(Range::MS_POSITIVE), "Bound on each attempt in ms (each attempt's run option `timeout`)."),
        Field::new(
            "retryDelay",
            Kind::Number(Range::MS),
            "First backoff in ms, doubled for each further retry (default `ConductorConfig.retryDelay`, else 1000).",
        ),
        Field::new(
            "fallback",
            Kind::Any { ts: "ExecutionFallback" },
            "When every attempt failed (except by cancellation): a string is another flow's id, run with the same inputs; a function receives the failed result and its return value becomes `outputs`; any other value is `outputs` itself.",
        ),
    ],
};

const REQUEST_CONFIG: Shape = Shape {
    name: "",
    doc: "",
    extends: &[],
    fields: &[
        Field::new(
            "parallel",
            Kind::Boolean,
            "`true`: independent nodes run at once, as they always do (up to the conductor's `concurrency`); `false` is refused: set `concurrency: 1` on the conductor for one node at a time.",
        ),
        Field::new("debugMode", Kind::Boolean, "`true` is the run option `debug: true`."),
    ],
};

/// `execute(request)`: a flow by id and how to run it.
pub const EXECUTION_REQUEST: Shape = Shape {
    name: "ExecutionRequest",
    doc: "`execute(request)`: a flow by id and how to run it. An unknown key or a value of the wrong type fails the request with `VALIDATION_FAILED` naming it.",
    extends: &[],
    fields: &[
        Field::new("flowId", Kind::Text { non_empty: false }, "A saved flow's id, or a template's id or slug (`\"hello-world\"`)."),
        Field::new("blueprintId", Kind::Text { non_empty: false }, "The older docs' name for `flowId`."),
        Field::new(
            "inputs",
            Kind::RecordOf(&Kind::Any { ts: "unknown" }),
            "The run's input: nodes without incoming edges receive it.",
        ),
        Field::new(
            "context",
            Kind::Object(&RUN_OPTIONS),
            "Everything `node.run` takes: `variables`, `executionId`, `slowMo`, `debug`, `signal`, `timeout`.",
        ),
        Field::new("options", Kind::Object(&EXECUTION_OPTIONS), EXECUTION_OPTIONS.doc),
        Field::new("config", Kind::Object(&REQUEST_CONFIG), "The older docs' per-request config."),
    ],
};
