//! How the expression language treats values JSON has no form for ([`Ext`]): dates, binary data,
//! BigInts, `Map`s, `Set`s, regular expressions, errors, boxed primitives and values kept by the
//! embedder.
//!
//! They pass through unchanged (`x => x`, spreads, array elements). The language reads what a
//! pure function of data needs — a date's time, binary data's length, a `Map`'s size — and
//! converts them as JavaScript does where the result is defined without a time zone or locale
//! (`+date`, `String(bigint)`, `JSON.stringify(date)`). BigInt arithmetic is not part of the
//! language: using a BigInt as a number is JavaScript's own `TypeError`.

use crate::format::{iso_timestamp, js_string};
use crate::value::{BytesKind, Ext, Value};

use super::error::{type_error, RtResult};

/// A short description for error messages.
pub(super) fn describe(ext: &Ext) -> &'static str {
    match ext {
        Ext::Hole => "undefined",
        Ext::BigInt(_) => "a BigInt",
        Ext::String16(_) => "a string",
        Ext::Bytes(_) => "binary data",
        Ext::Date(_) => "a date",
        Ext::Map(_) => "a Map",
        Ext::Set(_) => "a Set",
        Ext::RegExp { .. } => "a regular expression",
        Ext::Error { .. } => "an error",
        Ext::Boxed(_) => "a boxed primitive",
        Ext::Js(_) => "an object",
    }
}

/// `typeof`.
pub(super) fn type_of(ext: &Ext) -> &'static str {
    match ext {
        Ext::Hole => "undefined",
        Ext::BigInt(_) => "bigint",
        Ext::String16(_) => "string",
        _ => "object",
    }
}

/// Whether it is an object (not a primitive) in JavaScript.
pub(super) fn is_object(ext: &Ext) -> bool {
    !matches!(ext, Ext::Hole | Ext::BigInt(_) | Ext::String16(_))
}

/// `===`: primitives by value, objects by identity.
pub(super) fn strict_eq(a: &Ext, b: &Ext) -> bool {
    match (a, b) {
        (Ext::BigInt(x), Ext::BigInt(y)) => x == y,
        (Ext::String16(x), Ext::String16(y)) => x == y,
        _ => std::ptr::eq(a, b),
    }
}

/// `ToNumber`.
pub(super) fn to_number(ext: &Ext) -> RtResult<f64> {
    match ext {
        Ext::Hole => Ok(f64::NAN),
        Ext::Date(ms) => Ok(ms.get()),
        Ext::BigInt(_) => Err(type_error("Cannot convert a BigInt value to a number", None)),
        Ext::Boxed(Value::Number(n)) => Ok(n.get()),
        Ext::Boxed(Value::Bool(b)) => Ok(f64::from(u8::from(*b))),
        Ext::Boxed(Value::Ext(inner)) if matches!(**inner, Ext::BigInt(_)) => {
            Err(type_error("Cannot convert a BigInt value to a number", None))
        }
        _ => Ok(super::convert::string_to_number(&to_string(ext)?)),
    }
}

/// `ToString`. A string that is not well-formed UTF-16 cannot become the language's string.
pub(super) fn to_string(ext: &Ext) -> RtResult<String> {
    match ext {
        Ext::String16(_) => Err(type_error("A string holding a lone surrogate (not well-formed UTF-16) cannot be used as text here", None)),
        Ext::Boxed(Value::Ext(inner)) if matches!(**inner, Ext::String16(_)) => to_string(inner),
        _ => Ok(js_string(&Value::Ext(Box::new(ext.clone())))),
    }
}

/// A property the language can read: `length` of binary data and of strings, `size` of `Map`s
/// and `Set`s, `byteLength` of binary data, `source`/`flags` of a regular expression, `name`
/// and `message` of an error. `None`: the property is `undefined`.
pub(super) fn property(ext: &Ext, key: &str) -> Option<Value> {
    match (ext, key) {
        (Ext::Bytes(bytes), "length")
            if !matches!(bytes.kind, BytesKind::ArrayBuffer | BytesKind::DataView) =>
        {
            Some(Value::from(bytes.len() / bytes.kind.element_size()))
        }
        (Ext::Bytes(bytes), "byteLength") => Some(Value::from(bytes.len())),
        (Ext::String16(units), "length") => Some(Value::from(units.len())),
        (Ext::Map(entries), "size") => Some(Value::from(entries.len())),
        (Ext::Set(items), "size") => Some(Value::from(items.len())),
        (Ext::RegExp { source, .. }, "source") => Some(Value::from(source.as_str())),
        (Ext::RegExp { flags, .. }, "flags") => Some(Value::from(flags.as_str())),
        (Ext::Error { name, .. }, "name") => Some(Value::from(name.as_str())),
        (Ext::Error { message, .. }, "message") => Some(Value::from(message.as_str())),
        (Ext::Boxed(Value::String(s)), "length") => Some(Value::from(s.encode_utf16().count())),
        _ => None,
    }
}

/// Methods the language calls on these values: a date's `getTime`, `valueOf` and
/// `toISOString`; `valueOf` of a boxed primitive. `None`: no such method.
pub(super) fn method(ext: &Ext, name: &str) -> Option<RtResult<Value>> {
    match (ext, name) {
        (Ext::Date(ms), "getTime" | "valueOf") => Some(Ok(Value::Number(*ms))),
        (Ext::Date(ms), "toISOString" | "toJSON") if ms.get().is_finite() => {
            Some(Ok(Value::from(iso_timestamp(ms.get()))))
        }
        (Ext::Date(_), "toISOString") => {
            Some(Err(type_error("RangeError: Invalid time value", None)))
        }
        (Ext::Date(_), "toJSON") => Some(Ok(Value::Null)),
        (Ext::Boxed(value), "valueOf") => Some(Ok(value.clone())),
        _ => None,
    }
}

/// What `JSON.stringify` writes for it: `Some(value)` to write in its place (a date's ISO
/// text, a `Buffer`'s `{type, data}`, `{}` for other objects), `None` to omit it (a hole reads
/// as `undefined`), or JavaScript's `TypeError` for a BigInt.
pub(super) fn json_form(ext: &Ext) -> RtResult<Option<Value>> {
    Ok(match ext {
        Ext::Hole => None,
        Ext::BigInt(_) => return Err(type_error("Do not know how to serialize a BigInt", None)),
        Ext::Date(ms) if ms.get().is_finite() => Some(Value::from(iso_timestamp(ms.get()))),
        Ext::Date(_) => Some(Value::Null),
        Ext::Bytes(bytes) if bytes.kind == BytesKind::Buffer => {
            Some(crate::json!({"type": "Buffer", "data": bytes.as_slice()}))
        }
        Ext::Boxed(value) => Some(value.clone()),
        _ => Some(Value::Object(crate::value::Map::new())),
    })
}

/// How many elements a typed array has (`None` for `ArrayBuffer` and `DataView`, which are not
/// iterable).
pub(super) fn element_count(bytes: &crate::value::Bytes) -> Option<usize> {
    match bytes.kind {
        BytesKind::ArrayBuffer | BytesKind::DataView => None,
        kind => Some(bytes.len() / kind.element_size()),
    }
}
