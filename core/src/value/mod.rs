//! The engine's value: anything a flow's data can hold, as JavaScript holds it.
//!
//! Node outputs, inputs, variables and parameters are [`Value`]s. The first six variants are
//! JSON's; the rest carry what JSON cannot, so a value that passes through the engine comes out
//! as it went in: `undefined` (in objects and arrays), every double (`-0`, `NaN`, `±Infinity`),
//! and, behind [`Ext`], BigInts, strings that are not well-formed UTF-16, binary data (`Buffer`,
//! typed arrays, `ArrayBuffer`, `DataView`), dates, `Map`s, `Set`s, regular expressions, errors,
//! boxed primitives, array holes and handles to values the embedder keeps on its side.
//!
//! How values cross into and out of the engine as text is [`codec`]: JSON, where what JSON cannot
//! say is written as a small tagged object.

mod buffers;
// What `bulk-data` changes in a value, as the value asks for it.
mod bulk_data;
mod bytes;
pub mod codec;
pub mod compact;
mod convert;
pub(crate) mod deep;
mod js_number;
pub(crate) mod json;
mod limits;
pub(crate) mod map;
mod number;
mod prefetch;
mod serde_impl;
pub mod slices;
mod slicing;

pub use bulk_data::{Parallel, TableJob};
pub use bytes::{Bytes, BytesKind};
pub use convert::{from_value, to_value};
pub use js_number::js_number;
pub use limits::ParseLimits;
pub use map::{Iter as MapIter, Map};
pub use number::Number;
pub use prefetch::{prefetch_ahead, prefetch_slice, rows_asked_ahead, PREFETCH_AHEAD};

use self::bulk_data::BulkData;

cfg_if::cfg_if! {
    if #[cfg(feature = "bulk-data")] {
        // Arrays of records as binary tables beside codec text.
        mod tables;
        // Short strings inline.
        mod text;
        /// How this build's values hold text and arrays of records: short strings inline,
        /// arrays of records as binary tables.
        type Data = tables::BulkValues;
    } else {
        /// How this build's values hold text and arrays of records: `String`, and as text (see
        /// [`bulk_data`]).
        type Data = bulk_data::PlainData;
    }
}

/// The text of [`Value::String`] and of object keys: strings of up to 24 bytes stored inline
/// with `bulk-data`, `String` without it.
pub type Str = <Data as BulkData>::Str;

/// A `String` as a value's text (a move where [`Str`] is `String`).
#[inline]
pub fn from_string(text: String) -> Str {
    Data::from_string(text)
}

/// A value's text as a `String` (a move where it already is one).
#[inline]
pub fn into_string(text: Str) -> String {
    Data::into_string(text)
}

/// A value of a flow's data.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    /// Any double, `-0`, `NaN` and the infinities included.
    Number(Number),
    String(Str),
    Array(Vec<Value>),
    Object(Map),
    /// JavaScript's `undefined` where it is a value (an object property, an array element).
    Undefined,
    /// Everything else JavaScript carries. Boxed: rare, and it keeps [`Value`] small.
    Ext(Box<Ext>),
}

/// The values beyond JSON and `undefined`.
#[derive(Clone, Debug, PartialEq)]
pub enum Ext {
    /// An array slot never assigned (`[1, , 3]`); meaningful only as an array element.
    Hole,
    /// A BigInt, as its decimal digits with an optional leading `-`.
    BigInt(String),
    /// A string that is not well-formed UTF-16 (it holds a lone surrogate), as its code units.
    /// Well-formed strings are always [`Value::String`].
    String16(Vec<u16>),
    /// Binary data.
    Bytes(Bytes),
    /// A `Date`: milliseconds since the Unix epoch (`NaN` for an invalid date).
    Date(Number),
    /// A `Map`, in insertion order.
    Map(Vec<(Value, Value)>),
    /// A `Set`, in insertion order.
    Set(Vec<Value>),
    RegExp {
        source: String,
        flags: String,
    },
    /// An `Error` (or `TypeError`, ...): what structured clone keeps of one.
    Error {
        name: String,
        message: String,
        stack: Option<String>,
        cause: Option<Value>,
    },
    /// A boxed primitive (`new Number(1)`, `new String("a")`, `Object(1n)`).
    Boxed(Value),
    /// A value the embedder keeps on its side (a JS value that never needed to cross), by the id
    /// the embedder gave it. Meaningful only inside the session that made it.
    Js(u64),
}

