//! Option objects read by hand from a parsed value, one field at a time.
//!
//! Why not derived serde readers: each derived reader is its own code in every module, and the
//! conductor config's alone cost the browser's size-budgeted module kilobytes. Every option
//! object read through [`Fields`] (by name) or [`Field`] (one value at a time) shares this one
//! reader. Its errors say which option is wrong
//! and what it must be (`'storage.type' must be text, not number 3`), and an unknown option
//! names the one it probably meant.

use crate::error::{ExecutionError, Result};
use crate::value::{Map, Value};

use super::serde_error::unknown_option;

/// The fields of one option object, each read once by name.
pub struct Fields<'a> {
    /// `None`: the object is absent (every field reads as absent).
    map: Option<&'a Map>,
    /// What the object is part of, for errors: `"conductor config"`, `"list options"`.
    what: &'static str,
    /// Where the object is, for errors (`""` at the top, `"storage."` in a section).
    path: String,
}

impl<'a> Fields<'a> {
    /// `value` as an object whose fields are among `known` (`null` and absent: no fields).
    pub fn of(value: Option<&'a Value>, what: &'static str, known: &[&str]) -> Result<Fields<'a>> {
        Fields { map: None, what, path: String::new() }.open(value, "", known)
    }

    /// `value` (at `path`, `""` for the top) as an object of `known` fields.
    fn open(&self, value: Option<&'a Value>, path: &str, known: &[&str]) -> Result<Fields<'a>> {
        let prefix = if path.is_empty() { String::new() } else { format!("{path}.") };
        let map = match value {
            None | Some(Value::Null | Value::Undefined) => None,
            Some(Value::Object(map)) => Some(map),
            Some(other) => return Err(self.wrong(path, "an object", other)),
        };
        if let Some(unknown) =
            map.and_then(|map| map.keys().find(|key| !known.contains(&key.as_str())))
        {
            return Err(self.error(unknown_option(&prefix, unknown, known)));
        }
        Ok(Fields { map, what: self.what, path: prefix })
    }

    /// The object at field `name` (absent or `null`: one with no fields).
    pub fn object(&self, name: &str, known: &[&str]) -> Result<Fields<'a>> {
        self.open(self.get(name), &format!("{}{name}", self.path), known)
    }

    /// Field `name` as it is (`null` reads as absent).
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.map?.get(name).filter(|value| !matches!(value, Value::Null | Value::Undefined))
    }

    /// A number (any finite one; ranges are the caller's to check).
    pub fn number(&self, name: &str) -> Result<Option<f64>> {
        self.field(name).map(|field| field.number()).transpose()
    }

    /// A whole number of at least 0 that fits `T`.
    pub fn whole<T: TryFrom<u64>>(&self, name: &str) -> Result<Option<T>> {
        self.field(name).map(|field| field.whole()).transpose()
    }

    pub fn flag(&self, name: &str) -> Result<Option<bool>> {
        self.field(name).map(|field| field.flag()).transpose()
    }

    pub fn text(&self, name: &str) -> Result<Option<String>> {
        self.field(name).map(|field| field.text()).transpose()
    }

    /// Field `name` read by `convert`; `expected` says what it must be when it cannot.
    pub fn read<T>(
        &self,
        name: &str,
        expected: &str,
        convert: impl FnOnce(&'a Value) -> Option<T>,
    ) -> Result<Option<T>> {
        self.field(name).map(|field| field.read(expected, convert)).transpose()
    }

    /// Field `name` when it is there (not `null`).
    fn field(&self, name: &str) -> Option<Field<'a>> {
        let value = self.get(name)?;
        Some(Field { what: self.what, path: format!("{}{name}", self.path), value })
    }

    /// `'path' must be expected, not <what was given>` (`it must be ...` for the whole object).
    fn wrong(&self, path: &str, expected: &str, given: &Value) -> ExecutionError {
        Field { what: self.what, path: path.to_owned(), value: given }.wrong(expected)
    }

    fn error(&self, message: String) -> ExecutionError {
        invalid(self.what, message)
    }
}

/// One option's value, for a reader that walks an object once (the run options, read on every
/// run) rather than looking each field up by name.
pub struct Field<'a> {
    what: &'static str,
    path: String,
    value: &'a Value,
}

impl<'a> Field<'a> {
    /// `value`, option `name` of what `what` names (`"run options"`).
    pub fn new(what: &'static str, name: &str, value: &'a Value) -> Field<'a> {
        Field { what, path: name.to_owned(), value }
    }

    pub fn number(&self) -> Result<f64> {
        self.read("a number", |value| value.as_f64().filter(|n| n.is_finite()))
    }

    pub fn whole<T: TryFrom<u64>>(&self) -> Result<T> {
        self.read("a whole number of at least 0", |value| {
            let n =
                value.as_f64().filter(|n| *n >= 0.0 && n.fract() == 0.0 && *n < u64::MAX as f64)?;
            T::try_from(n as u64).ok()
        })
    }

    pub fn flag(&self) -> Result<bool> {
        self.read("true or false", |value| match value {
            Value::Bool(flag) => Some(*flag),
            _ => None,
        })
    }

    pub fn text(&self) -> Result<String> {
        self.read("text", |value| value.as_str().map(str::to_owned))
    }

    /// The value read by `convert`; `expected` says what it must be when it cannot.
    pub fn read<T>(
        &self,
        expected: &str,
        convert: impl FnOnce(&'a Value) -> Option<T>,
    ) -> Result<T> {
        convert(self.value).ok_or_else(|| self.wrong(expected))
    }

    /// `'path' must be expected, not <what was given>` (`it must be ...` for the whole object).
    pub fn wrong(&self, expected: &str) -> ExecutionError {
        let name = if self.path.is_empty() { "it".to_owned() } else { format!("'{}'", self.path) };
        invalid(self.what, format!("{name} must be {expected}, not {}", described(self.value)))
    }
}

