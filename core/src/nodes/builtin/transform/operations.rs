//! The eleven `transform` operations, over JSON arrays.

use std::cmp::Ordering;
use std::collections::HashSet;

use crate::value::{Map, Value};

use super::super::common::{node_error, Config};
use super::super::common_budget::NodeBudget;
use super::super::common_expression::{compile_function, defined, item_error};
use super::super::pace::Pace;
use super::schema::FUNCTION_FORM;
use crate::error::ExecutionError;
use crate::expression::Limits;
use crate::format::js_string;
use crate::host::CancelToken;
use crate::nodes::schema::ExpressionForm;

const TYPE: &str = "transform";

/// What an operation reads: the function, and the other parameters on demand (each is a map
/// lookup; `map` over a chain of small nodes reads none of them).
pub(super) struct Settings<'a> {
    pub function: &'a str,
    pub config: &'a Config<'a>,
    /// Budgets of each expression call.
    pub limits: Limits,
    /// The node's signal: expression calls stop when it is cancelled.
    pub signal: &'a CancelToken,
    /// The attempt's allowance (see `pace`).
    pub pace: &'a Pace<'a>,
}

/// Items between two looks at the signal outside expression calls (a call looks every few
/// thousand steps; a map of tiny calls would otherwise look at it only through them).
const ITEMS_PER_LOOK: usize = 256;

impl Settings<'_> {
    fn number(&self, key: &str) -> Option<f64> {
        self.config.get(key).and_then(Value::as_f64)
    }

    fn sort_key(&self) -> Option<&str> {
        self.config.str("sortKey").filter(|k| !k.is_empty())
    }

    fn descending(&self) -> bool {
        self.config.str("sortDirection") == Some("desc")
    }

    fn group_key(&self) -> Option<&str> {
        self.config.str("groupKey")
    }

    fn flatten_depth(&self) -> usize {
        self.number("flattenDepth").unwrap_or(1.0).max(0.0) as usize
    }
}

/// The implicit parameters of a `transformFunction` without an arrow, as validation checks it.
pub(super) fn implicit(operation: &str) -> &'static [&'static str] {
    match FUNCTION_FORM.for_operation(Some(operation)) {
        ExpressionForm::Function { implicit } => implicit,
        _ => &["item"],
    }
}

