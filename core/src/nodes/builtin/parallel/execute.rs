//! What `parallel` does. The TypeScript engine processed each operation with a
//! placeholder (a random 0–100 ms wait returning "Processed operation <i>"); here each operation
//! is processed for real by `processFunction`, a sandboxed expression (default: the operation
//! itself), and `strategy` decides how failures count: `allSettled` records them, `all` fails on
//! the first (`failFast`) or after all, `race` returns the first settled result.

use crate::json;
use crate::value::Value;

use super::super::common::{array_input, get_input, node_error, Config};
use super::super::common_budget::{output_limit_error, NodeBudget};
use super::super::common_expression::{compile_function, defined};
use super::super::pace::{run_pure, Pace};
use super::schema::SCHEMA;
use crate::format::iso_timestamp;
use crate::host::{BoxFuture, SharedHost};
use crate::nodes::{Invocation, NodeResult};

const TYPE: &str = "parallel";

pub(super) fn execute(invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
    run_pure(invocation, host, 0, |invocation, host, pace| run(invocation, host, pace))
}

fn run(invocation: &Invocation, host: &SharedHost, pace: &Pace<'_>) -> NodeResult {
    let started = host.now();
    let config = Config::new(&SCHEMA, invocation);
    let operations = match get_input(invocation, &config, "operations") {
        Some(value) => array_input(value, config.str("dataPath"))
            .ok_or_else(|| node_error(TYPE, "operations must be an array"))?
            .clone(),
        None => Vec::new(),
    };
    if operations.is_empty() {
        return Ok(Some(
            json!({"results": [], "completed": 0, "failed": 0, "duration": 0, "success": true}),
        ));
    }
    let function = compile_function(
        TYPE,
        config.str("processFunction").unwrap_or("op => op"),
        &["op", "index"],
    )?;
    let strategy = config.str("strategy").unwrap_or("allSettled");
    let fail_fast = config.bool("failFast").unwrap_or(false) || strategy == "all";
    let full = invocation.expression_limits;
    let calls = NodeBudget::new(pace.limits(&full), &invocation.signal);
    let timestamp = json!(iso_timestamp(started));
    let operation_timeout =
        config.get("operationTimeout").and_then(Value::as_f64).unwrap_or(30_000.0);
    let global_timeout = config.get("globalTimeout").and_then(Value::as_f64).unwrap_or(120_000.0);
    let (mut results, mut completed, mut failed) =
        (Vec::with_capacity(operations.len()), 0usize, 0usize);
    for (index, op) in operations.iter().enumerate() {
        pace.tick()?;
        if index % 256 == 0 {
            calls.stopped()?;
        }
        let position = Value::from(index);
        let op_started = host.now();
        let outcome =
            pace.checked(&full, function.call_in(&[op, &position], &calls.limits, calls.output()));
        let now = host.now();
        if now - started > global_timeout {
            return Err(crate::error::ExecutionError::new(
                crate::error::ErrorCode::TIMEOUT,
                format!(
                    "[{TYPE}] Global timeout exceeded ({}ms)",
                    crate::format::js_number(global_timeout)
                ),
            ));
        }
        // An operation that took too long failed, whatever it gave.
        let outcome = match outcome {
            Ok(_) if now - op_started > operation_timeout => Err(format!(
                "Operation {index} timed out after {}ms",
                crate::format::js_number(operation_timeout)
            )),
            Ok(value) => Ok(value),
            Err(error) => {
                // A stopped call is not the operation's failure: the node's run is over.
                calls.stopped()?;
                if fail_fast && error.is_output_limit() {
                    let message =
                        format!("One or more operations failed: operation {index}: {error}");
                    return Err(output_limit_error(TYPE, message));
                }
                Err(error.to_string())
            }
        };
        match outcome {
            Ok(value) => {
                completed += 1;
                results.push(json!({"index": index, "input": op, "result": defined(value), "timestamp": timestamp}));
            }
            Err(error) => {
                failed += 1;
                if fail_fast {
                    return Err(node_error(
                        TYPE,
                        format!("One or more operations failed: operation {index}: {error}"),
                    ));
                }
                results.push(
                    json!({"index": index, "input": op, "error": error, "timestamp": timestamp}),
                );
            }
        }
        if strategy == "race" {
            break;
        }
    }
    if strategy == "all" && failed > 0 {
        return Err(node_error(TYPE, "One or more operations failed"));
    }
    Ok(Some(json!({
        "results": results,
        "completed": completed,
        "failed": failed,
        "duration": host.now() - started,
        "success": failed == 0,
    })))
}
