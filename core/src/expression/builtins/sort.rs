//! Stable sorting with a fallible comparator.
//!
//! `slice::sort_by` cannot be used: the comparator is user code that may fail (budget) and
//! may be inconsistent, and Rust's sort is allowed to panic on inconsistent orderings.
//! These sort indices, never panic, and call the comparator O(n log n) times whatever it
//! returns. Arrays shorter than 64 use the same algorithm as V8 for short arrays (one run
//! plus binary insertion), so even inconsistent comparators (`(a, b) => a - b` over mixed
//! data) order them exactly as Node.js does; longer ones use a bottom-up merge sort, which
//! agrees with V8 whenever the comparator is consistent.

use super::super::error::{internal_error, RtResult};
use super::super::interpreter::{Args, Interp};
use super::super::utf16;
use super::super::value::Val;

/// Sorts indices `0..n`; `after(a, b)` says whether element `a` must come after `b`.
fn merge_sort(
    n: usize,
    mut after: impl FnMut(usize, usize) -> RtResult<bool>,
) -> RtResult<Vec<usize>> {
    let mut src: Vec<usize> = (0..n).collect();
    let mut dst: Vec<usize> = vec![0; n];
    let mut width = 1usize;
    while width < n {
        let mut lo = 0;
        while lo < n {
            let mid = lo.saturating_add(width).min(n);
            let hi = lo.saturating_add(width.saturating_mul(2)).min(n);
            let (mut l, mut r) = (lo, mid);
            for k in lo..hi {
                let left = src.get(l).copied();
                let right = src.get(r).copied();
                let take_right = match (l < mid, r < hi, left, right) {
                    (true, true, Some(a), Some(b)) => after(a, b)?,
                    (false, _, _, _) => true,
                    _ => false,
                };
                let picked = if take_right {
                    r += 1;
                    right
                } else {
                    l += 1;
                    left
                };
                let slot = dst.get_mut(k).ok_or_else(|| internal_error("sort index"))?;
                *slot = picked.ok_or_else(|| internal_error("sort index"))?;
            }
            lo = hi;
        }
        std::mem::swap(&mut src, &mut dst);
        width = width.saturating_mul(2);
    }
    Ok(src)
}

/// V8's TimSort below its minimum run length: extend the first run (reversing a strictly
/// descending one), then binary-insert the rest. `less(a, b)` is `compare(a, b) < 0`.
fn v8_short_sort(
    n: usize,
    mut less: impl FnMut(usize, usize) -> RtResult<bool>,
) -> RtResult<Vec<usize>> {
    let mut order: Vec<usize> = (0..n).collect();
    if n < 2 {
        return Ok(order);
    }
    let at = |order: &Vec<usize>, i: usize| {
        order.get(i).copied().ok_or_else(|| internal_error("sort index"))
    };
    // Count the initial run.
    let descending = less(at(&order, 1)?, at(&order, 0)?)?;
    let mut run = 2;
    while run < n {
        let (cur, prev) = (at(&order, run)?, at(&order, run - 1)?);
        let is_less = less(cur, prev)?;
        if descending != is_less {
            break;
        }
        run += 1;
    }
    if descending {
        order.get_mut(..run).ok_or_else(|| internal_error("sort run"))?.reverse();
    }
    // Binary insertion of the remaining elements.
    for start in run..n {
        let pivot = at(&order, start)?;
        let (mut left, mut right) = (0, start);
        while left < right {
            let mid = left + (right - left) / 2;
            if less(pivot, at(&order, mid)?)? {
                right = mid;
            } else {
                left = mid + 1;
            }
        }
        order.remove(start);
        order.insert(left, pivot);
    }
    Ok(order)
}

/// Below this length V8 sorts with a single binary-insertion run.
const V8_MIN_MERGE: usize = 64;

/// `Array.prototype.sort` semantics: `undefined`s go last, and holes after them; without a
/// comparator, elements compare as strings by UTF-16 code units.
pub(super) fn sort_values<'a>(
    it: &mut Interp,
    items: Vec<Val<'a>>,
    cmp: Option<&Val<'a>>,
    pos: usize,
) -> RtResult<Vec<Val<'a>>> {
    let total = items.len();
    let holes = items.iter().filter(|v| v.is_hole()).count();
    let (defined, undefined): (Vec<Val<'a>>, Vec<Val<'a>>) =
        items.into_iter().filter(|v| !v.is_hole()).partition(|v| !matches!(v, Val::Undefined));
    let order = match cmp {
        None => {
            // Keys borrow the strings themselves; only non-strings are converted.
            let mut keys = Vec::with_capacity(defined.len());
            for v in &defined {
                it.tick()?;
                let key = it.coerce_str(v)?;
                it.charge_bytes(key.len())?;
                keys.push(key);
            }
            merge_sort(defined.len(), |a, b| {
                it.tick()?;
                match (keys.get(a), keys.get(b)) {
                    (Some(x), Some(y)) => {
                        it.charge_bytes(x.len().min(y.len()))?;
                        Ok(utf16::cmp(x, y).is_gt())
                    }
                    _ => Err(internal_error("sort key")),
                }
            })?
        }
        Some(cmp) => {
            // The comparator's result as a number; NaN compares like 0.
            let mut compare = |a: usize, b: usize| -> RtResult<f64> {
                it.tick()?;
                let (Some(x), Some(y)) = (defined.get(a), defined.get(b)) else {
                    return Err(internal_error("sort element"));
                };
                let r = it.call_value(cmp, Args::Vals(&[x.clone(), y.clone()]), pos)?;
                it.coerce_number(&r)
            };
            if defined.len() < V8_MIN_MERGE {
                v8_short_sort(defined.len(), |a, b| Ok(compare(a, b)? < 0.0))?
            } else {
                merge_sort(defined.len(), |a, b| Ok(compare(a, b)? > 0.0))?
            }
        }
    };
    let mut out = Vec::with_capacity(total);
    for i in order {
        out.push(defined.get(i).cloned().unwrap_or(Val::Undefined));
    }
    out.extend(undefined);
    out.extend((0..holes).map(|_| Val::hole()));
    Ok(out)
}
