//! Errors as the node reports them: coded, and never holding a credential's field.

use atomiton_core::error::{ErrorCode, ExecutionError};
use atomiton_core::host::effects::{redact, Credential};

/// `error` with every secret of `credential` replaced (a driver may quote a connection string).
pub fn redacted(mut error: ExecutionError, credential: &Credential) -> ExecutionError {
    error.message = redact(&error.message, credential);
    error
}

/// An error's text with the causes under it (drivers' own text often names only the kind:
/// "error serializing parameter 0").
pub fn described(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

/// The database could not be reached, or the connection broke: the next try may work.
pub fn unreachable(what: impl std::fmt::Display) -> ExecutionError {
    ExecutionError::new(ErrorCode::TRANSPORT_ERROR, format!("[database] {what}"))
}

/// The database refused a statement (its message; `sql_state` in the error's context).
pub fn refused(message: impl std::fmt::Display, sql_state: Option<&str>) -> ExecutionError {
    let mut error =
        ExecutionError::new(ErrorCode::EXECUTION_FAILED, format!("[database] {message}"));
    // The statement's or the data's to fix, not the engine's.
    error.recovery = Some(Box::new(atomiton_core::error::node_failure_recovery()));
    match sql_state {
        Some(state) => error.with_context("sqlState", state.into()),
        None => error,
    }
}

/// A statement cancelled on the server after `ms` milliseconds.
pub fn timed_out(ms: f64) -> ExecutionError {
    ExecutionError::new(
        ErrorCode::TIMEOUT,
        format!(
            "[database] The statement ran past statementTimeout ({} ms) and was cancelled on the server",
            atomiton_core::value::js_number(ms)
        ),
    )
}

/// A statement cancelled with the run (or the node's attempt).
pub fn cancelled() -> ExecutionError {
    ExecutionError::new(ErrorCode::CANCELLED, "[database] The statement was cancelled")
}
