//! The text of [`Value::String`](Value::String) and of object keys in builds with
//! `bulk-data`: strings of up to 24 bytes (most keys and short values: names, ids, codes) are
//! stored inline, with no allocation to make, copy or free — a 10,000-record array of short
//! fields is thousands of allocations fewer to read, copy and free. Its twin, `text_plain.rs`,
//! keeps `String` for the browser's default module, which costs it no code.

use super::Value;

/// The text of [`Value::String`] and of object keys.
pub type Str = compact_str::CompactString;

/// A `String` as a value's text (a move where [`Str`] is `String`).
pub fn from_string(text: String) -> Str {
    Str::from(text)
}

/// A value's text as a `String` (a move where it already is one).
pub fn into_string(text: Str) -> String {
    text.into_string()
}

impl std::ops::Index<&Str> for Value {
    type Output = Value;

    fn index(&self, key: &Str) -> &Value {
        &self[key.as_str()]
    }
}

// `Str` is a type of its own here (in the twin it is `String`, which `convert.rs` converts).
impl From<Str> for Value {
    fn from(s: Str) -> Value {
        Value::String(s)
    }
}

impl From<&Str> for Value {
    fn from(s: &Str) -> Value {
        Value::String(s.clone())
    }
}
