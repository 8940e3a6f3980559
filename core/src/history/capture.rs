//! How values are kept in a run record: secrets under configured keys replaced, anything larger
//! than the cap replaced by a marker saying it was cut. Done where the record is written: the
//! store's thread for SQLite and Redis, where the node ended for a history in memory. Either
//! way a value costs at most the cap's worth of writing, and a value surely over the cap only
//! its preview's.

use std::cell::Cell;
use std::io;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::nodes::NodeInput;
use crate::value::codec::{self, TAG};
use crate::value::deep::guard;
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
        Capture {
            max_value_bytes,
            redact: redact_keys.into_iter().map(|k| k.to_lowercase()).collect(),
        }
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
        self.marker_for(value).unwrap_or_else(|| {
            let hit = Cell::new(false);
            self.stored(Reach::Within, &Redacting { value, capture: self, hit: &hit }, &hit)
        })
    }

    /// `value` as stored when that is a marker (it nests too deep, or is surely over the cap),
    /// found at the cost of the cap at most; `None` when it may be stored as it is.
    pub fn marker_for(&self, value: &Value) -> Option<Captured> {
        let mut text = 1;
        match self.reach(value, 1, &mut text) {
            Reach::Within => None,
            reach => {
                let hit = Cell::new(false);
                Some(self.stored(reach, &Redacting { value, capture: self, hit: &hit }, &hit))
            }
        }
    }

    /// A node's input (`{handle: upstream output}`) as stored.
    pub fn input(&self, input: &NodeInput) -> Captured {
        // The braces, the commas, and per entry its key, its colon and a byte of its value.
        let mut text = 2
            + input.len().saturating_sub(1)
            + input.entries().iter().map(|(key, _)| key.len() + 4).sum::<usize>();
        let mut reach = Reach::Within;
        for (key, value) in input.entries() {
            if self.redacts(key) {
                text += REDACTED.len() + 1;
            } else {
                reach = self.reach(value, 2, &mut text);
            }
            if !matches!(reach, Reach::Within) || text > self.max_value_bytes {
                break;
            }
        }
        if matches!(reach, Reach::Within) && text > self.max_value_bytes {
            reach = Reach::Over;
        }
        let hit = Cell::new(false);
        self.stored(reach, &RedactingInput { input, capture: self, hit: &hit }, &hit)
    }

    /// `subject` as stored, given how far its text reaches: a marker when it nests too deep;
    /// when it surely outgrows the cap, a marker written from only the text its preview shows
    /// (a 100,000-item output costs a few hundred bytes of writing, not the cap's 64 KiB);
    /// otherwise written up to the cap.
    fn stored(&self, reach: Reach, subject: &impl Serialize, hit: &Cell<bool>) -> Captured {
        match reach {
            Reach::TooDeep => self.too_deep(),
            Reach::Over => self.write(subject, hit, self.max_value_bytes.min(PREVIEW_BYTES)),
            Reach::Within => self.write(subject, hit, self.max_value_bytes),
        }
    }

    /// How far `value`'s text reaches, `text` holding the bytes counted so far (a byte for
    /// `value` among them) and `depth` its nesting. Counts a lower bound of the text as it
    /// would be written (redacted values as their replacement), a container's items a byte each
    /// as it is opened and the rest as they are walked, and stops once past the cap: only the
    /// part of the value that writing it within the cap reaches is walked, and an array of
    /// 100,000 numbers is known to be over a 64 KiB cap the moment it is opened.
    fn reach(&self, value: &Value, depth: usize, text: &mut usize) -> Reach {
        /// The children of an open container not walked yet (walked lazily, not pushed).
        enum Rest<'a> {
            Items(std::slice::Iter<'a, Value>),
            /// An object's entries from the index on; whether its keys are redacted.
            Entries(&'a crate::value::Map, usize, bool),
        }
        let mut open: Vec<(Rest<'_>, usize)> = Vec::new();
        let mut next = Some((value, depth));
        loop {
            if *text > self.max_value_bytes {
                return Reach::Over;
            }
            let (value, depth) = match next.take() {
                Some(found) => found,
                None => {
                    let Some((rest, depth)) = open.last_mut() else { return Reach::Within };
                    let child = match rest {
                        Rest::Items(items) => items.next(),
                        Rest::Entries(map, at, redacting) => match map.get_index(*at) {
                            Some((key, _)) if *redacting && self.redacts(key) => {
                                *at += 1;
                                *text += REDACTED.len() + 1;
                                continue;
                            }
                            Some((_, value)) => {
                                *at += 1;
                                Some(value)
                            }
                            None => None,
                        },
                    };
                    match child {
                        Some(child) => (child, *depth),
                        None => {
                            open.pop();
                            continue;
                        }
                    }
                }
            };
            if depth > MAX_DEPTH {
                return Reach::TooDeep;
            }
            // Past the byte already counted for the value.
            match value {
                Value::String(s) => *text += s.len() + 1,
                Value::Null | Value::Bool(true) => *text += 3,
                Value::Bool(false) => *text += 4,
                Value::Array(items) => {
                    *text += 1 + items.len() + items.len().saturating_sub(1);
                    open.push((Rest::Items(items.iter()), depth + 1));
                }
                Value::Object(map) => {
                    *text += 1
                        + map.len().saturating_sub(1)
                        + map.keys().map(|key| key.len() + 4).sum::<usize>();
                    // Only plain objects are redacted (see `Redacting`), and only when keys are.
                    let redacting =
                        !self.redact.is_empty() && map.keys().next().is_none_or(|k| k != TAG);
                    open.push((Rest::Entries(map, 0, redacting), depth + 1));
                }
                _ => {}
            }
        }
    }

    fn too_deep(&self) -> Captured {
        let marker = crate::json!({"$truncated": true, "limitBytes": self.max_value_bytes, "preview": format!("(nested deeper than {MAX_DEPTH} levels)")});
        Captured { json: serde_json::to_string(&marker).unwrap_or_default(), exact: false }
    }

    /// `subject` written up to `limit` bytes of text: itself, or a marker when it is longer.
    fn write(&self, subject: &impl Serialize, hit: &Cell<bool>, limit: usize) -> Captured {
        let mut out = Limited { bytes: Vec::new(), limit };
        match serde_json::to_writer(&mut out, subject) {
            Ok(()) => Captured {
                json: String::from_utf8(out.bytes).unwrap_or_default(),
                exact: !hit.get(),
            },
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
        serde_json::to_string(
            &crate::json!({"$truncated": true, "limitBytes": limit, "preview": preview}),
        )
        .unwrap_or_default()
    }
}

/// How far a value's text reaches within the cap.
enum Reach {
    /// All of it walked, within the cap by its lower bound.
    Within,
    /// Surely longer than the cap.
    Over,
    /// Nested deeper than [`MAX_DEPTH`] within the cap.
    TooDeep,
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
                    out.serialize_element(&Redacting {
                        value,
                        capture: self.capture,
                        hit: self.hit,
                    })?;
                }
                out.end()
            }),
            other => other.serialize(serializer),
        }
    }
}

