//! `python` parameters, UI fields, ports and catalog entry, and the checks of where its
//! function comes from (exactly one of `code` and `module`).

use std::sync::LazyLock;

use crate::json;
use crate::nodes::descriptor::{Environment, NodeDescriptor, PortSpec};
use crate::nodes::schema::{FieldOverrides, NodeSchema, ParamKind, ParamSpec};
use crate::nodes::ParameterIssue;
use crate::value::{Map, Value};

pub static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| {
    NodeSchema::new(vec![
        ParamSpec::new("code", ParamKind::text_min(1))
            .optional()
            .describe("Python source defining the function to call (or set module)")
            .ui(FieldOverrides::NONE
                .control("textarea")
                .placeholder("def main(data):\n    return data")
                .rows(8)),
        ParamSpec::new("module", ParamKind::text_min(1))
            .optional()
            .describe("A .py file defining the function (or set code); relative to the conductor's workingDirectory")
            .ui(FieldOverrides::NONE.control("text").placeholder("scripts/stats.py")),
        ParamSpec::new("function", ParamKind::text_min(1))
            .default(|| json!("main"))
            .describe("The function's name")
            .note("Called as function(data, **arguments); what it returns is the node's output"),
        ParamSpec::new("data", ParamKind::Any)
            .optional()
            .describe("The function's first argument; usually delivered by an edge to the data input")
            .ui(FieldOverrides::NONE.hidden()),
        ParamSpec::new("arguments", ParamKind::RecordOrJson)
            .optional()
            .describe("Keyword arguments for the function (an object, or its JSON text)")
            .ui(FieldOverrides::NONE.control("textarea").rows(3)),
    ])
    .reads_inputs(&["data"])
});

/// Where the function comes from: exactly one of `code` and `module`, and a function name
/// Python can call.
pub(super) fn source_issues(parameters: &Map) -> Vec<ParameterIssue> {
    let given = |name: &str| parameters.get(name).is_some_and(|v| !v.is_null());
    let mut issues = Vec::new();
    match (given("code"), given("module")) {
        (false, false) => issues.push(ParameterIssue::new(
            "code",
            "A python node needs 'code' (the function's source) or 'module' (a .py file)",
        )),
        (true, true) => issues.push(ParameterIssue::new(
            "module",
            "A python node takes 'code' or 'module', not both: which one would it call?",
        )),
        _ => {}
    }
    let function = parameters.get("function").and_then(Value::as_str).unwrap_or("main");
    if !is_identifier(function) {
        issues.push(ParameterIssue::new(
            "function",
            format!("'{function}' is not a Python function name"),
        ));
    }
    issues
}

/// A Python identifier in ASCII (what a function a flow names is called).
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

fn parameters() -> Map {
    Map::from_iter([
        ("code".to_owned(), json!("def main(data):\n    return data\n")),
        ("function".to_owned(), json!("main")),
        ("timeout".to_owned(), json!(30000)),
    ])
}

pub(super) static DESCRIPTOR: NodeDescriptor = NodeDescriptor {
    node_type: "python",
    name: "Python",
    description: "Call a Python function on the node's data, in a worker process",
    category: "system",
    icon: "code",
    keywords: &["python", "script", "code", "function", "statistics", "pandas", "csv"],
    environment: Environment::NativeOnly,
    parameters,
    input_ports: &[PortSpec::input("data", "Data", "any").describe("The function's first argument")],
    output_ports: &[PortSpec::output("result", "Result", "any")],
};
