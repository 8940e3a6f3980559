//! What the built-in executables share (reference §7.0 `createExecutable`).

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::error::ExecutionError;
use crate::nodes::schema::NodeSchema;
use crate::nodes::Invocation;

/// The parsed parameters (`config`): the node's parameters, with schema defaults for those
/// absent. A view, not a copy — parameters may hold large data (a 100k-item `data` array).
pub(super) struct Config<'s> {
    parameters: Arc<Map<String, Value>>,
    defaults: &'s Map<String, Value>,
}

impl<'s> Config<'s> {
    pub fn new(schema: &'s NodeSchema, invocation: &Invocation) -> Self {
        Config { parameters: invocation.parameters.clone(), defaults: schema.default_values() }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.parameters.get(key).filter(|v| !v.is_null()).or_else(|| self.defaults.get(key))
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

/// The fields in which built-in nodes return their arrays (`transform` → `result`,
/// `spreadsheet` → `records`, `loop`/`parallel` → `results`, `file-system list` → `files`).
const ARRAY_FIELDS: [&str; 5] = ["result", "records", "results", "files", "items"];

/// An array input. Whole outputs flow along edges, so a node expecting an array often receives
/// another node's output object: then `path` (a dotted path, e.g. `"records"` or
/// `"result.items"`) selects the array, and without a path the first of [`ARRAY_FIELDS`] that
/// holds an array is used. `None` when there is no array to be found.
pub(super) fn array_input<'a>(value: &'a Value, path: Option<&str>) -> Option<&'a Vec<Value>> {
    if let Some(path) = path.filter(|p| !p.is_empty()) {
        let mut current = value;
        for segment in path.split('.') {
            current = match current {
                Value::Object(map) => map.get(segment)?,
                Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        return current.as_array();
    }
    match value {
        Value::Array(items) => Some(items),
        Value::Object(map) => ARRAY_FIELDS.iter().find_map(|field| map.get(*field).and_then(Value::as_array)),
        _ => None,
    }
}
