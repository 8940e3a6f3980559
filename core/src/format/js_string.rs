//! `String(value)` as JavaScript computes it.

use crate::value::{Bytes, BytesKind, Ext, Value};

use super::{js_number, utc_date_string};

/// `String(v)`: numbers as JavaScript prints them, arrays joined with commas (`null`,
/// `undefined` and holes empty), objects as `[object Object]`, dates in UTC as V8 prints them
/// under `TZ=UTC`, a `Buffer` as its UTF-8 text and other typed arrays as their elements joined.
/// A string that is not well-formed UTF-16 gets U+FFFD for each lone surrogate, as
/// `TextEncoder` does.
pub fn js_string(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Undefined => "undefined".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => js_number(n.get()),
        Value::String(s) => s.to_string(),
        Value::Array(items) => joined(items),
        Value::Object(_) => "[object Object]".to_owned(),
        Value::Ext(ext) => ext_string(ext),
    }
}

/// `items.join(",")` with nested arrays joined in place, without recursion: input arrays may
/// be nested as deeply as the parser allows.
fn joined(items: &[Value]) -> String {
    let mut out = String::new();
    let mut stack: Vec<std::slice::Iter<'_, Value>> = vec![items.iter()];
    // Whether the array on top of the stack has written an element yet.
    let mut started: Vec<bool> = vec![false];
    while let Some(iter) = stack.last_mut() {
        let Some(item) = iter.next() else {
            stack.pop();
            started.pop();
            continue;
        };
        if let Some(first) = started.last_mut() {
            if *first {
                out.push(',');
            }
            *first = true;
        }
        match item {
            Value::Null | Value::Undefined => {}
            Value::Ext(ext) if matches!(**ext, Ext::Hole) => {}
            Value::Array(inner) => {
                stack.push(inner.iter());
                started.push(false);
            }
            other => out.push_str(&js_string(other)),
        }
    }
    out
}

fn ext_string(ext: &Ext) -> String {
    match ext {
        Ext::Hole => "undefined".to_owned(),
        Ext::BigInt(digits) => digits.clone(),
        Ext::String16(units) => String::from_utf16_lossy(units),
        Ext::Bytes(bytes) => bytes_string(bytes),
        Ext::Date(ms) => utc_date_string(ms.get()),
        Ext::Map(_) => "[object Map]".to_owned(),
        Ext::Set(_) => "[object Set]".to_owned(),
        Ext::RegExp { source, flags } => format!("/{source}/{flags}"),
        Ext::Error { name, message, .. } if message.is_empty() => name.clone(),
        Ext::Error { name, message, .. } => format!("{name}: {message}"),
        // A boxed array cannot come from JavaScript; one read from hand-written text prints as
        // an object rather than nesting without bound.
        Ext::Boxed(Value::Ext(inner)) if matches!(**inner, Ext::BigInt(_) | Ext::String16(_)) => {
            ext_string(inner)
        }
        Ext::Boxed(Value::Array(_) | Value::Object(_) | Value::Ext(_)) => {
            "[object Object]".to_owned()
        }
        Ext::Boxed(value) => js_string(value),
        Ext::Js(_) => "[object Object]".to_owned(),
    }
}

/// `String(bytes)`: a `Buffer`'s text; a typed array's elements joined with commas.
fn bytes_string(bytes: &Bytes) -> String {
    let data = bytes.as_slice();
    match bytes.kind {
        BytesKind::Buffer => String::from_utf8_lossy(data).into_owned(),
        BytesKind::ArrayBuffer => "[object ArrayBuffer]".to_owned(),
        BytesKind::DataView => "[object DataView]".to_owned(),
        // 64-bit integers print exactly (as doubles they would round).
        BytesKind::BigInt64Array | BytesKind::BigUint64Array => data
            .chunks_exact(8)
            .map(|c| {
                let mut word = [0u8; 8];
                word.copy_from_slice(c);
                if bytes.kind == BytesKind::BigInt64Array {
                    i64::from_le_bytes(word).to_string()
                } else {
                    u64::from_le_bytes(word).to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(","),
        _ => bytes.elements().into_iter().map(js_number).collect::<Vec<_>>().join(","),
    }
}
