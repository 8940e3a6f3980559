//! `sub-flow` parameters, ports and catalog entry.

use std::sync::LazyLock;

use crate::json;
use crate::nodes::descriptor::{Environment, NodeDescriptor, PortSpec};
use crate::nodes::schema::{NodeSchema, ParamKind, ParamSpec};
use crate::value::Map;

pub(super) static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| {
    NodeSchema::new(vec![
        ParamSpec::new("flowId", ParamKind::text_min(1))
            .describe("The id of the flow to run: a saved flow's (storage) or a bundled template's"),
        ParamSpec::new("input", ParamKind::Any)
            .optional()
            .describe("The called flow's input (its nodes without incoming edges read it); default: this node's input"),
    ])
    .reads_inputs(&["*"])
});

fn parameters() -> Map {
    Map::from_iter([("flowId".to_owned(), json!(""))])
}

pub(super) static DESCRIPTOR: NodeDescriptor = NodeDescriptor {
    node_type: "sub-flow",
    name: "Sub Flow",
    description: "Run a saved flow by its id, with an input, and give its result",
    category: "logic",
    icon: "layers",
    keywords: &["sub", "flow", "call", "reuse", "workflow", "execute"],
    environment: Environment::Everywhere,
    parameters,
    input_ports: &[PortSpec::input("input", "Input", "any").main()],
    output_ports: &[
        PortSpec::output("result", "Result", "any").describe("The called flow's result")
    ],
};
