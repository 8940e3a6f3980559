//! The JSON shapes exchanged with the embedder.

use serde::{Deserialize, Serialize};
use crate::value::Value;

use crate::engine::ExecutionResult;
use crate::value::{codec, slices};
use crate::error::ExecutionError;

/// `{"ok": true, "value": ...}` or `{"ok": false, "error": ExecutionError}`: fallible calls
/// return this, and the TypeScript layer throws a typed error.
pub fn outcome<T: Serialize>(result: Result<T, ExecutionError>) -> String {
    #[derive(Serialize)]
    struct Envelope<'a, T> {
        ok: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        value: Option<&'a T>,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<&'a ExecutionError>,
    }
    let written = match &result {
        Ok(value) => serde_json::to_string(&Envelope { ok: true, value: Some(value), error: None }),
        Err(error) => serde_json::to_string(&Envelope::<T> { ok: false, value: None, error: Some(error) }),
    };
    written.unwrap_or_else(|e| {
        let error = ExecutionError::from(e);
        serde_json::to_string(&Envelope::<()> { ok: false, value: None, error: Some(&error) }).unwrap_or_default()
    })
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
    /// `false`: this run is not recorded in the execution history.
    #[cfg(feature = "history")]
    pub history: Option<bool>,
    /// The run retries a recorded one, reusing what it may.
    #[cfg(feature = "history")]
    pub retry: Option<super::history::RetryRequest>,
}

/// A finished run's output: the result as codec text with its binary data, its trace apart
/// (kept as it is: most callers never read it, and writing it costs more than a small run).
pub(crate) struct RunOutput {
    pub result: String,
    pub buffers: Vec<std::sync::Arc<[u8]>>,
    /// Large arrays of the result, written apart (see [`crate::value::slices`]).
    pub slices: Vec<Vec<String>>,
    pub trace: Option<crate::trace::ExecutionTrace>,
}

impl RunOutput {
    /// The result as codec text; with `slice_arrays_of`, arrays of at least that many items
    /// are written apart in slices.
    pub fn from_result(mut result: ExecutionResult, slice_arrays_of: Option<usize>) -> Self {
        let trace = result.trace.take();
        let encoded = match slice_arrays_of {
            Some(min_items) => slices::encode_sliced(&result, min_items),
            None => codec::encode(&result).map(|e| slices::Sliced { text: e.text, buffers: e.buffers, slices: Vec::new() }),
        };
        let encoded = encoded.unwrap_or_else(|e| slices::Sliced { text: serde_json::to_string(&failure(ExecutionError::from(e))).unwrap_or_default(), ..Default::default() });
        RunOutput { result: encoded.text, buffers: encoded.buffers, slices: encoded.slices, trace }
    }
}

/// The output of a run that panicked outside the engine's own containment.
pub(crate) fn panic_output(message: &str) -> RunOutput {
    RunOutput::from_result(failure(ExecutionError::internal(format!("The engine panicked: {message}"))), None)
}

/// A result for a run that could not start.
pub(crate) fn failure(error: ExecutionError) -> ExecutionResult {
    ExecutionResult { success: false, data: None, error: Some(error), duration: 0.0, executed_nodes: Vec::new(), context: None, trace: None }
}
