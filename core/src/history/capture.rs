//! How values are kept in a run record: secrets under configured keys replaced, anything larger
//! than the cap replaced by a marker saying it was cut. Done where the record is written (a
//! writer thread on native hosts), never while the run goes on.

use std::cell::Cell;
use std::io;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::model::deep::guard;
use crate::nodes::NodeInput;
use crate::value::codec::{self, TAG};
use crate::value::Value;

/// What replaces a value stored under a redacted key.
pub const REDACTED: &str = "[REDACTED]";
/// The key of the object that replaces a value over the cap: `{"$truncated": true, limitBytes, preview}`.
pub const TRUNCATED_KEY: &str = "$truncated";
/// Characters of a cut value's JSON kept in its marker.
const PREVIEW_BYTES: usize = 256;
/// Values nested deeper are stored as a marker: writing them would recurse that deep, which the
/// WebAssembly engine's stack cannot (and no record needs).
const MAX_DEPTH: usize = 1000;

/// The capping and redaction policy of one conductor's history.
#[derive(Debug, Clone)]
pub struct Capture {
    /// Largest JSON text of one stored value, in bytes.
    pub max_value_bytes: usize,
    /// Object keys (compared case-insensitively) whose values are never stored.
    redact: Vec<String>,
}

/// One value as it is stored: its JSON text (the codec's tagged JSON, self-contained), and
/// whether it is the value itself (neither cut nor redacted).
#[derive(Debug, Clone, PartialEq)]
pub struct Captured {
    pub json: String,
    pub exact: bool,
}

impl Captured {
    /// The stored value read back.
    pub fn to_value(&self) -> Value {
        codec::from_json(&self.json).unwrap_or(Value::Null)
    }
}

impl Default for Capture {
    fn default() -> Self {
        Capture::new(Capture::DEFAULT_MAX_VALUE_BYTES, Vec::new())
    }
}

impl Capture {
    /// Values up to 64 KiB of JSON are stored whole by default.
    pub const DEFAULT_MAX_VALUE_BYTES: usize = 64 * 1024;

    /// A policy capping values at `max_value_bytes` and redacting `redact_keys`.
    pub fn new(max_value_bytes: usize, redact_keys: Vec<String>) -> Self {
        Capture { max_value_bytes, redact: redact_keys.into_iter().map(|k| k.to_lowercase()).collect() }
    }

    /// The same redaction without a cap (the flow definition, which a retry runs again).
    pub fn uncapped(&self) -> Capture {
        Capture { max_value_bytes: usize::MAX, redact: self.redact.clone() }
    }

    fn redacts(&self, key: &str) -> bool {
        !self.redact.is_empty() && self.redact.iter().any(|k| k.eq_ignore_ascii_case(key))
    }

    /// A value as stored.
    pub fn value(&self, value: &Value) -> Captured {
        if deeper_than(value, MAX_DEPTH, self.max_value_bytes) {
            return self.too_deep();
        }
        let hit = Cell::new(false);
        self.write(&Redacting { value, capture: self, hit: &hit }, &hit)
    }

    /// A node's input (`{handle: upstream output}`) as stored.
    pub fn input(&self, input: &NodeInput) -> Captured {
        if input.entries().iter().any(|(_, v)| deeper_than(v, MAX_DEPTH - 1, self.max_value_bytes)) {
            return self.too_deep();
        }
        let hit = Cell::new(false);
        self.write(&RedactingInput { input, capture: self, hit: &hit }, &hit)
    }

    fn too_deep(&self) -> Captured {
        let marker = crate::json!({"$truncated": true, "limitBytes": self.max_value_bytes, "preview": format!("(nested deeper than {MAX_DEPTH} levels)")});
        Captured { json: serde_json::to_string(&marker).unwrap_or_default(), exact: false }
    }

    fn write(&self, subject: &impl Serialize, hit: &Cell<bool>) -> Captured {
        let mut out = Limited { bytes: Vec::new(), limit: self.max_value_bytes };
        match serde_json::to_writer(&mut out, subject) {
            Ok(()) => Captured { json: String::from_utf8(out.bytes).unwrap_or_default(), exact: !hit.get() },
            Err(_) => Captured { json: self.marker(&out.bytes), exact: false },
        }
    }

    /// `{"$truncated": true, "limitBytes": n, "preview": <the JSON text's start>}`.
    fn marker(&self, written: &[u8]) -> String {
        let mut end = written.len().min(PREVIEW_BYTES);
        while end > 0 && std::str::from_utf8(&written[..end]).is_err() {
            end -= 1;
        }
        let preview = std::str::from_utf8(&written[..end]).unwrap_or_default();
        let limit = self.max_value_bytes;
        serde_json::to_string(&crate::json!({"$truncated": true, "limitBytes": limit, "preview": preview})).unwrap_or_default()
    }
}

/// Whether `value` nests deeper than `limit` levels within the part of it that writing it can
/// reach before `bytes` of text: walked without recursion, in the order it is written, counting
/// at least the bytes each part is written in, and no further (a 10,000-record output capped at
/// 64 KiB is walked for its first thousand records, not all of them).
fn deeper_than(value: &Value, limit: usize, bytes: usize) -> bool {
    let mut stack = vec![(value, 1usize)];
    let mut written = 0usize;
    while let Some((value, depth)) = stack.pop() {
        if depth > limit {
            return true;
        }
        written += match value {
            Value::String(s) => s.len() + 2,
            _ => 1,
        };
        if written > bytes {
            return false;
        }
        match value {
            Value::Array(items) => stack.extend(items.iter().rev().map(|v| (v, depth + 1))),
            Value::Object(map) => {
                written += map.keys().map(|k| k.len() + 3).sum::<usize>();
                stack.extend(map.values().rev().map(|v| (v, depth + 1)));
            }
            _ => {}
        }
    }
    false
}

