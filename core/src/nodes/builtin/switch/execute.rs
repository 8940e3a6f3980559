//! What `switch` does: tests the cases in order, and names the ports the value leaves from.

use crate::expression::is_truthy;
use crate::host::{BoxFuture, SharedHost};
use crate::nodes::{Invocation, NodeResult};
use crate::value::Value;

use super::super::common::node_error;
use super::super::common_control::{routed, subject};
use super::super::common_expression::compile_function;
use super::cases::{default_port, read, Test};
use super::schema::IMPLICIT;

const TYPE: &str = "switch";

pub(super) fn execute(invocation: Invocation, _host: SharedHost) -> BoxFuture<'static, NodeResult> {
    Box::pin(async move {
        let parameters = &invocation.parameters;
        let cases = read(parameters).map_err(|issue| node_error(TYPE, issue.message))?;
        let limits = &invocation.expression_limits;
        let item = subject(&invocation.input);
        // What `equals` compares with: computed once, and only when a case needs it.
        let mut compared: Option<Value> = None;
        let all = parameters.get("mode").and_then(Value::as_str) == Some("all");
        let mut ports = Vec::new();
        for case in &cases {
            let matched = match case.test {
                Test::Condition(source) => compile_function(TYPE, source, IMPLICIT)?
                    .call(&[&item], limits)
                    .map_err(|e| node_error(TYPE, format!("case '{}' failed: {e}", case.name)))?
                    .as_ref()
                    .is_some_and(is_truthy),
                Test::Equals(expected) => {
                    if compared.is_none() {
                        compared = Some(match parameters.get("value").and_then(Value::as_str) {
                            Some(source) => compile_function(TYPE, source, IMPLICIT)?
                                .call(&[&item], limits)
                                .map_err(|e| node_error(TYPE, format!("value failed: {e}")))?
                                .unwrap_or(Value::Undefined),
                            None => item.clone(),
                        });
                    }
                    compared.as_ref() == Some(expected)
                }
            };
            if matched {
                ports.push(case.name);
                if !all {
                    break;
                }
            }
        }
        if ports.is_empty() {
            ports.push(default_port(parameters));
        }
        Ok(Some(routed(ports, item)))
    })
}
