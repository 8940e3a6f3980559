//! Checking parameter values against a schema, with Zod-like messages.

use crate::value::{Map, Value};

use super::{ExpressionForm, NodeSchema, ParamKind, ParamSpec, TextFormat};
use crate::nodes::ParameterIssue;

pub(super) fn check(schema: &NodeSchema, params: &Map) -> Vec<ParameterIssue> {
    let mut issues = Vec::new();
    // Issues of the type's own parameters, by the parameter's place: reported in the schema's
    // order whatever the order the node sets them in.
    let mut own: Vec<(usize, ParameterIssue)> = Vec::new();
    // Which of the first 64 parameters the node sets (no type has more; past them, `get`).
    let mut set = 0u64;
    for (key, value) in params.iter() {
        let key: &str = key;
        let index = match schema.lookup(key) {
            None => {
                issues.push(ParameterIssue::unknown(key, unknown(schema, key, value, params)));
                continue;
            }
            Some(None) => continue,
            Some(Some(index)) => index,
        };
        if index < 64 {
            set |= 1 << index;
        }
        let Some(spec) = schema.params.get(index) else { continue };
        let mut found = Vec::new();
        match value {
            Value::Null if spec.may_be_absent() => {}
            Value::Null => found
                .push(ParameterIssue::new(spec.name, spec.required_message.unwrap_or("Required"))),
            value => check_value(spec, spec.name, value, params, &mut found),
        }
        own.extend(found.into_iter().map(|issue| (index, issue)));
    }
    for (index, spec) in schema.params.iter().enumerate() {
        let given =
            if index < 64 { set & (1 << index) != 0 } else { params.contains_key(spec.name) };
        if !given && !spec.may_be_absent() {
            own.push((
                index,
                ParameterIssue::new(spec.name, spec.required_message.unwrap_or("Required")),
            ));
        }
    }
    own.sort_by_key(|(index, _)| *index);
    issues.extend(own.into_iter().map(|(_, issue)| issue));
    issues
}

/// What to say of parameter `key`, which the type does not know: the parameter it probably
/// meant. The type's own come first — one whose kind takes the value given before one that does
/// not, and a name that ends with the key counts (`timeOut` on a wait is its `waitTimeout`) —
/// and when an engine parameter is near too, the message says what that one is: it would be
/// taken, and do something else.
fn unknown(schema: &NodeSchema, key: &str, value: &Value, params: &Map) -> String {
    use crate::options::suggest::{closeness, nearest};
    let wanted = key.to_lowercase();
    let own = schema
        .params
        .iter()
        .filter_map(|spec| {
            let name = spec.name.to_lowercase();
            let score = closeness(&wanted, &name)
                .or_else(|| (wanted.len() >= 4 && name.ends_with(&wanted)).then_some(2))?;
            let mut found = Vec::new();
            check_value(spec, spec.name, value, params, &mut found);
            Some((!found.is_empty(), score, spec.name))
        })
        .min()
        .map(|(_, _, name)| name);
    let engine = nearest(key, super::ENGINE_PARAMS.iter().copied());
    match (own, engine) {
        (Some(own), Some(engine)) => format!(
            "unknown parameter '{key}' (did you mean '{own}'? '{engine}' is {})",
            super::engine_param_meaning(engine)
        ),
        (Some(meant), None) | (None, Some(meant)) => {
            format!("unknown parameter '{key}' (did you mean '{meant}'?)")
        }
        (None, None) => format!("unknown parameter '{key}'"),
    }
}

/// Zod's name for a value's type in "Expected X, received Y".
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::Undefined => "undefined",
        Value::Ext(ext) => match **ext {
            crate::value::Ext::Hole => "undefined",
            crate::value::Ext::BigInt(_) => "bigint",
            crate::value::Ext::String16(_) => "string",
            crate::value::Ext::Date(_) => "date",
            crate::value::Ext::Map(_) => "map",
            crate::value::Ext::Set(_) => "set",
            _ => "object",
        },
    }
}

fn expected(what: &str, value: &Value) -> String {
    format!("Expected {what}, received {}", type_name(value))
}

