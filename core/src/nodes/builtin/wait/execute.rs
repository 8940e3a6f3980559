//! What a `wait` node does when its run is not durable (a durable run is parked instead, and
//! never calls this): a time wait holds its place until the time comes, then passes its input
//! on (see `outcome::passed_on`); a signal or an approval cannot be waited for, since nothing would keep the run to wake.

use super::until::until_ms;
use crate::error::ExecutionError;
use crate::host::{BoxFuture, SharedHost};
use crate::nodes::{Invocation, NodeResult};
use crate::value::Value;

pub(super) fn execute(invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
    let parameters = &invocation.parameters;
    let mode = parameters.get("mode").and_then(Value::as_str).unwrap_or("duration");
    let now = host.now();
    let until = match mode {
        "duration" => Ok(now + parameters.get("duration").and_then(Value::as_f64).unwrap_or(0.0)),
        "until" => until_ms(parameters.get("until").unwrap_or(&Value::Null)),
        _ => Err(format!(
            "Node '{}' waits for {}, which only a durable run can: set `durability` in the conductor's config (and keep the run's history on)",
            invocation.node_id,
            if mode == "signal" { "a signal" } else { "an approval" }
        )),
    };
    let input = super::outcome::passed_on(&invocation.input);
    Box::pin(async move {
        let until = until.map_err(ExecutionError::validation)?;
        if until > now {
            host.sleep(until - now).await;
        }
        Ok(Some(input))
    })
}
