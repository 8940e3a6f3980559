//! A value as compact bytes, for work held or written out of memory and read back in the same
//! process (a sort's rows and its spilled runs): a tag byte, then the value's parts; numbers as
//! their eight bytes, text as its length and bytes, lengths in seven bits a byte (most are one
//! byte). Bit-exact for everything a value holds: `-0`, `NaN` payloads,
//! `undefined`, key order; what JSON has no form for (dates, binary data, ...) goes through the
//! codec's tagged JSON. Not a format for storage: it may change between versions.

use super::deep::guard;
use super::{codec, Map, Number, Str, Value};

const NULL: u8 = 0;
const UNDEFINED: u8 = 1;
const FALSE: u8 = 2;
const TRUE: u8 = 3;
const NUMBER: u8 = 4;
const STRING: u8 = 5;
const ARRAY: u8 = 6;
const OBJECT: u8 = 7;
/// Anything else, as the codec's JSON text.
const OTHER: u8 = 8;

/// Appends `value` to `out`.
pub fn write_compact(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.push(NULL),
        Value::Undefined => out.push(UNDEFINED),
        Value::Bool(false) => out.push(FALSE),
        Value::Bool(true) => out.push(TRUE),
        Value::Number(n) => {
            out.push(NUMBER);
            out.extend_from_slice(&n.get().to_bits().to_le_bytes());
        }
        Value::String(s) => {
            out.push(STRING);
            text(s, out);
        }
        Value::Array(items) => {
            out.push(ARRAY);
            length(items.len(), out);
            for item in items {
                nested(item, out);
            }
        }
        Value::Object(map) => {
            out.push(OBJECT);
            length(map.len(), out);
            for (key, item) in map {
                text(key, out);
                nested(item, out);
            }
        }
        Value::Ext(_) => {
            out.push(OTHER);
            // The codec writes every value; a failure would be a bug, and reads back as null.
            text(&codec::to_json(value).unwrap_or_default(), out);
        }
    }
}

fn nested(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Array(_) | Value::Object(_) => guard(|| write_compact(value, out)),
        _ => write_compact(value, out),
    }
}

/// `n` seven bits at a time, least significant first, the high bit set on all but the last.
fn length(n: usize, out: &mut Vec<u8>) {
    let mut n = n as u64;
    while n >= 0x80 {
        out.push((n & 0x7f) as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn text(s: &str, out: &mut Vec<u8>) {
    length(s.len(), out);
    out.extend_from_slice(s.as_bytes());
}

/// Appends `n` in the form this module writes lengths in (for other compact forms built on it).
pub fn write_length(n: usize, out: &mut Vec<u8>) {
    length(n, out);
}

/// The length at the start of `bytes` (as [`write_length`] writes it) and how many bytes it
/// took; `None` when they do not hold a whole one.
pub fn read_length(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut reader = Reader { bytes, at: 0 };
    let n = reader.len()?;
    Some((n, reader.at))
}

/// The value at the start of `bytes` and how many bytes it took; `None` when they do not hold
/// a whole one.
pub fn read_compact(bytes: &[u8]) -> Option<(Value, usize)> {
    let mut reader = Reader { bytes, at: 0 };
    let value = reader.value()?;
    Some((value, reader.at))
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let end = self.at.checked_add(n)?;
        let part = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(part)
    }

    fn u64(&mut self) -> Option<u64> {
        let mut word = [0u8; 8];
        word.copy_from_slice(self.take(8)?);
        Some(u64::from_le_bytes(word))
    }

    fn len(&mut self) -> Option<usize> {
        let mut n = 0u64;
        // Ten bytes hold any u64; more is not a length this module wrote.
        for shift in (0..70).step_by(7) {
            let byte = *self.bytes.get(self.at)?;
            self.at += 1;
            n |= u64::from(byte & 0x7f).checked_shl(shift)?;
            if byte & 0x80 == 0 {
                return usize::try_from(n).ok();
            }
        }
        None
    }

    fn text(&mut self) -> Option<&str> {
        let n = self.len()?;
        std::str::from_utf8(self.take(n)?).ok()
    }

    /// A value inside another: a container through the depth guard, anything else at once.
    fn item(&mut self) -> Option<Value> {
        match self.bytes.get(self.at) {
            Some(&(ARRAY | OBJECT)) => guard(|| self.value()),
            _ => self.value(),
        }
    }

    fn value(&mut self) -> Option<Value> {
        let tag = *self.take(1)?.first()?;
        Some(match tag {
            NULL => Value::Null,
            UNDEFINED => Value::Undefined,
            FALSE => Value::Bool(false),
            TRUE => Value::Bool(true),
            NUMBER => Value::Number(Number::new(f64::from_bits(self.u64()?))),
            STRING => Value::String(Str::from(self.text()?)),
            ARRAY => {
                let n = self.len()?;
                // A length the rest of the bytes cannot hold is not trusted for the allocation.
                let mut items = Vec::with_capacity(n.min(self.bytes.len() - self.at));
                for _ in 0..n {
                    items.push(self.item()?);
                }
                Value::Array(items)
            }
            OBJECT => {
                let n = self.len()?;
                let mut entries = Vec::with_capacity(n.min(self.bytes.len() - self.at));
                for _ in 0..n {
                    let key = Str::from(self.text()?);
                    entries.push((key, self.item()?));
                }
                // Written from a map: its keys are distinct.
                Value::Object(Map::from_unique(entries))
            }
            OTHER => codec::from_json(self.text()?).ok()?,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn values_read_back_bit_exactly() {
        let mut nested = json!({"deep": [1, {"k": "v"}]});
        nested["undefined"] = Value::Undefined;
        let values = [
            json!(null),
            Value::Undefined,
            json!(true),
            json!(-0.0),
            Value::from(f64::from_bits(0x7ff8_0000_0000_0abc)),
            json!(1e308),
            json!(""),
            json!("é 😀 \u{0}"),
            // Lengths of one, two and three bytes.
            json!("x".repeat(127)),
            json!("y".repeat(128)),
            json!("z".repeat(20_000)),
            json!([]),
            json!({}),
            nested,
            Value::date(5.0),
            json!({"b": 1, "a": 2, "10": 3}),
        ];
        let mut bytes = Vec::new();
        for value in &values {
            write_compact(value, &mut bytes);
        }
        let mut at = 0;
        for value in &values {
            let (back, used) = read_compact(&bytes[at..]).expect("reads back");
            assert_eq!(codec::to_json(&back).ok(), codec::to_json(value).ok());
            if let (Value::Number(a), Value::Number(b)) = (&back, value) {
                assert_eq!(a.get().to_bits(), b.get().to_bits(), "the same bits");
            }
            at += used;
        }
        assert_eq!(at, bytes.len());
        assert!(read_compact(&bytes[..bytes.len() - 1]).is_some(), "earlier values are whole");
        assert!(read_compact(&[OBJECT, 255, 255, 255, 255, 255, 255, 255, 255]).is_none());
        assert!(read_compact(&[99]).is_none());
        assert!(read_compact(&[STRING, 0x80]).is_none(), "a length cut short");
        assert!(read_compact(&[STRING, 5, b'a']).is_none(), "text cut short");
        assert!(read_compact(&[
            STRING, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01
        ])
        .is_none());
    }
}
