//! Stateless functions: the node catalog, templates, flow formats and the recovery table
//! (JSON outcome envelopes from `atomiton_core::session::catalog`).

use atomiton_core::session::catalog;
use wasm_bindgen::prelude::*;

/// Every built-in node definition (`getAllNodeDefinitions`).
#[wasm_bindgen(js_name = nodeDefinitions)]
pub fn node_definitions() -> String {
    catalog::node_definitions()
}

/// One built-in node definition, or `null`.
#[wasm_bindgen(js_name = nodeDefinition)]
pub fn node_definition(node_type: &str) -> String {
    catalog::node_definition(node_type)
}

/// `getNodeDefinitionsGroupedByCategory`.
#[wasm_bindgen(js_name = nodeDefinitionsByCategory)]
pub fn node_definitions_by_category() -> String {
    catalog::node_definitions_by_category()
}

/// `{templates: [{id, name, description, nodeCount}]}`.
#[wasm_bindgen(js_name = listTemplates)]
pub fn list_templates() -> String {
    catalog::list_templates()
}

/// A bundled template's definition, or `null`.
#[wasm_bindgen(js_name = getTemplate)]
pub fn get_template(id: &str) -> String {
    catalog::get_template(id)
}

/// Reads a flow from JSON or YAML text; `optionsJson` is `{format?, defaults?}`.
#[wasm_bindgen(js_name = parseFlow)]
pub fn parse_flow(text: &str, options_json: &str) -> String {
    catalog::parse_flow(text, options_json)
}

/// Writes a flow (JSON text) as YAML.
#[wasm_bindgen(js_name = flowToYaml)]
pub fn flow_to_yaml(flow_json: &str) -> String {
    catalog::flow_to_yaml(flow_json)
}

/// `getErrorRecoveryStrategy` for every code: `{CODE: strategy}`.
#[wasm_bindgen(js_name = recoveryTable)]
pub fn recovery_table() -> String {
    catalog::recovery_table()
}

/// The engine's version.
#[wasm_bindgen(js_name = engineVersion)]
pub fn engine_version() -> String {
    catalog::engine_version().to_owned()
}