/// One object entry: the value, or `"[REDACTED]"` under a redacted key.
fn redacted_entry<M: SerializeMap>(
    out: &mut M,
    key: &str,
    value: &Value,
    capture: &Capture,
    hit: &Cell<bool>,
) -> Result<(), M::Error> {
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
    use std::sync::Arc;

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
        crate::value::deep::dispose(deep);
        // Objects too, behind a sibling that is walked first.
        let mut deep = json!(1);
        for _ in 0..MAX_DEPTH + 5 {
            deep = json!({"first": [1, 2, 3], "inner": (deep)});
        }
        assert!(!Capture::default().value(&deep).exact);
        crate::value::deep::dispose(deep);
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
        assert!(
            stored["preview"].as_str().is_some_and(|p| p.contains("nested deeper")),
            "{stored}"
        );
        crate::value::deep::dispose(deep);
    }

    #[test]
    fn a_value_far_over_the_cap_is_the_marker_of_its_first_bytes() {
        let big = Value::Array((0..100_000).map(|i| Value::from(f64::from(i))).collect());
        let text = serde_json::to_string(&big).unwrap_or_default();
        for cap in [100, 64 * 1024] {
            let stored = Capture::new(cap, Vec::new()).value(&big);
            assert!(!stored.exact);
            let marker = stored.to_value();
            assert_eq!(marker[TRUNCATED_KEY], json!(true));
            assert_eq!(marker["limitBytes"], json!(cap));
            assert_eq!(
                marker["preview"].as_str(),
                Some(&text[..PREVIEW_BYTES.min(cap)]),
                "cap {cap}"
            );
        }
        // Records: the marker shows how the first of them begin.
        let records = Value::Array(
            (0..10_000).map(|i| json!({"id": i, "name": (format!("item {i}"))})).collect(),
        );
        let preview =
            Capture::default().value(&records).to_value()["preview"].as_str().map(str::to_owned);
        assert_eq!(
            preview.as_deref(),
            Some(&serde_json::to_string(&records).unwrap_or_default()[..PREVIEW_BYTES])
        );
        // Just over the cap by a little: still cut (the bound is a lower one, the writing decides).
        let near = json!({"text": ("x".repeat(95))});
        assert!(!Capture::new(100, Vec::new()).value(&near).exact);
        let under = json!({"text": ("x".repeat(80))});
        assert_eq!(
            Capture::new(100, Vec::new()).value(&under),
            Captured { json: serde_json::to_string(&under).unwrap_or_default(), exact: true }
        );
    }

    #[test]
    fn a_large_value_under_a_redacted_key_counts_as_its_replacement() {
        let big = Value::Array((0..100_000).map(|i| Value::from(f64::from(i))).collect());
        let capture = Capture::new(1024, vec!["secret".into()]);
        let value = json!({"id": 1, "secret": (big.clone())});
        let stored = capture.value(&value);
        assert!(!stored.exact, "redacted");
        assert_eq!(stored.to_value(), json!({"id": 1, "secret": REDACTED}));
        let input = NodeInput::from_entries(vec![
            (Arc::from("secret"), Arc::new(big)),
            (Arc::from("default"), Arc::new(json!("a"))),
        ]);
        assert_eq!(capture.input(&input).to_value(), json!({"secret": REDACTED, "default": "a"}));
    }

    #[test]
    fn redacts_keys_at_any_depth_and_says_so() {
        let capture = Capture::new(1024, vec!["Password".into()]);
        let stored = capture.value(
            &json!({"user": "a", "auth": {"password": "s3cret"}, "list": [{"PASSWORD": 1}]}),
        );
        assert!(!stored.exact);
        assert!(!stored.json.contains("s3cret"));
        assert_eq!(
            stored.to_value(),
            json!({"user": "a", "auth": {"password": REDACTED}, "list": [{"PASSWORD": REDACTED}]})
        );
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
        assert!(marker["preview"]
            .as_str()
            .is_some_and(|p| p.starts_with("{\"text\":\"xxx") && p.len() <= 100));
        assert!(capture.value(&json!({"small": 1})).exact);
    }
}
