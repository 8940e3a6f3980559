//! The JSON shapes exchanged with the embedder.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::engine::ExecutionResult;
use crate::error::ExecutionError;

/// `{"ok": true, "value": ...}` or `{"ok": false, "error": ExecutionError}`: fallible calls
/// return this, and the TypeScript layer throws a typed error.
pub fn outcome<T: Serialize>(result: Result<T, ExecutionError>) -> String {
    let envelope = match result {
        Ok(value) => serde_json::to_value(&value).map(|value| json!({"ok": true, "value": value})),
        Err(error) => Ok(json!({"ok": false, "error": error})),
    };
    envelope
        .and_then(|v| serde_json::to_string(&v))
        .unwrap_or_else(|e| json!({"ok": false, "error": ExecutionError::from(e)}).to_string())
}

/// Per-run options from `node.run(node, contextOverrides)`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct RunRequest {
    pub execution_id: Option<String>,
    pub variables: Option<Value>,
    pub input: Option<Value>,
    pub parent_context: Option<Value>,
    pub slow_mo: Option<f64>,
    pub debug: Option<Value>,
    pub timeout: Option<f64>,
    /// Types `nodeExecutorFactory` provides for this flow.
    pub custom_types: Vec<String>,
    /// Whether anyone listens to progress (snapshots are only built then).
    pub events: bool,
    /// What the run may reach outside its data (a protocol server's caller); absent: anything.
    pub permissions: Option<crate::host::RunPermissions>,
}

/// A finished run's output: the result as JSON text, its trace apart.
pub(crate) struct RunOutput {
    pub result: String,
    pub trace: Option<String>,
}

impl RunOutput {
    pub fn from_result(mut result: ExecutionResult) -> Self {
        let trace = result.trace.take().and_then(|trace| serde_json::to_string(&trace).ok());
        let result = serde_json::to_string(&result).unwrap_or_else(|e| serde_json::to_string(&failure(ExecutionError::from(e))).unwrap_or_default());
        RunOutput { result, trace }
    }
}

/// The output of a run that panicked outside the engine's own containment.
pub(crate) fn panic_output(message: &str) -> RunOutput {
    RunOutput::from_result(failure(ExecutionError::internal(format!("The engine panicked: {message}"))))
}

/// A result for a run that could not start.
pub(crate) fn failure(error: ExecutionError) -> ExecutionResult {
    ExecutionResult { success: false, data: None, error: Some(error), duration: 0.0, executed_nodes: Vec::new(), context: None, trace: None }
}