/// A writer that refuses to grow past `limit` bytes (so a huge value costs only the cap).
struct Limited {
    bytes: Vec<u8>,
    limit: usize,
}

impl io::Write for Limited {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.bytes.len() + buf.len() > self.limit {
            let room = self.limit.saturating_sub(self.bytes.len());
            self.bytes.extend_from_slice(&buf[..room.min(buf.len())]);
            return Err(io::Error::other("value over the history cap"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A value serialised with redacted keys' values replaced (plain objects and arrays are walked;
/// the contents of `Map`s, `Set`s and errors are written as they are).
struct Redacting<'a> {
    value: &'a Value,
    capture: &'a Capture,
    hit: &'a Cell<bool>,
}

impl Serialize for Redacting<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.capture.redact.is_empty() {
            return self.value.serialize(serializer);
        }
        match self.value {
            Value::Object(map) if map.keys().next().is_none_or(|k| k != TAG) => guard(|| {
                let mut out = serializer.serialize_map(Some(map.len()))?;
                for (key, value) in map {
                    redacted_entry(&mut out, key, value, self.capture, self.hit)?;
                }
                out.end()
            }),
            Value::Array(items) => guard(|| {
                let mut out = serializer.serialize_seq(Some(items.len()))?;
                for value in items {
                    out.serialize_element(&Redacting { value, capture: self.capture, hit: self.hit })?;
                }
                out.end()
            }),
            other => other.serialize(serializer),
        }
    }
}

/// One object entry: the value, or `"[REDACTED]"` under a redacted key.
fn redacted_entry<M: SerializeMap>(out: &mut M, key: &str, value: &Value, capture: &Capture, hit: &Cell<bool>) -> Result<(), M::Error> {
    if capture.redacts(key) {
        hit.set(true);
        out.serialize_entry(key, REDACTED)
    } else {
        out.serialize_entry(key, &Redacting { value, capture, hit })
    }
}

struct RedactingInput<'a> {
    input: &'a NodeInput,
    capture: &'a Capture,
    hit: &'a Cell<bool>,
}

impl Serialize for RedactingInput<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_map(Some(self.input.len()))?;
        for (key, value) in self.input.entries() {
            redacted_entry(&mut out, key, value, self.capture, self.hit)?;
        }
        out.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn values_nested_past_the_limit_are_a_marker() {
        let mut deep = json!(1);
        for _ in 0..MAX_DEPTH + 5 {
            deep = json!([deep]);
        }
        let stored = Capture::default().value(&deep);
        assert!(!stored.exact);
        assert_eq!(stored.to_value()[TRUNCATED_KEY], json!(true));
        assert!(Capture::default().value(&json!([[[1]]])).exact);
        crate::model::deep::dispose(deep);
    }

    #[test]
    fn only_what_writing_reaches_is_walked_for_depth() {
        let mut deep = json!(1);
        for _ in 0..MAX_DEPTH + 5 {
            deep = json!([deep]);
        }
        // Behind 100 KB of text the deep part is past the cap: the value is cut there, and its
        // depth never matters (writing stops long before it).
        let value = json!([("x".repeat(100_000)), (deep.clone())]);
        let stored = Capture::default().value(&value).to_value();
        assert!(stored["preview"].as_str().is_some_and(|p| p.starts_with("[\"xxx")), "{stored}");
        // Within it, the depth is what refuses it.
        let value = json!(["short", (deep.clone())]);
        let stored = Capture::default().value(&value).to_value();
        assert!(stored["preview"].as_str().is_some_and(|p| p.contains("nested deeper")), "{stored}");
        crate::model::deep::dispose(deep);
    }

    #[test]
    fn redacts_keys_at_any_depth_and_says_so() {
        let capture = Capture::new(1024, vec!["Password".into()]);
        let stored = capture.value(&json!({"user": "a", "auth": {"password": "s3cret"}, "list": [{"PASSWORD": 1}]}));
        assert!(!stored.exact);
        assert!(!stored.json.contains("s3cret"));
        assert_eq!(stored.to_value(), json!({"user": "a", "auth": {"password": REDACTED}, "list": [{"PASSWORD": REDACTED}]}));
        let plain = capture.value(&json!({"user": "a"}));
        assert!(plain.exact);
    }

    #[test]
    fn cuts_values_over_the_cap_with_a_marker() {
        let capture = Capture::new(100, Vec::new());
        let big = json!({"text": "x".repeat(1000)});
        let stored = capture.value(&big);
        assert!(!stored.exact);
        let marker = stored.to_value();
        assert_eq!(marker[TRUNCATED_KEY], json!(true));
        assert_eq!(marker["limitBytes"], json!(100));
        assert!(marker["preview"].as_str().is_some_and(|p| p.starts_with("{\"text\":\"xxx") && p.len() <= 100));
        assert!(capture.value(&json!({"small": 1})).exact);
    }
}
