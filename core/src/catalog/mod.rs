//! The node catalog: each built-in type describes itself (category, icon, weight, default
//! parameters, ports, field configs) so editors can build palettes from the engine
//! (`getNodeDefinition`, `getAllNodeDefinitions` and the per-type UI field overrides, as the
//! TypeScript engine's `@atomiton/nodes` offered them).

#[cfg(feature = "catalog")]
mod definition;
#[cfg(feature = "reference")]
mod reference;
#[cfg(feature = "catalog")]
mod templates;

pub use crate::nodes::descriptor::{
    Environment, NodeDescriptor, NodeExample, OutputField, PortSpec,
};
#[cfg(feature = "catalog")]
pub use definition::{all_node_definitions, node_definition, node_definitions_by_category};
#[cfg(feature = "reference")]
pub use reference::node_reference;
#[cfg(feature = "catalog")]
pub use templates::{get_template, list_templates, load_template, template_source, TemplateInfo};
