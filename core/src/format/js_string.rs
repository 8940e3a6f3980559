//! `String(value)` as JavaScript computes it, for JSON values.

use serde_json::Value;

use super::js_number;

/// `String(v)`: numbers without a trailing `.0`, arrays joined with commas (nulls empty),
/// objects as `[object Object]`.
pub fn js_string(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.as_i64().map_or_else(|| n.as_u64().map_or_else(|| js_number(n.as_f64().unwrap_or(f64::NAN)), |u| u.to_string()), |i| i.to_string()),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|item| if item.is_null() { String::new() } else { js_string(item) })
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => "[object Object]".to_owned(),
    }
}
