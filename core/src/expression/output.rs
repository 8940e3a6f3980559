//! Turning the result of a call into an owned `serde_json::Value`, within a size limit.
//!
//! Values can share structure at run time (`xs.map(() => bigInput)` holds many references
//! to one input), so the materialised result could be far larger than anything evaluation
//! paid for. Its size is therefore measured as it is built and capped by
//! `Limits::max_output_bytes`. Borrowed input is measured iteratively (no recursion on
//! input depth) and then cloned.

use serde_json::{Map, Value};

use super::order::enumeration_order;
use super::error::{budget_error, RtResult};
use super::limits::Limits;
use super::value::{number_to_json, Val};

/// Approximate serialised size of a scalar or separator, in bytes.
const NODE_BYTES: usize = 8;

struct Output {
    used: usize,
    limit: usize,
    max_depth: usize,
}

/// Converts with `JSON.stringify`-like rules: `undefined` and functions give `None`
/// (omitted from objects, `null` in arrays); non-finite numbers give `null`.
#[inline]
pub(super) fn materialize(v: &Val<'_>, limits: &Limits) -> RtResult<Option<Value>> {
    if let Val::Num(n) = v {
        return Ok(Some(number_to_json(*n)));
    }
    let mut out = Output {
        used: 0,
        limit: limits.max_output_bytes,
        max_depth: limits.max_value_depth,
    };
    out.value(v, 0)
}

impl Output {
    fn add(&mut self, n: usize) -> RtResult<()> {
        self.used = self.used.saturating_add(n);
        if self.used > self.limit {
            return Err(budget_error(format!(
                "Result exceeds the output limit of {} bytes",
                self.limit
            )));
        }
        Ok(())
    }

    /// Measures borrowed input without recursion (it may be nested arbitrarily deep).
    fn measure<'v>(&mut self, roots: impl Iterator<Item = &'v Value>) -> RtResult<()> {
        let mut stack: Vec<&Value> = roots.collect();
        while let Some(x) = stack.pop() {
            match x {
                Value::String(s) => self.add(s.len() + 2)?,
                Value::Array(a) => {
                    self.add(NODE_BYTES)?;
                    stack.extend(a.iter());
                }
                Value::Object(o) => {
                    self.add(NODE_BYTES)?;
                    for (k, item) in o {
                        self.add(k.len() + 3)?;
                        stack.push(item);
                    }
                }
                _ => self.add(NODE_BYTES)?,
            }
        }
        Ok(())
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
            Val::Undefined | Val::Func(_) | Val::Native(_) => return Ok(None),
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
                Value::String(s.to_owned())
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
                for x in &a.items {
                    items.push(self.value(x, depth + 1)?.unwrap_or(Value::Null));
                }
                Value::Array(items)
            }
            Val::Obj(o) => {
                self.add(NODE_BYTES)?;
                let mut m = Map::with_capacity(o.props.len());
                let order = enumeration_order(o.props.iter().map(|(k, _)| k.as_str()));
                let entries: Box<dyn Iterator<Item = _>> = match order {
                    None => Box::new(o.props.iter()),
                    Some(order) => {
                        let all: Vec<_> = o.props.iter().collect();
                        Box::new(order.into_iter().filter_map(move |i| all.get(i).copied()))
                    }
                };
                for (k, x) in entries {
                    if let Some(j) = self.value(x, depth + 1)? {
                        self.add(k.as_str().len() + 3)?;
                        m.insert(k.as_str().to_owned(), j);
                    }
                }
                Value::Object(m)
            }
        }))
    }
}
