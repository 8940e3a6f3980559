//! The node catalog and the bundled templates as module functions (`getAllNodeDefinitions`,
//! `listTemplates`, ...), each returning an [`outcome`] envelope: what the bindings built with
//! this crate export (the declaration is the engine's `catalog_functions!`, whose `[catalog]`
//! functions call these). The browser modules serve them from generated data.

use atomiton_core::json;
use atomiton_core::session::{guarded, outcome};

use crate as catalog;

/// Every built-in node definition (`getAllNodeDefinitions`).
pub fn node_definitions() -> String {
    outcome(guarded("nodeDefinitions", || Ok(catalog::all_node_definitions())))
}

/// One built-in node definition, or `null`.
pub fn node_definition(node_type: &str) -> String {
    outcome(guarded("nodeDefinition", || Ok(catalog::node_definition(node_type))))
}

/// `getNodeDefinitionsGroupedByCategory`.
pub fn node_definitions_by_category() -> String {
    outcome(guarded("nodeDefinitionsByCategory", || Ok(catalog::node_definitions_by_category())))
}

/// `{templates: [{id, name, description, nodeCount}]}`.
pub fn list_templates() -> String {
    outcome(guarded("listTemplates", || Ok(json!({"templates": catalog::list_templates()}))))
}

/// A bundled template's definition; `NODE_NOT_FOUND` naming the templates there are when none
/// answers to `id`.
pub fn get_template(id: &str) -> String {
    outcome(guarded("getTemplate", || {
        catalog::get_template(id).ok_or_else(|| catalog::template_not_found(id))
    }))
}
