//! `ConductorConfig` as the TypeScript layer hands it to a session (its serialisable part;
//! functions stay in TypeScript). Its fields are declared, with their documentation, in
//! [`crate::options::conductor`]; a test holds this reader to that declaration.
//!
//! Strict: an unknown field, a value of the wrong type or out of range is a `VALIDATION_FAILED`
//! error, never a default in its place. Read by hand ([`crate::options::read`]): a derived
//! reader of this many fields cost the browser's module kilobytes.

use std::path::PathBuf;

use super::SessionCapability;
use crate::engine::EngineConfig;
use crate::error::{ExecutionError, Result};
use crate::options::read::Fields;
use crate::recording::Recording;
use crate::validation::FlowLimits;
use crate::History;

#[derive(Debug, Default)]
pub struct SessionConfig {
    pub concurrency: Option<usize>,
    pub timeout: Option<f64>,
    pub max_retries: Option<u32>,
    pub retry_delay: Option<f64>,
    pub progress_throttle: Option<f64>,
    pub trace: Option<bool>,
    pub max_depth: Option<usize>,
    pub max_nodes: Option<usize>,
    /// Largest flow document a run may be given (`limits.maxFlowBytes`).
    pub max_flow_bytes: Option<usize>,
    /// Step budget of each expression call (`limits.expressionSteps`).
    pub expression_steps: Option<u64>,
    /// Bytes a node may hold as its output, and one expression call return
    /// (`limits.maxOutputBytes`; default 128 MiB).
    pub max_output_bytes: Option<usize>,
    /// Rows a stream's batches hold; 0 turns streaming off.
    pub stream_batch_rows: Option<usize>,
    /// Bytes of rows a sort in a stream holds before it spills runs (native hosts: the others
    /// have no spill room, and hold every row).
    pub stream_sort_memory: Option<usize>,
    /// Native hosts: relative file paths and process working directories resolve here.
    pub working_directory: Option<PathBuf>,
    /// Native hosts: slots of the process's worker pool for CPU-heavy node work (default: the
    /// machine's cores). The first conductor of a process sets it.
    pub workers: Option<usize>,
    /// `http: {maxRequestsPerHost}`.
    pub http: HttpConfig,
    /// `python: {interpreter, virtualenv, workers}`: the native addon's Python workers, read by
    /// the capability that owns the section (`atomiton-processes`).
    pub python: Option<crate::value::Value>,
    /// `processes: {memoryLimit, maxProcesses, cpuTimeLimit, maxOpenFiles, allowUnconfined}`:
    /// what each node's processes may use, and whether a run's grant may go unenforced on them
    /// where the OS cannot confine them; read by the capability that owns the section
    /// (`atomiton-processes`), in the builds whose hosts start processes.
    pub processes: Option<crate::value::Value>,
    pub storage: StorageConfig,
    /// `plugins: {<type>: {module, function, config, memoryLimit, fuel}}`: WebAssembly node types,
    /// read by the capability that owns them (`atomiton-plugins`), which a binding built with them
    /// passes to [`new_engine`](Self::new_engine); the TypeScript layer sends each module's bytes.
    pub plugins: Option<crate::value::Value>,
    /// `false`: a node parameter, port or template path the engine does not know is a warning
    /// instead of an error.
    pub strict_parameters: Option<bool>,
    /// `history: false | {...}`: execution history (on by default).
    /// A build without history opens none: the TypeScript layer loads a module with history
    /// when the config asks for one, so there it only ever holds `false` (`true` is refused).
    pub history: Option<crate::HistorySetting>,
    /// `durability: {resume}`: every recorded run is checkpointed and resumable. Builds without
    /// history refuse it (the browser's default module, whose TypeScript entry refuses it first).
    pub durability: Option<crate::DurabilityConfig>,
    /// `cache: false | true | {maxEntries, maxBytes, ttlMs, store}`: the node result cache (off by
    /// default).
    /// A build without a capability that keeps results refuses anything but `false` (the
    /// TypeScript layer loads a module with one when the config asks for a cache).
    pub cache: crate::cache::CacheSetting,
}

/// `http: {maxRequestsPerHost?}`: at most that many `http-request` requests in flight to one
/// origin per conductor (native hosts; default 64).
#[derive(Debug, Default)]
pub struct HttpConfig {
    pub max_requests_per_host: Option<usize>,
}

/// `storage: {type: "fs" | "memory" | "indexeddb", directory?}`.
#[derive(Debug, Default)]
pub struct StorageConfig {
    /// `"fs"` (one YAML file per flow, Node), `"memory"` (in the session, lost with it) or
    /// `"indexeddb"` (the browser's database, the embedder's storage); checked by `from_json`.
    pub kind: Option<String>,
    pub directory: Option<PathBuf>,
    /// The database of `"postgres"` (the native addon opens it; the WebAssembly engine refuses
    /// it, saying so).
    pub url: Option<String>,
}

