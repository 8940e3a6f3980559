//! JavaScript strings are sequences of UTF-16 code units; ours are UTF-8. These helpers give
//! lengths and indices in code units, with an ASCII fast path (where both agree).

use std::cmp::Ordering;

/// `s.length`.
pub(super) fn len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.encode_utf16().count()
    }
}

/// Code units `[start, end)` as a string. Cutting a surrogate pair yields U+FFFD, because
/// Rust strings cannot hold lone surrogates.
pub(super) fn slice(s: &str, start: usize, end: usize) -> String {
    if start >= end {
        return String::new();
    }
    if s.is_ascii() {
        return s.get(start.min(s.len())..end.min(s.len())).unwrap_or("").to_string();
    }
    let units: Vec<u16> = s.encode_utf16().collect();
    let end = end.min(units.len());
    units.get(start.min(end)..end).map_or_else(String::new, String::from_utf16_lossy)
}

/// The code unit at `i`.
pub(super) fn unit_at(s: &str, i: usize) -> Option<u16> {
    if s.is_ascii() {
        s.as_bytes().get(i).map(|&b| u16::from(b))
    } else {
        s.encode_utf16().nth(i)
    }
}

/// Number of code units in `s[..byte]` (converts a byte offset found by `str::find`).
pub(super) fn byte_to_unit(s: &str, byte: usize) -> usize {
    let prefix = s.get(..byte).unwrap_or(s);
    len(prefix)
}

/// Byte offset of code unit `unit`, rounded up to a char boundary, clamped to `s.len()`.
pub(super) fn unit_to_byte(s: &str, unit: usize) -> usize {
    if s.is_ascii() {
        return unit.min(s.len());
    }
    let mut units = 0;
    for (i, c) in s.char_indices() {
        if units >= unit {
            return i;
        }
        units += c.len_utf16();
    }
    s.len()
}

/// Orders strings by UTF-16 code units, as JavaScript's `<` does. (UTF-8 byte order differs
/// only for astral characters against U+E000..U+FFFF.)
pub(super) fn cmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    if a.is_ascii() || b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Each code unit as its own string (astral characters give two U+FFFD halves), in O(n).
pub(super) fn unit_strings(s: &str) -> Vec<String> {
    if s.is_ascii() {
        s.chars().map(String::from).collect()
    } else {
        s.encode_utf16().map(|u| String::from_utf16_lossy(&[u])).collect()
    }
}
