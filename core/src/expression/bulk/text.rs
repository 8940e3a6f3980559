//! String methods the fast tiers apply themselves (`row.name.toLowerCase()`,
//! `row.start.slice(0, 4)`), with the interpreter's exact results and the memory it would count
//! for them. Whenever the interpreter could do something else — a string long enough that it
//! charges steps for scanning it, a slice of a string that is not ASCII (UTF-16 indices), a
//! result over the length limit — the caller is told to leave the call to the interpreter.

use std::borrow::Cow;

use super::super::builtins::Method;
use super::super::convert::{relative_index, to_integer, trim_end_js, trim_js, trim_start_js};
use super::super::interpreter::HEADER_BYTES;
use super::super::ir::{Const, Item, Node};

/// Strings at least this long are left to the interpreter: it charges steps for scanning them
/// (one per 256 bytes, `Interp::charge_bytes`), which a fast tier does not count.
pub(super) const SHORT: usize = 256;

/// A string method with constant arguments.
#[derive(Clone, Copy, Debug)]
pub(super) enum TextOp {
    Lower,
    Upper,
    Trim,
    TrimStart,
    TrimEnd,
    /// `slice(start, end?)`.
    Slice(f64, Option<f64>),
    /// `substring(start, end?)`.
    Substring(f64, Option<f64>),
}

impl TextOp {
    /// The operation a method node applies, when it is one of these with constant numeric
    /// arguments (and is not optional: `?.` is the interpreter's).
    pub(super) fn of(method: Option<Method>, args: &[Item]) -> Option<TextOp> {
        let number = |i: usize| match args.get(i) {
            Some(Item::Expr(Node::Const(Const::Num(n)))) => Some(Some(*n)),
            None => Some(None),
            _ => None,
        };
        let none = args.is_empty();
        Some(match method? {
            Method::ToLowerCase if none => TextOp::Lower,
            Method::ToUpperCase if none => TextOp::Upper,
            Method::Trim if none => TextOp::Trim,
            Method::TrimStart if none => TextOp::TrimStart,
            Method::TrimEnd if none => TextOp::TrimEnd,
            Method::Slice if args.len() <= 2 => TextOp::Slice(number(0)??, number(1)?),
            Method::Substring if args.len() <= 2 => TextOp::Substring(number(0)??, number(1)?),
            _ => return None,
        })
    }

    /// `s` with the method applied, and the bytes the interpreter counts against the memory
    /// budget for it (a string it creates: a header and its text; one it hands back as it is:
    /// nothing); `None` where the interpreter must answer.
    fn apply<'s>(self, s: Cow<'s, str>, max_len: usize) -> Option<(Cow<'s, str>, usize)> {
        if s.len() >= SHORT || s.len() > max_len {
            return None;
        }
        let created = |text: String| {
            let charged = HEADER_BYTES + text.len();
            (text.len() <= max_len).then_some((Cow::Owned(text), charged))
        };
        // A part of `s`: `s` itself when it is all of it (the interpreter then creates nothing).
        let part = |s: Cow<'s, str>, start: usize, end: usize| match s {
            _ if start == 0 && end == s.len() => Some((s, 0)),
            Cow::Borrowed(b) => {
                Some((Cow::Borrowed(b.get(start..end)?), HEADER_BYTES + end - start))
            }
            Cow::Owned(o) => created(o.get(start..end)?.to_owned()),
        };
        let trimmed = |s: Cow<'s, str>, t: &dyn Fn(&str) -> &str| {
            let whole = s.len();
            let inner = t(&s);
            let start = inner.as_ptr() as usize - s.as_ptr() as usize;
            let len = inner.len();
            match len == whole {
                true => Some((s, 0)),
                false => part(s, start, start + len),
            }
        };
        match self {
            TextOp::Lower => created(s.to_lowercase()),
            TextOp::Upper => created(s.to_uppercase()),
            TextOp::Trim => trimmed(s, &trim_js),
            TextOp::TrimStart => trimmed(s, &trim_start_js),
            TextOp::TrimEnd => trimmed(s, &trim_end_js),
            // Indices are UTF-16 code units: equal to bytes only in ASCII text.
            TextOp::Slice(..) | TextOp::Substring(..) if !s.is_ascii() => None,
            TextOp::Slice(start, end) => {
                let len = s.len();
                let start = relative_index(start, len);
                let end = end.map_or(len, |end| relative_index(end, len));
                if start >= end {
                    return created(String::new());
                }
                slice_of(s, start, end)
            }
            TextOp::Substring(a, b) => {
                let len = s.len();
                let clamp = |n: f64| to_integer(n).clamp(0.0, len as f64) as usize;
                let (a, b) = (clamp(a), b.map_or(len, clamp));
                if a.min(b) == a.max(b) {
                    return created(String::new());
                }
                slice_of(s, a.min(b), a.max(b))
            }
        }
    }
}

/// `s[start..end]` as `slice` and `substring` make it: always a new string to the interpreter
/// (it counts one, even when the part is the whole).
fn slice_of(s: Cow<'_, str>, start: usize, end: usize) -> Option<(Cow<'_, str>, usize)> {
    let charged = HEADER_BYTES + end - start;
    Some(match s {
        Cow::Borrowed(b) => (Cow::Borrowed(b.get(start..end)?), charged),
        Cow::Owned(o) => (Cow::Owned(o.get(start..end)?.to_owned()), charged),
    })
}

/// `s` through `ops` in order, and the memory the interpreter would count; `None` where it must
/// answer itself.
pub(super) fn apply_all<'s>(
    s: &'s str,
    ops: &[TextOp],
    max_len: usize,
) -> Option<(Cow<'s, str>, usize)> {
    let mut text = Cow::Borrowed(s);
    let mut charged = 0;
    for op in ops {
        let (next, bytes) = op.apply(text, max_len)?;
        text = next;
        charged += bytes;
    }
    Some((text, charged))
}
