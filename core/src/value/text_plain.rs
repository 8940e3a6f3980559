//! The text of [`Value::String`](super::Value::String) and of object keys in builds without
//! `bulk-data` (the browser's default module): `String`, which costs the module no code. Its
//! twin, `text.rs`, stores short strings inline.

/// The text of [`Value::String`] and of object keys.
pub type Str = String;

/// A `String` as a value's text (a move where [`Str`] is `String`).
pub fn from_string(text: String) -> Str {
    text
}

/// A value's text as a `String` (a move where it already is one).
pub fn into_string(text: Str) -> String {
    text
}
