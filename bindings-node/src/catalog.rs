//! Stateless functions: the node catalog, templates, flow formats and the recovery table.

use atomiton_core::catalog;
use atomiton_core::error::recovery_strategy;
use atomiton_core::format::{definition_to_yaml, flow_from_value, parse_json_value, parse_yaml_value, ParseLimits};
use atomiton_core::{ErrorCode, ExecutionError, NodeDefinition};
use napi_derive::napi;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::guard::guarded;
use crate::wire::outcome;

/// Every built-in node definition (`getAllNodeDefinitions`), as JSON.
#[napi(catch_unwind)]
pub fn node_definitions() -> String {
    outcome(guarded("nodeDefinitions", || Ok(catalog::all_node_definitions())))
}

/// One built-in node definition, or `null`.
#[napi(catch_unwind)]
pub fn node_definition(node_type: String) -> String {
    outcome(guarded("nodeDefinition", || Ok(catalog::node_definition(&node_type))))
}

/// `getNodeDefinitionsGroupedByCategory`.
#[napi(catch_unwind)]
pub fn node_definitions_by_category() -> String {
    outcome(guarded("nodeDefinitionsByCategory", || Ok(catalog::node_definitions_by_category())))
}

/// `{templates: [{id, name, description, nodeCount}]}`.
#[napi(catch_unwind)]
pub fn list_templates() -> String {
    outcome(guarded("listTemplates", || Ok(json!({"templates": catalog::list_templates()}))))
}

/// A bundled template's definition, or `null`.
#[napi(catch_unwind)]
pub fn get_template(id: String) -> String {
    outcome(guarded("getTemplate", || Ok(catalog::get_template(&id))))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ParseOptions {
    /// `"yaml"`, `"json"`, or absent to detect.
    format: Option<String>,
    /// Apply the YAML flow format's defaults (reference §3.4). Default true for YAML.
    defaults: Option<bool>,
}

/// Reads a flow from JSON or YAML text (`{ok, value: NodeDefinition}`).
#[napi(catch_unwind)]
pub fn parse_flow(text: String, options_json: String) -> String {
    outcome(guarded("parseFlow", || {
        let options: ParseOptions = serde_json::from_str(&options_json).unwrap_or_default();
        let limits = ParseLimits::default();
        let trimmed = text.trim_start();
        let is_json = match options.format.as_deref() {
            Some("json") => true,
            Some("yaml") => false,
            _ => trimmed.starts_with('{'),
        };
        let value = if is_json { parse_json_value(&text, &limits)? } else { parse_yaml_value(&text, &limits)? };
        let flow: NodeDefinition = if !is_json && options.defaults.unwrap_or(true) {
            flow_from_value(value)?
        } else {
            serde_json::from_value(value).map_err(|e| ExecutionError::deserialization(format!("Invalid flow: {e}")))?
        };
        Ok(flow)
    }))
}

/// Writes a flow (JSON text) as YAML.
#[napi(catch_unwind)]
pub fn flow_to_yaml(flow_json: String) -> String {
    outcome(guarded("flowToYaml", || {
        let flow = atomiton_core::format::parse_definition_json(&flow_json, &ParseLimits::default())?;
        definition_to_yaml(&flow)
    }))
}

/// `getErrorRecoveryStrategy` for every code: `{CODE: strategy}`.
#[napi(catch_unwind)]
pub fn recovery_table() -> String {
    outcome(guarded("recoveryTable", || {
        Ok(ErrorCode::ALL.iter().map(|code| (code.as_str().to_owned(), serde_json::to_value(recovery_strategy(*code)).unwrap_or(Value::Null))).collect::<serde_json::Map<_, _>>())
    }))
}

/// The engine's version.
#[napi]
pub fn engine_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// Boundary benchmark: a value as JSON text, parsed into the engine's value type and written
/// back. Compared with `benchEchoValue` by `npm/bench/bench.mjs`.
#[napi(catch_unwind)]
pub fn bench_echo_json(text: String) -> String {
    match serde_json::from_str::<Value>(&text) {
        Ok(value) => serde_json::to_string(&value).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Boundary benchmark: the same value converted by napi's object conversion both ways.
#[napi(catch_unwind)]
pub fn bench_echo_value(value: Value) -> Value {
    value
}
