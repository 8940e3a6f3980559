//! What `if` does: its condition over the input value, and the port the value leaves from.

use crate::expression::is_truthy;
use crate::host::{BoxFuture, SharedHost};
use crate::nodes::{Invocation, NodeResult};

use super::super::common::node_error;
use super::super::common_control::{routed, subject};
use super::super::common_expression::compile_function;
use super::schema::IMPLICIT;

const TYPE: &str = "if";

pub(super) fn execute(invocation: Invocation, _host: SharedHost) -> BoxFuture<'static, NodeResult> {
    Box::pin(async move {
        let source = invocation.param("condition").and_then(|v| v.as_str()).unwrap_or("false");
        let condition = compile_function(TYPE, source, IMPLICIT)?;
        let value = subject(&invocation.input);
        let holds = condition
            .call(&[&value], &invocation.expression_limits)
            .map_err(|e| node_error(TYPE, format!("condition failed: {e}")))?
            .as_ref()
            .is_some_and(is_truthy);
        Ok(Some(routed(vec![if holds { "true" } else { "false" }], value)))
    })
}
