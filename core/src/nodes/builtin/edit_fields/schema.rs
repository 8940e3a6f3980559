//! `edit-fields` parameters, UI fields, ports and catalog entry.

use std::sync::LazyLock;

use crate::json;
use crate::value::Map;

use crate::nodes::descriptor::{Environment, NodeDescriptor, PortSpec};
use crate::nodes::schema::{FieldOverrides, NodeSchema, ParamKind, ParamSpec};

pub(super) static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| {
    NodeSchema::new(vec![
        ParamSpec::new("values", ParamKind::RecordOrJson)
            .default(|| json!({}))
            .describe("Fields to set; string values are templates: {{ path }}, {{$now}}")
            .ui(FieldOverrides::NONE
                .control("code")
                .placeholder("{\"field\": \"value\"}")
                .rows(10)),
        ParamSpec::new("keepOnlySet", ParamKind::Boolean)
            .default(|| json!(false))
            .describe("Output only the fields set here, dropping the input's"),
        ParamSpec::new("forEachItem", ParamKind::Boolean)
            .default(|| json!(false))
            .describe("Edit each item of the input array"),
        ParamSpec::new("data", ParamKind::Any)
            .optional()
            .note("The object to edit (or, with forEachItem, the array) when no edge delivers one")
            .ui(FieldOverrides::NONE.hidden()),
    ])
    .reads_inputs(&["data"])
});

fn parameters() -> Map {
    let values = json!({
        "message": "Hello World from Atomiton!",
        "timestamp": "{{$now}}",
        "author": "Atomiton Flow System",
    });
    Map::from_iter([("values".to_owned(), values), ("keepOnlySet".to_owned(), json!(false))])
}

pub(super) static DESCRIPTOR: NodeDescriptor = NodeDescriptor {
    node_type: "edit-fields",
    name: "Edit Fields",
    description: "Set, add or overwrite fields on the input object, with {{ }} templates",
    category: "data",
    icon: "pencil-line",
    keywords: &[],
    environment: Environment::Everywhere,
    parameters,
    input_ports: &[PortSpec::input("data", "Data", "object")],
    output_ports: &[PortSpec::output("data", "Data", "object").of_field("result")],
};
