//! A cache key: a 128-bit XXH3 hash of everything that determines a node's result, and the
//! hasher that writes values into it bit-exactly (as values cross the engine: `-0` is not `0`,
//! `undefined` is not `null`, a key's place in an object counts).

use xxhash_rust::xxh3::Xxh3;

use atomiton_core::cache::CacheKey;
use atomiton_core::value::{Ext, Value};

/// Bytes gathered before they go to XXH3: feeding it a few bytes at a time (a tag, a number)
/// costs more than copying them here first.
const BUFFER: usize = 16 * 1024;

/// Writes the parts of a key. Every part is written with its kind and, for variable-length
/// parts, its length first, so two different sequences of parts never write the same bytes.
pub struct KeyHasher {
    state: Xxh3,
    buffer: Vec<u8>,
    /// Bytes written so far (what a cache reports as hashed).
    written: u64,
}

impl Default for KeyHasher {
    fn default() -> Self {
        KeyHasher::new()
    }
}

/// A container being written: what is left of it.
enum Frame<'a> {
    Items(std::slice::Iter<'a, Value>),
    Entries(atomiton_core::value::MapIter<'a, atomiton_core::value::Str, Value>),
    /// A `Map`'s pairs, and the value of the pair whose key was just written.
    Pairs(std::slice::Iter<'a, (Value, Value)>, Option<&'a Value>),
    One(Option<&'a Value>),
}

impl KeyHasher {
    pub fn new() -> Self {
        // Small keys (most nodes' inputs) never need the whole buffer.
        KeyHasher { state: Xxh3::new(), buffer: Vec::with_capacity(256), written: 0 }
    }

    #[inline]
    fn bytes(&mut self, bytes: &[u8]) {
        self.written += bytes.len() as u64;
        if self.buffer.len() + bytes.len() <= BUFFER {
            self.buffer.extend_from_slice(bytes);
            return;
        }
        self.state.update(&self.buffer);
        self.buffer.clear();
        if bytes.len() >= BUFFER {
            self.state.update(bytes);
        } else {
            self.buffer.extend_from_slice(bytes);
        }
    }

    #[inline]
    fn tag(&mut self, tag: u8) {
        self.bytes(&[tag]);
    }

    #[inline]
    fn len(&mut self, len: usize) {
        self.bytes(&(len as u64).to_le_bytes());
    }

    /// A string part.
    #[inline]
    pub fn str(&mut self, text: &str) {
        self.len(text.len());
        self.bytes(text.as_bytes());
    }

    /// A number part.
    pub fn u64(&mut self, n: u64) {
        self.bytes(&n.to_le_bytes());
    }

    /// A 128-bit part (another key, a hash made earlier).
    pub fn u128(&mut self, n: u128) {
        self.bytes(&n.to_le_bytes());
    }

    #[inline]
    fn f64(&mut self, n: f64) {
        // Bit-exact: -0 and 0 differ, as they do once they cross back to JS.
        self.bytes(&n.to_bits().to_le_bytes());
    }

    /// A value, whole, in pre-order: a container's tag and length, then its items. Iterative
    /// (one frame per open container, scalars written where they are): any depth is safe.
    pub fn value(&mut self, value: &Value) {
        let mut stack = vec![Frame::One(Some(value))];
        while let Some(top) = stack.last_mut() {
            let next = match top {
                Frame::Items(items) => items.next(),
                Frame::Entries(entries) => match entries.next() {
                    Some((key, value)) => {
                        self.str(key);
                        Some(value)
                    }
                    None => None,
                },
                Frame::Pairs(pairs, pending) => match pending.take() {
                    Some(value) => Some(value),
                    None => pairs.next().map(|(key, value)| {
                        *pending = Some(value);
                        key
                    }),
                },
                Frame::One(value) => value.take(),
            };
            let Some(value) = next else {
                stack.pop();
                continue;
            };
            match value {
                Value::Null => self.tag(0),
                Value::Bool(b) => self.tag(1 + u8::from(*b)),
                Value::Number(n) => {
                    self.tag(3);
                    self.f64(n.get());
                }
                Value::String(s) => {
                    self.tag(4);
                    self.str(s);
                }
                Value::Array(items) => {
                    self.tag(5);
                    self.len(items.len());
                    stack.push(Frame::Items(items.iter()));
                }
                Value::Object(map) => {
                    self.tag(6);
                    self.len(map.len());
                    stack.push(Frame::Entries(map.iter()));
                }
                Value::Undefined => self.tag(7),
                Value::Ext(ext) => {
                    if let Some(frame) = self.ext(ext) {
                        stack.push(frame);
                    }
                }
            }
        }
    }

    /// Writes what an [`Ext`] holds itself; what it contains comes back as a frame to walk.
    fn ext<'a>(&mut self, ext: &'a Ext) -> Option<Frame<'a>> {
        match ext {
            Ext::Hole => self.tag(8),
            Ext::BigInt(digits) => {
                self.tag(9);
                self.str(digits);
            }
            Ext::String16(units) => {
                self.tag(10);
                self.len(units.len());
                for unit in units {
                    self.bytes(&unit.to_le_bytes());
                }
            }
            Ext::Bytes(bytes) => {
                self.tag(11);
                self.str(bytes.kind.name());
                self.len(bytes.len());
                self.bytes(bytes.as_slice());
            }
            Ext::Date(ms) => {
                self.tag(12);
                self.f64(ms.get());
            }
            Ext::Map(entries) => {
                self.tag(13);
                self.len(entries.len());
                return Some(Frame::Pairs(entries.iter(), None));
            }
            Ext::Set(items) => {
                self.tag(14);
                self.len(items.len());
                return Some(Frame::Items(items.iter()));
            }
            Ext::RegExp { source, flags } => {
                self.tag(15);
                self.str(source);
                self.str(flags);
            }
            Ext::Error { name, message, stack: trace, cause } => {
                self.tag(16);
                self.str(name);
                self.str(message);
                match trace {
                    Some(trace) => {
                        self.tag(1);
                        self.str(trace);
                    }
                    None => self.tag(0),
                }
                self.tag(u8::from(cause.is_some()));
                return cause.as_ref().map(|cause| Frame::One(Some(cause)));
            }
            Ext::Boxed(inner) => {
                self.tag(17);
                return Some(Frame::One(Some(inner)));
            }
            // A handle means nothing outside its session; callers write such values out first.
            Ext::Js(id) => {
                self.tag(18);
                self.u64(*id);
            }
        }
        None
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// The key.
    pub fn finish(mut self) -> CacheKey {
        self.state.update(&self.buffer);
        CacheKey(self.state.digest128())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atomiton_core::json;

    fn key(value: &Value) -> CacheKey {
        let mut hasher = KeyHasher::new();
        hasher.value(value);
        hasher.finish()
    }

    #[test]
    fn values_that_differ_in_js_have_different_keys() {
        let distinct = [
            json!(null),
            Value::Undefined,
            json!(0),
            Value::from(-0.0),
            json!(false),
            json!(""),
            json!([]),
            json!({}),
            json!([null]),
            json!([[]]),
            json!({"a": 1, "b": 2}),
            json!({"b": 2, "a": 1}),
            json!({"a": [1, 2]}),
            json!({"a": [1], "b": 2}),
            json!(["a", "b"]),
            json!(["ab"]),
            Value::date(0.0),
            Value::bytes(atomiton_core::value::BytesKind::Buffer, vec![0u8]),
            Value::bytes(atomiton_core::value::BytesKind::Uint8Array, vec![0u8]),
        ];
        let keys: Vec<CacheKey> = distinct.iter().map(key).collect();
        for i in 0..keys.len() {
            for j in i + 1..keys.len() {
                assert_ne!(keys[i], keys[j], "{} and {}", distinct[i], distinct[j]);
            }
        }
        assert_eq!(key(&json!({"a": [1, {"b": "c"}]})), key(&json!({"a": [1, {"b": "c"}]})));
    }

    #[test]
    fn a_large_string_hashes_like_its_pieces_would_not_collide() {
        let long = "x".repeat(3 * BUFFER + 7);
        assert_eq!(key(&Value::from(long.clone())), key(&Value::from(long.clone())));
        assert_ne!(key(&Value::from(long.clone())), key(&Value::from(format!("{long}y"))));
        let hex = key(&Value::from(long)).to_hex();
        assert_eq!(CacheKey::from_hex(&hex).map(CacheKey::to_hex), Some(hex));
    }

    #[test]
    fn deep_values_do_not_overflow_the_stack() {
        let mut value = json!(1);
        for _ in 0..200_000 {
            value = Value::Array(vec![value]);
        }
        let _ = key(&value);
        // Dropped iteratively would need the core's own disposal; a test may leak it.
        std::mem::forget(value);
    }
}
