//! Sandboxed evaluator for a JavaScript expression subset.
//!
//! Sources are arrow functions (`x => x * 2`, `({acc, item}) => acc + item`) or bare
//! expressions with named free variables (`iteration < 10`). They are parsed and
//! scope-resolved once ([`Expression::compile_function`], [`Expression::compile_expression`])
//! and then evaluated many times against `serde_json` values.
//!
//! Safety properties:
//! - Only whitelisted globals exist; unknown identifiers (`process`, `require`, `globalThis`,
//!   `eval`, `Function`, `this`, ...) and `new`/`import`/loops/assignment are refused at
//!   compile time. `__proto__`, `constructor` and `prototype` cannot be read.
//! - Every call runs under a step budget, a memory budget and size limits ([`Limits`]);
//!   nesting is bounded at parse time and at run time, so no input can overflow the stack or
//!   exhaust memory. A call can be stopped from outside ([`Interrupt`], looked at every few
//!   thousand steps), and the results of many calls can share one bound ([`OutputBudget`]).
//! - Evaluation is deterministic (no clock, no randomness) and single-threaded, so native
//!   and wasm builds give identical results.
//!
//! The module uses only `super::`/`self::` paths so it can be moved into another crate as is.

mod ast;
mod builtins;
mod cache;
mod compile;
mod convert;
// The faster paths for data-heavy flows, as the compiler asks for them.
mod data_paths;
mod error;
mod ext;
mod fastpath;
mod interpreter;
mod interrupt;
mod ir;
mod lexer;
mod limits;
mod ops;
mod order;
mod output;
mod parser;
mod propmap;
mod scope;
mod utf16;
mod value;

use self::data_paths::DataPaths;

cfg_if::cfg_if! {
    if #[cfg(feature = "bulk-data")] {
        mod bulk;
        /// How this build's expressions read data: with the faster paths for data-heavy flows.
        type Paths = bulk::BulkPaths;
    } else {
        /// How this build's expressions read data: the general way (see [`data_paths`]).
        type Paths = data_paths::PlainPaths;
    }
}

#[cfg(test)]
mod tests;

use std::sync::Arc;

use crate::value::Value;

pub use self::error::{ExpressionError, ExpressionErrorKind};
pub use self::interrupt::{CallContext, Interrupt, OutputBudget, CHECK_EVERY, RAISE_OUTPUT_LIMIT};
pub use self::limits::Limits;

use self::ast::ExprKind;
use self::interpreter::{Args, Interp};
use self::parser::Parser;

/// A parsed, scope-resolved program. Parse once, evaluate many times; `Send + Sync`, so it
/// can be shared across threads in an `Arc`.
#[derive(Debug)]
pub struct Expression {
    func: ir::Function,
    /// Shortcut for purely numeric bodies (see `fastpath`).
    fast: Option<fastpath::FastPath>,
    /// Shortcut for bodies that build a record from the arguments (see `bulk`; always `None`,
    /// and no data, without `bulk-data`).
    record: Option<<Paths as DataPaths>::RecordPath>,
}

impl Expression {
    /// Compiles a function. The source is an arrow function (`x => x * 2`,
    /// `(a, b) => a + b`, `({acc, item}) => acc + item`, `item => ({ ...item, done: true })`,
    /// `x => { const y = x * 2; return y + 1; }`) or a bare expression, which becomes the
    /// body of a function whose parameters are `implicit_params` (e.g. `item.price` with
    /// `["item"]`).
    pub fn compile_function(
        source: &str,
        implicit_params: &[&str],
        limits: &Limits,
    ) -> Result<Expression, ExpressionError> {
        let ast = Parser::parse_source(source, limits.max_depth)?;
        let func = match &ast.kind {
            ExprKind::Arrow(f) => compile::compile_arrow(source, f)?,
            _ => compile::compile_bare(source, &ast, implicit_params)?,
        };
        Ok(Expression::new(func))
    }

