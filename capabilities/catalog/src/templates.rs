//! Bundled flow templates (hello world, data pipeline, image processing), compiled into the
//! engine so every build ships the same flows, and the template loader's checks. Each template
//! answers to its id (a UUID, as in the TypeScript engine's catalog) and to a readable slug
//! (`hello-world`), the name the published docs use.

use std::sync::LazyLock;

use serde::Serialize;

use atomiton_core::error::{ExecutionError, Result};
use atomiton_core::format::{parse_flow_yaml, ParseLimits};
use atomiton_core::model::NodeDefinition;

/// The bundled templates as `(slug, source)`, in listing order. Slugs are kept out of the YAML
/// so that a template's definition is the same whichever name loaded it.
const SOURCES: [(&str, &str); 4] = [
    ("hello-world", include_str!("../templates/hello-world.flow.yaml")),
    ("data-pipeline", include_str!("../templates/data-pipeline.flow.yaml")),
    ("image-processing", include_str!("../templates/image-processing.flow.yaml")),
    ("double-and-summarise", include_str!("../templates/double-and-summarise.flow.yaml")),
];

/// `FlowTemplateInfo`: `{id, slug, name, description?, nodeCount}` (`slug` is ours).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateInfo {
    pub id: String,
    /// The readable id, accepted wherever `id` is.
    pub slug: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub node_count: usize,
}

/// A loaded template and its slug.
struct Template {
    slug: &'static str,
    source: &'static str,
    flow: NodeDefinition,
}

impl Template {
    fn answers_to(&self, id: &str) -> bool {
        self.flow.id_str() == id || self.slug == id
    }
}

static TEMPLATES: LazyLock<Vec<Template>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .filter_map(|&(slug, source)| {
            load_template(source).ok().map(|flow| Template { slug, source, flow })
        })
        .collect()
});

/// `loadTemplate(yaml)`: the YAML flow reader plus the template checks ("Template must have an id",
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
        .map(|Template { slug, flow, .. }| TemplateInfo {
            id: flow.id_str().to_owned(),
            slug: (*slug).to_owned(),
            name: flow.name.clone().unwrap_or_default(),
            description: flow.metadata.as_ref().and_then(|m| m.description()).map(str::to_owned),
            node_count: flow.children().len(),
        })
        .collect()
}

/// `flow.getTemplate(id)`: a copy of the template's definition, by id or slug.
pub fn get_template(id: &str) -> Option<NodeDefinition> {
    TEMPLATES.iter().find(|template| template.answers_to(id)).map(|template| template.flow.clone())
}

/// `flow.getTemplate(id)` of a template there is not: `NODE_NOT_FOUND` with the TypeScript
/// engine's message (kept to the letter: the wire protocol's clients compare it), and in its
/// context the template probably meant (`meant`) and the ones there are (`templates`).
pub fn template_not_found(id: &str) -> atomiton_core::error::ExecutionError {
    let names = || TEMPLATES.iter().flat_map(|t| [t.flow.id_str(), t.slug]);
    let slugs: Vec<atomiton_core::value::Value> = TEMPLATES.iter().map(|t| t.slug.into()).collect();
    let error = atomiton_core::error::ExecutionError::new(
        atomiton_core::error::ErrorCode::NODE_NOT_FOUND,
        format!("Flow template {id} not found"),
    )
    .with_context("templates", atomiton_core::value::Value::Array(slugs));
    match atomiton_core::options::suggest::nearest(id, names()) {
        Some(meant) => error.with_context("meant", meant.into()),
        None => error,
    }
}

/// The raw YAML of a bundled template, by id or slug.
pub fn template_source(id: &str) -> Option<&'static str> {
    TEMPLATES.iter().find(|template| template.answers_to(id)).map(|template| template.source)
}
