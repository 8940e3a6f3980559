//! `ExecutionResult` and `ConductorExecutionContext`, in the original's shapes.

use std::sync::Arc;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use crate::value::Value;

use crate::error::ExecutionError;
use crate::nodes::NodeInput;
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
}

/// `ConductorExecutionContext` of the root node.
#[derive(Debug, Clone)]
pub struct ExecutionContext {
    pub node_id: String,
    pub execution_id: String,
    pub variables: Arc<Value>,
    pub input: Option<NodeInput>,
    pub parent_context: Option<Value>,
    pub slow_mo: Option<f64>,
    pub debug: Option<Arc<Value>>,
}

impl Serialize for ExecutionContext {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("nodeId", &self.node_id)?;
        map.serialize_entry("executionId", &self.execution_id)?;
        map.serialize_entry("variables", &*self.variables)?;
        if let Some(input) = &self.input {
            map.serialize_entry("input", input)?;
        }
        if let Some(parent) = &self.parent_context {
            map.serialize_entry("parentContext", parent)?;
        }
        if let Some(slow_mo) = self.slow_mo {
            map.serialize_entry("slowMo", &slow_mo)?;
        }
        if let Some(debug) = &self.debug {
            map.serialize_entry("debug", &**debug)?;
        }
        map.end()
    }
}
