//! A signal's payload against the wait node's `payloadSchema`: the JSON Schema keywords a
//! payload check needs (`type`, `required`, `properties`, `items`, `enum`). A schema using any
//! other keyword is refused when the flow is validated, never half-applied.

use crate::value::{Map, Value};

const KEYWORDS: &[&str] =
    &["type", "required", "properties", "items", "enum", "description", "title", "$schema"];
const TYPES: &[&str] = &["string", "number", "integer", "boolean", "object", "array", "null"];

/// Whether `schema` only uses what [`check_payload`] reads; why not.
pub(crate) fn check_schema(schema: &Value) -> Result<(), String> {
    let Value::Object(fields) = schema else {
        return Err("'payloadSchema' must be an object (a JSON Schema)".into());
    };
    for key in fields.keys() {
        if !KEYWORDS.contains(&key.as_str()) {
            return Err(format!(
                "'payloadSchema' uses '{key}', which is not checked (the keywords read: {})",
                KEYWORDS.join(", ")
            ));
        }
    }
    for name in types_of(fields) {
        if !TYPES.contains(&name) {
            return Err(format!("'payloadSchema' names an unknown type '{name}'"));
        }
    }
    if let Some(Value::Object(properties)) = fields.get("properties") {
        properties.values().try_for_each(check_schema)?;
    }
    if let Some(items) = fields.get("items") {
        check_schema(items)?;
    }
    Ok(())
}

fn types_of(fields: &Map) -> Vec<&str> {
    match fields.get("type") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Whether `payload` passes `schema`; where and why not (`payload.items[2]: ...`).
pub(crate) fn check_payload(schema: &Value, payload: &Value) -> Result<(), String> {
    check_at("payload", schema, payload)
}

fn check_at(path: &str, schema: &Value, value: &Value) -> Result<(), String> {
    let Value::Object(fields) = schema else { return Ok(()) };
    let types = types_of(fields);
    if !types.is_empty() && !types.iter().any(|t| is_type(t, value)) {
        return Err(format!(
            "{path} must be {}, got {}",
            types.join(" or "),
            crate::nodes::schema::check::type_name(value)
        ));
    }
    if let Some(Value::Array(allowed)) = fields.get("enum") {
        if !allowed.contains(value) {
            return Err(format!("{path} must be one of the values its schema lists"));
        }
    }
    if let Value::Object(object) = value {
        if let Some(Value::Array(required)) = fields.get("required") {
            for name in required.iter().filter_map(Value::as_str) {
                if !object.contains_key(name) {
                    return Err(format!("{path}.{name} is required"));
                }
            }
        }
        if let Some(Value::Object(properties)) = fields.get("properties") {
            for (name, property) in properties {
                if let Some(field) = object.get(name) {
                    check_at(&format!("{path}.{name}"), property, field)?;
                }
            }
        }
    }
    if let (Value::Array(items), Some(item_schema)) = (value, fields.get("items")) {
        for (i, item) in items.iter().enumerate() {
            check_at(&format!("{path}[{i}]"), item_schema, item)?;
        }
    }
    Ok(())
}

fn is_type(name: &str, value: &Value) -> bool {
    match name {
        "string" => value.is_string(),
        "number" => value.as_f64().is_some(),
        "integer" => value.as_f64().is_some_and(|n| n.fract() == 0.0),
        "boolean" => value.as_bool().is_some(),
        "object" => matches!(value, Value::Object(_)),
        "array" => matches!(value, Value::Array(_)),
        "null" => value.is_null(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{check_payload, check_schema};
    use crate::json;

    #[test]
    fn a_payload_is_checked_field_by_field() {
        let schema = json!({"type": "object", "required": ["amount"], "properties": {
            "amount": {"type": "number"}, "tags": {"type": "array", "items": {"type": "string"}}}});
        assert!(check_payload(&schema, &json!({"amount": 3, "tags": ["a"]})).is_ok());
        let missing = check_payload(&schema, &json!({"tags": []})).unwrap_err();
        assert_eq!(missing, "payload.amount is required");
        let wrong = check_payload(&schema, &json!({"amount": 1, "tags": ["a", 2]})).unwrap_err();
        assert!(wrong.starts_with("payload.tags[1] must be string"), "{wrong}");
        assert!(check_payload(&json!({"enum": ["yes", "no"]}), &json!("maybe")).is_err());
    }

    #[test]
    fn a_schema_keyword_that_would_not_be_checked_is_refused() {
        assert!(
            check_schema(&json!({"type": "object", "properties": {"a": {"minimum": 1}}})).is_err()
        );
        assert!(check_schema(&json!({"type": "decimal"})).is_err());
        assert!(check_schema(&json!({"type": ["string", "null"]})).is_ok());
    }
}
