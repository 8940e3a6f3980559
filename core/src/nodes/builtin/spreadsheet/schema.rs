//! `spreadsheet` parameters, UI fields, ports and catalog entry (reference §7).

use std::sync::LazyLock;

use serde_json::{Map, Value};

use crate::catalog::{Environment, NodeDescriptor};
use crate::nodes::schema::NodeSchema;

pub(super) static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| NodeSchema::new(vec![]));

fn parameters() -> Map<String, Value> {
    Map::new()
}

pub(super) static DESCRIPTOR: NodeDescriptor = NodeDescriptor {
    node_type: "spreadsheet",
    name: "Spreadsheet Reader",
    description: "Spreadsheet Reader",
    category: "io",
    icon: "table-2",
    keywords: &[],
    environment: Environment::Mixed,
    parameters,
    input_ports: &[],
    output_ports: &[],
};
