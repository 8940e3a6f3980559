//! A JSON answer parsed and held to the flow's JSON schema. The keywords checked are the ones
//! structured output uses: `type`, `enum`, `const`, `properties`, `required`,
//! `additionalProperties`, `items`, `minItems`/`maxItems`, `minLength`/`maxLength`,
//! `minimum`/`maximum` (and their exclusive forms), `anyOf`. Others (`pattern`, `format`,
//! `$ref`) are not checked here: a server that constrains its output to the schema holds to
//! them. A schema-validation crate would check them all, at the cost of a regex engine in
//! every build that runs the node, the browser's included.

use atomiton_core::error::{ErrorCode, ExecutionError};
use atomiton_core::value::Value;
use serde_json::Value as Json;

use crate::TYPE;

/// Problems listed in one message at most (a model's answer can be wrong everywhere).
const MAX_PROBLEMS: usize = 5;

/// The answer's JSON when it parses and matches `schema`; otherwise what is wrong, in words a
/// model can act on.
pub fn answer(text: &str, schema: Option<&Json>) -> Result<Value, String> {
    let json: Json =
        serde_json::from_str(unfenced(text)).map_err(|e| format!("it is not JSON ({e})"))?;
    if let Some(schema) = schema {
        let mut problems = Vec::new();
        check(&json, schema, "$", &mut problems);
        if !problems.is_empty() {
            problems.truncate(MAX_PROBLEMS);
            return Err(problems.join("; "));
        }
    }
    Ok(Value::from(json))
}

/// The node's failure once its last answer did not parse, or did not match `schema` when there
/// is one.
pub fn failed(problem: &str, answers: u32, schema: bool) -> ExecutionError {
    let wanted = if schema { "matched the schema" } else { "was JSON" };
    ExecutionError::new(
        ErrorCode::VALIDATION_FAILED,
        format!("[{TYPE}] No answer {wanted} in {answers} answers; the last: {problem}"),
    )
    .with_context("answers", atomiton_core::json!(answers))
}

/// The text inside a Markdown code fence, which models put JSON in when they are not held to a
/// format.
fn unfenced(text: &str) -> &str {
    let trimmed = text.trim();
    let Some(rest) = trimmed.strip_prefix("```") else { return trimmed };
    let rest = rest.strip_prefix("json").unwrap_or(rest);
    rest.strip_suffix("```").unwrap_or(rest).trim()
}

fn check(value: &Json, schema: &Json, path: &str, problems: &mut Vec<String>) {
    let Some(schema) = schema.as_object() else { return };
    if let Some(types) = schema.get("type") {
        let allowed: Vec<&str> = match types {
            Json::String(one) => vec![one.as_str()],
            Json::Array(many) => many.iter().filter_map(Json::as_str).collect(),
            _ => Vec::new(),
        };
        if !allowed.is_empty() && !allowed.iter().any(|t| is_type(value, t)) {
            problems.push(format!(
                "{path} should be {} but is {}",
                allowed.join(" or "),
                type_of(value)
            ));
            return;
        }
    }
    if let Some(options) = schema.get("enum").and_then(Json::as_array) {
        if !options.iter().any(|option| same(option, value)) {
            problems.push(format!("{path} should be one of {}", Json::Array(options.clone())));
        }
    }
    if let Some(constant) = schema.get("const") {
        if !same(constant, value) {
            problems.push(format!("{path} should be {constant}"));
        }
    }
    if let Some(any) = schema.get("anyOf").and_then(Json::as_array) {
        let fits = any.iter().any(|option| {
            let mut inner = Vec::new();
            check(value, option, path, &mut inner);
            inner.is_empty()
        });
        if !fits {
            problems.push(format!("{path} matches none of anyOf"));
        }
    }
    let bound = |name: &str| schema.get(name).and_then(Json::as_f64);
    match value {
        Json::Object(fields) => {
            for name in schema.get("required").and_then(Json::as_array).into_iter().flatten() {
                if let Some(name) = name.as_str().filter(|n| !fields.contains_key(*n)) {
                    problems.push(format!("{path}.{name} is required"));
                }
            }
            let properties = schema.get("properties").and_then(Json::as_object);
            for (name, field) in fields {
                let inner = format!("{path}.{name}");
                match (properties.and_then(|p| p.get(name)), schema.get("additionalProperties")) {
                    (Some(property), _) => check(field, property, &inner, problems),
                    (None, Some(Json::Bool(false))) => {
                        problems.push(format!("{inner} is not allowed"))
                    }
                    (None, Some(extra @ Json::Object(_))) => check(field, extra, &inner, problems),
                    (None, _) => {}
                }
            }
        }
        Json::Array(items) => {
            if let Some(item) = schema.get("items") {
                for (i, element) in items.iter().enumerate() {
                    check(element, item, &format!("{path}[{i}]"), problems);
                }
            }
            let len = items.len() as f64;
            if bound("minItems").is_some_and(|min| len < min) {
                problems
                    .push(format!("{path} should have at least {} items", fmt(bound("minItems"))));
            }
            if bound("maxItems").is_some_and(|max| len > max) {
                problems
                    .push(format!("{path} should have at most {} items", fmt(bound("maxItems"))));
            }
        }
        Json::String(text) => {
            let len = text.chars().count() as f64;
            if bound("minLength").is_some_and(|min| len < min) {
                problems.push(format!(
                    "{path} should be at least {} characters",
                    fmt(bound("minLength"))
                ));
            }
            if bound("maxLength").is_some_and(|max| len > max) {
                problems.push(format!(
                    "{path} should be at most {} characters",
                    fmt(bound("maxLength"))
                ));
            }
        }
        Json::Number(number) => {
            let n = number.as_f64().unwrap_or(f64::NAN);
            let limits = [
                ("minimum", n >= bound("minimum").unwrap_or(f64::NEG_INFINITY), "at least"),
                ("maximum", n <= bound("maximum").unwrap_or(f64::INFINITY), "at most"),
                (
                    "exclusiveMinimum",
                    n > bound("exclusiveMinimum").unwrap_or(f64::NEG_INFINITY),
                    "over",
                ),
                (
                    "exclusiveMaximum",
                    n < bound("exclusiveMaximum").unwrap_or(f64::INFINITY),
                    "under",
                ),
            ];
            for (name, holds, words) in limits {
                if !holds {
                    problems.push(format!("{path} should be {words} {}", fmt(bound(name))));
                }
            }
        }
        _ => {}
    }
}

