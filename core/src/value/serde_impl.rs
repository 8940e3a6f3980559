//! serde for [`Value`]: JSON's own values as JSON, everything else as a tagged object (the
//! codec's format, described in [`super::codec`]).

use std::cell::Cell;
use std::fmt;
use std::sync::Arc;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Error as _, Serialize, SerializeMap, SerializeSeq, Serializer};

use base64::Engine as _;

use super::buffers;
use super::bulk_data::BulkData;
use super::deep::guard;
use super::slicing::write_apart;
use super::Data;
use super::{Bytes, BytesKind, Ext, Map, Number, Str, Value};

thread_local! {
    /// How many keys the last object deserialised on this thread had (see `visit_map`).
    static LAST_OBJECT_LEN: Cell<usize> = const { Cell::new(1) };
}

/// The largest guess taken from the last object: one huge object must not make every small one
/// after it reserve as much.
const MAX_GUESS: usize = 64;

/// The key that marks a tag.
pub const TAG: &str = "$atomiton";

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Number(n) => serialize_number(*n, serializer),
            Value::String(s) => serializer.serialize_str(s),
            Value::Array(items) => guard(|| {
                if let Some(index) = buffers::numbers_out_of_band(items) {
                    return tagged(serializer, "f64", &[("i", &(index as u64))]);
                }
                if let Some(indices) = Data::out_of_band(items).map_err(S::Error::custom)? {
                    return tagged(serializer, "rows", &[("i", &indices)]);
                }
                if let Some(index) = write_apart(items).map_err(S::Error::custom)? {
                    return tagged(serializer, "slices", &[("v", &(index as u64))]);
                }
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }),
            Value::Object(map) => guard(|| {
                if map.keys().next().is_some_and(|k| k == TAG) {
                    // A user object that would read as a tag is written as its entries.
                    return tagged(serializer, "object", &[("v", &Entries(map))]);
                }
                let mut out = serializer.serialize_map(Some(map.len()))?;
                for (key, value) in map {
                    out.serialize_entry(key, value)?;
                }
                out.end()
            }),
            Value::Undefined => tagged(serializer, "undefined", &[]),
            Value::Ext(ext) => guard(|| serialize_ext(ext, serializer)),
        }
    }
}

fn serialize_number<S: Serializer>(n: Number, serializer: S) -> Result<S::Ok, S::Error> {
    let x = n.get();
    if n.is_small_integer() && !(x == 0.0 && x.is_sign_negative()) {
        #[allow(clippy::cast_possible_truncation)]
        return serializer.serialize_i64(x as i64);
    }
    if n.is_json() {
        return serializer.serialize_f64(x);
    }
    let text = if x.is_nan() {
        "NaN"
    } else if x == f64::INFINITY {
        "Infinity"
    } else if x == f64::NEG_INFINITY {
        "-Infinity"
    } else {
        "-0"
    };
    tagged(serializer, "number", &[("v", &text)])
}

fn serialize_ext<S: Serializer>(ext: &Ext, serializer: S) -> Result<S::Ok, S::Error> {
    match ext {
        Ext::Hole => tagged(serializer, "hole", &[]),
        Ext::BigInt(digits) => tagged(serializer, "bigint", &[("v", digits)]),
        Ext::String16(units) => tagged(serializer, "string", &[("v", units)]),
        Ext::Bytes(bytes) => {
            let kind = bytes.kind.name();
            match buffers::out_of_band(bytes) {
                Some(index) => tagged(serializer, "bytes", &[("kind", &kind), ("i", &index)]),
                None => tagged(
                    serializer,
                    "bytes",
                    &[("kind", &kind), ("v", &base64(bytes.as_slice()))],
                ),
            }
        }
        Ext::Date(ms) => {
            tagged(serializer, "date", &[("v", &ms.get().is_finite().then_some(ms.get()))])
        }
        Ext::Map(entries) => tagged(serializer, "map", &[("v", &Pairs(entries))]),
        Ext::Set(items) => tagged(serializer, "set", &[("v", items)]),
        Ext::RegExp { source, flags } => {
            tagged(serializer, "regexp", &[("source", source), ("flags", flags)])
        }
        Ext::Error { name, message, stack, cause } => {
            let mut fields: Vec<(&str, &dyn FieldValue)> =
                vec![("name", name), ("message", message)];
            if let Some(stack) = stack {
                fields.push(("stack", stack));
            }
            if let Some(cause) = cause {
                fields.push(("cause", cause));
            }
            tagged(serializer, "error", &fields)
        }
        Ext::Boxed(value) => tagged(serializer, "boxed", &[("v", value)]),
        Ext::Js(id) => tagged(serializer, "js", &[("v", id)]),
    }
}

/// `{"$atomiton": kind, ...fields}`.
fn tagged<S: Serializer>(
    serializer: S,
    kind: &str,
    fields: &[(&str, &dyn FieldValue)],
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(1 + fields.len()))?;
    map.serialize_entry(TAG, kind)?;
    for (key, value) in fields {
        map.serialize_entry(key, &AsSerialize(*value))?;
    }
    map.end()
}

