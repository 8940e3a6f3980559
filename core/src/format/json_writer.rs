//! `JSON.stringify` written straight into bytes as it walks the value (`host-effects`: what
//! the `file-system` node writes; the browser's module has `json_stringify` alone, which builds
//! the document first).

use super::json_document::{ext_document, number};
use crate::value::deep::guard;
use crate::value::Value;

/// Appends `JSON.stringify(value)` to `out`, written as it walks the value (no document is
/// built in between: a stream's rows are written one at a time with it, a large array without
/// a copy); `false`, with nothing written, where JavaScript returns `undefined`.
pub fn write_json(value: &Value, out: &mut Vec<u8>) -> Result<bool, String> {
    guard(|| write_value(value, out))
}

fn write_value(value: &Value, out: &mut Vec<u8>) -> Result<bool, String> {
    match value {
        Value::Undefined => return Ok(false),
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => match n.get() {
            // A whole number written as `number` writes it (as an i64), without the document.
            n if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 => {
                #[allow(clippy::cast_possible_truncation)]
                let whole = n as i64;
                out.extend_from_slice(itoa::Buffer::new().format(whole).as_bytes());
            }
            n => scalar(&number(n), out)?,
        },
        Value::String(s) => text(s, out)?,
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                if !nested(item, out)? {
                    out.extend_from_slice(b"null");
                }
            }
            out.push(b']');
        }
        Value::Object(map) => {
            out.push(b'{');
            let mut first = true;
            for (key, item) in map {
                let mark = out.len();
                if !first {
                    out.push(b',');
                }
                text(key, out)?;
                out.push(b':');
                if nested(item, out)? {
                    first = false;
                } else {
                    // `undefined` leaves its key out.
                    out.truncate(mark);
                }
            }
            out.push(b'}');
        }
        Value::Ext(ext) => match ext_document(ext)? {
            Some(document) => scalar(&document, out)?,
            None => return Ok(false),
        },
    }
    Ok(true)
}

/// Whether `bytes` hold a quote, a backslash or a control character: eight bytes at a time.
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // A byte of `x` is zero: its high bit set in the result (no false positives in a word
    // with no byte below 0x80 involved, and none at all for the exact test below).
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        // Below 0x20: `x - 0x20` borrows into the high bit of a byte that was < 0x20 (and not
        // >= 0x80, which `!x` excludes).
        let control = x.wrapping_sub(0x2020_2020_2020_2020) & !x & HIGHS;
        if control | zero(x ^ 0x2222_2222_2222_2222) | zero(x ^ 0x5C5C_5C5C_5C5C_5C5C) != 0 {
            return true;
        }
    }
    // The last few bytes as one word too, padded with a byte that needs nothing.
    let rest = chunks.remainder();
    if rest.is_empty() {
        return false;
    }
    let mut word = [b'A'; 8];
    word[..rest.len()].copy_from_slice(rest);
    let x = u64::from_le_bytes(word);
    let control = x.wrapping_sub(0x2020_2020_2020_2020) & !x & HIGHS;
    control | zero(x ^ 0x2222_2222_2222_2222) | zero(x ^ 0x5C5C_5C5C_5C5C_5C5C) != 0
}

/// A value inside another: a container through the depth guard, anything else at once (a row
/// of a large file is mostly strings and numbers).
#[inline]
fn nested(value: &Value, out: &mut Vec<u8>) -> Result<bool, String> {
    match value {
        Value::Array(_) | Value::Object(_) | Value::Ext(_) => guard(|| write_value(value, out)),
        _ => write_value(value, out),
    }
}

/// A JSON string, escaped as serde_json escapes it (a quote, a backslash and control
/// characters; a string with none of them is written as it is).
fn text(s: &str, out: &mut Vec<u8>) -> Result<(), String> {
    if !needs_escape(s.as_bytes()) {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        return Ok(());
    }
    serde_json::to_writer(&mut *out, s).map_err(|e| e.to_string())
}

fn scalar(value: &serde_json::Value, out: &mut Vec<u8>) -> Result<(), String> {
    serde_json::to_writer(&mut *out, value).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::json_document::number;
    use super::{text, write_json};
    use crate::value::Value;

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them_at_any_length_and_place() {
        let pieces =
            ["a", "\"", "\\", "\n", "\u{1}", "\u{1f}", " ", "~", "\u{7f}", "é", "😀", "\u{2028}"];
        let mut seed = 11u64;
        for len in 0..40 {
            for _ in 0..40 {
                let s: String = (0..len)
                    .map(|_| {
                        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                        pieces[(seed >> 59) as usize % pieces.len()]
                    })
                    .collect();
                let mut out = Vec::new();
                text(&s, &mut out).expect("written");
                assert_eq!(String::from_utf8(out).ok(), serde_json::to_string(&s).ok(), "{s:?}");
            }
        }
    }

    #[test]
    fn whole_numbers_are_written_as_before() {
        for n in [
            0.0,
            -0.0,
            1.0,
            -7.0,
            9_007_199_254_740_991.0,
            9_007_199_254_740_992.0,
            1e21,
            0.5,
            f64::NAN,
        ] {
            let mut out = Vec::new();
            write_json(&Value::from(n), &mut out).expect("written");
            let expected = serde_json::to_string(&number(n)).unwrap_or_default();
            assert_eq!(String::from_utf8(out).unwrap_or_default(), expected, "{n}");
        }
    }
}
