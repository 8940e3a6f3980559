//! `group` parameters, UI fields, ports and catalog entry.
//!
//! The group's own `timeout` and `retries` are narrower than the base parameters of the same
//! names (the engine still checks those for every type), and its fields are hand-written: its
//! three keys only, without base fields. `timeout` and `retries` bound a group only when it is
//! empty (it then runs as a leaf): the TypeScript engine's factories wrote them on every group,
//! and flows saved with them would otherwise stop at 30 seconds.

use std::sync::LazyLock;

use crate::json;
use crate::value::Map;

use crate::nodes::descriptor::{Environment, NodeDescriptor, PortSpec};
use crate::nodes::schema::{FieldOverrides, NodeSchema, ParamKind, ParamSpec};

pub(super) static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| {
    NodeSchema::new(vec![
        ParamSpec::new("timeout", ParamKind::number_range(1000.0, 300000.0))
            .default(|| json!(30000))
            .describe("Maximum execution time in milliseconds")
            .note(
                "Bounds an empty group (which runs as a leaf). A group with children is not \
                 bounded by it — the TypeScript engine's factories wrote 30000 on every group, \
                 and flows saved with it would stop at 30 seconds: bound a run with the \
                 conductor's or the run's timeout",
            )
            .ui(FieldOverrides::NONE.control("number").label("Timeout (ms)")),
        ParamSpec::new("retries", ParamKind::number_range(0.0, 10.0))
            .default(|| json!(1))
            .describe("Number of retry attempts on failure")
            .note(
                "Retries an empty group (which runs as a leaf). A group with children is not \
                 retried as a whole: its nodes' own retries are",
            )
            .ui(FieldOverrides::NONE.control("number").label("Retries")),
        ParamSpec::new("parallel", ParamKind::Boolean)
            .default(|| json!(true))
            .describe("Execute child nodes in parallel when possible")
            .note(
                "true (the default): independent children run at once, up to the conductor's \
                 concurrency; false: one at a time, in the flow's sequential order",
            )
            .ui(FieldOverrides::NONE.control("boolean").label("Parallel Execution")),
    ])
    .without_base_fields()
    .without_derived_hints()
    // An empty group passes on whatever it is given.
    .reads_inputs(&["*"])
});

fn parameters() -> Map {
    Map::from_iter([
        ("timeout".to_owned(), json!(30000)),
        ("retries".to_owned(), json!(1)),
        ("parallel".to_owned(), json!(true)),
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