/// Applies `operation` to `items`.
/// Expression-driven operations share one output bound and stop when the node's signal is
/// cancelled (its run was cancelled or its attempt timed out).
pub(super) fn apply(
    operation: &str,
    items: &[Value],
    s: &Settings<'_>,
) -> Result<Value, ExecutionError> {
    let (pace, full) = (s.pace, s.limits);
    let calls = NodeBudget::new(pace.limits(&full), s.signal);
    let limits = &calls.limits;
    // Between items: the inline allowance, and every few hundred items the signal.
    let next = |i: usize| -> Result<(), ExecutionError> {
        pace.tick()?;
        if i % ITEMS_PER_LOOK == 0 {
            calls.stopped()?;
        }
        Ok(())
    };
    Ok(match operation {
        "map" => {
            let f = compile_function(TYPE, s.function, implicit(operation))?;
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                next(i)?;
                out.push(defined(
                    pace.checked(&full, f.call_in(&[item], limits, calls.output()))
                        .map_err(|e| item_error(TYPE, "map", i, e))?,
                ));
            }
            Value::Array(out)
        }
        "filter" => {
            let f = compile_function(TYPE, s.function, implicit(operation))?;
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                next(i)?;
                if pace
                    .checked(&full, f.test_in(&[item], limits, calls.checks()))
                    .map_err(|e| item_error(TYPE, "filter", i, e))?
                {
                    out.push(item.clone());
                }
            }
            Value::Array(out)
        }
        "reduce" => {
            let f = compile_function(TYPE, s.function, implicit(operation))?;
            let mut acc = initial(s.config.get("reduceInitial"));
            for (i, item) in items.iter().enumerate() {
                next(i)?;
                let index = Value::from(i);
                acc = defined(
                    pace.checked(
                        &full,
                        f.call_with_fields_in(
                            &[("acc", &acc), ("item", item), ("index", &index)],
                            limits,
                            calls.checks(),
                        ),
                    )
                    .map_err(|e| item_error(TYPE, "reduce", i, e))?,
                );
            }
            acc
        }
        "sort" => {
            pace.expect(items.len())?;
            let mut sorted: Vec<Value> = items.to_vec();
            let key = |v: &Value| -> Value {
                s.sort_key()
                    .map_or_else(|| v.clone(), |k| path(v, k).cloned().unwrap_or(Value::Null))
            };
            sorted.sort_by(|a, b| {
                let ordering = compare(&key(a), &key(b));
                if s.descending() {
                    ordering.reverse()
                } else {
                    ordering
                }
            });
            Value::Array(sorted)
        }
        "group" => {
            let Some(key) = s.group_key().or(s.sort_key()).filter(|k| !k.is_empty()) else {
                return Err(node_error(
                    TYPE,
                    "groupKey or sortKey is required for group operation",
                ));
            };
            pace.expect(items.len())?;
            let mut groups: Map = Map::new();
            for item in items {
                let name = path(item, key).map_or_else(|| "undefined".to_owned(), js_string);
                if let Value::Array(members) =
                    groups.entry(name).or_insert_with(|| Value::Array(Vec::new()))
                {
                    members.push(item.clone());
                }
            }
            Value::Object(groups)
        }
        "flatten" => {
            pace.expect(items.len())?;
            Value::Array(flatten(items, s.flatten_depth()))
        }
        "unique" => {
            pace.expect(items.len())?;
            let mut seen = HashSet::new();
            Value::Array(
                items
                    .iter()
                    .filter(|item| seen.insert(serde_json::to_string(item).unwrap_or_default()))
                    .cloned()
                    .collect(),
            )
        }
        "reverse" => Value::Array(items.iter().rev().cloned().collect()),
        "limit" => {
            Value::Array(items.iter().take(count(s.number("limitCount"), 10.0)).cloned().collect())
        }
        "skip" => {
            Value::Array(items.iter().skip(count(s.number("skipCount"), 0.0)).cloned().collect())
        }
        "slice" => {
            let len = items.len() as f64;
            let resolve = |n: f64| if n < 0.0 { (len + n).max(0.0) } else { n.min(len) } as usize;
            let start = resolve(s.number("sliceStart").unwrap_or(0.0).trunc());
            let end = s.number("sliceEnd").map_or(items.len(), |e| resolve(e.trunc()));
            Value::Array(items.get(start..end.max(start)).unwrap_or(&[]).to_vec())
        }
        other => return Err(node_error(TYPE, format!("Unknown operation: {other}"))),
    })
}

/// `reduceInitial`: JSON when it parses, the string itself otherwise, `""` when absent.
fn initial(value: Option<&Value>) -> Value {
    match value {
        None | Some(Value::Null) => Value::from(String::new()),
        Some(Value::String(text)) => {
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.clone()))
        }
        Some(other) => other.clone(),
    }
}

fn count(value: Option<f64>, default: f64) -> usize {
    value.unwrap_or(default).max(0.0).min(usize::MAX as f64) as usize
}

/// A dotted path into an item (`address.city`, `tags.0`).
fn path<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    key.split('.').try_fold(value, |current, segment| match current {
        Value::Object(map) => map.get(segment),
        Value::Array(items) => items.get(segment.parse::<usize>().ok()?),
        _ => None,
    })
}

/// Numbers numerically, everything else by its string form; `null`s last.
fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x.as_f64().unwrap_or(0.0).total_cmp(&y.as_f64().unwrap_or(0.0))
        }
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Greater,
        (_, Value::Null) => Ordering::Less,
        _ => js_string(a).cmp(&js_string(b)),
    }
}

/// `Array.prototype.flat(depth)`, iteratively.
fn flatten(items: &[Value], depth: usize) -> Vec<Value> {
    let mut out = Vec::with_capacity(items.len());
    let mut stack: Vec<(std::slice::Iter<'_, Value>, usize)> = vec![(items.iter(), 0)];
    while let Some((iter, level)) = stack.last_mut() {
        let level = *level;
        match iter.next() {
            Some(Value::Array(inner)) if level < depth => stack.push((inner.iter(), level + 1)),
            Some(item) => out.push(item.clone()),
            None => {
                stack.pop();
            }
        }
    }
    out
}