impl SessionConfig {
    /// Reads the JSON text of a config; an unknown field or a bad value is a
    /// `VALIDATION_FAILED` error naming it.
    pub fn from_json(text: &str) -> Result<Self> {
        let value: crate::value::Value = serde_json::from_str(text)
            .map_err(|e| crate::options::serde_error::invalid("conductor config", &e))?;
        let config = Self::from_value(&value)?;
        config.check()?;
        Ok(config)
    }

    /// The fields a session reads (the TypeScript layer hands `limits.maxDepth` as `maxDepth`).
    pub const FIELDS: &'static [&'static str] = &[
        "concurrency",
        "timeout",
        "maxRetries",
        "retryDelay",
        "progressThrottle",
        "trace",
        "maxDepth",
        "maxNodes",
        "maxFlowBytes",
        "expressionSteps",
        "maxOutputBytes",
        "streamBatchRows",
        "streamSortMemory",
        "workingDirectory",
        "workers",
        "http",
        "python",
        "processes",
        "storage",
        "plugins",
        "strictParameters",
        "history",
        "durability",
        "cache",
    ];

    fn from_value(value: &crate::value::Value) -> Result<Self> {
        let fields = Fields::of(Some(value), "conductor config", Self::FIELDS)?;
        let http = fields.object("http", &["maxRequestsPerHost"])?;
        let storage = fields.object("storage", &["type", "directory", "url"])?;
        let path = |fields: &Fields<'_>, name| {
            Ok::<_, ExecutionError>(fields.text(name)?.map(PathBuf::from))
        };
        // A section a capability reads, kept as its raw value.
        let section = |name| fields.get(name).cloned();
        let (history, durability) =
            History::settings_of(fields.get("history"), fields.get("durability"))?;
        Ok(SessionConfig {
            concurrency: fields.whole("concurrency")?,
            timeout: fields.number("timeout")?,
            max_retries: fields.whole("maxRetries")?,
            retry_delay: fields.number("retryDelay")?,
            progress_throttle: fields.number("progressThrottle")?,
            trace: fields.flag("trace")?,
            max_depth: fields.whole("maxDepth")?,
            max_nodes: fields.whole("maxNodes")?,
            max_flow_bytes: fields.whole("maxFlowBytes")?,
            expression_steps: fields.whole("expressionSteps")?,
            max_output_bytes: fields.whole("maxOutputBytes")?,
            stream_batch_rows: fields.whole("streamBatchRows")?,
            stream_sort_memory: fields.whole("streamSortMemory")?,
            working_directory: path(&fields, "workingDirectory")?,
            workers: fields.whole("workers")?,
            http: HttpConfig { max_requests_per_host: http.whole("maxRequestsPerHost")? },
            python: section("python"),
            processes: section("processes"),
            storage: StorageConfig {
                kind: storage.text("type")?,
                directory: path(&storage, "directory")?,
                url: storage.text("url")?,
            },
            plugins: section("plugins"),
            strict_parameters: fields.flag("strictParameters")?,
            history,
            durability,
            cache: match fields.get("cache") {
                None => crate::cache::CacheSetting::default(),
                Some(cache) => {
                    crate::cache::CacheSetting::from_value(cache).map_err(|message| {
                        ExecutionError::validation(format!("Invalid conductor config: {message}"))
                    })?
                }
            },
        })
    }

    /// The storage types a session knows (where each can be kept is its binding's to say: see
    /// `placement`); `"embedder"` is the npm package's, for an app's own storage.
    const STORAGE_KINDS: &'static [&'static str] =
        &["fs", "memory", "indexeddb", "postgres", "embedder"];

    /// Ranges serde cannot say: each number within what its option allows.
    fn check(&self) -> Result<()> {
        if let Some(expected) = History::refused(self.history.as_ref()) {
            return Err(out_of_range("history", expected, "true"));
        }
        // Durable runs are recorded runs.
        if self.durability.is_some() && self.history().is_none() {
            return Err(out_of_range("durability", "absent with history: false", "an object"));
        }
        if let Some(kind) = self.storage.kind.as_deref() {
            if !Self::STORAGE_KINDS.contains(&kind) {
                let allowed = "one of \"fs\", \"memory\", \"indexeddb\", \"postgres\"";
                return Err(out_of_range("storage.type", allowed, &format!("{kind:?}")));
            }
        }
        let whole_at_least_one = [
            ("concurrency", self.concurrency),
            ("workers", self.workers),
            ("http.maxRequestsPerHost", self.http.max_requests_per_host),
            ("limits.maxDepth", self.max_depth),
            ("limits.maxNodes", self.max_nodes),
            ("limits.maxFlowBytes", self.max_flow_bytes),
            ("limits.maxOutputBytes", self.max_output_bytes),
            ("streamSortMemory", self.stream_sort_memory),
        ];
        for (name, value) in whole_at_least_one {
            if value == Some(0) {
                return Err(out_of_range(name, "a whole number of at least 1", "0"));
            }
        }
        if self.expression_steps == Some(0) {
            return Err(out_of_range(
                "limits.expressionSteps",
                "a whole number of at least 1",
                "0",
            ));
        }
        for (name, value) in [
            ("timeout", self.timeout),
            ("retryDelay", self.retry_delay),
            ("progressThrottle", self.progress_throttle),
        ] {
            if let Some(ms) = value.filter(|ms| !(ms.is_finite() && *ms >= 0.0)) {
                return Err(out_of_range(
                    name,
                    "a number of milliseconds of at least 0",
                    &crate::format::js_number(ms),
                ));
            }
        }
        Ok(())
    }

    /// The engine: its settings, the built-in node types, the node types of the config's
    /// sections that `capabilities` own (`plugins`; `python` and `processes`, which add none),
    /// and the tracing of runs when one of them
    /// traces. A section no capability here owns is refused, naming the builds that have it (an
    /// empty one is as good as absent).
    pub fn new_engine(&self, capabilities: &[&dyn SessionCapability]) -> Result<crate::Engine> {
        let keeps_results = capabilities.iter().any(|capability| capability.keeps_results());
        if let Some(expected) = crate::cache::refused(&self.cache, keeps_results) {
            return Err(out_of_range("cache", expected, "true"));
        }
        let mut registry = crate::nodes::builtin_registry();
        for capability in capabilities {
            capability.provide(&mut registry);
        }
        for (key, section, builds) in [
            ("plugins", &self.plugins, PLUGIN_BUILDS),
            ("python", &self.python, PYTHON_BUILDS),
            ("processes", &self.processes, PROCESS_BUILDS),
        ] {
            let Some(section) = section.as_ref().filter(|s| !is_empty_object(s)) else { continue };
            match capabilities.iter().find(|capability| capability.section() == Some(key)) {
                Some(capability) => capability.install(section, &mut registry)?,
                None => {
                    return Err(ExecutionError::validation(format!(
                        "Invalid conductor config: '{key}' is not in this build ({builds})"
                    )))
                }
            }
        }
        let mut engine = crate::Engine::with_registry(registry, self.engine());
        if let Some(tracing) = capabilities.iter().find_map(|capability| capability.tracing()) {
            engine = engine.with_tracing(tracing);
        }
        if let Some(flows) = capabilities.iter().find_map(|capability| capability.bundled_flows()) {
            engine = engine.with_bundled_flows(flows);
        }
        Ok(engine)
    }

    /// The engine settings; defaults where a field is absent.
    pub fn engine(&self) -> EngineConfig {
        let defaults = EngineConfig::default();
        EngineConfig {
            concurrency: self.concurrency.unwrap_or(defaults.concurrency),
            // `timeout: 0` says "no bound" (over an environment's default).
            timeout_ms: self.timeout.filter(|t| *t > 0.0),
            max_retries: self.max_retries.unwrap_or(defaults.max_retries),
            retry_delay_ms: self.retry_delay.unwrap_or(defaults.retry_delay_ms),
            progress_throttle_ms: self.progress_throttle.unwrap_or(defaults.progress_throttle_ms),
            trace: self.trace.unwrap_or(defaults.trace),
            stream_batch_rows: self.stream_batch_rows.unwrap_or(defaults.stream_batch_rows),
            strict_parameters: self.strict_parameters.unwrap_or(defaults.strict_parameters),
            flow_limits: FlowLimits {
                max_depth: self.max_depth.unwrap_or(defaults.flow_limits.max_depth),
                max_nodes: self.max_nodes.unwrap_or(defaults.flow_limits.max_nodes),
                max_bytes: self.max_flow_bytes.unwrap_or(defaults.flow_limits.max_bytes),
            },
            expression_limits: crate::expression::Limits {
                max_steps: self.expression_steps.unwrap_or(defaults.expression_limits.max_steps),
                max_output_bytes: self
                    .max_output_bytes
                    .unwrap_or(defaults.expression_limits.max_output_bytes),
                ..defaults.expression_limits
            },
            ..defaults
        }
    }

    /// The execution history's configuration; `None` when it is off.
    pub fn history(&self) -> Option<crate::HistoryConfig> {
        History::config_of(self.history.as_ref())
    }

    /// Whether flows are kept in memory (`storage: {type: "memory"}`).
    pub fn memory_storage(&self) -> bool {
        self.storage.kind.as_deref() == Some("memory")
    }

    /// Whether flows are kept in the app's own storage, JS moving them (`"embedder"`: set by
    /// the npm package, never written by a user; see [`super::EmbedderStorage`]).
    pub fn embedder_storage(&self) -> bool {
        self.storage.kind.as_deref() == Some("embedder")
    }
}

