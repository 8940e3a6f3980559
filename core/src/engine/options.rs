//! Per-run options (the `contextOverrides` of `node.run`, plus cancellation and events).

use std::collections::HashSet;
use std::sync::Arc;

use crate::value::Value;

use super::RunControl;
use crate::host::{CancelToken, EventSink, RunPermissions};

/// How to run one flow.
#[derive(Clone, Default)]
pub struct RunOptions {
    /// Id of the run; generated (`exec_<uuid>`) when absent.
    pub execution_id: Option<String>,
    /// Shared with every node (`params.variables`). Default `{}`.
    pub variables: Option<Value>,
    /// The flow's input: an atomic node's `input`, a group's children's fallback input.
    pub input: Option<Value>,
    /// Passed through to custom executors of top-level nodes.
    pub parent_context: Option<Value>,
    /// Visualisation pacing in ms per progress step; 0 or absent = no artificial delay.
    pub slow_mo: Option<f64>,
    /// `{simulateError?, simulateLongRunning?}` for this run only.
    pub debug: Option<Value>,
    /// Bound on this run in ms (overrides `EngineConfig::timeout_ms`).
    pub timeout_ms: Option<f64>,
    /// Types the host provides executors for; consulted before built-ins.
    pub custom_types: Arc<HashSet<String>>,
    /// Cancels the run when cancelled.
    pub cancel: Option<CancelToken>,
    /// Receives this run's events.
    pub events: Option<Arc<dyn EventSink>>,
    /// What this run may reach outside its data; `None`: whatever the host provides.
    pub permissions: Option<RunPermissions>,
    /// Outputs given for nodes (by path): those nodes do not run, their successors take these.
    pub pinned: Vec<(String, Value)>,
    /// Runs only this node (by path) and what it depends on; the result's data is its output.
    pub run_to: Option<String>,
    /// Nodes (by path) the run pauses before.
    pub breakpoints: Vec<String>,
    /// Pause, resume and step requests from outside the run.
    pub control: Option<Arc<RunControl>>,
    /// Records the run's nodes as they end (execution history).
    #[cfg(feature = "history")]
    pub recorder: Option<Arc<crate::history::RunRecorder>>,
    /// Recorded outputs to use instead of running those nodes (a retry).
    #[cfg(feature = "history")]
    pub reuse: Option<crate::history::Reuse>,
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("execution_id", &self.execution_id)
            .field("slow_mo", &self.slow_mo)
            .field("timeout_ms", &self.timeout_ms)
            .field("custom_types", &self.custom_types)
            .field("permissions", &self.permissions)
            .field("run_to", &self.run_to)
            .field("breakpoints", &self.breakpoints)
            .finish_non_exhaustive()
    }
}