/// That `field` is not among `known` (the fields of `what`), with the one it probably meant.
pub fn unknown(what: &'static str, field: &str, known: &[&str]) -> ExecutionError {
    invalid(what, unknown_option("", field, known))
}

/// `message` about `what` as a `VALIDATION_FAILED` error (`Invalid run options: ...`).
pub fn invalid(what: &str, message: String) -> ExecutionError {
    ExecutionError::validation(format!("Invalid {what}: {message}"))
}

fn described(value: &Value) -> String {
    match value {
        Value::Bool(flag) => format!("{flag}"),
        Value::Number(_) => {
            format!("number {}", crate::format::js_number(value.as_f64().unwrap_or(f64::NAN)))
        }
        Value::String(_) => {
            let text = value.as_str().unwrap_or_default();
            let shown: String = text.chars().take(40).collect();
            format!("text {:?}{}", shown, if shown.len() < text.len() { "…" } else { "" })
        }
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
        _ => "a value JSON cannot hold".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::Fields;
    use crate::value::Value;

    fn parsed(text: &str) -> Value {
        serde_json::from_str(text).expect("test JSON")
    }

    #[test]
    fn fields_read_as_their_kinds_and_absent_or_null_as_none() {
        let value = parsed(r#"{"n": 2.5, "w": 3, "f": true, "t": "x", "z": null, "o": {"a": 1}}"#);
        let fields =
            Fields::of(Some(&value), "test options", &["n", "w", "f", "t", "z", "o", "gone"])
                .expect("known fields");
        assert_eq!(fields.number("n").ok(), Some(Some(2.5)));
        assert_eq!(fields.whole::<usize>("w").ok(), Some(Some(3)));
        assert_eq!(fields.flag("f").ok(), Some(Some(true)));
        assert_eq!(fields.text("t").ok(), Some(Some("x".to_owned())));
        assert_eq!(fields.text("z").ok(), Some(None), "null reads as absent");
        assert_eq!(fields.number("gone").ok(), Some(None));
        let inner = fields.object("o", &["a"]).expect("a known inner field");
        assert_eq!(inner.whole::<u32>("a").ok(), Some(Some(1)));
        let absent = fields.object("gone", &["a"]).expect("an absent object has no fields");
        assert_eq!(absent.flag("a").ok(), Some(None));
    }

    #[test]
    fn a_wrong_value_says_where_and_what_it_must_be() {
        let value = parsed(r#"{"w": 1.5, "big": 300, "t": 4, "o": {"a": "x"}, "list": [1]}"#);
        let fields = Fields::of(Some(&value), "test options", &["w", "big", "t", "o", "list"])
            .expect("known");
        let message = |result: crate::error::Result<()>| result.err().map(|e| e.message);
        assert_eq!(
            message(fields.whole::<usize>("w").map(drop)),
            Some(
                "Invalid test options: 'w' must be a whole number of at least 0, not number 1.5"
                    .into()
            )
        );
        assert!(fields.whole::<u8>("big").is_err(), "300 does not fit a u8");
        assert_eq!(
            message(fields.text("t").map(drop)),
            Some("Invalid test options: 't' must be text, not number 4".into())
        );
        assert_eq!(
            message(fields.object("o", &["a"]).and_then(|o| o.flag("a")).map(drop)),
            Some("Invalid test options: 'o.a' must be true or false, not text \"x\"".into())
        );
        assert_eq!(
            message(fields.object("list", &[]).map(drop)),
            Some("Invalid test options: 'list' must be an object, not an array".into())
        );
    }

    #[test]
    fn an_unknown_field_names_the_one_meant_with_its_path() {
        let value = parsed(r#"{"storage": {"directroy": "/x"}}"#);
        let fields = Fields::of(Some(&value), "test options", &["storage"]).expect("known");
        let error = fields.object("storage", &["type", "directory"]).err().map(|e| e.message);
        assert_eq!(
            error,
            Some("Invalid test options: unknown option 'storage.directroy' (did you mean 'storage.directory'?)".into())
        );
        let unknown = parsed(r#"{"zzz": 1}"#);
        let top = Fields::of(Some(&unknown), "test options", &["alpha", "beta"]);
        assert_eq!(
            top.err().map(|e| e.message),
            Some("Invalid test options: unknown option 'zzz'; known options: alpha, beta".into())
        );
    }
}
