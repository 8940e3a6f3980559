//! `group` parameters, UI fields, ports and catalog entry (reference §7).

use std::sync::LazyLock;

use serde_json::{Map, Value};

use crate::catalog::{Environment, NodeDescriptor};
use crate::nodes::schema::NodeSchema;

pub(super) static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| NodeSchema::new(vec![]));

fn parameters() -> Map<String, Value> {
    Map::new()
}

pub(super) static DESCRIPTOR: NodeDescriptor = NodeDescriptor {
    node_type: "group",
    name: "Group",
    description: "Group",
    category: "group",
    icon: "git-branch",
    keywords: &[],
    environment: Environment::Everywhere,
    parameters,
    input_ports: &[],
    output_ports: &[],
};
