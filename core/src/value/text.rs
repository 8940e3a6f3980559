//! The text of [`Value::String`](Value::String) and of object keys in builds with
//! `bulk-data` (`tables::BulkValues`): strings of up to 24 bytes (most keys and short values:
//! names, ids, codes) are stored inline, with no allocation to make, copy or free — a
//! 10,000-record array of short fields is thousands of allocations fewer to read, copy and free.
//! Builds without it keep `String` (`PlainData` in `bulk_data.rs`), which costs the browser's
//! default module no code. Here: what a `Value` is made from and indexed by, where `Str` is a
//! type of its own.

use super::{Str, Value};

impl std::ops::Index<&Str> for Value {
    type Output = Value;

    fn index(&self, key: &Str) -> &Value {
        &self[key.as_str()]
    }
}

// `Str` is a type of its own here (without `bulk-data` it is `String`, `PlainData`'s in
// `bulk_data.rs`, which `convert.rs` converts).
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