/// Whether two JSON values are equal as JSON Schema's `enum` and `const` compare them: numbers by
/// their value (`1` is `1.0`), arrays and objects by their elements.
fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn fmt(bound: Option<f64>) -> String {
    bound.map(atomiton_core::value::js_number).unwrap_or_default()
}

fn is_type(value: &Json, name: &str) -> bool {
    match name {
        "integer" => value.as_f64().is_some_and(|n| n.fract() == 0.0),
        "number" => value.is_number(),
        other => type_of(value) == other,
    }
}

fn type_of(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::answer;

    fn schema() -> serde_json::Value {
        serde_json::json!({
            "type": "object",
            "properties": {
                "sentiment": {"type": "string", "enum": ["positive", "negative"]},
                "score": {"type": "integer", "minimum": 1, "maximum": 5},
                "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2}
            },
            "required": ["sentiment", "score"],
            "additionalProperties": false
        })
    }

    #[test]
    fn a_matching_answer_is_its_json() {
        let value =
            answer("```json\n{\"sentiment\":\"positive\",\"score\":4}\n```", Some(&schema()));
        assert_eq!(value.map(|v| v.get("score").and_then(|s| s.as_f64())), Ok(Some(4.0)));
    }

    #[test]
    fn what_is_wrong_is_said_by_path() {
        let problems = answer(
            r#"{"sentiment":"meh","score":9.5,"tags":["a",1,"c"],"extra":true}"#,
            Some(&schema()),
        )
        .unwrap_err();
        for expected in [
            "$.sentiment should be one of [\"positive\",\"negative\"]",
            "$.score should be integer but is number",
            "$.tags[1] should be string but is number",
            "$.tags should have at most 2 items",
            "$.extra is not allowed",
        ] {
            assert!(problems.contains(expected), "{expected} in {problems}");
        }
        assert_eq!(
            answer("{\"score\": 3}", Some(&schema())).unwrap_err(),
            "$.sentiment is required"
        );
        assert!(answer("not json", None).unwrap_err().starts_with("it is not JSON"));
    }

    #[test]
    fn enum_and_const_compare_numbers_by_value() {
        let schema = serde_json::json!({
            "type": "object",
            "properties": {
                "stars": {"enum": [1, 2, 3]},
                "unit": {"const": {"scale": [1, 10]}}
            }
        });
        assert!(answer(r#"{"stars": 2.0, "unit": {"scale": [1.0, 10]}}"#, Some(&schema)).is_ok());
        let problems =
            answer(r#"{"stars": 2.5, "unit": {"scale": [1, 11]}}"#, Some(&schema)).unwrap_err();
        assert!(problems.contains("$.stars should be one of [1,2,3]"), "{problems}");
        assert!(problems.contains("$.unit should be {\"scale\":[1,10]}"), "{problems}");
    }
}
