//! The eleven `transform` operations, over JSON arrays.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashSet;

use crate::value::{Map, Value};

use super::super::common::{node_error, Config};
use super::super::common_budget::NodeBudget;
use super::super::common_expression::{compile_function, defined, item_error};
use super::super::pace::Pace;
use super::schema::FUNCTION_FORM;
use crate::error::ExecutionError;
use crate::expression::{Expression, Limits};
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
        flatten_depth(self.config)
    }
}

/// How deep `flatten` flattens: `flattenDepth`, 1 by default.
pub(super) fn flatten_depth(config: &Config<'_>) -> usize {
    config.get("flattenDepth").and_then(Value::as_f64).unwrap_or(1.0).max(0.0) as usize
}

/// The implicit parameters of a `transformFunction` without an arrow, as validation checks it.
pub(super) fn implicit(operation: &str) -> &'static [&'static str] {
    match FUNCTION_FORM.for_operation(Some(operation)) {
        ExpressionForm::Function { implicit } => implicit,
        _ => &["item"],
    }
}

/// What one pass over items works within: the attempt's allowance, the node's full limits and
/// its budget.
pub(super) struct Pass<'a> {
    pub pace: &'a Pace<'a>,
    pub full: &'a Limits,
    pub calls: &'a NodeBudget<'a>,
}

impl Pass<'_> {
    /// Between items: the allowance, and every few hundred items the signal.
    fn next(&self, i: usize) -> Result<(), ExecutionError> {
        self.pace.tick()?;
        if i % ITEMS_PER_LOOK == 0 {
            self.calls.stopped()?;
        }
        Ok(())
    }
}

/// `map` of `f` over `items`, which come after `offset` items of the node's input (an error
/// names an item by its index in the whole input). The same loop maps a whole array and each
/// batch of a stream.
pub(super) fn map_items<V: std::borrow::Borrow<Value>>(
    f: &Expression,
    items: impl ExactSizeIterator<Item = V>,
    offset: usize,
    pass: &Pass<'_>,
) -> Result<Vec<Value>, ExecutionError> {
    let limits = &pass.calls.limits;
    let mut out = Vec::with_capacity(items.len());
    // An item given owned (a stream's row) is let go of as soon as it is mapped, while it is
    // still in the cache.
    for (i, item) in items.enumerate() {
        pass.next(i)?;
        out.push(defined(
            pass.pace
                .checked(pass.full, f.call_in(&[item.borrow()], limits, pass.calls.output()))
                .map_err(|e| item_error(TYPE, "map", offset + i, e))?,
        ));
    }
    Ok(out)
}

/// `filter` of `f` over `items` (see [`map_items`]): the items kept, taken as they come (a
/// stream's batch is moved, an array's items cloned).
pub(super) fn filter_items<'v>(
    f: &Expression,
    items: impl Iterator<Item = Cow<'v, Value>>,
    offset: usize,
    pass: &Pass<'_>,
) -> Result<Vec<Value>, ExecutionError> {
    let limits = &pass.calls.limits;
    let mut out = Vec::new();
    for (i, item) in items.enumerate() {
        pass.next(i)?;
        if pass
            .pace
            .checked(pass.full, f.test_in(&[&item], limits, pass.calls.checks()))
            .map_err(|e| item_error(TYPE, "filter", offset + i, e))?
        {
            out.push(item.into_owned());
        }
    }
    Ok(out)
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
            Value::Array(map_items(
                &f,
                items.iter(),
                0,
                &Pass { pace, full: &full, calls: &calls },
            )?)
        }
        "filter" => {
            let f = compile_function(TYPE, s.function, implicit(operation))?;
            Value::Array(filter_items(
                &f,
                items.iter().map(Cow::Borrowed),
                0,
                &Pass { pace, full: &full, calls: &calls },
            )?)
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
            Value::Array(sorted(items, s.sort_key(), s.descending()))
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
                items.iter().filter(|item| seen.insert(unique_key(item))).cloned().collect(),
            )
        }
        "reverse" => Value::Array(items.iter().rev().cloned().collect()),
        "limit" | "skip" | "slice" => {
            let len = items.len();
            let (from, to) = window(operation, s.config, Some(len)).unwrap_or((0, None));
            let (from, to) = (from.min(len), to.unwrap_or(len).min(len));
            Value::Array(items.get(from..to.max(from)).unwrap_or(&[]).to_vec())
        }
        other => return Err(node_error(TYPE, format!("Unknown operation: {other}"))),
    })
}

/// What `unique` tells items apart by: their JSON text.
pub(super) fn unique_key(item: &Value) -> String {
    serde_json::to_string(item).unwrap_or_default()
}

