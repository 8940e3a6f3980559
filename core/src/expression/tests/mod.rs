//! Tests for the expression evaluator. They live inside the module so they move with it.
//!
//! `js_conformance.jsonl` holds expressions whose expected results were produced by V8
//! (Node 20) and checked against this implementation; the other files test the product's
//! expressions, refusals, budgets and robustness directly.

mod api;
mod budget;
mod builtins;
mod conformance;
mod fastpath;
mod functions;
mod fuzz;
mod interrupt;
mod language;
mod product;
mod security;
mod v8_agreement;

use crate::value::Value;

use super::{Expression, ExpressionError, ExpressionErrorKind, Limits};

pub(super) fn limits() -> Limits {
    Limits::default()
}

/// Compiles `src` as a function whose implicit parameters are `$0`, `$1`, ... (one per
/// argument) and calls it with `args`.
pub(super) fn run(src: &str, args: &[Value]) -> Result<Option<Value>, ExpressionError> {
    let names: Vec<String> = (0..args.len()).map(|i| format!("${i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let refs: Vec<&Value> = args.iter().collect();
    let lim = limits();
    Expression::compile_function(src, &names, &lim)?.call(&refs, &lim)
}

/// Evaluates a closed expression and returns its (defined) value.
pub(super) fn eval(src: &str) -> Value {
    match run(src, &[]) {
        Ok(Some(v)) => v,
        Ok(None) => panic!("{src} evaluated to undefined"),
        Err(e) => panic!("{src} failed: {e}"),
    }
}

/// Calls a one-argument function source with `arg`.
pub(super) fn call1(src: &str, arg: Value) -> Value {
    match run(src, &[arg]) {
        Ok(Some(v)) => v,
        Ok(None) => panic!("{src} evaluated to undefined"),
        Err(e) => panic!("{src} failed: {e}"),
    }
}

/// Expects compiling or running `src` (with `args`) to fail.
pub(super) fn fails(src: &str, args: &[Value]) -> ExpressionError {
    match run(src, args) {
        Ok(v) => panic!("{src} should fail but gave {v:?}"),
        Err(e) => e,
    }
}

/// Expects compiling `src` to fail (before anything runs).
pub(super) fn compile_err(src: &str) -> ExpressionError {
    match Expression::compile_function(src, &["x"], &limits()) {
        Ok(_) => panic!("{src} should not compile"),
        Err(e) => e,
    }
}

pub(super) fn assert_kind(e: &ExpressionError, kind: ExpressionErrorKind) {
    assert_eq!(e.kind, kind, "unexpected error kind for: {e}");
}

/// Stack for the worst-case nesting tests: half of wasm's 1 MiB default in release builds,
/// and a default-sized thread (2 MiB) in unoptimised builds, whose frames are much larger.
pub(super) const SMALL_STACK: usize = if cfg!(debug_assertions) { 2 << 20 } else { 512 << 10 };

/// Runs `f` on a thread with the given stack size.
pub(super) fn with_stack<T: Send + 'static>(
    bytes: usize,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let handle = std::thread::Builder::new().stack_size(bytes).spawn(f).expect("spawn");
    match handle.join() {
        Ok(v) => v,
        Err(_) => panic!("thread panicked"),
    }
}
