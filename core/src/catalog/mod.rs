//! The node catalog: each built-in type describes itself (category, icon, weight, default
//! parameters, ports, field configs) so editors can build palettes from the engine
//! (`getNodeDefinition`, `getAllNodeDefinitions` and the per-type UI field overrides, as the
//! TypeScript engine's `@atomiton/nodes` offered them), the bundled templates and the node
//! reference. Only in builds with the `catalog` feature: the browser modules serve the catalog
//! from data generated from it.

mod definition;
mod reference;
mod templates;

pub use crate::nodes::descriptor::{
    Environment, NodeDescriptor, NodeExample, OutputField, PortSpec,
};
pub use definition::{all_node_definitions, node_definition, node_definitions_by_category};
pub use reference::node_reference;
pub use templates::{
    get_template, list_templates, load_template, template_not_found, template_source, TemplateInfo,
};
