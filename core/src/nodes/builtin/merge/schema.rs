//! `merge` parameters, ports and catalog entry.

use std::sync::LazyLock;

use crate::json;
use crate::nodes::descriptor::{Environment, NodeDescriptor, PortSpec};
use crate::nodes::schema::{NodeSchema, ParamKind, ParamSpec};
use crate::value::Map;

pub(super) static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| {
    NodeSchema::new(vec![
        ParamSpec::new("mode", ParamKind::Enum(&["all", "first", "append", "combine"]))
            .default(|| json!("all"))
            .describe("How the inputs are joined")
            .note(
                "all: when every input that can arrive has, an object of them by input name; \
                 first: the first input to arrive, at once; append: the inputs' lists (a value \
                 that is no list as one item) one after the other, in edge order; combine: the \
                 records of the inputs' lists combined by `key` (fields of later inputs over \
                 earlier ones), in first-seen order. An input whose branch was not taken is \
                 absent",
            ),
        ParamSpec::new("key", ParamKind::text_min(1))
            .optional()
            .describe("The field records are combined by (mode combine)"),
    ])
    // An edge names any input (its targetHandle); one without a name is `input1`, `input2`, ...
    .reads_inputs(&["*"])
});

fn parameters() -> Map {
    Map::from_iter([("mode".to_owned(), json!("all"))])
}

pub(super) static DESCRIPTOR: NodeDescriptor = NodeDescriptor {
    node_type: "merge",
    name: "Merge",
    description: "Join branches: all inputs, the first to arrive, lists appended, or records combined by a key",
    category: "logic",
    icon: "layers",
    keywords: &["merge", "join", "combine", "wait", "append", "union"],
    environment: Environment::Everywhere,
    parameters,
    input_ports: &[PortSpec::input("input1", "Input 1", "any")
        .describe("Any name: an edge without a targetHandle arrives as input1, input2, ... in edge order")],
    output_ports: &[PortSpec::output("result", "Result", "any")],
};
