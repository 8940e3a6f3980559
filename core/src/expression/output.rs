//! Turning the result of a call into an owned `crate::value::Value`, within a size limit.
//!
//! Values can share structure at run time (`xs.map(() => bigInput)` holds many references
//! to one input), so the materialised result could be far larger than anything evaluation
//! paid for. Its size is therefore measured as it is built and capped by
//! `Limits::max_output_bytes`. Borrowed input is measured iteratively (no recursion on
//! input depth) and then cloned.

use crate::value::{Map, Value};

use super::error::{budget_error, RtResult};
use super::interrupt::OutputBudget;
use super::limits::Limits;
use super::order::enumeration_order;
use super::value::{number_to_json, Val};

/// Approximate serialised size of a scalar or separator, in bytes.
pub(super) const NODE_BYTES: usize = 8;

struct Output {
    used: usize,
    limit: usize,
    max_depth: usize,
    /// The message for going over `limit`: the call's own limit, or the shared budget's.
    over: Option<String>,
}

/// Converts as JavaScript would hand the value on: `undefined` stays `undefined` in arrays and
/// objects (a result that *is* `undefined` gives `None`), every number stays the exact double,
/// and values from the input JSON has no form for pass through. A function cannot leave the
/// expression: it is a `TypeError` naming where in the result it is.
/// With `shared`, the result must also fit what is left of that budget, which it then spends.
#[inline]
pub(super) fn materialize(
    v: &Val<'_>,
    limits: &Limits,
    shared: Option<&OutputBudget>,
) -> RtResult<Option<Value>> {
    if let (Val::Num(n), None) = (v, shared) {
        return Ok(Some(number_to_json(*n)));
    }
    let (limit, over) = match shared {
        Some(budget) if budget.left() < limits.max_output_bytes => {
            (budget.left(), Some(budget.exceeded()))
        }
        _ => (limits.max_output_bytes, None),
    };
    let mut out = Output { used: 0, limit, max_depth: limits.max_value_depth, over };
    let value = out.value(v, 0).map_err(|e| located(e, ""))?;
    if let Some(budget) = shared {
        budget.spend(out.used).map_err(budget_error)?;
    }
    Ok(value)
}

/// Marks errors raised for a function inside a result, so the path to it can be added on the
/// way out (only on the error path: building paths costs nothing on success).
const FUNCTION_MARK: &str = "\u{0}function";

/// A function error with its place in the result spelled out; other errors unchanged.
fn located(
    mut error: Box<super::error::ExpressionError>,
    place: &str,
) -> Box<super::error::ExpressionError> {
    if let Some(path) = error.message.strip_prefix(FUNCTION_MARK) {
        let path = format!("{place}{path}");
        error.message = if place.is_empty() {
            let at = if path.is_empty() { "result".to_owned() } else { format!("result{path}") };
            format!(
                "A function cannot be part of a result (at {at}): only data leaves an expression"
            )
        } else {
            format!("{FUNCTION_MARK}{path}")
        };
    }
    error
}

impl Output {
    fn add(&mut self, n: usize) -> RtResult<()> {
        self.used = self.used.saturating_add(n);
        if self.used > self.limit {
            return Err(budget_error(match &self.over {
                Some(message) => message.clone(),
                None => format!(
                    "Result exceeds the output limit of {} bytes ({})",
                    self.limit,
                    super::interrupt::RAISE_OUTPUT_LIMIT
                ),
            }));
        }
        Ok(())
    }

