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
//! | an array of 1,024 or more objects of one shape, when binary data goes beside the text | `{"$atomiton":"rows","i":[n,…]}`: the buffers hold its records as tables of columns, 16,384 rows each (see [`super::table`]) |
//!
//! Numbers are written so they read back as the same double (shortest round-trip digits; the
//! parser is correctly rounded). The TypeScript side implements the same format
//! (`npm/src/values/`); the wire protocol and stored run records use it too.

use std::cell::RefCell;
use std::sync::Arc;

use base64::Engine as _;
use serde::Serialize;

use super::{Bytes, Value};

/// The key that marks a tag.
pub const TAG: &str = "$atomiton";

/// The buffers passed beside a text being read, by the index its tags name.
type DecodeBuffers = Vec<Option<Arc<[u8]>>>;

thread_local! {
    /// Where binary data goes while [`encode`] writes (`None`: inline as base64).
    static ENCODE_BUFFERS: RefCell<Option<Vec<Arc<[u8]>>>> = const { RefCell::new(None) };
    /// The buffers passed beside the text while [`decode`] reads.
    static DECODE_BUFFERS: RefCell<Option<DecodeBuffers>> = const { RefCell::new(None) };
    /// The host whose workers read tables of records while [`decode_with_workers`] reads.
    #[cfg(feature = "bulk-data")]
    static WORKERS: RefCell<Option<crate::host::SharedHost>> = const { RefCell::new(None) };
}

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
    let previous = ENCODE_BUFFERS.with(|b| b.replace(Some(Vec::new())));
    let text = serde_json::to_string(value);
    let buffers = ENCODE_BUFFERS.with(|b| b.replace(previous)).unwrap_or_default();
    Ok(Encoded { text: text?, buffers })
}

/// Like [`encode`], numbering binary data after what `buffers` already holds and adding it
/// there: many texts (a batch of records) sharing one list of buffers.
pub fn encode_appending<T: Serialize + ?Sized>(
    value: &T,
    buffers: &mut Vec<Arc<[u8]>>,
) -> Result<String, serde_json::Error> {
    let previous = ENCODE_BUFFERS.with(|b| b.replace(Some(std::mem::take(buffers))));
    let text = serde_json::to_string(value);
    *buffers = ENCODE_BUFFERS.with(|b| b.replace(previous)).unwrap_or_default();
    text
}

/// Runs `read` (which parses text written by [`encode`]) with `buffers` available to its
/// `"i"` tags. A buffer may be referred to more than once (one array reached along two paths; a parse tried again).
pub fn decode<R>(buffers: Vec<Arc<[u8]>>, read: impl FnOnce() -> R) -> R {
    let previous =
        DECODE_BUFFERS.with(|b| b.replace(Some(buffers.into_iter().map(Some).collect())));
    let result = read();
    DECODE_BUFFERS.with(|b| b.replace(previous));
    result
}

/// The index under which [`encode`] keeps `bytes` apart, or `None` when it writes inline.
pub(super) fn out_of_band(bytes: &Bytes) -> Option<usize> {
    ENCODE_BUFFERS.with(|b| {
        let mut slot = b.borrow_mut();
        let buffers = slot.as_mut()?;
        buffers.push(bytes.data.clone());
        Some(buffers.len() - 1)
    })
}

/// Arrays of numbers at least this long cross as a buffer of doubles (`"f64"` tags) when binary
/// data goes beside the text: reading 100,000 numbers from text cost the embedder ~2 ms more
/// than copying them out of a buffer, and writing them as text cost the engine as much.
pub const F64_ARRAY_MIN: usize = 1024;
/// ... and at most this long (8 MB of doubles): longer ones are written apart in slices, which
/// an embedder can read a few at a time.
pub const F64_ARRAY_MAX: usize = 1 << 20;

/// The index under which [`encode`] keeps `items` apart as little-endian doubles, or `None`
/// when they are written as text (not all numbers, outside the sizes above, or no binary data
/// beside the text).
pub(super) fn numbers_out_of_band(items: &[Value]) -> Option<usize> {
    if !(F64_ARRAY_MIN..=F64_ARRAY_MAX).contains(&items.len())
        || !ENCODE_BUFFERS.with(|b| b.borrow().is_some())
    {
        return None;
    }
    let mut bytes = Vec::with_capacity(items.len() * 8);
    for item in items {
        let Value::Number(n) = item else { return None };
        bytes.extend_from_slice(&n.get().to_le_bytes());
    }
    ENCODE_BUFFERS.with(|b| {
        let mut slot = b.borrow_mut();
        let buffers = slot.as_mut()?;
        buffers.push(Arc::from(bytes));
        Some(buffers.len() - 1)
    })
}

