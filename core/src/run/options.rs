//! Per-run options: what the embedder asks of one run, as pure data — the one type a run's
//! options have from the embedder's JSON to the engine.
//!
//! Its fields are exactly what crosses the boundary (`node.run`'s `contextOverrides` as the
//! TypeScript layer sends them); their TypeScript type is generated from this struct
//! (`WireRunOptions` in `npm/src/types/wire.generated.ts`). What reaches a run from outside while
//! it goes (cancellation, events, control, the live view, history) is not data: it is the
//! run's [`RunHandles`](super::RunHandles). Adding a run option means adding a field here,
//! reading it where it acts, and a test; the TypeScript follows by regeneration.

use std::collections::HashSet;
use std::sync::Arc;

use crate::error::Result;
use crate::host::RunPermissions;
use crate::options::read::{invalid, unknown, Field};
use crate::recording::Recording;
use crate::value::Value;
use crate::History;

// Read by hand (`from_json`, through `crate::options::read`): a derived reader of this many
// fields cost the browser's module kilobytes.
/// How to run one flow. An unknown field is an error (a misspelt option must not run with its
/// default instead).
#[derive(Clone, Default)]
#[cfg_attr(
    test,
    derive(ts_rs::TS),
    ts(rename = "WireRunOptions", rename_all = "camelCase", optional_fields)
)]
pub struct RunOptions {
    /// Id of the run; made once (`exec_<uuid>`) when absent.
    pub execution_id: Option<String>,
    /// Shared with every node (`params.variables`). Default `{}`.
    #[cfg_attr(test, ts(type = "Record<string, unknown>", optional))]
    pub variables: Option<Value>,
    /// The flow's input: an atomic node's `input`, a group's children's fallback input.
    #[cfg_attr(test, ts(type = "unknown", optional))]
    pub input: Option<Value>,
    /// Given back in the result's `context`.
    #[cfg_attr(test, ts(type = "unknown", optional))]
    pub parent_context: Option<Value>,
    /// Visualisation pacing in ms per progress step; 0 or absent = no artificial delay.
    pub slow_mo: Option<f64>,
    /// Debug simulation for this run only, or `true`: log this run at debug level (nothing is
    /// simulated).
    #[cfg_attr(test, ts(type = "DebugOptions | boolean", optional))]
    pub debug: Option<Value>,
    /// Bound on this run in ms (instead of the engine's configured timeout).
    #[cfg_attr(test, ts(rename = "timeout"))]
    pub timeout_ms: Option<f64>,
    /// Types the embedder provides executors for; consulted before built-ins.
    #[cfg_attr(test, ts(as = "Option<Vec<String>>", optional))]
    pub custom_types: Arc<HashSet<String>>,
    /// Whether the embedder listens to this run's events: a session attaches its event sink
    /// only then (progress snapshots are built only for a listener).
    #[cfg_attr(test, ts(rename = "events", as = "Option<bool>", optional))]
    pub listening: bool,
    /// Whether every change of a node's state or progress is also an event (`nodeChanged`),
    /// unthrottled: for a store whose subscribers see each change. Progress snapshots stay
    /// throttled.
    /// Builds without the live state have no change events to send.
    #[cfg_attr(test, ts(as = "Option<bool>", optional))]
    pub state_events: bool,
    /// What this run may reach outside its data; absent: whatever the host provides.
    #[cfg_attr(test, ts(optional))]
    pub permissions: Option<RunPermissions>,
    /// Who started the run, for audit (the protocol server sets its caller's id): a durable
    /// run's record keeps it, and a resumed run goes on with the one it started with.
    pub caller: Option<String>,
    /// Outputs given for nodes (`{path: output}` on the wire): those nodes do not run, their
    /// successors take these.
    #[cfg_attr(test, ts(type = "Record<string, unknown>", optional))]
    pub pinned: Vec<(String, Value)>,
    /// Runs only this node (by path) and what it depends on; the result's data is its output.
    pub run_to: Option<String>,
    /// Nodes (by path) the run pauses before.
    #[cfg_attr(test, ts(as = "Option<_>", optional))]
    pub breakpoints: Vec<String>,
    /// `false`: a session does not record this run in its execution history.
    pub history: Option<bool>,
    /// The run retries a recorded one, reusing what it may (a session resolves it into the
    /// `reuse` handle).
    /// Builds without history refuse it (the TypeScript layer's engines refuse a retry there
    /// first).
    pub retry: Option<crate::RetryRequest>,
    /// The run goes on from the checkpoints of interrupted execution `executionId` (its id is
    /// this run's), as the decisions in it say (`conductor.executions.resume` sets it).
    /// Builds without history refuse it, as `retry`.
    #[cfg_attr(test, ts(optional))]
    pub resume: Option<crate::ResumeRequest>,
    /// The run replays recorded execution `of`: its nodes with effects take their recorded
    /// outputs instead of running (`conductor.executions.replay` sets it).
    /// Builds without history refuse it, as `retry`.
    pub replay: Option<crate::ReplayRequest>,
    /// The run is traced: its result lists its nodes' spans (`spans`), and `http-request`
    /// nodes send trace context unless `propagate` is `false`. Read by the engine's tracing,
    /// where the build has it; elsewhere it is left unused, and the TypeScript layer traces the
    /// run as one span.
    #[cfg_attr(test, ts(as = "Option<crate::telemetry::TelemetryOptions>", optional))]
    pub telemetry: Option<Value>,
    /// The node result cache for this run: `false` neither reads nor writes it; `{nodes: {path:
    /// false | true | {ttlMs}}}` turns it off or on (effects included) for those nodes, over
    /// their `parameters.cache`. Only on conductors created with `cache`.
    /// A session without a cache ignores it (the TypeScript layer refuses a run's `cache` on a
    /// conductor created without one).
    #[cfg_attr(
        test,
        ts(type = "boolean | { nodes?: Record<string, boolean | { ttlMs?: number }> }", optional)
    )]
    pub cache: Option<crate::cache::RunCache>,
}

