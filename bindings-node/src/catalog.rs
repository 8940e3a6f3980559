//! Stateless functions: the node catalog, templates, flow formats and the recovery table
//! (JSON outcome envelopes from `atomiton_core::session::catalog`).

use atomiton_core::session::catalog;
use napi_derive::napi;

/// Every built-in node definition (`getAllNodeDefinitions`).
#[napi(catch_unwind)]
pub fn node_definitions() -> String {
    catalog::node_definitions()
}

/// One built-in node definition, or `null`.
#[napi(catch_unwind)]
pub fn node_definition(node_type: String) -> String {
    catalog::node_definition(&node_type)
}

/// `getNodeDefinitionsGroupedByCategory`.
#[napi(catch_unwind)]
pub fn node_definitions_by_category() -> String {
    catalog::node_definitions_by_category()
}

/// `{templates: [{id, name, description, nodeCount}]}`.
#[napi(catch_unwind)]
pub fn list_templates() -> String {
    catalog::list_templates()
}

/// A bundled template's definition, or `null`.
#[napi(catch_unwind)]
pub fn get_template(id: String) -> String {
    catalog::get_template(&id)
}

/// Reads a flow from JSON or YAML text; `optionsJson` is `{format?, defaults?}`.
#[napi(catch_unwind)]
pub fn parse_flow(text: String, options_json: String) -> String {
    catalog::parse_flow(&text, &options_json)
}

/// Writes a flow (JSON text) as YAML.
#[napi(catch_unwind)]
pub fn flow_to_yaml(flow_json: String) -> String {
    catalog::flow_to_yaml(&flow_json)
}

/// `getErrorRecoveryStrategy` for every code: `{CODE: strategy}`.
#[napi(catch_unwind)]
pub fn recovery_table() -> String {
    catalog::recovery_table()
}

/// The engine's version.
#[napi]
pub fn engine_version() -> String {
    catalog::engine_version().to_owned()
}
