//! `Array.prototype` methods. None mutate: `sort` and `reverse` return new arrays (the
//! language has no mutation, so only identity with the receiver can tell the difference).

use crate::value::Value;

use super::super::convert::{relative_index, to_integer};
use super::super::error::{budget_error, type_error, RtResult};
use super::super::interpreter::{truthy, Args, Interp};
use super::super::ops::{same_value_zero, strict_eq};
use super::super::value::Val;
use super::{arg, not_a_function, sort, Method};

/// Uniform read access to borrowed and owned arrays.
#[derive(Clone, Copy)]
pub(in super::super) enum View<'v, 'a> {
    J(&'a [Value]),
    O(&'v [Val<'a>]),
}

impl<'v, 'a> View<'v, 'a> {
    pub fn of(v: &'v Val<'a>) -> Option<Self> {
        match v {
            Val::JArr(a) => Some(View::J(a.as_slice())),
            Val::Arr(a) => Some(View::O(&a.items)),
            _ => None,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            View::J(a) => a.len(),
            View::O(a) => a.len(),
        }
    }

    /// Element `i` as a read gives it (a hole is `undefined`).
    pub fn get(&self, i: usize) -> Val<'a> {
        self.slot(i).read()
    }

    /// Element `i` as it sits in the array (a hole stays a hole).
    pub fn slot(&self, i: usize) -> Val<'a> {
        match self {
            View::J(a) => a.get(i).map_or(Val::Undefined, Val::element),
            View::O(a) => a.get(i).cloned().unwrap_or(Val::Undefined),
        }
    }

    /// Whether element `i` is a hole (the methods that skip holes ask).
    pub fn is_hole(&self, i: usize) -> bool {
        match self {
            View::J(a) => a.get(i).is_some_and(
                |v| matches!(v, Value::Ext(ext) if matches!(**ext, crate::value::Ext::Hole)),
            ),
            View::O(a) => a.get(i).is_some_and(Val::is_hole),
        }
    }

    /// The elements as they sit (holes kept), for copies that keep them.
    pub fn to_vec(self) -> Vec<Val<'a>> {
        match self {
            View::J(a) => a.iter().map(Val::element).collect(),
            View::O(a) => a.to_vec(),
        }
    }

    /// The elements as reads give them (holes become `undefined`), for copies that fill them.
    pub fn to_read_vec(self) -> Vec<Val<'a>> {
        match self {
            View::J(a) => a.iter().map(Val::from_json).collect(),
            View::O(a) => a.iter().cloned().map(Val::read).collect(),
        }
    }
}

/// Calls a callback with `(elem, index, array)`, building only the arguments it declares.
fn callback<'a>(
    it: &mut Interp,
    cb: &Val<'a>,
    arity: usize,
    elem: Val<'a>,
    i: usize,
    arr: &Val<'a>,
    pos: usize,
) -> RtResult<Val<'a>> {
    match arity {
        0 | 1 => it.call_value(cb, Args::Vals(&[elem]), pos),
        2 => it.call_value(cb, Args::Vals(&[elem, Val::Num(i as f64)]), pos),
        _ => it.call_value(cb, Args::Vals(&[elem, Val::Num(i as f64), arr.clone()]), pos),
    }
}

fn callable<'a>(args: &[Val<'a>], pos: usize) -> RtResult<Val<'a>> {
    let cb = arg(args, 0);
    if cb.is_callable() {
        Ok(cb)
    } else {
        Err(not_a_function(&cb, pos))
    }
}

