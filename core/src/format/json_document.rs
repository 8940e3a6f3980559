//! `JSON.stringify` as JavaScript computes it: what nodes write when they produce JSON text for
//! the outside world (an HTTP body, a `.json` file), where JSON's rules apply rather than the
//! engine's exact codec.

use crate::value::deep::guard;
use crate::value::{BytesKind, Ext, Value};

/// `JSON.stringify(value)`: `None` where JavaScript returns `undefined` (the value is
/// `undefined`); an error where it throws (a BigInt anywhere).
pub fn json_stringify(value: &Value) -> Result<Option<String>, String> {
    let Some(document) = to_json_document(value)? else { return Ok(None) };
    serde_json::to_string(&document).map(Some).map_err(|e| e.to_string())
}

/// The JSON document `JSON.stringify` would write, as serde_json's value: `NaN` and the
/// infinities become `null`, `-0` becomes `0`, `undefined` is dropped from objects and is `null`
/// in arrays, a date becomes its ISO text, a `Buffer` its `{type, data}`, other typed arrays
/// their indexed elements, and `Map`s, `Set`s, regular expressions and errors `{}`.
pub fn to_json_document(value: &Value) -> Result<Option<serde_json::Value>, String> {
    guard(|| {
        Ok(Some(match value {
            Value::Undefined => return Ok(None),
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => number(n.get()),
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(to_json_document(item)?.unwrap_or(serde_json::Value::Null));
                }
                serde_json::Value::Array(out)
            }
            Value::Object(map) => {
                let mut out = serde_json::Map::with_capacity(map.len());
                for (key, item) in map {
                    if let Some(item) = to_json_document(item)? {
                        out.insert(key.to_string(), item);
                    }
                }
                serde_json::Value::Object(out)
            }
            Value::Ext(ext) => return ext_document(ext),
        }))
    })
}

pub(super) fn number(n: f64) -> serde_json::Value {
    if !n.is_finite() {
        return serde_json::Value::Null;
    }
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        #[allow(clippy::cast_possible_truncation)]
        return serde_json::Value::from(n as i64);
    }
    serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

pub(super) fn ext_document(ext: &Ext) -> Result<Option<serde_json::Value>, String> {
    Ok(Some(match ext {
        Ext::Hole => return Ok(None),
        Ext::BigInt(_) => return Err("Do not know how to serialize a BigInt".to_owned()),
        // serde_json escapes what it is given; a lone surrogate becomes U+FFFD here, where
        // JavaScript would write a `\ud800` escape.
        Ext::String16(units) => serde_json::Value::String(String::from_utf16_lossy(units)),
        Ext::Date(ms) if ms.get().is_finite() => {
            serde_json::Value::String(super::iso_timestamp(ms.get()))
        }
        Ext::Date(_) => serde_json::Value::Null,
        Ext::Bytes(bytes) if bytes.kind == BytesKind::Buffer => {
            serde_json::json!({"type": "Buffer", "data": bytes.as_slice()})
        }
        Ext::Bytes(bytes)
            if !matches!(bytes.kind, BytesKind::ArrayBuffer | BytesKind::DataView) =>
        {
            let elements = bytes.elements();
            serde_json::Value::Object(
                elements.into_iter().enumerate().map(|(i, n)| (i.to_string(), number(n))).collect(),
            )
        }
        Ext::Boxed(value) => return to_json_document(value),
        _ => serde_json::Value::Object(serde_json::Map::new()),
    }))
}