/// A tag field: anything serialisable, behind a reference (serde's `Serialize` is not object safe).
pub trait FieldValue {
    fn to_json_value(&self) -> FieldRepr<'_>;
}

/// What a tag field holds.
pub enum FieldRepr<'a> {
    Str(&'a str),
    U64(u64),
    OptF64(Option<f64>),
    Units(&'a [u16]),
    Value(&'a Value),
    Values(&'a [Value]),
    Pairs(&'a [(Value, Value)]),
    Entries(&'a Map),
}

struct AsSerialize<'a>(&'a dyn FieldValue);

impl Serialize for AsSerialize<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0.to_json_value() {
            FieldRepr::Str(s) => serializer.serialize_str(s),
            FieldRepr::U64(n) => serializer.serialize_u64(n),
            FieldRepr::OptF64(Some(n)) => serializer.serialize_f64(n),
            FieldRepr::OptF64(None) => serializer.serialize_unit(),
            FieldRepr::Units(units) => units.serialize(serializer),
            FieldRepr::Value(value) => value.serialize(serializer),
            FieldRepr::Values(values) => values.serialize(serializer),
            FieldRepr::Pairs(pairs) => {
                let mut seq = serializer.serialize_seq(Some(pairs.len()))?;
                for (k, v) in pairs {
                    seq.serialize_element(&(k, v))?;
                }
                seq.end()
            }
            FieldRepr::Entries(map) => {
                let mut seq = serializer.serialize_seq(Some(map.len()))?;
                for (k, v) in map {
                    seq.serialize_element(&(k, v))?;
                }
                seq.end()
            }
        }
    }
}

impl FieldValue for &str {
    fn to_json_value(&self) -> FieldRepr<'_> {
        FieldRepr::Str(self)
    }
}
impl FieldValue for String {
    fn to_json_value(&self) -> FieldRepr<'_> {
        FieldRepr::Str(self)
    }
}
impl FieldValue for u64 {
    fn to_json_value(&self) -> FieldRepr<'_> {
        FieldRepr::U64(*self)
    }
}
impl FieldValue for usize {
    fn to_json_value(&self) -> FieldRepr<'_> {
        FieldRepr::U64(*self as u64)
    }
}
impl FieldValue for Option<f64> {
    fn to_json_value(&self) -> FieldRepr<'_> {
        FieldRepr::OptF64(*self)
    }
}
impl FieldValue for Vec<u16> {
    fn to_json_value(&self) -> FieldRepr<'_> {
        FieldRepr::Units(self)
    }
}
impl FieldValue for Value {
    fn to_json_value(&self) -> FieldRepr<'_> {
        FieldRepr::Value(self)
    }
}
impl FieldValue for Vec<Value> {
    fn to_json_value(&self) -> FieldRepr<'_> {
        FieldRepr::Values(self)
    }
}

struct Pairs<'a>(&'a [(Value, Value)]);
impl FieldValue for Pairs<'_> {
    fn to_json_value(&self) -> FieldRepr<'_> {
        FieldRepr::Pairs(self.0)
    }
}

struct Entries<'a>(&'a Map);
impl FieldValue for Entries<'_> {
    fn to_json_value(&self) -> FieldRepr<'_> {
        FieldRepr::Entries(self.0)
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(Number::from(n)))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(Number::from(n)))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(Value::Number(Number::new(n)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.into()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::from(s))
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Deserialize::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        // The hint is the remaining length for JSON arrays; capped so a lying one reserves little.
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let Some(first) = access.next_key::<Str>()? else {
            return Ok(Value::Object(Map::new()));
        };
        if first == TAG {
            let kind: String = access.next_value()?;
            let mut fields: Vec<(String, Value)> = Vec::with_capacity(2);
            while let Some((key, value)) = access.next_entry::<String, Value>()? {
                fields.push((key, value));
            }
            return from_tag(&kind, fields).map_err(de::Error::custom);
        }
        // JSON text gives no size hint; the last object read is the best guess (the items of an
        // array of records share their shape), where growing 1 → 2 → 4 → 8 rebuilt each
        // five-key object's table three times.
        let guess =
            access.size_hint().unwrap_or_else(|| LAST_OBJECT_LEN.with(Cell::get)).clamp(1, 4096);
        let mut map = Map::with_capacity(guess);
        map.insert(first, access.next_value::<Value>()?);
        while let Some((key, value)) = access.next_entry::<Str, Value>()? {
            map.insert(key, value);
        }
        LAST_OBJECT_LEN.with(|last| last.set(map.len().min(MAX_GUESS)));
        Ok(Value::Object(map))
    }
}

