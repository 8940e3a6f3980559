//! The JSON shapes exchanged with the embedder.

use serde::Serialize;

use crate::engine::ExecutionResult;
use crate::error::ExecutionError;
use crate::value::{codec, slices};

/// `{"ok": true, "value": ...}` or `{"ok": false, "error": ExecutionError}`: fallible calls
/// return this, and the TypeScript layer throws a typed error.
pub fn outcome<T: Serialize>(result: Result<T, ExecutionError>) -> String {
    // Only the value's own serialization is written per answer type; the envelope is written
    // once (each answer type instantiating a whole envelope cost the browser module bytes).
    match result.and_then(|value| serde_json::to_string(&value).map_err(ExecutionError::from)) {
        Ok(value) => {
            const OPEN: &str = "{\"ok\":true,\"value\":";
            let mut text = String::with_capacity(OPEN.len() + value.len() + 1);
            text.push_str(OPEN);
            text.push_str(&value);
            text.push('}');
            text
        }
        Err(error) => failed_outcome(&error),
    }
}

/// `{"ok": false, "error": ...}`.
fn failed_outcome(error: &ExecutionError) -> String {
    #[derive(Serialize)]
    struct Failed<'a> {
        ok: bool,
        error: &'a ExecutionError,
    }
    serde_json::to_string(&Failed { ok: false, error }).unwrap_or_default()
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

/// The longest text an embedder can take as one string: V8's limit (2^29 − 24 UTF-16 units;
/// UTF-8 text of at most this many bytes always fits). A result written longer would fail to
/// cross, losing the run, so it is replaced by a `SERIALIZATION_FAILED` result.
pub const MAX_TEXT_BYTES: usize = (1 << 29) - 24;

impl RunOutput {
    /// The result as codec text; with `slice_arrays_of`, arrays of at least that many items
    /// are written apart in slices.
    pub fn from_result(result: ExecutionResult, slice_arrays_of: Option<usize>) -> Self {
        Self::within(result, slice_arrays_of, MAX_TEXT_BYTES).0
    }

    /// [`from_result`](Self::from_result), handing the result back once written: freeing a large
    /// result takes milliseconds, which the caller can spend after the text is handed over.
    pub fn with_written(
        result: ExecutionResult,
        slice_arrays_of: Option<usize>,
    ) -> (Self, ExecutionResult) {
        Self::within(result, slice_arrays_of, MAX_TEXT_BYTES)
    }

    /// The output, with no text (the result's or a slice's) longer than `max_bytes`, and what is
    /// left of the result.
    fn within(
        mut result: ExecutionResult,
        slice_arrays_of: Option<usize>,
        max_bytes: usize,
    ) -> (Self, ExecutionResult) {
        let trace = result.trace.take();
        let encoded = match slice_arrays_of {
            Some(min_items) => slices::encode_sliced(&result, min_items),
            None => codec::encode(&result).map(|e| slices::Sliced {
                text: e.text,
                buffers: e.buffers,
                slices: Vec::new(),
            }),
        };
        let encoded = encoded.unwrap_or_else(|e| slices::Sliced {
            text: serde_json::to_string(&ExecutionResult::failed(ExecutionError::from(e)))
                .unwrap_or_default(),
            ..Default::default()
        });
        let longest = encoded
            .slices
            .iter()
            .flatten()
            .map(String::len)
            .chain([encoded.text.len()])
            .max()
            .unwrap_or(0);
        if longest > max_bytes {
            // The failure keeps the trace of the run that produced too much.
            result.trace = trace;
            return Self::within(too_long(result, longest), None, usize::MAX);
        }
        (
            RunOutput {
                result: encoded.text,
                buffers: encoded.buffers,
                slices: encoded.slices,
                trace,
            },
            result,
        )
    }
}

/// `result` without its data, failed because it was too long to hand over (the limit named is
/// always the embedders' one).
fn too_long(result: ExecutionResult, bytes: usize) -> ExecutionResult {
    let message = format!("The run's result needs a text of {bytes} bytes, more than the {MAX_TEXT_BYTES} one JavaScript string can hold; return less data (e.g. write it to a file)");
    let mut error = ExecutionError::new(crate::error::ErrorCode::SERIALIZATION_FAILED, message);
    if let Some(context) = &result.context {
        error = error.with_execution(context.run.execution_id.to_string());
    }
    ExecutionResult {
        duration: result.duration,
        executed_nodes: result.executed_nodes,
        trace: result.trace,
        warnings: result.warnings,
        logs: result.logs,
        ..ExecutionResult::failed(error)
    }
}

/// The output of a run that panicked outside the engine's own containment.
pub(crate) fn panic_output(message: &str) -> RunOutput {
    RunOutput::from_result(
        ExecutionResult::failed(ExecutionError::internal(format!(
            "The engine panicked: {message}"
        ))),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    #[test]
    fn a_result_too_long_to_hand_over_becomes_a_coded_failure() {
        let result = ExecutionResult {
            success: true,
            data: Some(Value::from("x".repeat(1000))),
            error: None,
            duration: 1.0,
            executed_nodes: vec!["a".into()],
            context: None,
            trace: None,
            warnings: Vec::new(),
            logs: Vec::new(),
            spans: None,
        };
        let (output, _) = RunOutput::within(result, None, 500);
        let text: Value = serde_json::from_str(&output.result).unwrap();
        assert_eq!(text["success"], false);
        assert_eq!(text["error"]["code"], "SERIALIZATION_FAILED");
        assert!(
            text["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("The run's result needs a text of 10"),
            "{text}"
        );
        assert_eq!(text["executedNodes"][0], "a");
        assert!(text.get("data").is_none());
    }
}
