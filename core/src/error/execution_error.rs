//! `ExecutionError`: the one domain error type of the engine, in the TypeScript engine's shape.

use crate::value::{Map, Value};
use serde::{Deserialize, Serialize};

use super::{recovery_strategy, ErrorCode, ErrorRecoveryStrategy};

/// An error with a code, a message and where it happened. Every fallible operation in the core
/// returns this type; bindings convert it into a JS `ExecutionError` object (whose `timestamp`
/// becomes a `Date`).
///
/// The large, rarely set parts (`cause`, `context`, `recovery`) are boxed: this type travels in
/// every node's `Result`, so its size is what every result costs to move through the scheduler.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_id: Option<String>,
    /// Milliseconds since the Unix epoch. `None` when the error was raised where no clock is
    /// available (parsing); the binding stamps it at the boundary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<Box<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Box<Map>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery: Option<Box<ErrorRecoveryStrategy>>,
}

// Keep results small (see above); clippy's `result_large_err` threshold is set to match.
const _: () = assert!(std::mem::size_of::<ExecutionError>() <= 144);

/// Shorthand for results carrying the domain error.
pub type Result<T, E = ExecutionError> = std::result::Result<T, E>;

impl ExecutionError {
    /// A new error with the recovery advice of its code attached.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ExecutionError {
            code,
            message: message.into(),
            node_id: None,
            execution_id: None,
            timestamp: None,
            stack: None,
            cause: None,
            context: None,
            recovery: Some(Box::new(recovery_strategy(code))),
        }
    }

    pub fn with_node(mut self, node_id: impl Into<String>) -> Self {
        self.node_id = Some(node_id.into());
        self
    }

    pub fn with_execution(mut self, execution_id: impl Into<String>) -> Self {
        self.execution_id = Some(execution_id.into());
        self
    }

    pub fn with_timestamp(mut self, timestamp: f64) -> Self {
        self.timestamp = Some(timestamp);
        self
    }

    /// Adds one entry to the error's `context` object.
    pub fn with_context(mut self, key: &str, value: Value) -> Self {
        self.context.get_or_insert_with(Box::default).insert(key.to_owned(), value);
        self
    }

    /// Fills in the node and execution ids if they are not set yet; the innermost producer wins.
    pub fn located(mut self, node_id: &str, execution_id: &str) -> Self {
        if self.node_id.is_none() {
            self.node_id = Some(node_id.to_owned());
        }
        if self.execution_id.is_none() {
            self.execution_id = Some(execution_id.to_owned());
        }
        self
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::INTERNAL_ERROR, message)
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::VALIDATION_FAILED, message)
    }

    pub fn execution_failed(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::EXECUTION_FAILED, message)
    }

    /// An attempt of a node that ran past its `timeout` parameter (`ms`).
    pub fn attempt_timed_out(ms: f64) -> Self {
        Self::new(
            ErrorCode::TIMEOUT,
            format!("Node execution timed out after {}ms", crate::value::js_number(ms)),
        )
    }

    pub fn deserialization(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::DESERIALIZATION_FAILED, message)
    }
}

impl std::fmt::Display for ExecutionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ExecutionError {}

impl From<serde_json::Error> for ExecutionError {
    fn from(err: serde_json::Error) -> Self {
        let code = if err.is_data() || err.is_syntax() || err.is_eof() {
            ErrorCode::DESERIALIZATION_FAILED
        } else {
            ErrorCode::SERIALIZATION_FAILED
        };
        ExecutionError::new(code, err.to_string())
    }
}
