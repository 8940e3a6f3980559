//! What `transform` does: one of eleven operations over an array, with
//! sandboxed expressions. An expression that fails on an item fails the node (the TypeScript
//! engine silently substituted fallback values).

use std::sync::Arc;

use crate::value::Value;

use super::super::common::{array_input, get_input, node_error, Config, ObjectTemplate};
use super::super::pace::{run_pure, Pace};
use super::operations::{apply, Settings};
use super::parts::parts_of_map;
use super::schema::SCHEMA;
use crate::host::{BoxFuture, SharedHost};
use crate::nodes::{Invocation, NodeResult};

const TYPE: &str = "transform";
/// The output object, with the TypeScript engine's keys in the TypeScript engine's order.
static OUTPUT: ObjectTemplate<5> =
    ObjectTemplate::new(["result", "inputCount", "outputCount", "operation", "success"]);
pub(super) fn execute(invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
    let size = input_size(&invocation);
    run_pure(invocation, host, size, transform)
}

fn input_size(invocation: &Invocation) -> usize {
    invocation
        .get_input("data")
        .and_then(|v| array_input(v, invocation.param("dataPath").and_then(Value::as_str)))
        .map_or(0, Vec::len)
}

fn transform(invocation: &Arc<Invocation>, host: &SharedHost, pace: &Pace<'_>) -> NodeResult {
    let config = Config::new(&SCHEMA, invocation);
    let empty = Vec::new();
    let items = match get_input(invocation, &config, "data") {
        None => &empty,
        Some(value) => array_input(value, config.str("dataPath"))
            .ok_or_else(|| node_error(TYPE, "Input data must be an array for transformation"))?,
    };
    let operation = config.str("operation").unwrap_or("map");
    let function = invocation
        .input_value("function")
        .and_then(Value::as_str)
        .or_else(|| config.str("transformFunction"))
        .unwrap_or("item => item");
    let settings = Settings {
        function,
        config: &config,
        limits: invocation.expression_limits,
        signal: &invocation.signal,
        pace,
    };
    let result = match parts_of_map(invocation, host, pace, operation, items.len(), function) {
        Some(result) => result?,
        None => apply(operation, items, &settings)?,
    };
    let output_count = match &result {
        Value::Array(items) => items.len(),
        Value::Object(map) => map.len(),
        _ => 1,
    };
    let output = OUTPUT.fill([
        result,
        Value::from(items.len()),
        Value::from(output_count),
        Value::from(operation),
        Value::Bool(true),
    ]);
    Ok(Some(Value::Object(output)))
}