impl RunOptions {
    /// The run's id: the one given, or a new `exec_<uuid>` (the only place the engine makes one),
    /// kept so that later calls give the same.
    pub fn execution_id(&mut self, random: impl FnMut() -> f64) -> &str {
        self.execution_id.get_or_insert_with(|| super::ids::execution_id(random))
    }

    /// Whether the run names nodes (`pinned`, `runTo`, `breakpoints`): they must then be found
    /// by path.
    pub(crate) fn names_nodes(&self) -> bool {
        !self.pinned.is_empty() || self.run_to.is_some() || !self.breakpoints.is_empty()
    }

    /// The fields a run's options may have (the TypeScript layer's, and those it sets itself).
    pub const FIELDS: &'static [&'static str] = &[
        "executionId",
        "variables",
        "input",
        "parentContext",
        "slowMo",
        "debug",
        "timeout",
        "customTypes",
        "events",
        "stateEvents",
        "permissions",
        "caller",
        "pinned",
        "runTo",
        "breakpoints",
        "history",
        "retry",
        "resume",
        "replay",
        "telemetry",
        "cache",
    ];

    /// Options from their JSON (codec) text; an unknown or malformed one is a
    /// `VALIDATION_FAILED` error naming it.
    pub fn from_json(text: &str) -> Result<Self> {
        const WHAT: &str = "run options";
        let value: Value = serde_json::from_str(text)
            .map_err(|e| crate::options::serde_error::invalid(WHAT, &e))?;
        let map = match value {
            Value::Object(map) => map,
            Value::Null | Value::Undefined => return Ok(RunOptions::default()),
            other => return Err(Field::new(WHAT, "", &other).wrong("an object")),
        };
        let mut options = RunOptions::default();
        let (mut retry, mut resume, mut replay) = (None, None, None);
        // One walk over what was given, each value moved where it goes (a run's input is never
        // copied): read on every run, it costs less than looking each option up by name.
        for (key, value) in map {
            let name: &str = key.as_ref();
            if matches!(value, Value::Null | Value::Undefined) {
                if !Self::FIELDS.contains(&name) {
                    return Err(unknown(WHAT, name, Self::FIELDS));
                }
                continue;
            }
            let field = Field::new(WHAT, name, &value);
            match name {
                "executionId" => options.execution_id = Some(field.text()?),
                "slowMo" => {
                    // A negative slowMo paces like 0 (the TypeScript engine's rule, which its
                    // own tests hold it to); only a number that is none is refused.
                    options.slow_mo = Some(field.read("a finite number of milliseconds", |v| {
                        v.as_f64().filter(|n| n.is_finite())
                    })?)
                }
                "timeout" => {
                    options.timeout_ms =
                        Some(field.read("a number of milliseconds of at least 0", |v| {
                            v.as_f64().filter(|ms| ms.is_finite() && *ms >= 0.0)
                        })?)
                }
                "customTypes" => {
                    options.custom_types = Arc::new(strings(&field)?.into_iter().collect())
                }
                "events" => options.listening = field.flag()?,
                "stateEvents" => options.state_events = field.flag()?,
                "permissions" => {
                    options.permissions =
                        Some(RunPermissions::read(&value).map_err(|m| invalid(WHAT, m))?)
                }
                "caller" => options.caller = Some(field.text()?),
                "runTo" => options.run_to = Some(field.text()?),
                "breakpoints" => options.breakpoints = strings(&field)?,
                "history" => options.history = Some(field.flag()?),
                "cache" => {
                    options.cache = Some(
                        crate::cache::RunCache::from_value(&value).map_err(|m| invalid(WHAT, m))?,
                    )
                }
                "retry" => retry = Some(value),
                "resume" => resume = Some(value),
                "replay" => replay = Some(value),
                "pinned" => {
                    let Value::Object(pins) = value else {
                        return Err(field.wrong("an object of node paths to outputs"));
                    };
                    options.pinned =
                        pins.into_iter().map(|(k, v)| (crate::value::into_string(k), v)).collect();
                }
                "input" => options.input = Some(value),
                "variables" => options.variables = Some(value),
                "parentContext" => options.parent_context = Some(value),
                "debug" => options.debug = Some(value),
                "telemetry" => options.telemetry = Some(value),
                _ => return Err(unknown(WHAT, name, Self::FIELDS)),
            }
        }
        (options.retry, options.resume, options.replay) =
            History::requests_of(retry.as_ref(), resume.as_ref(), replay.as_ref())?;
        Ok(options)
    }
}

