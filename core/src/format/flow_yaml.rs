//! The YAML flow format of the templates (`*.flow.yaml`): reading with the TypeScript engine `fromYaml`
//! defaults, and writing so that reading back gives the same definition (the TypeScript engine's writer
//! turned every parameter into a `{type, default}` object and did not round-trip).

use crate::json;
use crate::value::{Map, Value};

use super::defaults::{self, node_metadata_defaults, node_parameter_defaults, one_of};
use super::yaml_reader::{parse_yaml_documents, parse_yaml_value};
use super::yaml_writer::to_yaml_string;
use super::ParseLimits;
use crate::error::{ExecutionError, Result};
use crate::model::NodeDefinition;
use crate::value::deep::{dispose, guard};

/// Reads a flow in the YAML flow format, with the defaults of the TypeScript engine's reader (type `"transform"`
/// when untyped, version `"1.0.0"`, metadata defaults, `{enabled, timeout, retries}` parameters,
/// port and edge defaults). Unknown keys are kept.
pub fn parse_flow_yaml(text: &str, limits: &ParseLimits) -> Result<NodeDefinition> {
    flow_from_value(parse_yaml_value(text, limits)?)
}

/// `fromYamlDocuments`: one flow per YAML document.
pub fn parse_flow_yaml_documents(text: &str, limits: &ParseLimits) -> Result<Vec<NodeDefinition>> {
    parse_yaml_documents(text, limits)?.into_iter().map(flow_from_value).collect()
}

/// Applies the YAML flow reader to an already parsed value (the root must have an `id`; a name
/// is optional, as it is for every other node).
pub fn flow_from_value(value: Value) -> Result<NodeDefinition> {
    let Value::Object(root) = value else {
        return Err(ExecutionError::deserialization(
            "Failed to parse YAML: Invalid YAML structure",
        ));
    };
    if let Err(message) = root_id(&root) {
        return Err(ExecutionError::deserialization(format!("Failed to parse YAML: {message}")));
    }
    let normalised = Value::Object(node_with_defaults(root));
    crate::value::from_value::<NodeDefinition>(normalised)
        .map_err(|e| ExecutionError::deserialization(format!("Failed to parse YAML: {e}")))
}

/// Plain YAML ↔ definition with no defaults applied: what flow storage uses, so a saved flow
/// comes back exactly as it was given.
pub fn parse_definition_yaml(text: &str, limits: &ParseLimits) -> Result<NodeDefinition> {
    let value = parse_yaml_value(text, limits)?;
    crate::value::from_value::<NodeDefinition>(value)
        .map_err(|e| ExecutionError::deserialization(format!("Failed to parse YAML: {e}")))
}

/// Writes a definition as YAML (`flowToYaml`; storage writes plain YAML the same way). What the
/// flow reader would refuse (a root without an id) is refused here, so every text written reads
/// back.
pub fn definition_to_yaml(definition: &NodeDefinition) -> Result<String> {
    if definition.id.as_deref().is_none_or(str::is_empty) {
        return Err(ExecutionError::validation(
            "Cannot write the flow as YAML: the root node must have an id",
        ));
    }
    let value = crate::value::to_value(definition).map_err(ExecutionError::from)?;
    let text = to_yaml_string(&value);
    dispose(value);
    Ok(text)
}

/// What the reader needs of a flow's root: an id that is text (the TypeScript engine's reader
/// also asked for a name, which the writer need not write: a flow without one could be written
/// and not read back).
fn root_id(root: &Map) -> std::result::Result<(), String> {
    match root.get("id") {
        Some(Value::String(id)) if !id.is_empty() => Ok(()),
        Some(Value::Null | Value::Undefined) | None => {
            Err("the flow's root node must have an id".to_owned())
        }
        Some(Value::String(_)) => Err("the flow's root node must have an id, not ''".to_owned()),
        Some(_) => Err("the flow's root node's id must be text (quote it)".to_owned()),
    }
}

fn string_or<'a>(map: &'a Map, key: &str) -> Option<&'a Value> {
    map.get(key).filter(|v| matches!(v, Value::String(s) if !s.is_empty()))
}

const NODE_KEYS: &[&str] = &[
    "id",
    "type",
    "version",
    "name",
    "position",
    "metadata",
    "parameters",
    "fields",
    "inputPorts",
    "outputPorts",
    "nodes",
    "edges",
];

