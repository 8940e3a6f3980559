//! What the built-in executables share (reference §7.0 `createExecutable`).

use serde_json::{Map, Value};

use crate::error::ExecutionError;
use crate::nodes::schema::NodeSchema;
use crate::nodes::Invocation;

/// The parsed parameters (`config`): the node's parameters with schema defaults applied.
pub(super) struct Config {
    pub values: Map<String, Value>,
}

impl Config {
    pub fn new(schema: &NodeSchema, invocation: &Invocation) -> Self {
        Config { values: schema.with_defaults(&invocation.parameters) }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.values.get(key).filter(|v| !v.is_null())
    }

    pub fn str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        self.get(key).and_then(Value::as_bool)
    }
}

/// `getInput(key)`: the input under `key` if present, else the parsed parameter of that name.
pub(super) fn get_input<'a>(invocation: &'a Invocation, config: &'a Config, key: &str) -> Option<&'a Value> {
    invocation.input_value(key).or_else(|| config.get(key))
}

/// An executable's failure: `"[<type>] <message>"`, `EXECUTION_FAILED`.
pub(super) fn node_error(node_type: &str, message: impl std::fmt::Display) -> ExecutionError {
    ExecutionError::execution_failed(format!("[{node_type}] {message}"))
}
