//! `String.prototype` methods. Indices and lengths are in UTF-16 code units, as in
//! JavaScript; searching uses `str`'s linear-time algorithms on UTF-8 and converts offsets.

use std::cmp::Ordering;

use super::super::convert::{
    relative_index, to_integer, to_uint32, trim_end_js, trim_js, trim_start_js,
};
use super::super::error::{type_error, RtResult};
use super::super::interpreter::{Args, Interp};
use super::super::utf16;
use super::super::value::Val;
use super::{arg, Method};

pub(super) fn call<'a>(
    it: &mut Interp,
    recv: Val<'a>,
    m: Method,
    args: Vec<Val<'a>>,
    pos: usize,
) -> RtResult<Option<Val<'a>>> {
    let s = recv.as_str().unwrap_or("");
    // Every string method scans the receiver and its string arguments at least once.
    it.charge_bytes(s.len())?;
    for a in &args {
        it.charge_compare(a, &Val::Undefined)?;
    }
    let v = match m {
        Method::ToUpperCase => {
            it.check_str_len(s.len())?;
            it.make_str(s.to_uppercase())?
        }
        Method::ToLowerCase => {
            it.check_str_len(s.len())?;
            it.make_str(s.to_lowercase())?
        }
        Method::Trim => substr(it, &recv, trim_js(s))?,
        Method::TrimStart => substr(it, &recv, trim_start_js(s))?,
        Method::TrimEnd => substr(it, &recv, trim_end_js(s))?,
        Method::Includes => {
            let needle = it.coerce_str(&arg(&args, 0))?.into_owned();
            let from = position_arg(it, &args, 1, 0)?;
            let start = utf16::unit_to_byte(s, from);
            Val::Bool(s.get(start..).is_some_and(|h| h.contains(needle.as_str())))
        }
        Method::StartsWith => {
            let needle = it.coerce_str(&arg(&args, 0))?.into_owned();
            let from = position_arg(it, &args, 1, 0)?;
            let start = utf16::unit_to_byte(s, from);
            Val::Bool(s.get(start..).is_some_and(|h| h.starts_with(needle.as_str())))
        }
        Method::EndsWith => {
            let needle = it.coerce_str(&arg(&args, 0))?.into_owned();
            let end = position_arg(it, &args, 1, usize::MAX)?;
            let end = utf16::unit_to_byte(s, end);
            Val::Bool(s.get(..end).is_some_and(|h| h.ends_with(needle.as_str())))
        }
        Method::IndexOf => {
            let needle = it.coerce_str(&arg(&args, 0))?.into_owned();
            let len = utf16::len(s);
            let from = position_arg(it, &args, 1, 0)?.min(len);
            let start = utf16::unit_to_byte(s, from);
            let found = s
                .get(start..)
                .and_then(|h| h.find(needle.as_str()))
                .map(|b| utf16::byte_to_unit(s, start + b));
            Val::Num(found.map_or(-1.0, |i| i as f64))
        }
        Method::LastIndexOf => {
            let needle = it.coerce_str(&arg(&args, 0))?.into_owned();
            let len = utf16::len(s);
            let n = it.coerce_number(&arg(&args, 1))?;
            let from = if n.is_nan() { len } else { to_integer(n).clamp(0.0, len as f64) as usize };
            let limit = utf16::unit_to_byte(s, from);
            let found =
                s.match_indices(needle.as_str()).map(|(b, _)| b).take_while(|&b| b <= limit).last();
            Val::Num(found.map_or(-1.0, |b| utf16::byte_to_unit(s, b) as f64))
        }
        Method::Slice => {
            let len = utf16::len(s);
            let start = relative_index(it.coerce_number(&arg(&args, 0))?, len);
            let end = match args.get(1) {
                None | Some(Val::Undefined) => len,
                Some(e) => relative_index(it.coerce_number(e)?, len),
            };
            it.make_str(utf16::slice(s, start, end))?
        }
        Method::Substring => {
            let len = utf16::len(s);
            let clamp = |n: f64| to_integer(n).clamp(0.0, len as f64) as usize;
            let a = clamp(it.coerce_number(&arg(&args, 0))?);
            let b = match args.get(1) {
                None | Some(Val::Undefined) => len,
                Some(e) => clamp(it.coerce_number(e)?),
            };
            it.make_str(utf16::slice(s, a.min(b), a.max(b)))?
        }
        Method::At | Method::CharAt | Method::CharCodeAt | Method::CodePointAt => {
            return char_access(it, s, m, &args)
        }
        Method::Split => split(it, s, &args)?,
        Method::Replace | Method::ReplaceAll => {
            replace(it, s, m == Method::ReplaceAll, &args, pos)?
        }
        Method::PadStart | Method::PadEnd => pad(it, &recv, s, m == Method::PadStart, &args)?,
        Method::Repeat => {
            let n = to_integer(it.coerce_number(&arg(&args, 0))?);
            if n < 0.0 || n.is_infinite() {
                return Err(type_error(
                    format!("Invalid count value: {}", super::super::convert::number_to_string(n)),
                    Some(pos),
                ));
            }
            // Checked in f64 first: the product may not fit in usize.
            let total = (s.len() as f64) * n;
            it.check_str_len_f64(total)?;
            it.check_str_len(total as usize)?;
            it.make_str(s.repeat(n as usize))?
        }
        Method::Concat => {
            let mut out = s.to_string();
            for a in &args {
                let piece = it.coerce_str(a)?;
                it.check_str_len(out.len().saturating_add(piece.len()))?;
                out.push_str(&piece);
            }
            it.make_str(out)?
        }
        Method::LocaleCompare => {
            let other = it.coerce_str(&arg(&args, 0))?.into_owned();
            Val::Num(match locale_compare(s, &other) {
                Ordering::Less => -1.0,
                Ordering::Equal => 0.0,
                Ordering::Greater => 1.0,
            })
        }
        Method::ToString => recv.clone(),
        _ => return Ok(None),
    };
    Ok(Some(v))
}

