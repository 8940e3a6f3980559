//! What `edit-fields` does: set fields on the input object.

use crate::json;
use crate::value::{Map, Value};

use super::super::common::{node_error, Config};
use super::super::common_budget::NodeBudget;
use super::schema::SCHEMA;
use super::template::render;
use crate::format::iso_timestamp;
use crate::host::{BoxFuture, SharedHost};
use crate::nodes::{Invocation, NodeResult};

pub(super) fn execute(invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
    let result = edit(&invocation, &host);
    Box::pin(async move { result })
}

const TYPE: &str = "edit-fields";
/// What one field of an object built from an array or a string counts against the output
/// bound (its key and value, beyond the data itself).
const ENTRY_BYTES: usize = 48;

fn edit(invocation: &Invocation, host: &SharedHost) -> NodeResult {
    let config = Config::new(&SCHEMA, invocation);
    // Rendered text counts against the same output bound as expression results.
    let calls = NodeBudget::new(invocation.expression_limits, &invocation.signal);
    let data = invocation.input_value("data").or_else(|| config.get("data"));
    calls.spend(TYPE, view_size(data).saturating_mul(ENTRY_BYTES))?;
    let input = object_view(data);
    let values = match config.get("values") {
        Some(Value::Object(values)) => values.clone(),
        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(values)) => values,
            _ => return Err(node_error(TYPE, "values must be an object or the JSON text of one")),
        },
        _ => Map::new(),
    };
    let mut out =
        if config.bool("keepOnlySet").unwrap_or(false) { Map::new() } else { input.clone() };
    let needs_data = values.values().any(|v| v.as_str().is_some_and(|s| s.contains("{{")));
    let data = needs_data.then(|| {
        let mut data = input;
        data.insert("$now".to_owned(), json!(iso_timestamp(host.now())));
        data
    });
    let empty = Map::new();
    for (key, value) in values {
        calls.stopped()?;
        let rendered = match value {
            Value::String(template) => {
                let text = render(&template, data.as_ref().unwrap_or(&empty), calls.output_left())
                    .map_err(|_| calls.over(TYPE))?;
                calls.spend(TYPE, text.len())?;
                Value::from(text)
            }
            other => other,
        };
        out.insert(key, rendered);
    }
    Ok(Some(json!({ "result": Value::Object(out) })))
}

/// How many entries `object_view` makes of a value.
fn view_size(value: Option<&Value>) -> usize {
    match value {
        Some(Value::Object(map)) => map.len(),
        Some(Value::Array(items)) => items.len(),
        Some(Value::String(s)) => s.len(),
        _ => 0,
    }
}

/// `{...inputData}`: an object's entries, an array's or string's by index, nothing otherwise.
fn object_view(value: Option<&Value>) -> Map {
    match value {
        Some(Value::Object(map)) => map.clone(),
        Some(Value::Array(items)) => {
            items.iter().enumerate().map(|(i, v)| (i.to_string(), v.clone())).collect()
        }
        Some(Value::String(s)) => s
            .chars()
            .enumerate()
            .map(|(i, c)| (i.to_string(), Value::from(c.to_string())))
            .collect(),
        _ => Map::new(),
    }
}