/// The value a tag stands for.
pub(super) fn from_tag(kind: &str, mut fields: Vec<(String, Value)>) -> Result<Value, String> {
    let mut field =
        |name: &str| fields.iter().position(|(k, _)| k == name).map(|i| fields.swap_remove(i).1);
    let malformed = |kind: &str| format!("malformed \"{kind}\" value in the {TAG} encoding");
    // Arrays of records as tables (`bulk-data`; an unknown tag in the browser's default module).
    if let Some(tables) = Data::tag(kind) {
        return match field("i") {
            Some(Value::Array(indices)) => Ok(Value::Array(Data::read_tables(tables, &indices)?)),
            _ => Err(malformed(kind)),
        };
    }
    Ok(match kind {
        "undefined" => Value::Undefined,
        "hole" => Value::ext(Ext::Hole),
        "number" => {
            let n = match field("v").as_ref().and_then(Value::as_str) {
                Some("NaN") => f64::NAN,
                Some("Infinity") => f64::INFINITY,
                Some("-Infinity") => f64::NEG_INFINITY,
                Some("-0") => -0.0,
                _ => return Err(malformed(kind)),
            };
            Value::Number(Number::new(n))
        }
        "bigint" => match field("v") {
            Some(Value::String(digits)) if is_bigint_digits(&digits) => {
                Value::ext(Ext::BigInt(super::into_string(digits)))
            }
            _ => return Err(malformed(kind)),
        },
        "string" => match field("v") {
            Some(Value::Array(units)) => {
                let units: Option<Vec<u16>> =
                    units.iter().map(|u| u.as_u64().and_then(|u| u16::try_from(u).ok())).collect();
                let units = units.ok_or_else(|| malformed(kind))?;
                // A well-formed string is always a plain String.
                match String::from_utf16(&units) {
                    Ok(text) => Value::from(text),
                    Err(_) => Value::ext(Ext::String16(units)),
                }
            }
            _ => return Err(malformed(kind)),
        },
        // Binary data, and arrays of numbers as doubles: beside the text, or inline.
        "f64" | "bytes" => {
            let data: Arc<[u8]> = match (field("i"), field("v")) {
                (Some(index), _) => {
                    buffers::take_out_of_band(index.as_u64().ok_or_else(|| malformed(kind))?)?
                }
                (None, Some(Value::String(text))) => {
                    unbase64(&text).ok_or_else(|| malformed(kind))?.into()
                }
                _ => return Err(malformed(kind)),
            };
            if kind == "f64" {
                Value::Array(buffers::numbers_from_bytes(&data).ok_or_else(|| malformed(kind))?)
            } else {
                let kind_name = field("kind");
                let bytes_kind = kind_name
                    .as_ref()
                    .and_then(Value::as_str)
                    .and_then(BytesKind::parse)
                    .ok_or_else(|| malformed(kind))?;
                Value::ext(Ext::Bytes(Bytes { kind: bytes_kind, data }))
            }
        }
        "date" => match field("v") {
            Some(Value::Number(n)) => Value::date(n.get()),
            Some(Value::Null) | None => Value::date(f64::NAN),
            _ => return Err(malformed(kind)),
        },
        "map" => match field("v") {
            Some(Value::Array(pairs)) => {
                let mut entries = Vec::with_capacity(pairs.len());
                for pair in pairs {
                    match pair {
                        Value::Array(mut kv) if kv.len() == 2 => {
                            let v = kv.pop().unwrap_or_default();
                            let k = kv.pop().unwrap_or_default();
                            entries.push((k, v));
                        }
                        _ => return Err(malformed(kind)),
                    }
                }
                Value::ext(Ext::Map(entries))
            }
            _ => return Err(malformed(kind)),
        },
        "set" => match field("v") {
            Some(Value::Array(items)) => Value::ext(Ext::Set(items)),
            _ => return Err(malformed(kind)),
        },
        "regexp" => match (field("source"), field("flags")) {
            (Some(Value::String(source)), Some(Value::String(flags))) => Value::ext(Ext::RegExp {
                source: super::into_string(source),
                flags: super::into_string(flags),
            }),
            _ => return Err(malformed(kind)),
        },
        "error" => {
            let text = |v: Option<Value>| match v {
                Some(Value::String(s)) => Some(super::into_string(s)),
                _ => None,
            };
            let name = text(field("name")).unwrap_or_else(|| "Error".to_owned());
            let message = text(field("message")).unwrap_or_default();
            let stack = text(field("stack"));
            let cause = field("cause");
            Value::ext(Ext::Error { name, message, stack, cause })
        }
        "boxed" => Value::ext(Ext::Boxed(field("v").ok_or_else(|| malformed(kind))?)),
        "object" => match field("v") {
            Some(Value::Array(pairs)) => {
                let mut map = Map::with_capacity(pairs.len());
                for pair in pairs {
                    match pair {
                        Value::Array(mut kv) if kv.len() == 2 => {
                            let v = kv.pop().unwrap_or_default();
                            match kv.pop() {
                                Some(Value::String(k)) => {
                                    map.insert(k, v);
                                }
                                _ => return Err(malformed(kind)),
                            }
                        }
                        _ => return Err(malformed(kind)),
                    }
                }
                Value::Object(map)
            }
            _ => return Err(malformed(kind)),
        },
        "js" => match field("v").as_ref().and_then(Value::as_u64) {
            Some(id) => Value::ext(Ext::Js(id)),
            None => return Err(malformed(kind)),
        },
        other => return Err(format!("unknown \"{other}\" value in the {TAG} encoding")),
    })
}

/// `-?[0-9]+`.
fn is_bigint_digits(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

pub(super) fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn unbase64(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}
