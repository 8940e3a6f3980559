//! Catalog entries as `NodeDefinition` objects (what `createNodeDefinition` produced).

use atomiton_core::json;
use atomiton_core::value::{Map, Value};

use super::PortSpec;
use atomiton_core::format::defaults::{
    node_metadata_defaults, node_parameter_defaults, title_case,
};
use atomiton_core::nodes::{builtin_registry, NodeRegistry};

/// Every type the catalog lists: the built-ins, and the types capability crates declare
/// (`database`, `llm`, `email`), whichever builds link them.
pub fn catalog_registry() -> NodeRegistry {
    let mut registry = builtin_registry();
    registry.register(atomiton_database::node_type());
    registry.register(atomiton_llm::node_type());
    registry.register(atomiton_email::node_type());
    registry
}

fn port(spec: &PortSpec) -> Value {
    let mut port = Map::new();
    port.insert("id", json!(spec.id));
    port.insert("name", json!(spec.name));
    port.insert("type", json!(spec.port_type));
    port.insert("dataType", json!(spec.data_type));
    port.insert("required", json!(spec.required));
    port.insert("multiple", json!(spec.multiple));
    if let Some(description) = spec.description {
        port.insert("description", json!(description));
    }
    Value::Object(port)
}

/// The definition of one type from a registry, or `None` if it has no descriptor.
pub fn definition_from(registry: &NodeRegistry, node_type: &str) -> Option<Value> {
    let node = registry.get(node_type)?;
    let descriptor = node.descriptor()?;
    let mut metadata = Map::new();
    metadata.insert("id", json!(descriptor.node_type));
    metadata.insert("name", json!(descriptor.name));
    metadata.insert("description", json!(descriptor.description));
    metadata.insert("category", json!(descriptor.category));
    metadata.insert("icon", json!(descriptor.icon));
    if !descriptor.keywords.is_empty() {
        metadata.insert("keywords", json!(descriptor.keywords));
    }
    metadata.insert("runtime", json!({"language": "rust"}));
    let mut metadata = node_metadata_defaults(&metadata);
    metadata.insert("environment", json!(descriptor.environment.as_str()));
    metadata.insert("weight", json!(node.weight()));
    let fields = node.schema().map(|s| s.fields()).unwrap_or_default();
    Some(json!({
        "id": descriptor.node_type,
        "type": descriptor.node_type,
        "version": "1.0.0",
        "name": title_case(descriptor.name),
        "position": {"x": 0, "y": 0},
        "metadata": metadata,
        "parameters": node_parameter_defaults((descriptor.parameters)()),
        "fields": fields,
        "inputPorts": descriptor.input_ports.iter().map(port).collect::<Vec<_>>(),
        "outputPorts": descriptor.output_ports.iter().map(port).collect::<Vec<_>>(),
    }))
}

/// `getNodeDefinition(type)` for the built-in types.
pub fn node_definition(node_type: &str) -> Option<Value> {
    definition_from(&catalog_registry(), node_type)
}

/// `getAllNodeDefinitions()`: every built-in, the TypeScript engine's ten in its registry order,
/// then ours (`wait`, `python`, ...), so a palette built from it has every type.
pub fn all_node_definitions() -> Vec<Value> {
    let registry = catalog_registry();
    atomiton_core::nodes::BUILTIN_TYPES
        .iter()
        .chain(atomiton_core::nodes::OUR_TYPES)
        .filter_map(|t| definition_from(&registry, t))
        .collect()
}

/// `getNodeDefinitionsGroupedByCategory()`: `[{name, title, items}]` in first-seen order.
pub fn node_definitions_by_category() -> Vec<Value> {
    let mut groups: Vec<(String, Vec<Value>)> = Vec::new();
    for definition in all_node_definitions() {
        let category = definition["metadata"]["category"].as_str().unwrap_or("utility").to_owned();
        match groups.iter_mut().find(|(name, _)| *name == category) {
            Some((_, items)) => items.push(definition),
            None => groups.push((category, vec![definition])),
        }
    }
    groups
        .into_iter()
        .map(|(name, items)| json!({"name": name, "title": title_case(&name), "items": items}))
        .collect()
}
