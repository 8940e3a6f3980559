//! What `edit-fields` does: set fields on the input object.

use crate::json;
use crate::value::{Map, Value};

use super::super::common::{node_error, Config};
use super::schema::SCHEMA;
use super::template::render;
use crate::format::iso_timestamp;
use crate::host::{BoxFuture, SharedHost};
use crate::nodes::{Invocation, NodeResult};

pub(super) fn execute(invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
    let result = edit(&invocation, &host);
    Box::pin(async move { result })
}

fn edit(invocation: &Invocation, host: &SharedHost) -> NodeResult {
    let config = Config::new(&SCHEMA, invocation);
    let input = object_view(invocation.input_value("data").or_else(|| config.get("data")));
    let values = match config.get("values") {
        Some(Value::Object(values)) => values.clone(),
        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(values)) => values,
            _ => return Err(node_error("edit-fields", "values must be an object or the JSON text of one")),
        },
        _ => Map::new(),
    };
    let mut out = if config.bool("keepOnlySet").unwrap_or(false) { Map::new() } else { input.clone() };
    let needs_data = values.values().any(|v| v.as_str().is_some_and(|s| s.contains("{{")));
    let data = needs_data.then(|| {
        let mut data = input;
        data.insert("$now".to_owned(), json!(iso_timestamp(host.now())));
        data
    });
    for (key, value) in values {
        let rendered = match (value, &data) {
            (Value::String(template), Some(data)) => Value::String(render(&template, data)),
            (Value::String(text), None) => Value::String(render(&text, &Map::new())),
            (other, _) => other,
        };
        out.insert(key, rendered);
    }
    Ok(Some(json!({ "result": Value::Object(out) })))
}

/// `{...inputData}`: an object's entries, an array's or string's by index, nothing otherwise.
fn object_view(value: Option<&Value>) -> Map<String, Value> {
    match value {
        Some(Value::Object(map)) => map.clone(),
        Some(Value::Array(items)) => items.iter().enumerate().map(|(i, v)| (i.to_string(), v.clone())).collect(),
        Some(Value::String(s)) => s.chars().enumerate().map(|(i, c)| (i.to_string(), Value::String(c.to_string()))).collect(),
        _ => Map::new(),
    }
}