/// Where WebAssembly node types run, for a build without them.
const PLUGIN_BUILDS: &str =
    "WebAssembly node types run in the native addon, the Node fallback and the browser's editor module";

/// Where Python nodes run, for a build without them.
const PYTHON_BUILDS: &str = "Python nodes run on the native engine's Python workers; the WebAssembly engine runs no Python: use engine: \"native\"";

/// Where process limits apply, for a build without them.
const PROCESS_BUILDS: &str =
    "processes run in a Node process: the native engine and the Node fallback";

fn is_empty_object(value: &crate::value::Value) -> bool {
    value.as_object().is_some_and(|object| object.is_empty())
}

fn out_of_range(name: &str, allowed: &str, given: &str) -> ExecutionError {
    ExecutionError::validation(format!(
        "Invalid conductor config: '{name}' must be {allowed}, not {given}"
    ))
}

#[cfg(test)]
mod tests {
    use super::SessionConfig;
    use crate::error::ErrorCode;

    #[test]
    fn limits_come_from_the_config_and_defaults_stand_for_missing_ones() {
        let engine = SessionConfig::from_json(r#"{"maxOutputBytes": 4096, "expressionSteps": 50}"#)
            .unwrap()
            .engine();
        assert_eq!(engine.expression_limits.max_output_bytes, 4096);
        assert_eq!(engine.expression_limits.max_steps, 50);
        let defaults = crate::engine::EngineConfig::default().expression_limits;
        let engine = SessionConfig::from_json("{}").unwrap().engine();
        assert_eq!(engine.expression_limits, defaults);
    }

    #[test]
    fn what_a_config_cannot_mean_is_refused_never_replaced_by_a_default() {
        for (text, says) in [
            (r#"{"concurency": 4}"#, "unknown option 'concurency' (did you mean 'concurrency'?)"),
            (r#"{"concurrency": 0}"#, "'concurrency' must be a whole number of at least 1, not 0"),
            (
                r#"{"timeout": -5}"#,
                "'timeout' must be a number of milliseconds of at least 0, not -5",
            ),
            (r#"{"timeout": "30s"}"#, "'timeout' must be a number, not text \"30s\""),
            (r#"{"concurrency": 1.5}"#, "'concurrency' must be a whole number of at least 0"),
            (r#"{"storage": {"type": 3}}"#, "'storage.type' must be text, not number 3"),
            (r#"{"http": []}"#, "'http' must be an object, not an array"),
            (r#"[1]"#, "must be an object, not an array"),
            (
                r#"{"maxOutputBytes": 0}"#,
                "'limits.maxOutputBytes' must be a whole number of at least 1",
            ),
            (
                r#"{"storage": {"type": "sqlite"}}"#,
                "'storage.type' must be one of \"fs\", \"memory\", \"indexeddb\"",
            ),
            (
                r#"{"storage": {"dir": "/x"}}"#,
                "unknown option 'storage.dir' (did you mean 'storage.directory'?)",
            ),
            (
                r#"{"retryDelay": -1}"#,
                "'retryDelay' must be a number of milliseconds of at least 0",
            ),
        ] {
            let error = SessionConfig::from_json(text).expect_err(text);
            assert_eq!(error.code, ErrorCode::VALIDATION_FAILED, "{text}");
            assert!(error.message.contains(says), "{text}: {}", error.message);
            assert!(error.message.starts_with("Invalid conductor config: "), "{}", error.message);
        }
    }

    /// The reader takes exactly the fields the declaration says a session reads.
    #[test]
    fn the_reader_takes_exactly_the_declared_session_fields() {
        let mut read: Vec<String> = SessionConfig::FIELDS.iter().map(|f| f.to_string()).collect();
        let mut declared: Vec<String> = crate::options::conductor::CONDUCTOR_CONFIG
            .all_fields()
            .into_iter()
            .flat_map(|field| match field.wire {
                crate::options::declare::Wire::Same => vec![field.name.to_owned()],
                crate::options::declare::Wire::As(name) => vec![name.to_owned()],
                crate::options::declare::Wire::No => match field.kind {
                    crate::options::declare::Kind::Object(shape) => shape
                        .fields
                        .iter()
                        .filter_map(|f| match f.wire {
                            crate::options::declare::Wire::As(name) => Some(name.to_owned()),
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                },
            })
            .collect();
        read.sort();
        declared.sort();
        assert_eq!(read, declared);
    }
}
