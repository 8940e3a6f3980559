//! Expression parameters: syntax is checked by validation, before anything runs.

use super::ExpressionForm;

/// The syntax error of `source` compiled as `form`, if any.
pub(super) fn syntax_error(_form: ExpressionForm, _source: &str) -> Option<String> {
    // Wired to the sandboxed evaluator (crate::expression) when it lands in this crate.
    None
}
