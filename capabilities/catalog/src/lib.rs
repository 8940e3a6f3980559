//! The node catalog for the Atomiton Conductor engine: each built-in type describes itself
//! (category, icon, weight, default parameters, ports, field configs) so editors can build
//! palettes from the engine (`getNodeDefinition`, `getAllNodeDefinitions` and the per-type UI
//! field overrides, as the TypeScript engine's `@atomiton/nodes` offered them), the bundled
//! templates (which a run's `sub-flow` nodes may also call: [`Templates`]) and the node
//! reference.
//!
//! A capability crate of its own: the native addon and the Node fallback link it and export its
//! [`functions`]; the browser modules do not, and serve the catalog from data generated from it
//! (`npm/src/engines/wasm/catalog.generated.ts`, written by this crate's tests). It needs the
//! engine's `help-texts` feature, which keeps the node schemas' help texts and UI notes.

mod definition;
pub mod functions;
mod reference;
mod templates;

pub use atomiton_core::nodes::descriptor::{
    Environment, NodeDescriptor, NodeExample, OutputField, PortSpec,
};
pub use definition::{
    all_node_definitions, catalog_registry, node_definition, node_definitions_by_category,
};
pub use reference::node_reference;
pub use templates::{
    get_template, list_templates, load_template, template_not_found, template_source, TemplateInfo,
};

/// The bundled templates as a flow source: where a session's runs find a flow their `sub-flow`
/// nodes call when no saved flow has its id (see
/// [`Engine::with_bundled_flows`](atomiton_core::Engine::with_bundled_flows)).
#[derive(Debug, Clone, Copy, Default)]
pub struct Templates;

impl atomiton_core::engine::FlowSource for Templates {
    fn load(
        &self,
        id: &str,
    ) -> atomiton_core::host::BoxFuture<
        'static,
        atomiton_core::error::Result<Option<atomiton_core::model::NodeDefinition>>,
    > {
        Box::pin(std::future::ready(Ok(get_template(id))))
    }
}

impl atomiton_core::session::SessionCapability for Templates {
    fn bundled_flows(&self) -> Option<std::sync::Arc<dyn atomiton_core::engine::FlowSource>> {
        Some(std::sync::Arc::new(Templates))
    }
}