impl Value {
    /// A `Value` from an [`Ext`].
    pub fn ext(ext: Ext) -> Value {
        Value::Ext(Box::new(ext))
    }

    /// JavaScript's `Date` at `ms` since the epoch.
    pub fn date(ms: f64) -> Value {
        Value::ext(Ext::Date(Number::new(ms)))
    }

    /// Binary data of the given kind.
    pub fn bytes(kind: BytesKind, data: impl Into<std::sync::Arc<[u8]>>) -> Value {
        Value::ext(Ext::Bytes(Bytes::new(kind, data)))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(n.get()),
            _ => None,
        }
    }

    /// The number, if this is an integral number representable as `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// The number, if this is a non-negative integral number representable as `u64`.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_array_mut(&mut self) -> Option<&mut Vec<Value>> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    /// The binary data, if this is any kind of it.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match self {
            Value::Ext(ext) => match &**ext {
                Ext::Bytes(bytes) => Some(bytes),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn as_ext(&self) -> Option<&Ext> {
        match self {
            Value::Ext(ext) => Some(ext),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_undefined(&self) -> bool {
        matches!(self, Value::Undefined)
    }

    pub fn is_string(&self) -> bool {
        matches!(self, Value::String(_))
    }

    pub fn is_number(&self) -> bool {
        matches!(self, Value::Number(_))
    }

    pub fn is_boolean(&self) -> bool {
        matches!(self, Value::Bool(_))
    }

    pub fn is_array(&self) -> bool {
        matches!(self, Value::Array(_))
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    /// Whether this value is JSON's (no `undefined`, no non-finite number or `-0`, nothing from
    /// [`Ext`]), looking only at this level.
    pub fn is_json_scalar(&self) -> bool {
        match self {
            Value::Null | Value::Bool(_) | Value::String(_) => true,
            Value::Number(n) => n.is_json(),
            _ => false,
        }
    }

    /// Whether this value holds (anywhere inside) a value kept by the embedder
    /// ([`Ext::Js`]). Iterative: any depth is safe.
    pub fn holds_js(&self) -> bool {
        let mut stack = vec![self];
        while let Some(value) = stack.pop() {
            match value {
                Value::Array(items) => stack.extend(items),
                Value::Object(map) => stack.extend(map.values()),
                Value::Ext(ext) => match &**ext {
                    Ext::Js(_) => return true,
                    Ext::Map(entries) => stack.extend(entries.iter().flat_map(|(k, v)| [k, v])),
                    Ext::Set(items) => stack.extend(items),
                    Ext::Boxed(inner) => stack.push(inner),
                    Ext::Error { cause: Some(cause), .. } => stack.push(cause),
                    _ => {}
                },
                _ => {}
            }
        }
        false
    }

    /// `self[key]` for objects, `None` otherwise.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(map) => map.get(key),
            _ => None,
        }
    }

    /// `self[index]` for arrays, `None` otherwise.
    pub fn get_index(&self, index: usize) -> Option<&Value> {
        match self {
            Value::Array(items) => items.get(index),
            _ => None,
        }
    }

    /// Replaces this value with `Null` and returns it.
    pub fn take(&mut self) -> Value {
        std::mem::take(self)
    }

    /// A JSON Pointer (RFC 6901) lookup: `/a/0/b`.
    pub fn pointer(&self, pointer: &str) -> Option<&Value> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        rest.split('/').map(|token| token.replace("~1", "/").replace("~0", "~")).try_fold(
            self,
            |target, token| match target {
                Value::Object(map) => map.get(token.as_str()),
                Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            },
        )
    }
}

