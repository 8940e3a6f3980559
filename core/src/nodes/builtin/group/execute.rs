//! What an atomic `group` does: a group with children runs them through the
//! scheduler; one without children passes its input through with metadata.

use crate::json;

use crate::format::iso_timestamp;
use crate::host::{BoxFuture, SharedHost};
use crate::nodes::{Invocation, NodeResult};

pub(super) fn execute(invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
    let now = host.now();
    let node_id = if invocation.node_id.is_empty() { "group" } else { &invocation.node_id };
    let result = json!({
        "result": invocation.input.to_value(),
        "metadata": {
            "executedAt": iso_timestamp(now),
            "nodeId": node_id,
            "nodeType": "group",
            "childNodesExecuted": 0,
            "totalExecutionTime": 0,
        },
    });
    Box::pin(async move { Ok(Some(result)) })
}
