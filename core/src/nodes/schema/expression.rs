//! Expression parameters: syntax is checked by validation, before anything runs.

use super::ExpressionForm;
use crate::expression::{Expression, Limits};

/// The syntax error of `source` compiled as `form`, if any.
pub(super) fn syntax_error(form: ExpressionForm, source: &str) -> Option<String> {
    let limits = Limits::default();
    let compiled = match form {
        ExpressionForm::Function { implicit } => {
            Expression::compile_function_shared(source, implicit, &limits)
        }
        ExpressionForm::Condition { variables } => {
            Expression::compile_expression_shared(source, variables, &limits)
        }
        // Resolved by the caller against the node's operation; the default names otherwise.
        ExpressionForm::PerOperation { implicit, .. } => {
            Expression::compile_function_shared(source, implicit, &limits)
        }
    };
    compiled.err().map(|e| e.to_string())
}
