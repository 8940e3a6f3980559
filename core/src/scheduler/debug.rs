//! Debug simulation (the run's `debug` option): a simulated error or a long-running node, for one
//! run only. `"random"` picks one random atomic node per run. A boolean `debug` (the published
//! docs' `debug: true`, "enable debug logging") asks the caller's side for logging and
//! simulates nothing.

use crate::value::Value;

use crate::error::{ExecutionError, Result};
use crate::plan::{NodeIx, Plan};

/// A run's debug simulations, for that run only. `nodeId` may be `"random"`: one atomic node,
/// drawn once per run.
// Read field by field from the value (`read`): a derived `Deserialize` costs the browser module
// several kilobytes for three small objects. The TypeScript type is generated from these structs.
#[derive(Debug, Clone, Default)]
#[cfg_attr(test, derive(ts_rs::TS), ts(optional_fields, rename_all = "camelCase"))]
pub(crate) struct DebugOptions {
    /// The node fails with `"[TYPE] message"` (after `delayMs`).
    simulate_error: Option<SimulateError>,
    /// The node takes `delayMs` longer.
    simulate_long_running: Option<SimulateLongRunning>,
    /// The node panics inside the engine: the run must end with an `INTERNAL_ERROR` result and
    /// the host process go on.
    simulate_panic: Option<SimulatePanic>,
}

#[derive(Debug, Clone)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "DebugSimulatePanic", rename_all = "camelCase"))]
pub(crate) struct SimulatePanic {
    node_id: String,
}

#[derive(Debug, Clone)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "DebugSimulateError", rename_all = "camelCase"))]
pub(crate) struct SimulateError {
    node_id: String,
    /// `generic`, `timeout`, `network`, `validation` or `permission` (each with a default
    /// message); any other type has a generic one.
    #[cfg_attr(
        test,
        ts(
            type = "\"generic\" | \"timeout\" | \"network\" | \"validation\" | \"permission\" | (string & {})"
        )
    )]
    error_type: String,
    #[cfg_attr(test, ts(optional))]
    message: Option<String>,
    #[cfg_attr(test, ts(optional))]
    delay_ms: Option<f64>,
}

#[derive(Debug, Clone)]
#[cfg_attr(
    test,
    derive(ts_rs::TS),
    ts(rename = "DebugSimulateLongRunning", rename_all = "camelCase")
)]
pub(crate) struct SimulateLongRunning {
    node_id: String,
    delay_ms: f64,
}

impl DebugOptions {
    /// Reads `{simulateError?, simulateLongRunning?, simulatePanic?}`; a field of the wrong type
    /// is an error naming it (absent and `null` fields are absent).
    fn read(value: &Value) -> std::result::Result<Self, String> {
        let Value::Object(map) = value else {
            return Err(format!(
                "expected an object, received {}",
                crate::nodes::schema::check::type_name(value)
            ));
        };
        let section = |key: &str| map.get(key).filter(|v| !v.is_null() && !v.is_undefined());
        let field = |section: &str,
                     object: &Value,
                     key: &str|
         -> std::result::Result<Option<Value>, String> {
            match object {
                Value::Object(fields) => {
                    Ok(fields.get(key).filter(|v| !v.is_null() && !v.is_undefined()).cloned())
                }
                other => Err(format!(
                    "{section}: expected an object, received {}",
                    crate::nodes::schema::check::type_name(other)
                )),
            }
        };
        let text = |section: &str,
                    object: &Value,
                    key: &str,
                    required: bool|
         -> std::result::Result<Option<String>, String> {
            match field(section, object, key)? {
                Some(Value::String(s)) => Ok(Some(crate::value::into_string(s))),
                None if !required => Ok(None),
                None => Err(format!("{section}.{key}: missing field")),
                Some(other) => Err(format!(
                    "{section}.{key}: expected a string, received {}",
                    crate::nodes::schema::check::type_name(&other)
                )),
            }
        };
        let number = |section: &str,
                      object: &Value,
                      key: &str,
                      required: bool|
         -> std::result::Result<Option<f64>, String> {
            match field(section, object, key)? {
                Some(Value::Number(n)) => Ok(Some(n.get())),
                None if !required => Ok(None),
                None => Err(format!("{section}.{key}: missing field")),
                Some(other) => Err(format!(
                    "{section}.{key}: expected a number, received {}",
                    crate::nodes::schema::check::type_name(&other)
                )),
            }
        };
        let required = |value: Option<String>| value.unwrap_or_default();
        only_known(map, "", &["simulateError", "simulateLongRunning", "simulatePanic"])?;
        for (name, keys) in [
            ("simulateError", &["nodeId", "errorType", "message", "delayMs"][..]),
            ("simulateLongRunning", &["nodeId", "delayMs"][..]),
            ("simulatePanic", &["nodeId"][..]),
        ] {
            if let Some(Value::Object(fields)) = section(name) {
                only_known(fields, name, keys)?;
            }
        }
        let simulate_error = match section("simulateError") {
            None => None,
            Some(object) => Some(SimulateError {
                node_id: required(text("simulateError", object, "nodeId", true)?),
                error_type: required(text("simulateError", object, "errorType", true)?),
                message: text("simulateError", object, "message", false)?,
                delay_ms: number("simulateError", object, "delayMs", false)?,
            }),
        };
        let simulate_long_running = match section("simulateLongRunning") {
            None => None,
            Some(object) => Some(SimulateLongRunning {
                node_id: required(text("simulateLongRunning", object, "nodeId", true)?),
                delay_ms: number("simulateLongRunning", object, "delayMs", true)?
                    .unwrap_or_default(),
            }),
        };
        let simulate_panic = match section("simulatePanic") {
            None => None,
            Some(object) => Some(SimulatePanic {
                node_id: required(text("simulatePanic", object, "nodeId", true)?),
            }),
        };
        Ok(DebugOptions { simulate_error, simulate_long_running, simulate_panic })
    }
}

