//! What `merge` does with the inputs that arrived.

use crate::host::{BoxFuture, SharedHost};
use crate::nodes::{Invocation, NodeResult};
use crate::value::{Map, Value};

use super::super::common::node_error;

const TYPE: &str = "merge";

pub(super) fn execute(invocation: Invocation, _host: SharedHost) -> BoxFuture<'static, NodeResult> {
    Box::pin(async move {
        let entries = invocation.input.entries();
        let mode = invocation.param("mode").and_then(Value::as_str).unwrap_or("all");
        let output = match mode {
            // The scheduler gave it the first input only.
            "first" => entries.first().map_or(Value::Null, |(_, v)| (**v).clone()),
            "append" => {
                let mut items = Vec::new();
                for (_, value) in entries {
                    match &**value {
                        Value::Array(list) => items.extend(list.iter().cloned()),
                        other => items.push(other.clone()),
                    }
                }
                Value::Array(items)
            }
            "combine" => {
                let key = invocation.param("key").and_then(Value::as_str).unwrap_or_default();
                combine(entries.iter().map(|(_, v)| &**v), key)?
            }
            _ => Value::Object(
                entries.iter().map(|(k, v)| ((**k).to_owned(), (**v).clone())).collect::<Map>(),
            ),
        };
        Ok(Some(output))
    })
}

/// The records of `inputs` (each a list of records, or one record) combined by the value of
/// field `key`: one record per value, in the order values are first seen, later inputs' fields
/// over earlier ones'. A record without the field is kept as it is.
fn combine<'a>(
    inputs: impl Iterator<Item = &'a Value>,
    key: &str,
) -> Result<Value, crate::error::ExecutionError> {
    let mut records: Vec<Value> = Vec::new();
    // Key values (as JSON text: any value may be a key) to their record's place.
    let mut places: rustc_hash::FxHashMap<String, usize> = Default::default();
    for input in inputs {
        let list = match input {
            Value::Array(list) => list.as_slice(),
            one => std::slice::from_ref(one),
        };
        for record in list {
            let Value::Object(fields) = record else {
                return Err(node_error(TYPE, "combine: every item must be a record (an object)"));
            };
            let Some(value) = fields.get(key) else {
                records.push(record.clone());
                continue;
            };
            let id = serde_json::to_string(value).unwrap_or_default();
            match places.get(&id) {
                Some(&at) => {
                    if let Value::Object(existing) = &mut records[at] {
                        for (k, v) in fields.iter() {
                            existing.insert(k.clone(), v.clone());
                        }
                    }
                }
                None => {
                    places.insert(id, records.len());
                    records.push(record.clone());
                }
            }
        }
    }
    Ok(Value::Array(records))
}
