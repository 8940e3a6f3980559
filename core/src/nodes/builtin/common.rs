//! What the built-in executables share (the TypeScript engine's `createExecutable` wrapper).

use std::sync::{Arc, OnceLock};

use crate::value::{Map, Value};

use crate::error::ExecutionError;
use crate::model::small_map_get;
use crate::nodes::schema::NodeSchema;
use crate::nodes::Invocation;

/// The parsed parameters (`config`): the node's parameters, with schema defaults for those
/// absent. A view, not a copy — parameters may hold large data (a 100k-item `data` array).
pub struct Config<'s> {
    parameters: Arc<Map>,
    schema: &'s NodeSchema,
}

impl<'s> Config<'s> {
    pub fn new(schema: &'s NodeSchema, invocation: &Invocation) -> Self {
        Config { parameters: invocation.parameters.clone(), schema }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        small_map_get(&self.parameters, key)
            .filter(|v| !v.is_null())
            .or_else(|| self.schema.default_value(key))
    }

    pub fn str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        self.get(key).and_then(Value::as_bool)
    }
}

/// An output object whose keys are always the same, in the same order. Filling a clone of a
/// prepared map copies its hash table; inserting the keys one by one hashed each (SipHash), a
/// large share of a trivial node's cost (docs/PERFORMANCE.md, "Engine internals").
pub(super) struct ObjectTemplate<const N: usize> {
    keys: [&'static str; N],
    map: OnceLock<Map>,
}

impl<const N: usize> ObjectTemplate<N> {
    pub const fn new(keys: [&'static str; N]) -> Self {
        ObjectTemplate { keys, map: OnceLock::new() }
    }

    /// The object with `values` under the keys, in order.
    pub fn fill(&self, values: [Value; N]) -> Map {
        let mut map = self
            .map
            .get_or_init(|| self.keys.iter().map(|&key| (key.to_owned(), Value::Null)).collect())
            .clone();
        for (slot, value) in map.values_mut().zip(values) {
            *slot = value;
        }
        map
    }
}

/// `getInput(key)`: the input under `key` if present, else the parsed parameter of that name.
pub fn get_input<'a>(
    invocation: &'a Invocation,
    config: &'a Config,
    key: &str,
) -> Option<&'a Value> {
    invocation.input_value(key).or_else(|| config.get(key))
}

/// An executable's failure: `"[<type>] <message>"`, `EXECUTION_FAILED`, with advice that points
/// at the node, not at the engine.
pub fn node_error(node_type: &str, message: impl std::fmt::Display) -> ExecutionError {
    let mut error = ExecutionError::execution_failed(format!("[{node_type}] {message}"));
    error.recovery = Some(Box::new(crate::error::node_failure_recovery()));
    error
}

use crate::nodes::stream::ARRAY_FIELDS;

/// An array input. Whole outputs flow along edges, so a node expecting an array often receives
/// another node's output object: then `path` (a dotted path, e.g. `"records"` or
/// `"result.items"`) selects the array, and without a path the first of [`ARRAY_FIELDS`] that
/// holds an array is used. `None` when there is no array to be found.
pub fn array_input<'a>(value: &'a Value, path: Option<&str>) -> Option<&'a Vec<Value>> {
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
        Value::Object(map) => {
            ARRAY_FIELDS.iter().find_map(|field| map.get(*field).and_then(Value::as_array))
        }
        _ => None,
    }
}

/// What a node's `{{ path }}` templates read (an `llm` node's messages, an `email`'s fields):
/// the input on `data` when it is an object (its fields by name), and every input by its key
/// (`{{ data }}` is the whole input).
pub fn template_data(invocation: &Invocation) -> Map {
    let mut data = match invocation.input_value("data") {
        Some(Value::Object(fields)) => fields.clone(),
        _ => Map::new(),
    };
    for (key, value) in invocation.input.entries() {
        if !data.contains_key(&**key) {
            data.insert(crate::value::Str::from(&**key), (**value).clone());
        }
    }
    data
}
