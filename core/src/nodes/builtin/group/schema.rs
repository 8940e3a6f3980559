//! `group` parameters, UI fields, ports and catalog entry.
//!
//! The group's own `timeout` and `retries` are narrower than the base parameters of the same
//! names (the engine still checks those for every type), and its fields are hand-written: its
//! three keys only, without base fields.

use std::sync::LazyLock;

use crate::json;
use crate::value::Map;

use crate::catalog::{Environment, NodeDescriptor, PortSpec};
use crate::nodes::schema::{FieldOverrides, NodeSchema, ParamKind, ParamSpec};

pub(super) static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| {
    NodeSchema::new(vec![
        ParamSpec::new("timeout", ParamKind::number_range(1000.0, 300000.0))
            .default(|| json!(30000))
            .describe("Maximum execution time in milliseconds")
            .ui(FieldOverrides::NONE.control("number").label("Timeout (ms)")),
        ParamSpec::new("retries", ParamKind::number_range(0.0, 10.0))
            .default(|| json!(1))
            .describe("Number of retry attempts on failure")
            .ui(FieldOverrides::NONE.control("number").label("Retries")),
        ParamSpec::new("parallel", ParamKind::Boolean)
            .default(|| json!(false))
            .describe("Execute child nodes in parallel when possible")
            .ui(FieldOverrides::NONE.control("boolean").label("Parallel Execution")),
    ])
    .without_base_fields()
    .without_derived_hints()
});

fn parameters() -> Map {
    Map::from_iter([
        ("timeout".to_owned(), json!(30000)),
        ("retries".to_owned(), json!(1)),
        ("parallel".to_owned(), json!(false)),
    ])
}

pub(super) static DESCRIPTOR: NodeDescriptor = NodeDescriptor {
    node_type: "group",
    name: "Group",
    description: "Group nodes into a sub-flow that runs as one node",
    category: "group",
    icon: "git-branch",
    keywords: &["group", "container", "nodes", "nested", "collection"],
    environment: Environment::Everywhere,
    parameters,
    input_ports: &[PortSpec::input("trigger", "Trigger", "any").with_type("trigger")],
    output_ports: &[PortSpec::output("result", "Result", "any")],
};