fn node_with_defaults(mut data: Map) -> Map {
    guard(|| {
        let meta = match data.get("metadata") {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        };
        let mut out = Map::new();
        if let Some(id) = data.get("id") {
            out.insert("id", id.clone());
        }
        let node_type = string_or(&data, "type")
            .or_else(|| string_or(&meta, "type"))
            .cloned()
            .unwrap_or_else(|| json!("transform"));
        out.insert("type", node_type);
        // A version written as a number (`version: 2`) is the text it reads as: it decides the
        // flow's data model, so it is never dropped for the default.
        let version = match data.get("version") {
            Some(Value::Number(n)) => Some(Value::from(crate::value::js_number(n.get()))),
            _ => None,
        }
        .or_else(|| string_or(&data, "version").cloned())
        .or_else(|| string_or(&meta, "version").cloned())
        .unwrap_or_else(|| json!("1.0.0"));
        out.insert("version", version);
        if let Some(name) = data.get("name") {
            out.insert("name", name.clone());
        }
        let position = data
            .get("position")
            .filter(|p| p.is_object())
            .cloned()
            .unwrap_or_else(|| json!({"x": 0, "y": 0}));
        out.insert("position", position);
        out.insert("metadata", Value::Object(node_metadata_defaults(&metadata_input(&data, meta))));
        let params = match data.shift_remove("parameters") {
            Some(Value::Object(p)) => p,
            _ => Map::new(),
        };
        out.insert("parameters", Value::Object(node_parameter_defaults(params)));
        let fields =
            data.get("fields").filter(|f| f.is_object()).cloned().unwrap_or_else(|| json!({}));
        out.insert("fields", fields);
        out.insert("inputPorts", ports(data.get("inputPorts"), "input"));
        out.insert("outputPorts", ports(data.get("outputPorts"), "output"));
        if let Some(Value::Array(children)) = data.shift_remove("nodes") {
            let children = children
                .into_iter()
                .map(|child| match child {
                    Value::Object(map) => Value::Object(node_with_defaults(map)),
                    other => other,
                })
                .collect();
            out.insert("nodes", Value::Array(children));
        }
        if let Some(Value::Array(edges)) = data.get("edges") {
            out.insert("edges", Value::Array(edges.iter().map(edge_with_defaults).collect()));
        }
        for (key, value) in data {
            if !NODE_KEYS.contains(&key.as_str()) {
                out.insert(key, value);
            }
        }
        out
    })
}

/// The object `fromYaml` hands to `createNodeMetadata`.
fn metadata_input(data: &Map, meta: Map) -> Map {
    let mut input = Map::new();
    let pick = |key: &str| string_or(&meta, key).or_else(|| string_or(data, key)).cloned();
    if let Some(id) = pick("id") {
        input.insert("id", id);
    }
    if let Some(name) = pick("name") {
        input.insert("name", name);
    }
    if let Some(author) = meta.get("author") {
        input.insert("author", author.clone());
    }
    if let Some(author_id) = meta.get("authorId") {
        input.insert("authorId", author_id.clone());
    }
    if meta.contains_key("source") {
        input.insert("source", json!(one_of(meta.get("source"), defaults::SOURCES, "user")));
    }
    if let Some(description) = pick("description") {
        input.insert("description", description);
    }
    let category = string_or(&meta, "category").or_else(|| string_or(data, "category"));
    input.insert("category", json!(one_of(category, defaults::CATEGORIES, "user")));
    input.insert("icon", json!(one_of(meta.get("icon"), defaults::ICONS, "file")));
    input.insert(
        "keywords",
        meta.get("keywords").filter(|v| v.is_array()).cloned().unwrap_or_else(|| json!([])),
    );
    input.insert(
        "tags",
        meta.get("tags").filter(|v| v.is_array()).cloned().unwrap_or_else(|| json!([])),
    );
    if let Some(runtime) = meta.get("runtime").filter(|v| !v.is_null()) {
        let language = match runtime {
            Value::Object(r) => r.get("language"),
            other => Some(other),
        };
        input.insert(
            "runtime",
            json!({"language": one_of(language, defaults::RUNTIMES, "typescript")}),
        );
    }
    input.insert(
        "experimental",
        json!(meta.get("experimental").and_then(Value::as_bool).unwrap_or(false)),
    );
    input.insert(
        "deprecated",
        json!(meta.get("deprecated").and_then(Value::as_bool).unwrap_or(false)),
    );
    for (key, value) in meta {
        if !input.contains_key(&key) && key != "type" && key != "version" {
            input.insert(key, value);
        }
    }
    input
}

fn ports(value: Option<&Value>, default_type: &str) -> Value {
    let Some(Value::Array(items)) = value else { return json!([]) };
    Value::Array(
        items
            .iter()
            .map(|port| {
                let Value::Object(port) = port else { return port.clone() };
                let mut out = Map::new();
                out.insert("id", port.get("id").cloned().unwrap_or(Value::Null));
                out.insert("name", port.get("name").cloned().unwrap_or(Value::Null));
                out.insert(
                    "type",
                    string_or(port, "type").cloned().unwrap_or_else(|| json!(default_type)),
                );
                out.insert(
                    "dataType",
                    string_or(port, "dataType").cloned().unwrap_or_else(|| json!("any")),
                );
                out.insert(
                    "required",
                    json!(port.get("required").and_then(Value::as_bool).unwrap_or(false)),
                );
                out.insert(
                    "multiple",
                    json!(port.get("multiple").and_then(Value::as_bool).unwrap_or(false)),
                );
                for (key, value) in port {
                    if !out.contains_key(key) {
                        out.insert(key.clone(), value.clone());
                    }
                }
                Value::Object(out)
            })
            .collect(),
    )
}

fn edge_with_defaults(edge: &Value) -> Value {
    let Value::Object(edge) = edge else { return edge.clone() };
    let mut out = Map::new();
    for key in ["id", "source", "target", "sourceHandle", "targetHandle"] {
        if let Some(value) = edge.get(key) {
            out.insert(key, value.clone());
        }
    }
    if let Some(Value::String(t)) = edge.get("type") {
        if defaults::EDGE_TYPES.contains(&t.as_str()) {
            out.insert("type", json!(t));
        }
    }
    out.insert("animated", json!(edge.get("animated").and_then(Value::as_bool).unwrap_or(false)));
    out.insert("hidden", json!(edge.get("hidden").and_then(Value::as_bool).unwrap_or(false)));
    for (key, value) in edge {
        if !out.contains_key(key) && key != "type" {
            out.insert(key.clone(), value.clone());
        }
    }
    Value::Object(out)
}