/// Returns the receiver itself when a trim removed nothing (no allocation).
fn substr<'a>(it: &mut Interp, recv: &Val<'a>, part: &str) -> RtResult<Val<'a>> {
    if part.len() == recv.as_str().map_or(0, str::len) {
        Ok(recv.clone())
    } else {
        it.make_str(part.to_string())
    }
}

/// A position argument clamped to >= 0; `default` when absent or undefined.
fn position_arg(it: &mut Interp, args: &[Val<'_>], i: usize, default: usize) -> RtResult<usize> {
    match args.get(i) {
        None | Some(Val::Undefined) => Ok(default),
        Some(v) => {
            let n = to_integer(it.coerce_number(v)?);
            Ok(if n <= 0.0 {
                0
            } else if n >= usize::MAX as f64 {
                usize::MAX
            } else {
                n as usize
            })
        }
    }
}

fn char_access<'a>(
    it: &mut Interp,
    s: &str,
    m: Method,
    args: &[Val<'a>],
) -> RtResult<Option<Val<'a>>> {
    let len = utf16::len(s);
    let n = to_integer(it.coerce_number(&arg(args, 0))?);
    let idx = if m == Method::At && n < 0.0 { len as f64 + n } else { n };
    let unit = if idx >= 0.0 && idx < len as f64 { Some(idx as usize) } else { None };
    Ok(Some(match (m, unit) {
        (Method::At, None) => Val::Undefined,
        (Method::CharAt, None) => it.make_str(String::new())?,
        (Method::CharCodeAt, None) => Val::Num(f64::NAN),
        (Method::CodePointAt, None) => Val::Undefined,
        (Method::CharCodeAt, Some(i)) => Val::Num(utf16::unit_at(s, i).map_or(f64::NAN, f64::from)),
        (Method::CodePointAt, Some(i)) => {
            let hi = utf16::unit_at(s, i).unwrap_or(0);
            let cp = match utf16::unit_at(s, i + 1) {
                Some(lo) if (0xD800..0xDC00).contains(&hi) && (0xDC00..0xE000).contains(&lo) => {
                    0x10000 + ((u32::from(hi) - 0xD800) << 10) + (u32::from(lo) - 0xDC00)
                }
                _ => u32::from(hi),
            };
            Val::Num(f64::from(cp))
        }
        (_, Some(i)) => it.make_str(utf16::slice(s, i, i + 1))?,
        _ => Val::Undefined,
    }))
}

fn split<'a>(it: &mut Interp, s: &str, args: &[Val<'a>]) -> RtResult<Val<'a>> {
    let limit = match args.get(1) {
        None | Some(Val::Undefined) => u32::MAX as usize,
        Some(v) => to_uint32(it.coerce_number(v)?) as usize,
    };
    let mut out: Vec<Val<'a>> = Vec::new();
    if limit == 0 {
        return it.make_arr(out);
    }
    let sep = match args.first() {
        None | Some(Val::Undefined) => {
            out.push(it.make_str(s.to_string())?);
            return it.make_arr(out);
        }
        Some(v) => it.coerce_str(v)?.into_owned(),
    };
    let push = |it: &mut Interp, out: &mut Vec<Val<'a>>, piece: String| -> RtResult<()> {
        it.tick()?;
        it.check_arr_len(out.len() + 1)?;
        out.push(it.make_str(piece)?);
        Ok(())
    };
    if sep.is_empty() {
        // Splits into code units; astral characters become two U+FFFD halves, matching
        // JavaScript's count (Rust strings cannot hold lone surrogates).
        if s.is_ascii() {
            for c in s.chars().take(limit) {
                push(it, &mut out, c.to_string())?;
            }
        } else {
            for u in s.encode_utf16().take(limit) {
                push(it, &mut out, String::from_utf16_lossy(&[u]))?;
            }
        }
    } else {
        for piece in s.split(sep.as_str()).take(limit) {
            push(it, &mut out, piece.to_string())?;
        }
    }
    it.make_arr(out)
}

