//! The JSON envelopes exchanged with the TypeScript layer.

use atomiton_core::ExecutionError;
use serde::Serialize;
use serde_json::json;

/// `{"ok": true, "value": ...}` or `{"ok": false, "error": ExecutionError}`: fallible calls
/// return this, and the TypeScript layer throws a typed error.
pub(crate) fn outcome<T: Serialize>(result: Result<T, ExecutionError>) -> String {
    let envelope = match result {
        Ok(value) => serde_json::to_value(&value).map(|value| json!({"ok": true, "value": value})),
        Err(error) => Ok(json!({"ok": false, "error": error})),
    };
    envelope
        .and_then(|v| serde_json::to_string(&v))
        .unwrap_or_else(|e| json!({"ok": false, "error": ExecutionError::from(e)}).to_string())
}

/// Converts the domain error into a thrown JS error for the few calls that throw directly
/// (wrong argument types are rejected by napi before reaching us).
pub(crate) fn to_napi(error: ExecutionError) -> napi::Error {
    napi::Error::new(napi::Status::GenericFailure, format!("{}: {}", error.code, error.message))
}
