//! A switch's cases: reading them, checking them, and the ports they make.

use crate::expression::{Expression, Limits};
use crate::nodes::ParameterIssue;
use crate::value::{Map, Value};

use super::schema::{DEFAULT_PORT, IMPLICIT};

/// One case: its port, and what it tests.
pub(super) struct Case<'a> {
    pub name: &'a str,
    pub test: Test<'a>,
}

/// What a case tests.
pub(super) enum Test<'a> {
    /// A condition over the input value (its source).
    Condition(&'a str),
    /// A value the switch's `value` must equal (as JSON values are equal).
    Equals(&'a Value),
}

/// The cases, in order; `Err` names what is wrong with one.
pub(super) fn read(parameters: &Map) -> Result<Vec<Case<'_>>, ParameterIssue> {
    let Some(Value::Array(cases)) = parameters.get("cases") else {
        return Err(ParameterIssue::new("cases", "A switch needs its cases (an array)"));
    };
    let mut out = Vec::with_capacity(cases.len());
    for (i, case) in cases.iter().enumerate() {
        let field = format!("cases.{i}");
        let Value::Object(case) = case else {
            return Err(ParameterIssue::new(
                field,
                "A case is an object: {name, condition} or {name, equals}",
            ));
        };
        for key in case.keys() {
            if !["name", "condition", "equals"].contains(&key.as_str()) {
                return Err(ParameterIssue::unknown(
                    format!("{field}.{key}"),
                    format!(
                        "unknown case field '{key}' (a case has name, and condition or equals)"
                    ),
                ));
            }
        }
        let Some(name) = case.get("name").and_then(Value::as_str).filter(|n| !n.is_empty()) else {
            return Err(ParameterIssue::new(
                format!("{field}.name"),
                "A case needs a name (its output port)",
            ));
        };
        let test = match (case.get("condition"), case.get("equals")) {
            (Some(Value::String(source)), None) => Test::Condition(source),
            (None, Some(value)) => Test::Equals(value),
            (Some(_), Some(_)) => {
                return Err(ParameterIssue::new(
                    field,
                    "A case has a condition or equals, not both",
                ))
            }
            (Some(_), None) => {
                return Err(ParameterIssue::new(
                    format!("{field}.condition"),
                    "A condition is an expression (a string)",
                ))
            }
            (None, None) => {
                return Err(ParameterIssue::new(field, "A case needs a condition or equals"))
            }
        };
        out.push(Case { name, test });
    }
    Ok(out)
}

/// The switch's default port.
pub(super) fn default_port(parameters: &Map) -> &str {
    parameters
        .get("default")
        .and_then(Value::as_str)
        .filter(|p| !p.is_empty())
        .unwrap_or(DEFAULT_PORT)
}

/// Its output ports: each case's, then the default.
pub(super) fn port_names(parameters: &Map) -> Vec<String> {
    let mut names: Vec<String> =
        read(parameters).unwrap_or_default().iter().map(|c| c.name.to_owned()).collect();
    names.push(default_port(parameters).to_owned());
    names
}

/// What is wrong with the cases: their shape, a name used twice (or the default's), a condition
/// that does not compile.
pub(super) fn issues(parameters: &Map) -> Vec<ParameterIssue> {
    let cases = match read(parameters) {
        Ok(cases) => cases,
        Err(issue) => return vec![issue],
    };
    let default = default_port(parameters);
    let mut issues = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        if case.name == default || cases[..i].iter().any(|c| c.name == case.name) {
            issues.push(ParameterIssue::new(
                format!("cases.{i}.name"),
                format!(
                    "Port '{}' is named twice (case names and the default are the switch's ports)",
                    case.name
                ),
            ));
        }
        if let Test::Condition(source) = case.test {
            if let Err(e) =
                Expression::compile_function_shared(source, IMPLICIT, &Limits::default())
            {
                issues.push(ParameterIssue::new(
                    format!("cases.{i}.condition"),
                    format!("Invalid expression: {e}"),
                ));
            }
        }
    }
    issues
}