/// Expands `$$`, `$&`, `` $` `` and `$'` in a replacement string.
fn expand_replacement(rep: &str, matched: &str, before: &str, after: &str, out: &mut String) {
    let mut chars = rep.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('$') => out.push('$'),
            Some('&') => out.push_str(matched),
            Some('`') => out.push_str(before),
            Some('\'') => out.push_str(after),
            _ => {
                out.push('$');
                continue;
            }
        }
        chars.next();
    }
}

fn replace<'a>(
    it: &mut Interp,
    s: &str,
    all: bool,
    args: &[Val<'a>],
    pos: usize,
) -> RtResult<Val<'a>> {
    let pattern = it.coerce_str(&arg(args, 0))?.into_owned();
    let replacement = arg(args, 1);
    let rep_str = if replacement.is_callable() {
        None
    } else {
        Some(it.coerce_str(&replacement)?.into_owned())
    };
    // Match offsets (bytes); an empty pattern matches before every character (and at the end
    // for replaceAll).
    let matches: Vec<usize> = if pattern.is_empty() {
        if all {
            s.char_indices().map(|(i, _)| i).chain(std::iter::once(s.len())).collect()
        } else {
            vec![0]
        }
    } else if all {
        s.match_indices(pattern.as_str()).map(|(i, _)| i).collect()
    } else {
        s.find(pattern.as_str()).into_iter().collect()
    };
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for m in matches {
        it.tick()?;
        out.push_str(s.get(last..m).unwrap_or(""));
        let end = m + pattern.len();
        match &rep_str {
            Some(r) => expand_replacement(
                r,
                &pattern,
                s.get(..m).unwrap_or(""),
                s.get(end..).unwrap_or(""),
                &mut out,
            ),
            None => {
                let matched = it.make_str(pattern.clone())?;
                let offset = Val::Num(utf16::byte_to_unit(s, m) as f64);
                let whole = it.make_str(s.to_string())?;
                let r = it.call_value(&replacement, Args::Vals(&[matched, offset, whole]), pos)?;
                let r = it.coerce_str(&r)?;
                out.push_str(&r);
            }
        }
        it.check_str_len(out.len())?;
        last = end;
    }
    out.push_str(s.get(last..).unwrap_or(""));
    it.make_str(out)
}

fn pad<'a>(
    it: &mut Interp,
    recv: &Val<'a>,
    s: &str,
    at_start: bool,
    args: &[Val<'a>],
) -> RtResult<Val<'a>> {
    let target = to_integer(it.coerce_number(&arg(args, 0))?);
    let len = utf16::len(s);
    let filler = match args.get(1) {
        None | Some(Val::Undefined) => " ".to_string(),
        Some(v) => it.coerce_str(v)?.into_owned(),
    };
    if target <= len as f64 || filler.is_empty() {
        return Ok(recv.clone());
    }
    it.check_str_len_f64(target)?;
    let fill_units = target as usize - len;
    let filler_units = utf16::len(&filler);
    let reps = fill_units / filler_units.max(1) + 1;
    it.check_str_len(filler.len().saturating_mul(reps).saturating_add(s.len()))?;
    let fill = utf16::slice(&filler.repeat(reps), 0, fill_units);
    let mut out = String::with_capacity(fill.len() + s.len());
    if at_start {
        out.push_str(&fill);
        out.push_str(s);
    } else {
        out.push_str(s);
        out.push_str(&fill);
    }
    it.make_str(out)
}

/// An approximation of `localeCompare` without ICU: case-insensitive first, then lower case
/// before upper case, then code units.
fn locale_compare(a: &str, b: &str) -> Ordering {
    let fold = |s: &str| s.chars().flat_map(char::to_lowercase).collect::<String>();
    fold(a).cmp(&fold(b)).then_with(|| {
        // Same letters ignoring case: lower case sorts first, as ICU's default does.
        for (x, y) in a.chars().zip(b.chars()) {
            if x != y {
                return if x.is_lowercase() { Ordering::Less } else { Ordering::Greater };
            }
        }
        a.len().cmp(&b.len())
    })
}
