//! Conversions into and out of [`Value`].

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{Bytes, Ext, Map, Number, Value};

/// Any serialisable value as a [`Value`] (what JSON cannot say survives: [`Value`]s inside keep
/// their exact form). Through codec text: for cold paths (configuration, catalog, YAML), where one
/// text round trip costs less than the code a second serde data format would add to every build.
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, serde_json::Error> {
    super::json::parse_json_unbounded(&serde_json::to_string(value)?)
}

/// A typed value read from a [`Value`] (values JSON has no form for read as their codec tags).
/// Through codec text, like [`to_value`].
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, serde_json::Error> {
    let text = serde_json::to_string(&value);
    // The value may be nested thousands deep: dropped without recursion.
    super::deep::dispose(value);
    super::json::parse_json_unbounded(&text?)
}

/// serde_json's value as it is: tag objects stay plain objects.
pub(super) fn plain(json: serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => Value::Number(Number::new(n.as_f64().unwrap_or(f64::NAN))),
        serde_json::Value::String(s) => Value::from(s),
        serde_json::Value::Array(items) => Value::Array(items.into_iter().map(plain).collect()),
        serde_json::Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, plain(v))).collect())
        }
    }
}

impl From<serde_json::Value> for Value {
    /// serde_json's value, reading the codec's tags back into what they stand for (a malformed
    /// tag stays the plain object it is).
    fn from(json: serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => {
                Value::Number(Number::new(n.as_f64().unwrap_or(f64::NAN)))
            }
            serde_json::Value::String(s) => Value::from(s),
            serde_json::Value::Array(items) => {
                Value::Array(items.into_iter().map(Value::from).collect())
            }
            serde_json::Value::Object(map) => {
                if map.keys().next().is_some_and(|k| k == super::codec::TAG) {
                    let object = serde_json::Value::Object(map);
                    if let Ok(value) = Value::deserialize(&object) {
                        return value;
                    }
                    return plain(object);
                }
                Value::Object(map.into_iter().map(|(k, v)| (k, Value::from(v))).collect())
            }
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Value {
        Value::Number(n)
    }
}

macro_rules! from_number {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(n: $t) -> Value {
                Value::Number(Number::from(n))
            }
        }
    )*};
}
from_number!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, f32, f64);

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(super::from_string(s))
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.into())
    }
}

impl From<&String> for Value {
    fn from(s: &String) -> Value {
        Value::String(s.as_str().into())
    }
}

impl From<std::borrow::Cow<'_, str>> for Value {
    fn from(s: std::borrow::Cow<'_, str>) -> Value {
        Value::String(s.into())
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(items: Vec<T>) -> Value {
        Value::Array(items.into_iter().map(Into::into).collect())
    }
}

impl<T: Into<Value> + Clone> From<&[T]> for Value {
    fn from(items: &[T]) -> Value {
        Value::Array(items.iter().cloned().map(Into::into).collect())
    }
}

impl From<Map> for Value {
    fn from(map: Map) -> Value {
        Value::Object(map)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    /// `None` is `null`.
    fn from(value: Option<T>) -> Value {
        value.map_or(Value::Null, Into::into)
    }
}

impl From<Bytes> for Value {
    fn from(bytes: Bytes) -> Value {
        Value::ext(Ext::Bytes(bytes))
    }
}

impl From<()> for Value {
    fn from((): ()) -> Value {
        Value::Null
    }
}

impl<T: Into<Value>> FromIterator<T> for Value {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Value {
        Value::Array(iter.into_iter().map(Into::into).collect())
    }
}
