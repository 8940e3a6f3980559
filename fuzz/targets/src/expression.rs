//! The expression language: lexer, parser, compiler and interpreter, on any source.

use atomiton_core::expression::{Expression, ExpressionErrorKind, Limits};
use atomiton_core::format::{parse_json_value, ParseLimits};
use atomiton_core::json;
use atomiton_core::value::Value;

/// Budgets small enough that every input ends quickly; the step and memory budgets are what
/// bound a call, whatever the source.
fn limits() -> Limits {
    Limits {
        max_steps: 50_000,
        max_memory_bytes: 8 << 20,
        max_output_bytes: 1 << 20,
        max_string_len: 1 << 20,
        max_array_len: 100_000,
        ..Limits::default()
    }
}

/// `source NUL data`: the source compiled as a function of `item` and as a condition over
/// `iteration` and `lastResult`, each called on the data (JSON, or `null`).
pub fn expression(data: &[u8]) {
    let (source, input) = crate::split(data);
    let Ok(source) = std::str::from_utf8(source) else { return };
    let limits = limits();
    let input = std::str::from_utf8(input)
        .ok()
        .and_then(|text| {
            parse_json_value(text, &ParseLimits { max_depth: 64, max_values: 10_000 }).ok()
        })
        .unwrap_or(Value::Null);
    if let Ok(program) = Expression::compile_function(source, &["item"], &limits) {
        judge(program.call(&[&input], &limits).map(|_| ()));
        judge(program.test(&[&input, &json!(3)], &limits).map(|_| ()));
        let index = json!(1);
        judge(
            program
                .call_with_fields(&[("acc", &input), ("item", &input), ("index", &index)], &limits)
                .map(|_| ()),
        );
    }
    if let Ok(program) =
        Expression::compile_expression(source, &["iteration", "lastResult"], &limits)
    {
        judge(program.evaluate(&[&json!(2), &input], &limits).map(|_| ()));
    }
}

/// A call ends with a value or a described error; nothing stops it from outside here.
fn judge(outcome: Result<(), atomiton_core::expression::ExpressionError>) {
    if let Err(error) = outcome {
        assert_ne!(
            error.kind,
            ExpressionErrorKind::Cancelled,
            "cancelled without an interrupt: {error}"
        );
        assert!(!error.message.is_empty(), "an error without a message");
    }
}
