//! `switch` parameters, ports and catalog entry.

use std::sync::LazyLock;

use crate::json;
use crate::nodes::descriptor::{Environment, NodeDescriptor, PortSpec};
use crate::nodes::schema::{ExpressionForm, NodeSchema, ParamKind, ParamSpec};
use crate::value::Map;

/// `value` and the cases' conditions without an arrow are expressions of `item`, the input value.
pub(super) const IMPLICIT: &[&str] = &["item"];

/// The port a value no case matches leaves from, unless `default` names another.
pub(super) const DEFAULT_PORT: &str = "default";

pub(super) static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| {
    NodeSchema::new(vec![
        ParamSpec::new("cases", ParamKind::Array)
            .describe("The cases, in order: `{name, condition}` (a condition over the input value) or `{name, equals}` (a value `value` must equal)")
            .note("Each case's name is its output port; names are unique"),
        ParamSpec::new("value", ParamKind::Expression(ExpressionForm::Function { implicit: IMPLICIT }))
            .optional()
            .describe("What the cases' `equals` compare with: an expression of the input value (default: the value itself)"),
        ParamSpec::new("default", ParamKind::text_min(1))
            .default(|| json!(DEFAULT_PORT))
            .describe("The port a value no case matches leaves from"),
        ParamSpec::new("mode", ParamKind::Enum(&["first", "all"]))
            .default(|| json!("first"))
            .describe("first: out of the first case that matches; all: out of every case that matches"),
    ])
    .reads_inputs(&["*"])
});

fn parameters() -> Map {
    Map::from_iter([(
        "cases".to_owned(),
        json!([{"name": "case1", "condition": "item => Boolean(item)"}]),
    )])
}

pub(super) static DESCRIPTOR: NodeDescriptor = NodeDescriptor {
    node_type: "switch",
    name: "Switch",
    description:
        "Send the input out of the port of the case it matches, or out of the default port",
    category: "logic",
    icon: "git-branch",
    keywords: &["switch", "case", "route", "branch", "match", "router"],
    environment: Environment::Everywhere,
    parameters,
    input_ports: &[PortSpec::input("data", "Data", "any").main()],
    output_ports: &[PortSpec::output("default", "Default", "any")
        .describe("The input, when no case matches; each case adds a port of its name")],
};
