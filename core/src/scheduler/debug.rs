//! Debug simulation (reference §4.5 "debug"): a simulated error or a long-running node, for one
//! run only. `"random"` picks one random atomic node per run. A boolean `debug` (the published
//! docs' `debug: true`, "enable debug logging") asks the caller's side for logging and
//! simulates nothing.

use serde::Deserialize;
use crate::value::Value;

use crate::error::{ExecutionError, Result};
use crate::plan::{NodeIx, Plan};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DebugOptions {
    simulate_error: Option<SimulateError>,
    simulate_long_running: Option<SimulateLongRunning>,
    /// Not in the original: makes the node panic inside the engine, to check that a panic
    /// becomes an `INTERNAL_ERROR` result and never takes the host process down.
    simulate_panic: Option<SimulatePanic>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SimulatePanic {
    node_id: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SimulateError {
    node_id: String,
    error_type: String,
    message: Option<String>,
    delay_ms: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SimulateLongRunning {
    node_id: String,
    delay_ms: f64,
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
    pub fn resolve(debug: Option<&Value>, plan: &Plan, mut random: impl FnMut() -> f64) -> Result<Self> {
        let Some(debug) = debug.filter(|d| !d.is_null() && !d.is_boolean()) else { return Ok(Self::default()) };
        let options: DebugOptions = crate::value::from_value::<DebugOptions>(debug.clone())
            .map_err(|e| ExecutionError::validation(format!("Invalid debug options: {e}")))?;
        let leaves: Vec<NodeIx> = plan.leaves().collect();
        let mut target = |node_id: &str| -> Option<Target> {
            if node_id == "random" {
                let pick = ((random() * leaves.len() as f64) as usize).min(leaves.len().saturating_sub(1));
                leaves.get(pick).copied().map(Target::Node)
            } else {
                Some(Target::Id(node_id.to_owned()))
            }
        };
        let mut resolved = ResolvedDebug::default();
        if let Some(sim) = options.simulate_error {
            resolved.error_target = target(&sim.node_id);
            let message = sim.message.filter(|m| !m.is_empty()).unwrap_or_else(|| default_message(&sim.error_type).to_owned());
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