pub(super) static NULL: Value = Value::Null;

impl std::ops::Index<&str> for Value {
    type Output = Value;

    /// `value["key"]`: the field, or `Null` when absent or not an object (as serde_json's).
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&NULL)
    }
}

impl std::ops::Index<&String> for Value {
    type Output = Value;

    fn index(&self, key: &String) -> &Value {
        &self[key.as_str()]
    }
}

impl std::ops::Index<usize> for Value {
    type Output = Value;

    /// `value[i]`: the element, or `Null` when absent or not an array.
    fn index(&self, index: usize) -> &Value {
        self.get_index(index).unwrap_or(&NULL)
    }
}

impl std::ops::IndexMut<&str> for Value {
    /// `value["key"] = …`: turns `Null` into an empty object first; panics on other non-objects,
    /// as serde_json's does (only used on values the engine built itself).
    fn index_mut(&mut self, key: &str) -> &mut Value {
        if self.is_null() {
            *self = Value::Object(Map::new());
        }
        match self {
            Value::Object(map) => map.entry(key.to_owned()).or_insert(Value::Null),
            _ => panic!("cannot index a non-object value with a key"),
        }
    }
}

impl std::fmt::Display for Value {
    /// The value as compact JSON text (with the codec's tags for what JSON cannot say).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match codec::to_json(self) {
            Ok(text) => f.write_str(&text),
            Err(_) => Err(std::fmt::Error),
        }
    }
}

impl PartialEq<str> for Value {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for Value {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl PartialEq<String> for Value {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == Some(other.as_str())
    }
}

impl PartialEq<bool> for Value {
    fn eq(&self, other: &bool) -> bool {
        self.as_bool() == Some(*other)
    }
}

macro_rules! eq_number {
    ($($t:ty),*) => {$(
        impl PartialEq<$t> for Value {
            #[allow(clippy::cast_lossless, clippy::cast_precision_loss)]
            fn eq(&self, other: &$t) -> bool {
                self.as_f64() == Some(*other as f64)
            }
        }
    )*};
}
eq_number!(i32, i64, u32, u64, usize, f64);

/// Builds a [`Value`] with JSON syntax: `json!({"a": [1, 2, null], "b": text})`. Keys are string
/// literals (or an expression in parentheses); interpolated values are any expression with a
/// `From` conversion into [`Value`].
#[macro_export]
macro_rules! json {
    (null) => { $crate::value::Value::Null };
    (true) => { $crate::value::Value::Bool(true) };
    (false) => { $crate::value::Value::Bool(false) };
    ([]) => { $crate::value::Value::Array(::std::vec::Vec::new()) };
    ([ $($tt:tt)+ ]) => { $crate::value::Value::Array($crate::__json_array!([] $($tt)+)) };
    ({}) => { $crate::value::Value::Object($crate::value::Map::new()) };
    ({ $($tt:tt)+ }) => {
        $crate::value::Value::Object({
            let mut object = $crate::value::Map::new();
            $crate::__json_object!(object $($tt)+);
            object
        })
    };
    ($other:expr) => {{
        #[allow(unused_imports)]
        use $crate::value::__macro::{ViaFrom as _, ViaSerialize as _, ViaValue as _};
        (&&&$crate::value::__macro::Interp(&$other)).json_value()
    }};
}

/// What `json!` uses to turn an interpolated expression into a [`Value`], in order of
/// preference (method resolution tries the most-referenced impl first): a [`Value`] is cloned
/// as it is; a type with a `From` conversion uses it; anything else goes through `Serialize`.
#[doc(hidden)]
pub mod __macro {
    use super::Value;