/// An error naming the first key of `map` not among `known` (and the one it probably meant).
fn only_known(
    map: &crate::value::Map,
    section: &str,
    known: &[&str],
) -> std::result::Result<(), String> {
    let Some(unknown) = map.keys().find(|key| !known.contains(&&***key)) else { return Ok(()) };
    let path =
        |key: &str| if section.is_empty() { key.to_owned() } else { format!("{section}.{key}") };
    Err(match crate::options::suggest::nearest(unknown, known.iter().copied()) {
        Some(meant) => {
            format!("unknown option '{}' (did you mean '{}'?)", path(unknown), path(meant))
        }
        None => format!("unknown option '{}'", path(unknown)),
    })
}

/// A simulated failure for one node.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SimulatedError {
    /// `"[TYPE] message"`.
    pub message: String,
    pub delay_ms: f64,
}

/// Debug settings resolved against a plan.
#[derive(Debug, Clone, Default)]
pub(crate) struct ResolvedDebug {
    error_target: Option<Target>,
    error: Option<SimulatedError>,
    long_target: Option<Target>,
    long_delay_ms: f64,
    panic_target: Option<Target>,
}

#[derive(Debug, Clone)]
enum Target {
    Node(NodeIx),
    Id(String),
}

impl Target {
    fn matches(&self, ix: NodeIx, id: &str) -> bool {
        match self {
            Target::Node(target) => *target == ix,
            Target::Id(target) => target == id,
        }
    }
}

fn default_message(error_type: &str) -> &'static str {
    match error_type {
        "generic" => "Simulated generic error",
        "timeout" => "Request timeout - operation took too long",
        "network" => "Network error - failed to connect to server",
        "validation" => "Validation error - invalid input data",
        "permission" => "Permission denied - insufficient access rights",
        _ => "Simulated error",
    }
}

impl ResolvedDebug {
    /// Parses and resolves `debug`; `random` draws from `random()` once per setting.
    pub fn resolve(
        debug: Option<&Value>,
        plan: &Plan,
        mut random: impl FnMut() -> f64,
    ) -> Result<Self> {
        let Some(debug) = debug.filter(|d| !d.is_null() && !d.is_boolean()) else {
            return Ok(Self::default());
        };
        let options = DebugOptions::read(debug)
            .map_err(|e| ExecutionError::validation(format!("Invalid debug options: {e}")))?;
        let leaves: Vec<NodeIx> = plan.leaves().collect();
        let mut target = |node_id: &str| -> Option<Target> {
            if node_id == "random" {
                let pick =
                    ((random() * leaves.len() as f64) as usize).min(leaves.len().saturating_sub(1));
                leaves.get(pick).copied().map(Target::Node)
            } else {
                Some(Target::Id(node_id.to_owned()))
            }
        };
        let mut resolved = ResolvedDebug::default();
        if let Some(sim) = options.simulate_error {
            resolved.error_target = target(&sim.node_id);
            let message = sim
                .message
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| default_message(&sim.error_type).to_owned());
            resolved.error = Some(SimulatedError {
                message: format!("[{}] {}", sim.error_type.to_uppercase(), message),
                delay_ms: sim.delay_ms.unwrap_or(0.0).max(0.0),
            });
        }
        if let Some(long) = options.simulate_long_running {
            resolved.long_target = target(&long.node_id);
            resolved.long_delay_ms = long.delay_ms.max(0.0);
        }
        if let Some(panic) = options.simulate_panic {
            resolved.panic_target = target(&panic.node_id);
        }
        Ok(resolved)
    }

    /// The simulated error for this node, if any.
    pub fn error_for(&self, ix: NodeIx, id: &str) -> Option<SimulatedError> {
        match &self.error_target {
            Some(target) if target.matches(ix, id) => self.error.clone(),
            _ => None,
        }
    }

    /// Whether this node should panic (debug `simulatePanic`).
    pub fn panics(&self, ix: NodeIx, id: &str) -> bool {
        self.panic_target.as_ref().is_some_and(|target| target.matches(ix, id))
    }

    /// Extra delay before this node's executable starts.
    pub fn long_running_delay(&self, ix: NodeIx, id: &str) -> f64 {
        match &self.long_target {
            Some(target) if target.matches(ix, id) => self.long_delay_ms,
            _ => 0.0,
        }
    }
}