    /// Measures borrowed input without recursion (it may be nested arbitrarily deep).
    fn measure<'v>(&mut self, roots: impl Iterator<Item = &'v Value>) -> RtResult<()> {
        let room = self.limit.saturating_sub(self.used);
        // Past the room, one byte more than it gives the error going over always gives.
        self.add(borrowed_size(roots, room).unwrap_or(room.saturating_add(1)))
    }

    /// Recursion over values created during the call, whose depth is capped at creation.
    fn value(&mut self, v: &Val<'_>, depth: usize) -> RtResult<Option<Value>> {
        if depth > self.max_depth {
            return Err(budget_error(format!(
                "Value nesting exceeds the limit of {} levels",
                self.max_depth
            )));
        }
        Ok(Some(match v {
            Val::Undefined => return Ok(None),
            Val::Func(_) | Val::Native(_) => {
                return Err(super::error::type_error(FUNCTION_MARK, None))
            }
            Val::Ext(ext) => {
                self.add(NODE_BYTES + ext_bytes(ext))?;
                Value::Ext(Box::new((*ext).clone()))
            }
            Val::Null => {
                self.add(NODE_BYTES)?;
                Value::Null
            }
            Val::Bool(b) => {
                self.add(NODE_BYTES)?;
                Value::Bool(*b)
            }
            Val::Num(n) => {
                self.add(NODE_BYTES)?;
                number_to_json(*n)
            }
            Val::Str(_) | Val::OStr(_) => {
                let s = v.as_str().unwrap_or("");
                self.add(s.len() + 2)?;
                Value::String(s.into())
            }
            Val::JArr(a) => {
                self.add(NODE_BYTES)?;
                self.measure(a.iter())?;
                Value::Array((*a).clone())
            }
            Val::JObj(o) => {
                self.add(NODE_BYTES + o.keys().map(|k| k.len() + 3).sum::<usize>())?;
                self.measure(o.values())?;
                Value::Object((*o).clone())
            }
            Val::Arr(a) => {
                self.add(NODE_BYTES)?;
                let mut items = Vec::with_capacity(a.items.len());
                for (i, x) in a.items.iter().enumerate() {
                    let item =
                        self.value(x, depth + 1).map_err(|e| located(e, &format!("[{i}]")))?;
                    items.push(item.unwrap_or(Value::Undefined));
                }
                Value::Array(items)
            }
            Val::Obj(o) => {
                self.add(NODE_BYTES)?;
                let mut m = Map::with_capacity(o.props.len());
                // Plain loops, not one boxed iterator over either order: this runs once per
                // object built (a `map` over 10,000 records builds 10,000).
                match enumeration_order(o.props.iter().map(|(k, _)| k.as_str())) {
                    None => {
                        for (k, x) in o.props.iter() {
                            self.entry(&mut m, k.as_str(), x, depth)?;
                        }
                    }
                    Some(order) => {
                        for (k, x) in order.into_iter().filter_map(|i| o.props.iter().nth(i)) {
                            self.entry(&mut m, k.as_str(), x, depth)?;
                        }
                    }
                }
                Value::Object(m)
            }
        }))
    }

    /// Adds property `key` (from `x`) to an object being built.
    fn entry(&mut self, m: &mut Map, key: &str, x: &Val<'_>, depth: usize) -> RtResult<()> {
        let j = self.value(x, depth + 1).map_err(|e| located(e, &format!(".{key}")))?;
        self.add(key.len() + 3)?;
        m.insert(key, j.unwrap_or(Value::Undefined));
        Ok(())
    }
}

/// The size [`materialize`] counts for borrowed input `roots` (approximate JSON bytes), or
/// `None` once it passes `limit`. Iterative: input may be nested arbitrarily deep.
pub(super) fn borrowed_size<'v>(
    roots: impl Iterator<Item = &'v Value>,
    limit: usize,
) -> Option<usize> {
    let mut size = Size { used: 0, limit };
    // Only containers inside containers wait on the stack: a record's list of strings is
    // measured without allocating one.
    let mut stack: Vec<&Value> = Vec::new();
    for root in roots {
        size.value(root, &mut stack)?;
        while let Some(inner) = stack.pop() {
            size.value(inner, &mut stack)?;
        }
    }
    Some(size.used)
}

/// What [`borrowed_size`] has counted, and how far it may count.
struct Size {
    used: usize,
    limit: usize,
}

impl Size {
    fn add(&mut self, n: usize) -> Option<()> {
        self.used = self.used.saturating_add(n);
        (self.used <= self.limit).then_some(())
    }

    /// Counts `x` and the leaves directly in it; the containers in it go on `stack`.
    fn value<'v>(&mut self, x: &'v Value, stack: &mut Vec<&'v Value>) -> Option<()> {
        match x {
            Value::Array(items) => {
                self.add(NODE_BYTES)?;
                for item in items {
                    self.leaf_or_later(item, stack)?;
                }
                Some(())
            }
            Value::Object(map) => {
                self.add(NODE_BYTES)?;
                for (key, item) in map {
                    self.add(key.len() + 3)?;
                    self.leaf_or_later(item, stack)?;
                }
                Some(())
            }
            leaf => self.leaf_or_later(leaf, stack),
        }
    }

    fn leaf_or_later<'v>(&mut self, x: &'v Value, stack: &mut Vec<&'v Value>) -> Option<()> {
        match x {
            Value::String(s) => self.add(s.len() + 2),
            Value::Ext(ext) => self.add(NODE_BYTES + ext_bytes(ext)),
            Value::Array(_) | Value::Object(_) => {
                stack.push(x);
                Some(())
            }
            _ => self.add(NODE_BYTES),
        }
    }
}

/// Approximate size of a value JSON has no form for, beyond its node.
fn ext_bytes(ext: &crate::value::Ext) -> usize {
    match ext {
        crate::value::Ext::Bytes(bytes) => bytes.len(),
        crate::value::Ext::String16(units) => units.len() * 2,
        crate::value::Ext::BigInt(digits) => digits.len(),
        _ => 0,
    }
}
