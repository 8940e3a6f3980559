//! JSON text → model, safe at any nesting depth (the parsing itself is `value::json`'s).

use crate::value::json::{parse_bounded, parse_shallow};
use crate::value::Value;

use super::ParseLimits;
use crate::error::{ExecutionError, Result};
use crate::model::NodeDefinition;

/// Parses a `NodeDefinition` from JSON text. Errors carry line and column.
pub fn parse_definition_json(text: &str, limits: &ParseLimits) -> Result<NodeDefinition> {
    parse_definition_json_measured(text, limits).0
}

/// [`parse_definition_json`], and whether the text nests at most [`SHALLOW_JSON_DEPTH`] levels:
/// only a value that shallow is safe to drop on any thread's stack (a deeper one only on a
/// worker's large stack).
///
/// [`SHALLOW_JSON_DEPTH`]: super::SHALLOW_JSON_DEPTH
pub fn parse_definition_json_measured(
    text: &str,
    limits: &ParseLimits,
) -> (Result<NodeDefinition>, bool) {
    let (parsed, shallow) = parse_bounded(text, limits);
    (parsed.map_err(ExecutionError::deserialization), shallow)
}

/// Parses any JSON value with the same depth protection.
pub fn parse_json_value(text: &str, limits: &ParseLimits) -> Result<Value> {
    parse_bounded(text, limits).0.map_err(ExecutionError::deserialization)
}

/// Parses a `NodeDefinition` from JSON text nested at most [`SHALLOW_JSON_DEPTH`] levels, the
/// fast way (no nesting pre-scan, no stack switching). `None` when the text is deeper: then
/// [`parse_definition_json`] applies the configured limit. A value this shallow is also safe to
/// drop on any thread's stack.
///
/// [`SHALLOW_JSON_DEPTH`]: super::SHALLOW_JSON_DEPTH
pub fn parse_shallow_definition_json(text: &str) -> Option<Result<NodeDefinition>> {
    parse_shallow(text).map(|parsed| parsed.map_err(ExecutionError::deserialization))
}

/// Serialises a definition as compact JSON.
pub fn definition_to_json(definition: &NodeDefinition) -> Result<String> {
    serde_json::to_string(definition).map_err(ExecutionError::from)
}
