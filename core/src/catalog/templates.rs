//! Bundled flow templates (reference §3.4), compiled into the engine so every build ships the
//! same flows, and the template loader's checks.

use std::sync::LazyLock;

use serde::Serialize;

use crate::error::{ExecutionError, Result};
use crate::format::{parse_flow_yaml, ParseLimits};
use crate::model::NodeDefinition;

/// The bundled template sources, in listing order.
const SOURCES: [&str; 4] = [
    include_str!("../../templates/hello-world.flow.yaml"),
    include_str!("../../templates/data-pipeline.flow.yaml"),
    include_str!("../../templates/image-processing.flow.yaml"),
    include_str!("../../templates/double-and-summarise.flow.yaml"),
];

/// `FlowTemplateInfo`: `{id, name, description?, nodeCount}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateInfo {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub node_count: usize,
}

static TEMPLATES: LazyLock<Vec<NodeDefinition>> =
    LazyLock::new(|| SOURCES.iter().filter_map(|source| load_template(source).ok()).collect());

/// `loadTemplate(yaml)`: the §3.4 reader plus the template checks ("Template must have an id",
/// "Template must have a name", "Template must have metadata", "Templates must have nodes",
/// "Edge references unknown source node: x", "Edge references unknown target node: x").
pub fn load_template(yaml: &str) -> Result<NodeDefinition> {
    let flow = parse_flow_yaml(yaml, &ParseLimits::default())?;
    let fail = |message: String| Err(ExecutionError::validation(message));
    if flow.id.as_deref().is_none_or(str::is_empty) {
        return fail("Template must have an id".into());
    }
    if flow.name.as_deref().is_none_or(str::is_empty) {
        return fail("Template must have a name".into());
    }
    if flow.metadata.is_none() {
        return fail("Template must have metadata".into());
    }
    if !flow.is_group() {
        return fail("Templates must have nodes".into());
    }
    let ids: Vec<&str> = flow.children().iter().map(NodeDefinition::id_str).collect();
    for edge in flow.edge_list() {
        let source = edge.source().unwrap_or_default();
        if !ids.contains(&source) {
            return fail(format!("Edge references unknown source node: {source}"));
        }
        let target = edge.target().unwrap_or_default();
        if !ids.contains(&target) {
            return fail(format!("Edge references unknown target node: {target}"));
        }
    }
    Ok(flow)
}

/// `flow.listTemplates()`.
pub fn list_templates() -> Vec<TemplateInfo> {
    TEMPLATES
        .iter()
        .map(|flow| TemplateInfo {
            id: flow.id_str().to_owned(),
            name: flow.name.clone().unwrap_or_default(),
            description: flow.metadata.as_ref().and_then(|m| m.description()).map(str::to_owned),
            node_count: flow.children().len(),
        })
        .collect()
}

/// `flow.getTemplate(id)`: a copy of the template's definition.
pub fn get_template(id: &str) -> Option<NodeDefinition> {
    TEMPLATES.iter().find(|flow| flow.id_str() == id).cloned()
}

/// The raw YAML of a bundled template.
pub fn template_source(id: &str) -> Option<&'static str> {
    SOURCES.iter().copied().find(|source| load_template(source).is_ok_and(|flow| flow.id_str() == id))
}
