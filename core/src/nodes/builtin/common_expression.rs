//! Running sandboxed expressions inside node types.

use std::sync::Arc;

use crate::value::Value;

use super::common::node_error;
use super::common_budget::{cancelled, output_limit_error};
use crate::error::ExecutionError;
use crate::expression::{Expression, ExpressionError, ExpressionErrorKind, Limits};

/// Compiles a function parameter, failing with `"[<type>] Invalid expression: ..."`.
pub(super) fn compile_function(
    node_type: &str,
    source: &str,
    implicit: &[&str],
) -> Result<Arc<Expression>, ExecutionError> {
    Expression::compile_function_shared(source, implicit, &Limits::default())
        .map_err(|e| node_error(node_type, format!("Invalid expression: {e}")))
}

/// Compiles a condition over named variables.
pub(super) fn compile_condition(
    node_type: &str,
    source: &str,
    variables: &[&str],
) -> Result<Arc<Expression>, ExecutionError> {
    Expression::compile_expression_shared(source, variables, &Limits::default())
        .map_err(|e| node_error(node_type, format!("Invalid condition: {e}")))
}

/// A runtime failure of an expression on one item: `"[<type>] <operation> failed at item N: ..."`.
pub(super) fn item_error(
    node_type: &str,
    operation: &str,
    index: usize,
    error: ExpressionError,
) -> ExecutionError {
    if error.kind == ExpressionErrorKind::Cancelled {
        return cancelled();
    }
    let message = format!("{operation} failed at item {index}: {error}");
    if error.is_output_limit() {
        return output_limit_error(node_type, message);
    }
    node_error(node_type, message)
}

/// An expression's result as an element or field: `undefined` stays `undefined`, as JavaScript
/// keeps it in an array or object.
pub(super) fn defined(value: Option<Value>) -> Value {
    value.unwrap_or(Value::Undefined)
}