fn check_value(
    spec: &ParamSpec,
    field: &str,
    value: &Value,
    params: &Map,
    issues: &mut Vec<ParameterIssue>,
) {
    let mut issue = |message: String| issues.push(ParameterIssue::new(field, message));
    match &spec.kind {
        ParamKind::Text { min_len, format } => {
            let Some(text) = value.as_str() else { return issue(expected("string", value)) };
            if text.chars().count() < *min_len {
                return issue(spec.required_message.map_or_else(
                    || format!("String must contain at least {min_len} character(s)"),
                    str::to_owned,
                ));
            }
            match format {
                TextFormat::Url if !is_url(text) => issue("Must be a valid URL".to_owned()),
                TextFormat::Email if !is_email(text) => issue("Invalid email".to_owned()),
                _ => {}
            }
        }
        ParamKind::Number { min, max, exclusive_min, integer } => {
            let Some(n) = value.as_f64() else { return issue(expected("number", value)) };
            if *integer && n.fract() != 0.0 {
                return issue("Expected integer, received float".to_owned());
            }
            if let Some(min) = min {
                if *exclusive_min && n <= *min {
                    return issue(format!("Number must be greater than {}", num(*min)));
                }
                if !*exclusive_min && n < *min {
                    return issue(format!("Number must be greater than or equal to {}", num(*min)));
                }
            }
            if let Some(max) = max {
                if n > *max {
                    issue(format!("Number must be less than or equal to {}", num(*max)));
                }
            }
        }
        ParamKind::Boolean => {
            if !value.is_boolean() {
                issue(expected("boolean", value));
            }
        }
        ParamKind::Enum(options) => {
            if !value.as_str().is_some_and(|v| options.contains(&v)) {
                let expected =
                    options.iter().map(|o| format!("'{o}'")).collect::<Vec<_>>().join(" | ");
                issue(format!(
                    "Invalid enum value. Expected {expected}, received {}",
                    display(value)
                ));
            }
        }
        ParamKind::StringList { min_items } => check_string_list(field, value, *min_items, issues),
        ParamKind::StringListOrJson => match value {
            Value::String(text) => match serde_json::from_str::<Value>(text) {
                Ok(parsed @ Value::Array(_)) => check_string_list(field, &parsed, 0, issues),
                _ => issue("Expected an array of strings or its JSON text".to_owned()),
            },
            other => check_string_list(field, other, 0, issues),
        },
        ParamKind::Array => {
            if !value.is_array() {
                issue(expected("array", value));
            }
        }
        ParamKind::RecordOrJson => match value {
            Value::Object(_) => {}
            Value::String(text)
                if serde_json::from_str::<Value>(text).is_ok_and(|v| v.is_object()) => {}
            Value::String(_) => issue("Expected an object or its JSON text".to_owned()),
            other => issue(expected("object", other)),
        },
        ParamKind::StringRecordOrJson => match value {
            Value::Object(map) => check_string_record(field, map, issues),
            Value::String(text) => match serde_json::from_str::<Value>(text) {
                Ok(Value::Object(map)) => check_string_record(field, &map, issues),
                _ => issue("Expected an object or its JSON text".to_owned()),
            },
            other => issue(expected("object", other)),
        },
        ParamKind::Expression(form) => {
            let Some(source) = value.as_str() else { return issue(expected("string", value)) };
            let form = form.for_operation(params.get("operation").and_then(Value::as_str));
            if let Some(error) = expression_error(form, source) {
                issue(format!("Invalid expression: {error}"));
            }
        }
        ParamKind::Any => {}
        ParamKind::Only { json, why } => {
            // The accepted values are scalars: their JSON text compared (no deep equality).
            let given = match value {
                Value::String(text) => serde_json::to_string(text.as_str()).unwrap_or_default(),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => crate::format::js_number(n.get()),
                _ => String::new(),
            };
            if given != *json {
                issue(format!("only {json} is accepted: {why}"));
            }
        }
    }
}

fn check_string_list(
    field: &str,
    value: &Value,
    min_items: usize,
    issues: &mut Vec<ParameterIssue>,
) {
    let Some(items) = value.as_array() else {
        return issues.push(ParameterIssue::new(field, expected("array", value)));
    };
    if items.len() < min_items {
        issues.push(ParameterIssue::new(
            field,
            format!("Array must contain at least {min_items} element(s)"),
        ));
    }
    // Items are file paths, or the files' contents as binary data.
    for (i, item) in items.iter().enumerate() {
        if !item.is_string() && item.as_bytes().is_none() {
            issues.push(ParameterIssue::new(format!("{field}.{i}"), expected("string", item)));
        }
    }
}

fn check_string_record(field: &str, map: &Map, issues: &mut Vec<ParameterIssue>) {
    for (key, value) in map {
        if !value.is_string() {
            issues.push(ParameterIssue::new(format!("{field}.{key}"), expected("string", value)));
        }
    }
}

/// The syntax error of an expression parameter, if any.
fn expression_error(form: ExpressionForm, source: &str) -> Option<String> {
    super::expression::syntax_error(form, source)
}

/// `new URL(text)` succeeds: a scheme (letter, then letters, digits, `+ - .`), a colon and
/// something after it; hierarchical schemes need a host.
pub(crate) fn is_url(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once(':') else { return false };
    let mut chars = scheme.chars();
    let scheme_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !scheme_ok || rest.is_empty() || text.chars().any(char::is_whitespace) {
        return false;
    }
    match scheme.to_ascii_lowercase().as_str() {
        "http" | "https" | "ws" | "wss" | "ftp" => {
            rest.strip_prefix("//").is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        }
        _ => true,
    }
}

fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else { return false };
    !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
}

fn num(n: f64) -> String {
    crate::format::js_number(n)
}

fn display(value: &Value) -> String {
    match value {
        Value::String(s) => format!("'{s}'"),
        other => other.to_string(),
    }
}
