//! What the control-flow node types (`if`, `switch`, `merge`, `for-each`) share: the value a
//! node's input stands for, and the output a routing node gives the scheduler.

use crate::nodes::NodeInput;
use crate::value::{Map, Value};

/// The value a node's input stands for: its `data` (the main input of a version 2 flow's edges,
/// and a for-each item's), else the one value delivered when one edge (or the run's input) gave
/// one key, the whole input object when there are several, `null` when none.
pub(super) fn subject(input: &NodeInput) -> Value {
    if let Some(data) = input.get("data") {
        return data.clone();
    }
    match input.entries() {
        [] => Value::Null,
        [(_, value)] => (**value).clone(),
        _ => input.to_value(),
    }
}

/// [`subject`], shared rather than copied when the input holds it (`None`: nothing delivered).
pub(super) fn subject_shared(input: &NodeInput) -> Option<std::sync::Arc<Value>> {
    if let Some(data) = input.get_shared("data") {
        return Some(data.clone());
    }
    match input.entries() {
        [] => None,
        [(_, value)] => Some(value.clone()),
        _ => Some(std::sync::Arc::new(input.to_value())),
    }
}

/// A routing node's output (see `NodeType::routes`): `value`, leaving from `ports`.
pub(super) fn routed(ports: Vec<&str>, value: Value) -> Value {
    let mut out = Map::new();
    out.insert("ports", Value::Array(ports.into_iter().map(Value::from).collect()));
    out.insert("value", value);
    Value::Object(out)
}
