//! Hand-written serde for `NodeDefinition`.
//!
//! Why not derive: `#[serde(flatten)]` buffers the whole object (including a 100k-item
//! `parameters.data`) through an intermediate representation, and a derived impl would turn a
//! `null` or mistyped known field into a hard parse error instead of keeping it for the validator
//! to report. Each recursive step runs under the stack guard so arbitrarily deep flows parse.

use crate::value::{Map, Value};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{NodeDefinition, NodeEdge, NodeMetadata, NodePort};
use crate::value::deep::guard;

impl Serialize for NodeDefinition {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        guard(|| {
            let mut map = serializer.serialize_map(None)?;
            if let Some(v) = &self.id {
                map.serialize_entry("id", v)?;
            }
            if let Some(v) = &self.node_type {
                map.serialize_entry("type", v)?;
            }
            if let Some(v) = &self.version {
                map.serialize_entry("version", v)?;
            }
            if let Some(v) = &self.parent_id {
                map.serialize_entry("parentId", v)?;
            }
            if let Some(v) = &self.name {
                map.serialize_entry("name", v)?;
            }
            if let Some(v) = &self.position {
                map.serialize_entry("position", v)?;
            }
            if let Some(v) = &self.metadata {
                map.serialize_entry("metadata", v)?;
            }
            if let Some(v) = &self.parameters {
                map.serialize_entry("parameters", v)?;
            }
            if let Some(v) = &self.fields {
                map.serialize_entry("fields", v)?;
            }
            if let Some(v) = &self.input_ports {
                map.serialize_entry("inputPorts", v)?;
            }
            if let Some(v) = &self.output_ports {
                map.serialize_entry("outputPorts", v)?;
            }
            if let Some(v) = &self.nodes {
                map.serialize_entry("nodes", v)?;
            }
            if let Some(v) = &self.edges {
                map.serialize_entry("edges", v)?;
            }
            for (key, value) in &self.extra {
                map.serialize_entry(key, value)?;
            }
            map.end()
        })
    }
}

impl<'de> Deserialize<'de> for NodeDefinition {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        guard(|| deserializer.deserialize_map(DefinitionVisitor))
    }
}

struct DefinitionVisitor;

impl<'de> Visitor<'de> for DefinitionVisitor {
    type Value = NodeDefinition;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a node definition object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<NodeDefinition, A::Error> {
        let mut node = NodeDefinition::default();
        while let Some(key) = access.next_key::<String>()? {
            if key == "nodes" {
                match access.next_value_seed(ChildrenSeed)? {
                    Some(children) => {
                        node.extra.shift_remove(key.as_str());
                        node.nodes = Some(children);
                    }
                    None => {
                        node.nodes = None;
                        node.extra.insert(key, Value::Null);
                    }
                }
                continue;
            }
            let value: Value = access.next_value()?;
            assign(&mut node, key, value);
        }
        Ok(node)
    }
}

/// Stores a known field when its JSON type is the documented one, otherwise keeps it raw in
/// `extra` (a later duplicate key replaces an earlier one, as in JSON.parse).
fn assign(node: &mut NodeDefinition, key: String, value: Value) {
    let slot: Option<&mut Option<String>> = match key.as_str() {
        "id" => Some(&mut node.id),
        "type" => Some(&mut node.node_type),
        "version" => Some(&mut node.version),
        "parentId" => Some(&mut node.parent_id),
        "name" => Some(&mut node.name),
        _ => None,
    };
    if let Some(slot) = slot {
        match value {
            Value::String(s) => {
                node.extra.shift_remove(key.as_str());
                *slot = Some(crate::value::into_string(s));
            }
            other => {
                *slot = None;
                node.extra.insert(key, other);
            }
        }
        return;
    }
    // `Some(value)`: not of the field's documented type (or no known field), kept raw.
    let raw = match (key.as_str(), value) {
        ("position", value) => {
            node.position = Some(value);
            None
        }
        ("metadata", Value::Object(map)) => {
            node.metadata = Some(NodeMetadata(map));
            None
        }
        ("parameters", Value::Object(map)) => {
            node.parameters = Some(map);
            None
        }
        ("fields", Value::Object(map)) => {
            node.fields = Some(map);
            None
        }
        ("inputPorts", Value::Array(items)) if items.iter().all(Value::is_object) => {
            node.input_ports = Some(objects(items).map(NodePort).collect());
            None
        }
        ("outputPorts", Value::Array(items)) if items.iter().all(Value::is_object) => {
            node.output_ports = Some(objects(items).map(NodePort).collect());
            None
        }
        ("edges", Value::Array(items)) if items.iter().all(Value::is_object) => {
            node.edges = Some(objects(items).map(NodeEdge).collect());
            None
        }
        (_, value) => Some(value),
    };
    // A later duplicate key replaces whatever the earlier one set, typed field or raw entry
    // (found by fuzzing: `"edges": "g", ..., "edges": [...]` kept both, and the YAML written
    // from that read back without the edges).
    match raw {
        None => {
            node.extra.shift_remove(key.as_str());
        }
        Some(value) => {
            clear_field(node, &key);
            node.extra.insert(key, value);
        }
    }
}

/// Forgets the typed value of field `key` (a later raw value of the same key replaces it).
fn clear_field(node: &mut NodeDefinition, key: &str) {
    match key {
        "position" => node.position = None,
        "metadata" => node.metadata = None,
        "parameters" => node.parameters = None,
        "fields" => node.fields = None,
        "inputPorts" => node.input_ports = None,
        "outputPorts" => node.output_ports = None,
        "edges" => node.edges = None,
        "nodes" => node.nodes = None,
        _ => {}
    }
}

fn objects(items: Vec<Value>) -> impl Iterator<Item = Map> {
    items.into_iter().filter_map(|item| match item {
        Value::Object(map) => Some(map),
        _ => None,
    })
}

/// `nodes`: `null` (kept raw) or an array of definitions; anything else is a parse error.
struct ChildrenSeed;

impl<'de> DeserializeSeed<'de> for ChildrenSeed {
    type Value = Option<Vec<NodeDefinition>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(ChildrenVisitor)
    }
}

struct ChildrenVisitor;

impl<'de> Visitor<'de> for ChildrenVisitor {
    type Value = Option<Vec<NodeDefinition>>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("`nodes` to be an array of node definitions")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut children = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(child) = guard(|| seq.next_element::<NodeDefinition>())? {
            children.push(child);
        }
        Ok(Some(children))
    }
}
