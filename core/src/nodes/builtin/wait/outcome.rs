//! A `wait` node in a durable run: when its time comes, and what it gives once woken (what it
//! parks the run on is the scheduler's, `scheduler/history/wait.rs`: the history's types are above the
//! node types).

pub(crate) use super::until::until_ms;
use crate::error::{ErrorCode, ExecutionError};
use crate::nodes::NodeInput;
use crate::value::{Map, Value};

/// Parameter `name` as text.
pub(crate) fn text<'a>(parameters: &'a Map, name: &str) -> Option<&'a str> {
    parameters.get(name).and_then(Value::as_str)
}

/// What the wait node gives for `delivery` (what woke it, see `history::wait::delivery`): a
/// signal's payload; an approval's `{approved, by, comment, at}`; its input, once its time came;
/// `{timedOut: true}` or a `TIMEOUT`, past its `waitTimeout`; a rejection fails it unless
/// `onReject` is `"continue"`.
pub(crate) fn delivered(
    parameters: &Map,
    node_id: &str,
    input: &NodeInput,
    delivery: &Value,
) -> Result<Option<Value>, ExecutionError> {
    let field = |name: &str| delivery.get(name).cloned().unwrap_or(Value::Null);
    match delivery.get("kind").and_then(Value::as_str) {
        Some("signal") => Ok(Some(field("payload"))),
        Some("approval") => {
            let approved = delivery.get("approved").and_then(Value::as_bool) == Some(true);
            if !approved && text(parameters, "onReject") != Some("continue") {
                let by = delivery
                    .get("by")
                    .and_then(Value::as_str)
                    .map(|by| format!(" by {by}"))
                    .unwrap_or_default();
                let comment = delivery
                    .get("comment")
                    .and_then(Value::as_str)
                    .map(|c| format!(": {c}"))
                    .unwrap_or_default();
                return Err(ExecutionError::new(
                    ErrorCode::EXECUTION_FAILED,
                    format!("Node '{node_id}' was rejected{by}{comment}"),
                )
                .with_context("approval", delivery.clone()));
            }
            let mut out = Map::new();
            for name in ["approved", "by", "comment", "at"] {
                if let Some(value) = delivery.get(name) {
                    out.insert(name.to_owned(), value.clone());
                }
            }
            Ok(Some(Value::Object(out)))
        }
        Some("timeout") => {
            if text(parameters, "onTimeout") == Some("continue") {
                return Ok(Some(crate::json!({"timedOut": true})));
            }
            let ms = parameters.get("waitTimeout").and_then(Value::as_f64).unwrap_or(0.0);
            Err(ExecutionError::new(
                ErrorCode::TIMEOUT,
                format!(
                    "Node '{node_id}' waited {} ms for {} and gave up (waitTimeout)",
                    crate::format::js_number(ms),
                    match text(parameters, "signal") {
                        Some(name) => format!("signal '{name}'"),
                        None => "an approval".to_owned(),
                    }
                ),
            ))
        }
        // Its time came.
        _ => Ok(Some(passed_on(input))),
    }
}

/// What a time wait passes on: the value its one edge brought (not `{default: value}`), else
/// its input as an object (as a disabled node gives it).
pub(crate) fn passed_on(input: &NodeInput) -> Value {
    match input.entries() {
        [(key, value)] if &**key == "default" => (**value).clone(),
        _ => input.to_value(),
    }
}
