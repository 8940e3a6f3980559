//! `wait` parameters, UI fields, ports and catalog entry, and the checks that depend on the
//! mode (a parameter the mode does not read is refused, never ignored).

use std::sync::LazyLock;

use crate::json;
use crate::nodes::descriptor::{Environment, NodeDescriptor, PortSpec};
use crate::nodes::schema::{FieldOverrides, NodeSchema, ParamKind, ParamSpec};
use crate::nodes::ParameterIssue;
use crate::value::{Map, Value};

/// The modes, as `mode` takes them.
pub(super) const MODES: &[&str] = &["duration", "until", "signal", "approval"];

pub(super) static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| {
    NodeSchema::new(vec![
        ParamSpec::new("mode", ParamKind::Enum(MODES))
            .default(|| json!("duration"))
            .describe("What the run waits for")
            .note(
                "duration: a time span (`duration`); until: a date (`until`); signal: a named \
                 signal (`executions.signal`), its payload the node's output; approval: an \
                 approval or a rejection (`executions.approve`). A durable run parks at the \
                 node (status `waiting`, nothing held in memory) and goes on when it is woken; \
                 a run that is not durable holds a time wait, and cannot wait for a signal or \
                 an approval",
            )
            .ui(FieldOverrides::NONE.label("Wait for")),
        ParamSpec::new("duration", ParamKind::number_min(0.0))
            .optional()
            .describe("How long to wait, in milliseconds (mode duration)"),
        ParamSpec::new("until", ParamKind::Any)
            .optional()
            .describe("When to go on (mode until): an ISO 8601 date with its offset, or ms since the Unix epoch")
            .note("A date in the past goes on at once"),
        ParamSpec::new("signal", ParamKind::text_min(1))
            .optional()
            .describe("The signal's name (mode signal)"),
        ParamSpec::new("payloadSchema", ParamKind::Any)
            .optional()
            .describe("The JSON Schema a signal's payload must pass (mode signal)")
            .note(
                "The subset read: type (string, number, integer, boolean, object, array, null, \
                 or a list of them), required, properties, items, enum. A payload that fails \
                 it is refused with VALIDATION_FAILED, and the run keeps waiting",
            ),
        ParamSpec::new("waitTimeout", ParamKind::positive())
            .optional()
            .describe("Give up after this many milliseconds (modes signal and approval)"),
        ParamSpec::new("onTimeout", ParamKind::Enum(&["fail", "continue"]))
            .default(|| json!("fail"))
            .describe("When waitTimeout passes: fail the run (TIMEOUT), or go on with {timedOut: true}"),
        ParamSpec::new("onReject", ParamKind::Enum(&["fail", "continue"]))
            .default(|| json!("fail"))
            .describe("When the approval is rejected: fail the run, or go on with {approved: false, ...}"),
    ])
    // What it waits on arrives from outside; its input passes through a time wait.
    .reads_inputs(&["*"])
});

/// The parameters each mode reads, beyond `mode` and the engine's own.
fn reads(mode: &str) -> &'static [&'static str] {
    match mode {
        "duration" => &["duration"],
        "until" => &["until"],
        "signal" => &["signal", "payloadSchema", "waitTimeout", "onTimeout"],
        _ => &["waitTimeout", "onTimeout", "onReject"],
    }
}

/// Checks that depend on the mode: what it needs is there, and nothing it would ignore is.
pub(super) fn mode_issues(parameters: &Map) -> Vec<ParameterIssue> {
    let mode = parameters.get("mode").and_then(Value::as_str).unwrap_or("duration");
    let mut issues = Vec::new();
    let needs = match mode {
        "duration" => Some("duration"),
        "until" => Some("until"),
        "signal" => Some("signal"),
        _ => None,
    };
    if let Some(needed) = needs {
        if parameters.get(needed).is_none_or(Value::is_null) {
            issues.push(ParameterIssue::new(
                needed,
                format!("A wait in mode '{mode}' needs '{needed}'"),
            ));
        }
    }
    let read = reads(mode);
    for name in
        ["duration", "until", "signal", "payloadSchema", "waitTimeout", "onTimeout", "onReject"]
    {
        let given = parameters.get(name).is_some_and(|v| !v.is_null());
        // A default the editor wrote is not a choice the user made.
        let defaulted = SCHEMA.default_value(name).is_some_and(|d| parameters.get(name) == Some(d));
        if given && !defaulted && !read.contains(&name) {
            issues.push(ParameterIssue::new(
                name,
                format!(
                    "'{name}' is not read by a wait in mode '{mode}' (it reads {})",
                    list(read)
                ),
            ));
        }
    }
    if let Some(until) = parameters.get("until").filter(|v| !v.is_null()) {
        if let Err(message) = super::until::until_ms(until) {
            issues.push(ParameterIssue::new("until", message));
        }
    }
    if let Some(schema) = parameters.get("payloadSchema").filter(|v| !v.is_null()) {
        if let Err(message) = super::payload::check_schema(schema) {
            issues.push(ParameterIssue::new("payloadSchema", message));
        }
    }
    issues
}

fn list(names: &[&str]) -> String {
    names.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ")
}

fn parameters() -> Map {
    Map::from_iter([("mode".to_owned(), json!("approval"))])
}

pub(super) static DESCRIPTOR: NodeDescriptor = NodeDescriptor {
    node_type: "wait",
    name: "Wait",
    description: "Wait for a time, a signal or an approval; a durable run is parked meanwhile",
    category: "logic",
    icon: "hourglass",
    keywords: &["wait", "delay", "sleep", "approval", "signal", "human", "pause"],
    environment: Environment::Everywhere,
    parameters,
    input_ports: &[PortSpec::input("trigger", "Trigger", "any").with_type("trigger")],
    output_ports: &[PortSpec::output("result", "Result", "any")],
};