    pub struct Interp<'a, T: ?Sized>(pub &'a T);

    pub trait ViaValue {
        fn json_value(&self) -> Value;
    }

    impl ViaValue for &&Interp<'_, Value> {
        fn json_value(&self) -> Value {
            self.0.clone()
        }
    }

    pub trait ViaFrom {
        fn json_value(&self) -> Value;
    }

    impl<T: Into<Value> + Clone> ViaFrom for &Interp<'_, T> {
        fn json_value(&self) -> Value {
            self.0.clone().into()
        }
    }

    pub trait ViaSerialize {
        fn json_value(&self) -> Value;
    }

    impl<T: serde::Serialize + ?Sized> ViaSerialize for Interp<'_, T> {
        fn json_value(&self) -> Value {
            super::to_value(self.0).unwrap_or(Value::Null)
        }
    }
}

#[doc(hidden)]
#[macro_export]
macro_rules! __json_array {
    ([$($done:expr,)*]) => { ::std::vec![$($done,)*] };
    ([$($done:expr,)*] null $(, $($rest:tt)*)?) => { $crate::__json_array!([$($done,)* $crate::json!(null),] $($($rest)*)?) };
    ([$($done:expr,)*] true $(, $($rest:tt)*)?) => { $crate::__json_array!([$($done,)* $crate::json!(true),] $($($rest)*)?) };
    ([$($done:expr,)*] false $(, $($rest:tt)*)?) => { $crate::__json_array!([$($done,)* $crate::json!(false),] $($($rest)*)?) };
    ([$($done:expr,)*] [$($inner:tt)*] $(, $($rest:tt)*)?) => { $crate::__json_array!([$($done,)* $crate::json!([$($inner)*]),] $($($rest)*)?) };
    ([$($done:expr,)*] {$($inner:tt)*} $(, $($rest:tt)*)?) => { $crate::__json_array!([$($done,)* $crate::json!({$($inner)*}),] $($($rest)*)?) };
    ([$($done:expr,)*] $next:expr , $($rest:tt)*) => { $crate::__json_array!([$($done,)* $crate::json!($next),] $($rest)*) };
    ([$($done:expr,)*] $last:expr) => { $crate::__json_array!([$($done,)* $crate::json!($last),]) };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __json_object {
    ($object:ident) => {};
    ($object:ident $key:tt : null $(, $($rest:tt)*)?) => { $object.insert($crate::__json_key!($key), $crate::json!(null)); $crate::__json_object!($object $($($rest)*)?); };
    ($object:ident $key:tt : true $(, $($rest:tt)*)?) => { $object.insert($crate::__json_key!($key), $crate::json!(true)); $crate::__json_object!($object $($($rest)*)?); };
    ($object:ident $key:tt : false $(, $($rest:tt)*)?) => { $object.insert($crate::__json_key!($key), $crate::json!(false)); $crate::__json_object!($object $($($rest)*)?); };
    ($object:ident $key:tt : [$($inner:tt)*] $(, $($rest:tt)*)?) => { $object.insert($crate::__json_key!($key), $crate::json!([$($inner)*])); $crate::__json_object!($object $($($rest)*)?); };
    ($object:ident $key:tt : {$($inner:tt)*} $(, $($rest:tt)*)?) => { $object.insert($crate::__json_key!($key), $crate::json!({$($inner)*})); $crate::__json_object!($object $($($rest)*)?); };
    ($object:ident $key:tt : $value:expr , $($rest:tt)*) => { $object.insert($crate::__json_key!($key), $crate::json!($value)); $crate::__json_object!($object $($rest)*); };
    ($object:ident $key:tt : $value:expr) => { $object.insert($crate::__json_key!($key), $crate::json!($value)); };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __json_key {
    ($key:literal) => {
        ::std::string::String::from($key)
    };
    (($key:expr)) => {
        ::std::string::String::from($key)
    };
}

#[cfg(test)]
mod tests;