    /// Compiles a bare expression whose free variables are `variables`, e.g. a loop
    /// condition `iteration < 10 && iteration % 2 === 0` with `["iteration", "lastResult"]`.
    pub fn compile_expression(
        source: &str,
        variables: &[&str],
        limits: &Limits,
    ) -> Result<Expression, ExpressionError> {
        let ast = Parser::parse_source(source, limits.max_depth)?;
        let func = compile::compile_bare(source, &ast, variables)?;
        Ok(Expression::new(func))
    }

    /// [`compile_function`](Self::compile_function) through a process-wide cache: the same
    /// source, parameters and limits give the same shared program.
    pub fn compile_function_shared(
        source: &str,
        implicit_params: &[&str],
        limits: &Limits,
    ) -> Result<Arc<Expression>, ExpressionError> {
        cache::compile_shared(cache::Form::Function, source, implicit_params, limits, || {
            Self::compile_function(source, implicit_params, limits)
        })
    }

    /// [`compile_expression`](Self::compile_expression) through the same cache.
    pub fn compile_expression_shared(
        source: &str,
        variables: &[&str],
        limits: &Limits,
    ) -> Result<Arc<Expression>, ExpressionError> {
        cache::compile_shared(cache::Form::Expression, source, variables, limits, || {
            Self::compile_expression(source, variables, limits)
        })
    }

    fn new(func: ir::Function) -> Self {
        let fast = fastpath::analyze(&func);
        Expression { record: if fast.is_none() { Paths::records(&func) } else { None }, func, fast }
    }

    /// Calls the function with positional arguments (missing ones are `undefined`).
    /// Returns `None` when the result is `undefined` (or a function).
    pub fn call(&self, args: &[&Value], limits: &Limits) -> Result<Option<Value>, ExpressionError> {
        self.call_in(args, limits, CallContext::default())
    }

    /// [`call`](Self::call) that can be stopped from outside and shares an output bound with
    /// other calls (`cx`).
    pub fn call_in(
        &self,
        args: &[&Value],
        limits: &Limits,
        cx: CallContext<'_>,
    ) -> Result<Option<Value>, ExpressionError> {
        if let Some(v) = self.fast.as_ref().and_then(|f| f.call(args, limits.max_steps)) {
            return fast_result(v, output::NODE_BYTES, cx);
        }
        if let Some(record) = &self.record {
            // What the result may take of the output bound: the call's own limit, or what is
            // left of the shared one when that is less (as materialisation counts it).
            let room = cx.output.map_or(limits.max_output_bytes, |budget| {
                budget.left().min(limits.max_output_bytes)
            });
            if let Some((v, bytes)) = Paths::call_record(record, args, limits, room) {
                return fast_result(v, bytes, cx);
            }
        }
        self.materialized(Args::Json(args), limits, cx)
    }

    /// Pushes onto `out` the results of calling the function on each of `items` and says true,
    /// when the numeric tier does them all: a body over its one parameter (`x => x * 2`) and
    /// items that are all numbers, with room for every result in `cx`'s output bound. Otherwise
    /// pushes nothing and says false: the caller then calls item by item (and fails, if it
    /// must, at the very item). The results are [`call_in`](Self::call_in)'s, in one tight loop.
    pub fn map_numbers(
        &self,
        items: &[Value],
        limits: &Limits,
        cx: CallContext<'_>,
        out: &mut Vec<Value>,
    ) -> bool {
        let Some(fast) = self.fast.as_ref().filter(|f| f.over_first_number(limits.max_steps))
        else {
            return false;
        };
        let Some(bytes) = items.len().checked_mul(output::NODE_BYTES) else { return false };
        if cx.output.is_some_and(|budget| budget.left() < bytes) {
            return false;
        }
        if !items.iter().all(|item| matches!(item, Value::Number(_))) {
            return false;
        }
        if let Some(budget) = cx.output {
            // Cannot fail: the room was there above, and nothing else spends from it meanwhile.
            if budget.spend(bytes).is_err() {
                return false;
            }
        }
        out.reserve(items.len());
        fast.map_over_numbers(items, out);
        true
    }