/// The indices under which [`encode`] keeps `items` apart as tables of records (the `"rows"`
/// tag), or `None` when they are written as text (too few, not records of one shape, or no
/// binary data beside the text).
#[cfg(feature = "bulk-data")]
pub(super) fn rows_out_of_band(items: &[Value]) -> Result<Option<Vec<u64>>, String> {
    if items.len() < super::table::ROWS_MIN || !ENCODE_BUFFERS.with(|b| b.borrow().is_some()) {
        return Ok(None);
    }
    // A column with no binary form is codec text, read in one piece: written in place, never
    // in slices; its own binary data still goes beside it.
    let text = |column: &[&Value]| {
        super::slices::without_slicing(|| serde_json::to_string(column)).map_err(|e| e.to_string())
    };
    let Some(tables) = super::table::encode_tables(items, &text)? else { return Ok(None) };
    Ok(ENCODE_BUFFERS.with(|b| {
        let mut slot = b.borrow_mut();
        let buffers = slot.as_mut()?;
        let first = buffers.len();
        buffers.extend(tables.into_iter().map(Arc::from));
        Some((first..buffers.len()).map(|i| i as u64).collect())
    }))
}

/// The records of a `"rows"` tag: its tables, read in order and joined — several at once on
/// the workers of the host [`decode_with_workers`] names, if any.
#[cfg(feature = "bulk-data")]
pub(super) fn rows_from_tables(indices: &[Value]) -> Result<Vec<Value>, String> {
    let mut tables = Vec::with_capacity(indices.len());
    for (n, index) in indices.iter().enumerate() {
        let index = index.as_u64().ok_or("malformed \"rows\" value in the $atomiton encoding")?;
        // Each table once: a tag naming one buffer many times would multiply its rows.
        if indices[..n].iter().any(|earlier| earlier.as_u64() == Some(index)) {
            return Err(format!("a table of records refers to buffer {index} twice"));
        }
        tables.push(take_out_of_band(index)?);
    }
    let read = |table: &[u8]| {
        let limits = crate::format::ParseLimits::default();
        super::table::decode_table(table, &|text: &str| {
            crate::format::parse_json_value(text, &limits).map_err(|e| e.message)
        })
    };
    let workers = WORKERS
        .with(|w| w.borrow().clone())
        .filter(|host| tables.len() > 1 && host.parallelism() > 1);
    let Some(host) = workers else {
        let mut rows = Vec::new();
        for table in &tables {
            rows.extend(read(table)?);
        }
        return Ok(rows);
    };
    // A table's text columns may refer to the same buffers: each part reads with them too.
    let buffers: Vec<Arc<[u8]>> = DECODE_BUFFERS.with(|b| {
        let slot = b.borrow();
        slot.as_ref()
            .map(|list| {
                list.iter()
                    .map(|buffer| buffer.clone().unwrap_or_else(|| Arc::from(&[][..])))
                    .collect()
            })
            .unwrap_or_default()
    });
    let tables = Arc::new(tables);
    let part = {
        let tables = tables.clone();
        Arc::new(move |i: usize| {
            decode(buffers.clone(), || read(&tables[i]))
                .map_err(crate::error::ExecutionError::validation)
        })
    };
    let parts = crate::host::in_parts(&host, tables.len(), part).map_err(|e| e.message)?;
    let mut rows = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    for part in parts {
        rows.extend(part);
    }
    Ok(rows)
}

/// Runs `read` (which parses text written by [`encode`]) with `buffers` available to its tags and
/// `host`'s workers to read tables of records on, several at once.
#[cfg(feature = "bulk-data")]
pub fn decode_with_workers<R>(
    host: &crate::host::SharedHost,
    buffers: Vec<Arc<[u8]>>,
    read: impl FnOnce() -> R,
) -> R {
    let previous = WORKERS.with(|w| w.replace(Some(host.clone())));
    let result = decode(buffers, read);
    WORKERS.with(|w| w.replace(previous));
    result
}

/// The numbers of an `"f64"` tag's little-endian doubles; `None` when the length is not a
/// whole number of doubles.
pub(super) fn numbers_from_bytes(bytes: &[u8]) -> Option<Vec<Value>> {
    if bytes.len() % 8 != 0 {
        return None;
    }
    Some(
        bytes
            .chunks_exact(8)
            .map(|chunk| {
                let mut double = [0u8; 8];
                double.copy_from_slice(chunk);
                Value::Number(super::Number::new(f64::from_le_bytes(double)))
            })
            .collect(),
    )
}

/// The buffer an `"i"` tag names.
pub(super) fn take_out_of_band(index: u64) -> Result<Arc<[u8]>, String> {
    DECODE_BUFFERS.with(|b| {
        let slot = b.borrow();
        let buffers = slot.as_ref().ok_or("binary data refers to a buffer, but none was passed")?;
        usize::try_from(index)
            .ok()
            .and_then(|i| buffers.get(i))
            .and_then(Option::clone)
            .ok_or_else(|| format!("binary data refers to buffer {index}, which was not passed"))
    })
}

pub(super) fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub(super) fn unbase64(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(text).ok()
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
