//! The queue's options, declared once: `createQueueConductor`'s (a producer: where the queue is,
//! on top of the conductor config) and `startQueueWorker`'s (a worker process running its jobs).

use super::conductor::{CACHE, CONDUCTOR_CONFIG, RETENTION, TELEMETRY};
use super::declare::{Choice, Entries, Field, JsCheck, Kind, Range, Shape};

const QUEUE_ONLY: &str = "it sets up a queue conductor (createQueueConductor)";

/// A Redis server by its parts.
const REDIS: Shape = Shape {
    name: "",
    doc: "",
    extends: &[],
    fields: &[
        Field::new("host", Kind::Text { non_empty: true }, "Default `127.0.0.1`."),
        Field::new("port", Kind::Number(Range::whole(1.0).max(65535.0)), "Default 6379."),
        Field::new("username", Kind::Text { non_empty: true }, "For Redis ACLs."),
        Field::new("password", Kind::Text { non_empty: false }, "The password."),
        Field::new("db", Kind::Number(Range::whole(0.0)), "The database number."),
    ],
};

/// Where the queue's Redis is: producers and workers say it alike.
const CONNECTION: Field = Field::new(
    "connection",
    Kind::Either(&[Kind::Text { non_empty: true }, Kind::Object(&REDIS)]),
    "The Redis server: a URL (`redis://[user:password@]host:port[/db]`) or its parts.",
)
.required();

const QUEUE_NAME: Field = Field::new(
    "queue",
    Kind::Text { non_empty: true },
    "The queue's name (default `\"atomiton-runs\"`): producers and workers of one pool share it.",
);

const PREFIX: Field = Field::new(
    "prefix",
    Kind::Text { non_empty: true },
    "Prefix of every Redis key (default `\"atomiton\"`), BullMQ's included.",
);

/// Where a fleet keeps its run history: producers and workers of a pool say it alike.
const STORE: Field = Field::new(
    "store",
    Kind::Text { non_empty: true },
    "Where the pool keeps its run history and durable runs' checkpoints: a PostgreSQL database (`postgres://user[:password]@host[:port]/database`; when absent, the environment's `ATOMITON_DATABASE_URL`), else the queue's Redis. Every producer and worker of a pool must say the same.",
);

/// A queue's `history`: everything `history` takes but where (the queue's Redis) and `enabled`.
const QUEUE_HISTORY: Shape = Shape {
    name: "QueueHistoryOptions",
    doc: "How the queue's shared run history records and keeps runs: capping and redaction of values, and retention (applied as runs end).",
    extends: &[],
    fields: &[
        Field::new("maxValueBytes", Kind::Number(Range::BYTES), "Largest stored value, in bytes of JSON (default 65,536)."),
        Field::new("redactKeys", Kind::ListOf(&Kind::Text { non_empty: true }), "Object keys whose values are stored as `\"[REDACTED]\"`."),
        Field::new(
            "retention",
            Kind::Object(&RETENTION),
            "Runs older than `maxAge` ms, and all but the newest `maxRuns` (default 10,000), are pruned as runs end.",
        ),
    ],
};

/// `createQueueConductor`'s options.
pub const QUEUE_CONFIG: Shape = Shape {
    name: "QueueConductorOptions",
    doc: "`createQueueConductor`'s options: where the queue is, and the settings of the producer.",
    extends: &[&CONDUCTOR_CONFIG],
    fields: &[
        CONNECTION.only(Entries::QUEUE, QUEUE_ONLY),
        QUEUE_NAME.only(Entries::QUEUE, QUEUE_ONLY),
        PREFIX.only(Entries::QUEUE, QUEUE_ONLY),
        STORE.only(Entries::QUEUE, QUEUE_ONLY),
        Field::new("pollInterval", Kind::Number(Range::MS_POSITIVE), "How often (ms) runs still waiting are looked up directly, in case their end went by unseen. Default 5000.")
            .only(Entries::QUEUE, QUEUE_ONLY),
        Field::new("history", Kind::Object(&QUEUE_HISTORY), "Capping and redaction of values, as the workers record them.")
            .only(Entries::QUEUE, QUEUE_ONLY),
        Field::new("timeout", Kind::Number(Range::MS), "Bound on every run in ms (none by default; `0`: none).")
            .only(Entries::QUEUE, QUEUE_ONLY),
    ],
};

/// `startQueueWorker`'s options: where the queue is and how this process runs its jobs.
pub const QUEUE_WORKER: Shape = Shape {
    name: "QueueWorkerOptions",
    doc: "`startQueueWorker`'s options: where the queue is, and how this process runs its jobs. A misspelt or mistyped option is a `ConductorError` (`VALIDATION_FAILED`) naming it.",
    extends: &[],
    fields: &[
        CONNECTION,
        QUEUE_NAME,
        PREFIX,
        STORE,
        Field::new("concurrency", Kind::Number(Range::whole(1.0)), "Runs at once in this process (default 4)."),
        Field::new(
            "nodeExecutorFactory",
            Kind::Js { ts: "NodeExecutorFactory", check: JsCheck::Methods(&["getNodeExecutable"]) },
            "Host-provided node types, as for `createConductor`.",
        ),
        Field::new(
            "workingDirectory",
            Kind::Text { non_empty: true },
            "Where shell commands and relative file paths start (default: the process's directory).",
        ),
        Field::new("timeout", Kind::Number(Range::MS), "Default bound (ms) on runs that do not set one (`0`: none)."),
        Field::new("history", Kind::Object(&QUEUE_HISTORY), "How runs are recorded in the shared history (capping, redaction)."),
        Field::new(
            "cache",
            Kind::Either(&[Kind::Boolean, Kind::Object(&CACHE)]),
            "The node result cache, kept in the queue's Redis beside its history: a result one worker made is a hit on every worker (and `createQueueConductor({cache})` clears and invalidates it).",
        ),
        Field::new(
            "lockDuration",
            Kind::Number(Range::MS_POSITIVE),
            "How long (ms) a job's lock lasts without renewal (default 10000; renewed every half of it). A worker that stops renewing (it died) loses its runs after this long, plus `stalledInterval`.",
        ),
        Field::new("stalledInterval", Kind::Number(Range::MS_POSITIVE), "How often (ms) workers look for runs whose worker died (default 5000)."),
        Field::new(
            "lostRuns",
            Kind::OneOf(&[Choice::any("resume"), Choice::any("crash")]),
            "What becomes of a run whose worker died (its lock lapsed): `\"resume\"` (the default) — it is checkpointed as it goes, and another worker resumes it as the same run (nodes that completed are not run again; a node with effects that was running runs again only when it is idempotent, else the run waits `interrupted` for `executions.resume(id, {rerun | skip})`), up to 3 times; `\"crash\"` — it ends `crashed` and is never run again (at most once). Every worker of a pool must say the same.",
        ),
        Field::new(
            "onRun",
            Kind::Js { ts: "(event: QueueWorkerEvent) => void", check: JsCheck::Function },
            "Called as runs start and end (the CLI prints these).",
        ),
        Field::new(
            "telemetry",
            Kind::Object(&TELEMETRY),
            "OpenTelemetry, as for `createConductor`: each run's span continues the producer's trace.",
        ),
    ],
};