    /// Calls the function with one object argument given as named fields, e.g. reduce's
    /// `{acc, item, index}`. A destructuring first parameter (`({acc, item}) => ...`) binds
    /// the fields directly without building the object; a single plain parameter receives
    /// the object; two or more plain parameters receive the fields positionally, in the
    /// given order (so `(acc, item) => acc + item` works too).
    pub fn call_with_fields(
        &self,
        fields: &[(&str, &Value)],
        limits: &Limits,
    ) -> Result<Option<Value>, ExpressionError> {
        self.call_with_fields_in(fields, limits, CallContext::default())
    }

    /// [`call_with_fields`](Self::call_with_fields) with a [`CallContext`].
    pub fn call_with_fields_in(
        &self,
        fields: &[(&str, &Value)],
        limits: &Limits,
        cx: CallContext<'_>,
    ) -> Result<Option<Value>, ExpressionError> {
        if let Some(v) =
            self.fast.as_ref().and_then(|f| f.call_with_fields(fields, limits.max_steps))
        {
            return fast_result(v, output::NODE_BYTES, cx);
        }
        self.materialized(Args::Fields(fields), limits, cx)
    }

    /// Runs the interpreter and turns its result into a [`Value`] within the output bounds.
    fn materialized(
        &self,
        args: Args<'_, '_>,
        limits: &Limits,
        cx: CallContext<'_>,
    ) -> Result<Option<Value>, ExpressionError> {
        let mut it = Interp::new(limits, cx.interrupt);
        let v = it.invoke(&self.func, &[], args).map_err(|e| *e)?;
        output::materialize(&v, limits, cx.output).map_err(|e| *e)
    }

    /// Calls the function and returns the JavaScript truthiness of its result, as `filter` and
    /// conditions use it: unlike a materialised result, a function is truthy here.
    pub fn test(&self, args: &[&Value], limits: &Limits) -> Result<bool, ExpressionError> {
        self.test_in(args, limits, CallContext::default())
    }

    /// [`test`](Self::test) that can be stopped from outside (`cx.interrupt`; nothing is
    /// output, so `cx.output` is not used).
    pub fn test_in(
        &self,
        args: &[&Value],
        limits: &Limits,
        cx: CallContext<'_>,
    ) -> Result<bool, ExpressionError> {
        if let Some(v) = self.fast.as_ref().and_then(|f| f.call(args, limits.max_steps)) {
            return Ok(is_truthy(&v));
        }
        let mut it = Interp::new(limits, cx.interrupt);
        let v = it.invoke(&self.func, &[], Args::Json(args)).map_err(|e| *e)?;
        Ok(interpreter::truthy(&v))
    }

    /// Evaluates a [`compile_expression`](Self::compile_expression) program with the
    /// variables' values in declaration order.
    pub fn evaluate(
        &self,
        vars: &[&Value],
        limits: &Limits,
    ) -> Result<Option<Value>, ExpressionError> {
        self.call(vars, limits)
    }

    /// Number of declared parameters (or variables).
    pub fn param_count(&self) -> usize {
        self.func.params.len()
    }

    /// The source text the program was compiled from.
    pub fn source(&self) -> &str {
        &self.func.source
    }
}

/// A fast tier's result, its `bytes` charged to the shared output bound as materialisation
/// would charge them.
fn fast_result(
    v: Value,
    bytes: usize,
    cx: CallContext<'_>,
) -> Result<Option<Value>, ExpressionError> {
    if let Some(budget) = cx.output {
        budget
            .spend(bytes)
            .map_err(|message| ExpressionError::new(ExpressionErrorKind::Budget, message, None))?;
    }
    Ok(Some(v))
}

/// JavaScript truthiness of a value (for filters and loop conditions).
pub fn is_truthy(v: &Value) -> bool {
    match v {
        Value::Null | Value::Undefined => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.get() != 0.0 && !n.get().is_nan(),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
        Value::Ext(ext) => match &**ext {
            crate::value::Ext::Hole => false,
            crate::value::Ext::BigInt(digits) => {
                digits.trim_start_matches('-').bytes().any(|b| b != b'0')
            }
            crate::value::Ext::String16(units) => !units.is_empty(),
            _ => true,
        },
    }
}
