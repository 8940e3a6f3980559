//! How [`Value`]s cross into and out of the engine as text.
//!
//! The format is JSON. Values JSON has are written as themselves, so plain data costs nothing
//! extra and reads as ordinary JSON on the other side. Everything else is a *tag*: an object whose
//! first key is `"$atomiton"`, naming what it stands for:
//!
//! | value | tag |
//! |---|---|
//! | `undefined` | `{"$atomiton":"undefined"}` |
//! | `NaN`, `±Infinity`, `-0` | `{"$atomiton":"number","v":"NaN"}` (`"Infinity"`, `"-Infinity"`, `"-0"`) |
//! | an array hole | `{"$atomiton":"hole"}` (as an array element) |
//! | a BigInt | `{"$atomiton":"bigint","v":"-123"}` |
//! | a string with a lone surrogate | `{"$atomiton":"string","v":[55296,120]}` (UTF-16 code units) |
//! | binary data | `{"$atomiton":"bytes","kind":"Buffer","v":"<base64>"}`, or `"i":n` for the n-th buffer passed beside the text |
//! | a `Date` | `{"$atomiton":"date","v":0}` (`null` for an invalid date) |
//! | a `Map` / a `Set` | `{"$atomiton":"map","v":[[k,v],…]}` / `{"$atomiton":"set","v":[…]}` |
//! | a `RegExp` | `{"$atomiton":"regexp","source":"a+","flags":"g"}` |
//! | an `Error` | `{"$atomiton":"error","name":"TypeError","message":"…","stack":"…","cause":…}` |
//! | a boxed primitive | `{"$atomiton":"boxed","v":1}` |
//! | an object whose first key is `"$atomiton"` | `{"$atomiton":"object","v":[[k,v],…]}` |
//! | a value kept by the embedder | `{"$atomiton":"js","v":17}` (inside one session only) |
//! | an array of 1,024 to 2^20 numbers, when binary data goes beside the text | `{"$atomiton":"f64","i":n}`: the n-th buffer holds its items as little-endian doubles (`"v":"<base64>"` inline) |
//! | an array of 1,024 or more objects of one shape, when binary data goes beside the text | `{"$atomiton":"rows","i":[n,…]}`: the buffers hold its records as tables of columns, 16,384 rows each (see `value/tables/table.rs`) |
//!
//! Numbers are written so they read back as the same double (shortest round-trip digits; the
//! parser is correctly rounded). The TypeScript side implements the same format
//! (`npm/src/values/`); the wire protocol and stored run records use it too.

use std::sync::Arc;

use serde::Serialize;

use super::buffers::{reading_with, writing_apart};
use super::Value;

pub use super::buffers::{F64_ARRAY_MAX, F64_ARRAY_MIN};
use super::bulk_data::{BulkData, Parallel};
pub use super::serde_impl::TAG;
use super::Data;

/// A value as JSON text, binary data inline as base64 (the wire protocol, stored records).
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    serde_json::to_string(value)
}

/// Text and the binary data beside it.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Encoded {
    pub text: String,
    pub buffers: Vec<Arc<[u8]>>,
}

/// A value as JSON text with its binary data apart (`"i"` tags), so large binary values cross
/// without base64 (the bindings pass the buffers as they are).
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Encoded, serde_json::Error> {
    let (text, buffers) = writing_apart(Vec::new(), || serde_json::to_string(value));
    Ok(Encoded { text: text?, buffers })
}

/// Like [`encode`], numbering binary data after what `buffers` already holds and adding it
/// there: many texts (a batch of records) sharing one list of buffers.
pub fn encode_appending<T: Serialize + ?Sized>(
    value: &T,
    buffers: &mut Vec<Arc<[u8]>>,
) -> Result<String, serde_json::Error> {
    let (text, written) = writing_apart(std::mem::take(buffers), || serde_json::to_string(value));
    *buffers = written;
    text
}

/// Runs `read` (which parses text written by [`encode`]) with `buffers` available to its
/// `"i"` tags. A buffer may be referred to more than once (one array reached along two paths; a parse tried again).
pub fn decode<R>(buffers: Vec<Arc<[u8]>>, read: impl FnOnce() -> R) -> R {
    reading_with(buffers, read)
}

/// An object as the codec reads it: a tag becomes the value it stands for; any other object (a
/// malformed tag included) stays as it is. For readers that build objects themselves (YAML).
pub fn revive(map: super::Map) -> Value {
    if map.keys().next().is_some_and(|k| k == TAG) {
        let mut fields: Vec<(String, Value)> =
            map.iter().skip(1).map(|(k, v)| (k.to_string(), v.clone())).collect();
        if let Some(Value::String(kind)) = map.get(TAG) {
            if let Ok(value) = super::serde_impl::from_tag(kind, std::mem::take(&mut fields)) {
                return value;
            }
        }
    }
    Value::Object(map)
}

/// Parses codec text (JSON with tags) into a [`Value`], with no depth protection: for text the
/// engine wrote itself. Outside input goes through [`crate::format::parse_json_value`].
pub fn from_json(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str(text)
}

/// Runs `read` (which parses text written by [`encode`]) with `buffers` available to its tags
/// and `workers` (a host's, say) to read tables of records on, several at once.
pub fn decode_with_workers<R>(
    workers: &(impl Parallel + Clone + 'static),
    buffers: Vec<std::sync::Arc<[u8]>>,
    read: impl FnOnce() -> R,
) -> R {
    Data::decode_with_workers(workers, buffers, read)
}
