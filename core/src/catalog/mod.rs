//! The node catalog: each built-in type describes itself (category, icon, weight, default
//! parameters, ports, field configs) so editors can build palettes from the engine
//! (`getNodeDefinition`, `getAllNodeDefinitions` and the per-type UI field overrides, as the
//! TypeScript engine's `@atomiton/nodes` offered them).

mod definition;
mod templates;

use crate::value::Map;

pub use definition::{all_node_definitions, node_definition, node_definitions_by_category};
pub use templates::{get_template, list_templates, load_template, template_source, TemplateInfo};

/// Where a node type can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// Pure computation: native and browser.
    Everywhere,
    /// Needs the native host (files, processes, native images).
    NativeOnly,
    /// Everywhere for some parameters, native-only for others (`spreadsheet` from a file).
    Mixed,
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Everywhere => "everywhere",
            Environment::NativeOnly => "native",
            Environment::Mixed => "mixed",
        }
    }
}

/// A port as the catalog declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortSpec {
    pub id: &'static str,
    pub name: &'static str,
    /// `"input" | "output" | "trigger" | "error"`.
    pub port_type: &'static str,
    pub data_type: &'static str,
    pub required: bool,
    pub multiple: bool,
    pub description: Option<&'static str>,
}

impl PortSpec {
    pub const fn input(id: &'static str, name: &'static str, data_type: &'static str) -> Self {
        PortSpec {
            id,
            name,
            port_type: "input",
            data_type,
            required: false,
            multiple: false,
            description: None,
        }
    }
    pub const fn output(id: &'static str, name: &'static str, data_type: &'static str) -> Self {
        PortSpec {
            id,
            name,
            port_type: "output",
            data_type,
            required: false,
            multiple: false,
            description: None,
        }
    }
    pub const fn with_type(mut self, port_type: &'static str) -> Self {
        self.port_type = port_type;
        self
    }
    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub const fn describe(mut self, description: &'static str) -> Self {
        self.description = Some(description);
        self
    }
}

/// How a built-in type presents itself.
#[derive(Debug, Clone, Copy)]
pub struct NodeDescriptor {
    pub node_type: &'static str,
    /// Display name, e.g. "Edit Fields".
    pub name: &'static str,
    pub description: &'static str,
    /// `NodeCategory`.
    pub category: &'static str,
    /// A lucide icon name.
    pub icon: &'static str,
    pub keywords: &'static [&'static str],
    pub environment: Environment,
    /// The definition's parameter defaults (before `{enabled, timeout, retries}` are added) —
    /// the TypeScript engine kept these separate from the schema defaults, and so do we.
    pub parameters: fn() -> Map,
    pub input_ports: &'static [PortSpec],
    pub output_ports: &'static [PortSpec],
}