/// The positions `from..to` of its input that `limit`, `skip` or `slice` keep (`to` `None`: to
/// the end), for an input of `len` items; `len` `None` (a stream's input, whose length is known
/// only at its end) and a bound counted from the end: `None`.
pub(super) fn window(
    operation: &str,
    config: &Config<'_>,
    len: Option<usize>,
) -> Option<(usize, Option<usize>)> {
    let number = |key: &str| config.get(key).and_then(Value::as_f64);
    // `Array.prototype.slice`'s bounds: counted from the end when negative, within the input.
    let position = |n: f64| -> Option<usize> {
        let n = n.trunc();
        match len {
            Some(len) if n < 0.0 => Some((len as f64 + n).max(0.0) as usize),
            Some(len) => Some(n.min(len as f64) as usize),
            None if n < 0.0 => None,
            None => Some(count(Some(n), 0.0)),
        }
    };
    match operation {
        "limit" => Some((0, Some(count(number("limitCount"), 10.0)))),
        "skip" => Some((count(number("skipCount"), 0.0), None)),
        "slice" => {
            let from = position(number("sliceStart").unwrap_or(0.0))?;
            let to = match number("sliceEnd") {
                Some(end) => Some(position(end)?),
                None => None,
            };
            Some((from, to))
        }
        _ => None,
    }
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

/// `items` sorted by the value at `key` (each item itself without one), stably: numbers
/// numerically, everything else by its string form, `null`s (and missing keys) last. Each
/// item's key is read once, not at every comparison.
pub(super) fn sorted(items: &[Value], key: Option<&str>, descending: bool) -> Vec<Value> {
    sort_order(items, key, descending).into_iter().map(|i| items[i].clone()).collect()
}

/// What `item` sorts by in a sort on `key` (a merge of sorted runs keeps its heads' keys).
#[cfg(feature = "streams")]
pub(super) fn sort_key(item: &Value, key: Option<&str>) -> SortKey {
    SortKey::of(key.map_or(Some(item), |k| path(item, k)))
}

/// The positions of `items` in sorted order (see [`sorted`]).
fn sort_order(items: &[Value], key: Option<&str>, descending: bool) -> Vec<usize> {
    let keys: Vec<SortKey> =
        items.iter().map(|item| SortKey::of(key.map_or(Some(item), |k| path(item, k)))).collect();
    key_order(&keys, descending)
}

/// The positions of `keys` in the stable sort's order.
pub(super) fn key_order(keys: &[SortKey], descending: bool) -> Vec<usize> {
    #[cfg(feature = "bulk-data")]
    if let Some(order) = numeric_order(keys, descending) {
        return order;
    }
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| {
        let ordering = keys[a].cmp(&keys[b]);
        if descending {
            ordering.reverse()
        } else {
            ordering
        }
    });
    order
}

/// [`sort_order`] when every key is a number (builds for data; the browser's default module
/// sorts every key the general way): each key made an integer that orders as
/// `f64::total_cmp` does (reversed for `descending`), its position beside it, so that an
/// unstable sort of the pairs gives the stable sort's order (equal keys by position) at a
/// fraction of its cost.
#[cfg(feature = "bulk-data")]
fn numeric_order(keys: &[SortKey], descending: bool) -> Option<Vec<usize>> {
    let index = |i: usize| u32::try_from(i).ok();
    let mut pairs = Vec::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        let SortKey::Number(n) = key else { return None };
        let bits = n.to_bits();
        // total_cmp's order: negative numbers with every bit flipped, the others with the sign.
        let ordered = if bits >> 63 == 1 { !bits } else { bits | (1 << 63) };
        pairs.push((if descending { !ordered } else { ordered }, index(i)?));
    }
    pairs.sort_unstable();
    Some(pairs.into_iter().map(|(_, i)| i as usize).collect())
}

/// What an item sorts by.
#[derive(Debug)]
pub(super) enum SortKey {
    Number(f64),
    Text(String),
    Null,
}

impl SortKey {
    fn of(value: Option<&Value>) -> Self {
        match value {
            None | Some(Value::Null) => SortKey::Null,
            Some(Value::Number(n)) => SortKey::Number(n.as_f64().unwrap_or(0.0)),
            Some(other) => SortKey::Text(js_string(other)),
        }
    }

    /// Numbers numerically, everything else by its string form; `null`s last. A number and a
    /// string compare by their string forms.
    pub(super) fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (SortKey::Number(x), SortKey::Number(y)) => x.total_cmp(y),
            (SortKey::Null, SortKey::Null) => Ordering::Equal,
            (SortKey::Null, _) => Ordering::Greater,
            (_, SortKey::Null) => Ordering::Less,
            (a, b) => a.text().cmp(&b.text()),
        }
    }

    fn text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            SortKey::Text(text) => std::borrow::Cow::Borrowed(text),
            SortKey::Number(n) => std::borrow::Cow::Owned(js_string(&Value::from(*n))),
            SortKey::Null => std::borrow::Cow::Borrowed("null"),
        }
    }
}

/// `Array.prototype.flat(depth)`, iteratively.
pub(super) fn flatten(items: &[Value], depth: usize) -> Vec<Value> {
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

#[cfg(all(test, feature = "bulk-data"))]
mod numeric_order_tests {
    use super::{numeric_order, SortKey};

    #[test]
    fn numbers_sort_as_the_stable_sort_sorts_them_either_way() {
        let specials =
            [0.0, -0.0, f64::NAN, -f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1.5, -1.5, 3.0];
        let mut seed = 5u64;
        for len in [0usize, 1, 2, 7, 64, 500] {
            for round in 0..20 {
                let numbers: Vec<f64> = (0..len)
                    .map(|_| {
                        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(round + 1);
                        specials[(seed >> 59) as usize % specials.len()]
                    })
                    .collect();
                let keys: Vec<SortKey> = numbers.iter().map(|&n| SortKey::Number(n)).collect();
                for descending in [false, true] {
                    let mut expected: Vec<usize> = (0..len).collect();
                    expected.sort_by(|&a, &b| {
                        let ordering = keys[a].cmp(&keys[b]);
                        if descending {
                            ordering.reverse()
                        } else {
                            ordering
                        }
                    });
                    assert_eq!(numeric_order(&keys, descending), Some(expected), "{numbers:?}");
                }
            }
        }
        assert_eq!(numeric_order(&[SortKey::Number(1.0), SortKey::Null], false), None);
    }
}