/// An array of strings.
fn strings(field: &Field<'_>) -> Result<Vec<String>> {
    field.read("an array of strings", |value| {
        value.as_array()?.iter().map(|item| item.as_str().map(str::to_owned)).collect()
    })
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("execution_id", &self.execution_id)
            .field("slow_mo", &self.slow_mo)
            .field("timeout_ms", &self.timeout_ms)
            .field("custom_types", &self.custom_types)
            .field("permissions", &self.permissions)
            .field("caller", &self.caller)
            .field("run_to", &self.run_to)
            .field("breakpoints", &self.breakpoints)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::RunOptions;
    use crate::error::ErrorCode;

    /// The reader takes the run options the declaration sends, and those the conductor sets.
    #[test]
    fn the_reader_takes_exactly_the_declared_wire_options() {
        let mut read: Vec<String> = RunOptions::FIELDS.iter().map(|f| f.to_string()).collect();
        let mut declared: Vec<String> = crate::options::run::RUN_OPTIONS
            .all_fields()
            .into_iter()
            .filter(|f| f.wire != crate::options::declare::Wire::No)
            .map(|f| f.name.to_owned())
            .chain(["customTypes", "events", "stateEvents"].map(str::to_owned))
            .collect();
        read.sort();
        declared.sort();
        assert_eq!(read, declared);
    }

    /// The TypeScript engine's own tests run with `slowMo: -100` and expect a success: a
    /// negative slowMo is taken (it paces like 0) and kept as given in the context.
    #[test]
    fn a_negative_slow_mo_is_taken() {
        let options = RunOptions::from_json(r#"{"slowMo": -100}"#).expect("slowMo -100 taken");
        assert_eq!(options.slow_mo, Some(-100.0));
    }

    #[test]
    fn a_misspelt_or_impossible_option_is_refused() {
        for (text, says) in [
            (r#"{"timout": 100}"#, "unknown option 'timout' (did you mean 'timeout'?)"),
            (
                r#"{"executionID": "x"}"#,
                "unknown option 'executionID' (did you mean 'executionId'?)",
            ),
            (
                r#"{"timeout": -1}"#,
                "'timeout' must be a number of milliseconds of at least 0, not number -1",
            ),
            (
                r#"{"retry": {"of": "x", "form": "start"}}"#,
                "unknown option 'form' (did you mean 'from'?)",
            ),
        ] {
            let error =
                RunOptions::from_json(text).err().unwrap_or_else(|| panic!("{text} accepted"));
            assert_eq!(error.code, ErrorCode::VALIDATION_FAILED);
            assert!(error.message.contains(says), "{text}: {}", error.message);
        }
    }
}
