//! JSON text → model, safe at any nesting depth.

use serde::Deserialize;
use serde_json::Value;

use super::ParseLimits;
use crate::error::{ExecutionError, Result};
use crate::model::NodeDefinition;

/// Parses a `NodeDefinition` from JSON text. Errors carry line and column.
pub fn parse_definition_json(text: &str, limits: &ParseLimits) -> Result<NodeDefinition> {
    parse_json_with(text, limits)
}

/// Parses any JSON value with the same depth protection.
pub fn parse_json_value(text: &str, limits: &ParseLimits) -> Result<Value> {
    parse_json_with(text, limits)
}

fn parse_json_with<T: for<'de> Deserialize<'de>>(text: &str, limits: &ParseLimits) -> Result<T> {
    check_depth(text, limits.max_depth)?;
    let mut de = serde_json::Deserializer::from_str(text);
    // The depth was bounded above; serde_stacker moves deep recursion onto heap segments.
    de.disable_recursion_limit();
    let value = T::deserialize(serde_stacker::Deserializer::new(&mut de))
        .map_err(|e| ExecutionError::deserialization(format!("Invalid JSON: {e}")))?;
    de.end().map_err(|e| ExecutionError::deserialization(format!("Invalid JSON: {e}")))?;
    Ok(value)
}

/// Rejects text whose bracket nesting exceeds `max_depth`, in one pass without allocating.
fn check_depth(text: &str, max_depth: usize) -> Result<()> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in text.as_bytes() {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max_depth {
                    return Err(ExecutionError::deserialization(format!(
                        "Invalid JSON: nesting deeper than the limit of {max_depth} levels"
                    )));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Serialises a definition as compact JSON.
pub fn definition_to_json(definition: &NodeDefinition) -> Result<String> {
    serde_json::to_string(definition).map_err(ExecutionError::from)
}
