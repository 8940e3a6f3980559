//! How much memory a value holds, roughly: what a cache counts against its byte bound.

use atomiton_core::value::{Ext, Value};

/// Bytes `value` holds: each value's own 32 bytes, plus its text, binary data and keys.
/// Iterative: any depth is safe.
pub fn approx_bytes(value: &Value) -> u64 {
    const VALUE: u64 = std::mem::size_of::<Value>() as u64;
    let mut total = 0u64;
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        total += VALUE;
        match value {
            Value::String(s) => total += s.len() as u64,
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => {
                for (key, value) in map {
                    total += key.len() as u64;
                    stack.push(value);
                }
            }
            Value::Ext(ext) => match &**ext {
                Ext::BigInt(text) => total += text.len() as u64,
                Ext::String16(units) => total += 2 * units.len() as u64,
                Ext::Bytes(bytes) => total += bytes.len() as u64,
                Ext::Map(entries) => stack.extend(entries.iter().flat_map(|(k, v)| [k, v])),
                Ext::Set(items) => stack.extend(items),
                Ext::RegExp { source, flags } => total += (source.len() + flags.len()) as u64,
                Ext::Error { name, message, stack: trace, cause } => {
                    total +=
                        (name.len() + message.len() + trace.as_ref().map_or(0, String::len)) as u64;
                    stack.extend(cause);
                }
                Ext::Boxed(inner) => stack.push(inner),
                Ext::Hole | Ext::Date(_) | Ext::Js(_) => {}
            },
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::Undefined => {}
        }
    }
    total
}
