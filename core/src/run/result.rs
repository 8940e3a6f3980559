//! `ExecutionResult` and `ConductorExecutionContext`, in the TypeScript engine's shapes.

use std::sync::Arc;

use crate::value::Value;
use serde::{Serialize, Serializer};

use crate::error::ExecutionError;
use crate::nodes::{write_context, ContextKind, RunContext};
use crate::trace::ExecutionTrace;

/// The outcome of a run. `run` never fails with an `Err`: every failure is a result with
/// `success: false` and an error.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionResult {
    pub success: bool,
    /// Output of the node (for a group: of its last node in sequential order). Absent for JS
    /// `undefined`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ExecutionError>,
    /// Milliseconds.
    pub duration: f64,
    /// Nodes that ran, in sequential order whatever order they finished in.
    pub executed_nodes: Vec<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<ExecutionContext>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<ExecutionTrace>,
    /// What the run went ahead with but should not have to (unknown names with
    /// `strictParameters: false`, template paths that name nothing).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<crate::nodes::RunWarning>,
    /// What the run's nodes printed (a `python` node's output), in the order they ended.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<crate::nodes::NodeLog>,
    /// A traced run's nodes (`options.telemetry`), for the embedder's tracing. Written as JSON
    /// text in a string: the embedder parses it in one call, apart from the rest of the result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spans: Option<String>,
}

impl ExecutionResult {
    /// The one shape of a failed run before any part of it is known: no data, no nodes run,
    /// no duration, context or trace. Every failed result made outside the scheduler starts
    /// from this one and adds what it knows.
    pub fn failed(error: ExecutionError) -> Self {
        ExecutionResult {
            success: false,
            data: None,
            error: Some(error),
            duration: 0.0,
            executed_nodes: Vec::new(),
            context: None,
            trace: None,
            warnings: Vec::new(),
            logs: Vec::new(),
            spans: None,
        }
    }
}

/// `ConductorExecutionContext` of the root node: the run's context seen from it.
#[derive(Debug, Clone)]
pub struct ExecutionContext {
    pub node_id: Arc<str>,
    pub run: Arc<RunContext>,
}

impl Serialize for ExecutionContext {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        write_context(serializer, &self.node_id, &self.run.input, &self.run, ContextKind::Result)
    }
}
