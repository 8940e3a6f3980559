//! What `loop` does: forEach, times and while loops producing per-iteration
//! records. Fixed: a `while` condition is checked before each iteration with `iteration` = the
//! number of iterations done (the TypeScript engine re-checked with the previous index, running one
//! extra iteration), and every loop is bounded by `maxIterations`, failing by name when it would
//! exceed it instead of stopping silently.

use crate::json;
use crate::value::Value;

use super::super::common::{array_input, node_error, Config};
use super::super::common_budget::NodeBudget;
use super::super::common_expression::compile_condition;
use super::super::pace::{run_pure, Pace};
use super::schema::SCHEMA;
use crate::error::ExecutionError;
use crate::format::iso_timestamp;
use crate::host::{BoxFuture, SharedHost};
use crate::nodes::{Invocation, NodeResult};

use super::TYPE;
const DEFAULT_MAX_ITERATIONS: f64 = 1000.0;
/// What one iteration's record adds to the output, as the output bound counts it (its keys,
/// a timestamp and a number; a `forEach` record's item is counted apart). Records are
/// counted before they are made, so a cap of a billion iterations fails at once rather than
/// after filling memory.
const RECORD_BYTES: usize = 96;

pub(super) fn execute(invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
    run_pure(invocation, host, 0, |invocation, host, pace| run(invocation, host, pace))
}

fn run(invocation: &Invocation, host: &SharedHost, pace: &Pace<'_>) -> NodeResult {
    let started = host.now();
    let config = Config::new(&SCHEMA, invocation);
    let cap = iteration_cap(invocation);
    let over_cap = || over_cap(cap);
    let timestamp = json!(iso_timestamp(started));
    // Expression calls get the attempt's step cap (see `pace`); `full` is the node's own budget.
    let full = invocation.expression_limits;
    let calls = NodeBudget::new(pace.limits(&full), &invocation.signal);
    let mut results: Vec<Value> = Vec::new();
    match config.str("loopType").unwrap_or("forEach") {
        "times" => {
            let count =
                config.get("count").and_then(Value::as_f64).unwrap_or(10.0).max(0.0) as usize;
            if count > cap {
                return Err(over_cap());
            }
            pace.expect(count)?;
            calls.spend(TYPE, count.saturating_mul(RECORD_BYTES))?;
            results.extend((0..count).map(|i| json!({"iteration": i, "timestamp": timestamp})));
        }
        "while" => {
            let condition = compile_condition(
                TYPE,
                config.str("condition").unwrap_or("false"),
                &["iteration", "lastResult"],
            )?;
            let mut last = Value::Null;
            loop {
                pace.tick()?;
                let iteration = Value::from(results.len());
                let go = pace
                    .checked(
                        &full,
                        condition.test_in(&[&iteration, &last], &calls.limits, calls.checks()),
                    )
                    .map_err(|e| {
                        calls
                            .stopped()
                            .err()
                            .unwrap_or_else(|| node_error(TYPE, format!("Invalid condition: {e}")))
                    })?;
                if !go {
                    break;
                }
                if results.len() >= cap {
                    return Err(over_cap());
                }
                calls.spend(TYPE, RECORD_BYTES)?;
                if results.len() % 256 == 0 {
                    calls.stopped()?;
                }
                last =
                    json!({"iteration": results.len(), "timestamp": timestamp, "condition": true});
                results.push(last.clone());
            }
        }
        _ => {
            // The `array` parameter wins over the input, as in the TypeScript engine; the input
            // comes under `array`, or `items` (the port editors draw).
            let source = config
                .get("array")
                .or_else(|| invocation.input_value("array"))
                .or_else(|| invocation.input_value("items"));
            let items = match source {
                Some(value) => array_input(value, config.str("dataPath"))
                    .ok_or_else(|| node_error(TYPE, "array must be an array"))?
                    .as_slice(),
                None => &[],
            };
            if items.len() > cap {
                return Err(over_cap());
            }
            pace.expect(items.len())?;
            calls.spend(TYPE, items.len().saturating_mul(RECORD_BYTES))?;
            results.extend(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| record_of_item(i, item.clone(), &timestamp)),
            );
        }
    }
    let summary = Summary { iterations: results.len(), duration: host.now() - started };
    let results = if config.bool("collectResults").unwrap_or(true) { results } else { Vec::new() };
    Ok(Some(loop_output(Value::Array(results), &summary)))
}

/// The iteration cap: `maxIterations`, 1,000 by default.
pub(super) fn iteration_cap(invocation: &Invocation) -> usize {
    invocation
        .param("maxIterations")
        .and_then(Value::as_f64)
        .unwrap_or(DEFAULT_MAX_ITERATIONS)
        .max(1.0) as usize
}

/// A loop would run more than `cap` iterations.
pub(super) fn over_cap(cap: usize) -> ExecutionError {
    node_error(TYPE, format!("Loop exceeded its iteration cap of {cap} (maxIterations)"))
}

/// `forEach`'s record of the item at `index`.
pub(super) fn record_of_item(index: usize, item: Value, timestamp: &Value) -> Value {
    json!({"index": index, "item": item, "processed": true, "timestamp": timestamp})
}

/// What a loop's output says of its run besides its records.
pub(super) struct Summary {
    pub iterations: usize,
    pub duration: f64,
}

/// A loop's output: its `results` (empty when not collected) at the top and in `result`.
#[inline]
pub(super) fn loop_output(results: Value, summary: &Summary) -> Value {
    let Summary { iterations, duration } = *summary;
    json!({
        "result": {
            "results": results,
            "iterationCount": iterations,
            "errors": [],
            "success": true,
            "duration": duration,
            "completed": iterations > 0,
            "stopped": false,
        },
        "results": results,
        "iterationCount": iterations,
        "errors": [],
        "success": true,
        "duration": duration,
    })
}