pub(super) fn call<'a>(
    it: &mut Interp,
    recv: Val<'a>,
    m: Method,
    args: Vec<Val<'a>>,
    pos: usize,
) -> RtResult<Option<Val<'a>>> {
    let Some(view) = View::of(&recv) else {
        return Ok(None);
    };
    let len = view.len();
    let v = match m {
        Method::Map => {
            let cb = callable(&args, pos)?;
            let arity = Interp::arity(&cb);
            let mut out = Vec::with_capacity(len);
            for i in 0..len {
                it.tick()?;
                // A hole stays a hole, and the callback is not called for it.
                if view.is_hole(i) {
                    out.push(Val::hole());
                    continue;
                }
                out.push(callback(it, &cb, arity, view.get(i), i, &recv, pos)?);
            }
            it.make_arr(out)?
        }
        Method::Filter => {
            let cb = callable(&args, pos)?;
            let arity = Interp::arity(&cb);
            let mut out = Vec::new();
            for i in 0..len {
                it.tick()?;
                if view.is_hole(i) {
                    continue;
                }
                let e = view.get(i);
                if truthy(&callback(it, &cb, arity, e.clone(), i, &recv, pos)?) {
                    out.push(e);
                }
            }
            it.make_arr(out)?
        }
        Method::ForEach => {
            let cb = callable(&args, pos)?;
            let arity = Interp::arity(&cb);
            for i in 0..len {
                it.tick()?;
                if !view.is_hole(i) {
                    callback(it, &cb, arity, view.get(i), i, &recv, pos)?;
                }
            }
            Val::Undefined
        }
        Method::Reduce | Method::ReduceRight => {
            let cb = callable(&args, pos)?;
            // Holes are skipped, also when looking for the first value.
            let order: Box<dyn Iterator<Item = usize>> = if m == Method::Reduce {
                Box::new((0..len).filter(|&i| !view.is_hole(i)))
            } else {
                Box::new((0..len).rev().filter(|&i| !view.is_hole(i)))
            };
            let mut order = order.peekable();
            let mut acc = match args.get(1) {
                Some(init) => init.clone(),
                None => match order.next() {
                    Some(i) => view.get(i),
                    None => {
                        return Err(type_error(
                            "Reduce of empty array with no initial value",
                            Some(pos),
                        ))
                    }
                },
            };
            let arity = Interp::arity(&cb);
            for i in order {
                it.tick()?;
                let e = view.get(i);
                acc = match arity {
                    0..=2 => it.call_value(&cb, Args::Vals(&[acc, e]), pos)?,
                    3 => it.call_value(&cb, Args::Vals(&[acc, e, Val::Num(i as f64)]), pos)?,
                    _ => it.call_value(
                        &cb,
                        Args::Vals(&[acc, e, Val::Num(i as f64), recv.clone()]),
                        pos,
                    )?,
                };
            }
            acc
        }
        Method::Find
        | Method::FindIndex
        | Method::FindLast
        | Method::FindLastIndex
        | Method::Some
        | Method::Every => {
            let cb = callable(&args, pos)?;
            let arity = Interp::arity(&cb);
            let backwards = matches!(m, Method::FindLast | Method::FindLastIndex);
            let mut found: Option<(usize, Val<'a>)> = None;
            let skips_holes = matches!(m, Method::Some | Method::Every);
            for k in 0..len {
                it.tick()?;
                let i = if backwards { len - 1 - k } else { k };
                if skips_holes && view.is_hole(i) {
                    continue;
                }
                let e = view.get(i);
                let hit = truthy(&callback(it, &cb, arity, e.clone(), i, &recv, pos)?);
                if hit != (m == Method::Every) {
                    found = Some((i, e));
                    break;
                }
            }
            match m {
                Method::Find | Method::FindLast => found.map_or(Val::Undefined, |(_, e)| e),
                Method::FindIndex | Method::FindLastIndex => {
                    Val::Num(found.map_or(-1.0, |(i, _)| i as f64))
                }
                Method::Some => Val::Bool(found.is_some()),
                _ => Val::Bool(found.is_none()),
            }
        }
        Method::Includes | Method::IndexOf => {
            let target = arg(&args, 0);
            let from = match args.get(1) {
                Some(v) => relative_index(it.coerce_number(v)?, len),
                None => 0,
            };
            let mut found = None;
            for i in from..len {
                it.tick()?;
                if m == Method::IndexOf && view.is_hole(i) {
                    continue;
                }
                let e = view.get(i);
                it.charge_compare(&e, &target)?;
                let eq = if m == Method::Includes {
                    same_value_zero(&e, &target)
                } else {
                    strict_eq(&e, &target)
                };
                if eq {
                    found = Some(i);
                    break;
                }
            }
            if m == Method::Includes {
                Val::Bool(found.is_some())
            } else {
                Val::Num(found.map_or(-1.0, |i| i as f64))
            }
        }
        Method::LastIndexOf => {
            let target = arg(&args, 0);
            let start = match args.get(1) {
                Some(v) => {
                    let n = to_integer(it.coerce_number(v)?);
                    if n < 0.0 {
                        len as f64 + n
                    } else {
                        n.min(len as f64 - 1.0)
                    }
                }
                None => len as f64 - 1.0,
            };
            let mut found = -1.0;
            if start >= 0.0 {
                for i in (0..=start as usize).rev() {
                    it.tick()?;
                    if view.is_hole(i) {
                        continue;
                    }
                    let e = view.get(i);
                    it.charge_compare(&e, &target)?;
                    if strict_eq(&e, &target) {
                        found = i as f64;
                        break;
                    }
                }
            }
            Val::Num(found)
        }
        Method::Join | Method::ToString => {
            let sep = match args.first() {
                Some(v) if m == Method::Join && !matches!(v, Val::Undefined) => {
                    it.coerce_str(v)?.into_owned()
                }
                _ => ",".to_string(),
            };
            let s = it.join(&recv, &sep)?;
            it.make_str(s)?
        }
        Method::Slice => {
            let start = relative_index(it.coerce_number(&arg(&args, 0))?, len);
            let end = match args.get(1) {
                None | Some(Val::Undefined) => len,
                Some(e) => relative_index(it.coerce_number(e)?, len),
            };
            let items: Vec<Val<'a>> = (start..end.max(start)).map(|i| view.slot(i)).collect();
            it.charge(items.len())?;
            it.make_arr(items)?
        }
        Method::Concat => {
            let mut out = view.to_vec();
            it.charge(len)?;
            for a in args {
                if let Some(inner) = View::of(&a) {
                    it.charge(inner.len())?;
                    it.check_arr_len(out.len().saturating_add(inner.len()))?;
                    out.extend(inner.to_vec());
                } else {
                    it.check_arr_len(out.len() + 1)?;
                    out.push(a);
                }
            }
            it.make_arr(out)?
        }
        Method::Flat => {
            let depth = match args.first() {
                None | Some(Val::Undefined) => 1.0,
                Some(v) => to_integer(it.coerce_number(v)?),
            };
            let mut out = Vec::with_capacity(len);
            flatten_into(it, &mut out, view, depth, 0)?;
            it.make_arr(out)?
        }
        Method::FlatMap => {
            let cb = callable(&args, pos)?;
            let arity = Interp::arity(&cb);
            let mut out = Vec::with_capacity(len);
            for i in 0..len {
                it.tick()?;
                if view.is_hole(i) {
                    continue;
                }
                let r = callback(it, &cb, arity, view.get(i), i, &recv, pos)?;
                if let Some(inner) = View::of(&r) {
                    // Flattening skips holes, as `flat` does.
                    it.charge(inner.len())?;
                    it.check_arr_len(out.len().saturating_add(inner.len()))?;
                    out.extend(
                        (0..inner.len()).filter(|&j| !inner.is_hole(j)).map(|j| inner.get(j)),
                    );
                } else {
                    it.check_arr_len(out.len() + 1)?;
                    out.push(r);
                }
            }
            it.make_arr(out)?
        }
        Method::Reverse | Method::ToReversed => {
            it.charge(len)?;
            // `reverse` moves holes with their slots; `toReversed` reads them (undefined).
            let mut items = if m == Method::Reverse { view.to_vec() } else { view.to_read_vec() };
            items.reverse();
            it.make_arr(items)?
        }
        Method::Sort | Method::ToSorted => {
            let cmp = match args.first() {
                None | Some(Val::Undefined) => None,
                Some(c) if c.is_callable() => Some(c.clone()),
                Some(c) => {
                    return Err(type_error(
                        format!(
                        "The comparison function must be either a function or undefined, got {}",
                        c.describe()
                    ),
                        Some(pos),
                    ))
                }
            };
            // `sort` keeps holes (after everything, even undefined); `toSorted` reads them.
            let items = if m == Method::Sort { view.to_vec() } else { view.to_read_vec() };
            let sorted = sort::sort_values(it, items, cmp.as_ref(), pos)?;
            it.make_arr(sorted)?
        }
        Method::At => {
            let n = to_integer(it.coerce_number(&arg(&args, 0))?);
            let i = if n < 0.0 { len as f64 + n } else { n };
            if i >= 0.0 && i < len as f64 {
                view.get(i as usize)
            } else {
                Val::Undefined
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(v))
}

/// `flat(depth)`: recursion is bounded by the value-depth cap.
fn flatten_into<'a>(
    it: &mut Interp,
    out: &mut Vec<Val<'a>>,
    view: View<'_, 'a>,
    depth: f64,
    level: u32,
) -> RtResult<()> {
    if level > it.max_value_depth {
        return Err(budget_error(format!(
            "Value nesting exceeds the limit of {} levels",
            it.max_value_depth
        )));
    }
    for i in 0..view.len() {
        it.tick()?;
        if view.is_hole(i) {
            continue;
        }
        let e = view.get(i);
        match View::of(&e) {
            Some(inner) if depth >= 1.0 => flatten_into(it, out, inner, depth - 1.0, level + 1)?,
            _ => {
                it.check_arr_len(out.len() + 1)?;
                out.push(e.clone());
            }
        }
    }
    Ok(())
}
