//! A bound value in the type the server says its placeholder takes. What converts: a boolean to
//! `boolean`; an integral number or a BigInt to the integer types (out of range refused); a
//! number to `real`/`double precision`; a number, BigInt or decimal text to `numeric`; text (and
//! numbers, as their text) to the text types, an enum or `uuid`; any value to `json`/`jsonb`;
//! binary data or text to `bytea`; ISO text or a `Date` to `date`, `time`, `timestamp`,
//! `timestamptz`; `null`/`undefined` to NULL. Anything else is refused, naming the placeholder
//! and the type (cast it: `$1::text`). Text holding NUL (U+0000), which PostgreSQL's text cannot,
//! or a lone surrogate is refused too.

use std::error::Error;

use atomiton_core::value::{Ext, Value};
use bytes::{BufMut, BytesMut};
use tokio_postgres::types::{IsNull, Kind, ToSql, Type};

use crate::database::timestamps::{parse_date, parse_time, parse_timestamp};

type Failure = Box<dyn Error + Sync + Send>;

/// Microseconds from 1970-01-01 to 2000-01-01, PostgreSQL's epoch.
const EPOCH_2000: i64 = 946_684_800_000_000;
/// Days from 1970-01-01 to 2000-01-01.
const DAYS_2000: i64 = 10_957;

/// The value bound to placeholder `$position`.
#[derive(Debug)]
pub struct Bound<'a> {
    pub value: &'a Value,
    pub position: usize,
}

impl ToSql for Bound<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Failure> {
        if matches!(self.value, Value::Null | Value::Undefined) {
            return Ok(IsNull::Yes);
        }
        encode(self.value, ty, out)
            .map_err(|why| -> Failure { format!("${} ({ty}): {why}", self.position).into() })?;
        Ok(IsNull::No)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    tokio_postgres::types::to_sql_checked!();
}

fn encode(value: &Value, ty: &Type, out: &mut BytesMut) -> Result<(), String> {
    match *ty {
        Type::BOOL => match value {
            Value::Bool(flag) => out.put_u8(u8::from(*flag)),
            other => return Err(wrong("a boolean", other)),
        },
        Type::INT2 => out.put_i16(
            i16::try_from(integer(value)?).map_err(|_| "out of smallint's range".to_owned())?,
        ),
        Type::INT4 => out.put_i32(
            i32::try_from(integer(value)?).map_err(|_| "out of integer's range".to_owned())?,
        ),
        Type::INT8 => out.put_i64(integer(value)?),
        Type::OID => out
            .put_u32(u32::try_from(integer(value)?).map_err(|_| "out of oid's range".to_owned())?),
        #[allow(clippy::cast_possible_truncation)]
        Type::FLOAT4 => out.put_f32(float(value)? as f32),
        Type::FLOAT8 => out.put_f64(float(value)?),
        Type::NUMERIC => numeric(&decimal_text(value)?, out)?,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
            out.put_slice(text(value)?.as_bytes())
        }
        Type::JSON => out.put_slice(json(value)?.as_bytes()),
        Type::JSONB => {
            out.put_u8(1);
            out.put_slice(json(value)?.as_bytes());
        }
        Type::BYTEA => match value {
            Value::Ext(ext) => match &**ext {
                Ext::Bytes(bytes) => out.put_slice(bytes.as_slice()),
                _ => return Err(wrong("binary data or text", value)),
            },
            Value::String(text) => out.put_slice(text.as_bytes()),
            other => return Err(wrong("binary data or text", other)),
        },
        Type::UUID => out.put_slice(&uuid(&text(value)?)?),
        Type::DATE => {
            let days = match value {
                Value::String(text) => parse_date(text).ok_or("not a date (YYYY-MM-DD)")?,
                other => instant(other)?.div_euclid(86_400_000_000),
            };
            out.put_i32(
                i32::try_from(days - DAYS_2000).map_err(|_| "out of date's range".to_owned())?,
            );
        }
        Type::TIME => match value {
            Value::String(text) => out.put_i64(parse_time(text).ok_or("not a time (HH:MM:SS)")?),
            other => return Err(wrong("a time as text", other)),
        },
        Type::TIMESTAMP | Type::TIMESTAMPTZ => out.put_i64(instant(value)? - EPOCH_2000),
        _ => match ty.kind() {
            Kind::Enum(_) => out.put_slice(text(value)?.as_bytes()),
            Kind::Domain(inner) => encode(value, inner, out)?,
            _ => {
                return Err(
                    "a type the database node does not bind: cast the placeholder ($1::text)"
                        .to_owned(),
                )
            }
        },
    }
    Ok(())
}

/// What a value is, for a refusal (never the value itself: it may be a secret of the flow's).
fn wrong(expected: &str, value: &Value) -> String {
    let kind = match value {
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
        _ => "another kind of value",
    };
    format!("expected {expected}, got {kind}")
}

fn integer(value: &Value) -> Result<i64, String> {
    match value {
        Value::Number(n) => n.as_i64().ok_or_else(|| "not a whole number in 64 bits".to_owned()),
        Value::Ext(ext) => match &**ext {
            Ext::BigInt(digits) => digits.parse().map_err(|_| "a BigInt beyond 64 bits".to_owned()),
            _ => Err(wrong("an integer", value)),
        },
        other => Err(wrong("an integer", other)),
    }
}

fn float(value: &Value) -> Result<f64, String> {
    match value {
        Value::Number(n) => Ok(n.get()),
        other => Err(wrong("a number", other)),
    }
}

/// Text, a number as its JavaScript text, or refused (NUL and lone surrogates included).
fn text(value: &Value) -> Result<String, String> {
    let text = match value {
        Value::String(text) => text.to_string(),
        Value::Number(n) => atomiton_core::value::js_number(n.get()),
        Value::Ext(ext) if matches!(&**ext, Ext::String16(_)) => {
            return Err("text with a lone surrogate (not valid Unicode) cannot be stored as text"
                .to_owned())
        }
        other => return Err(wrong("text", other)),
    };
    if text.contains('\0') {
        return Err("PostgreSQL text cannot hold NUL (U+0000): bind it as bytea".to_owned());
    }
    Ok(text)
}

fn json(value: &Value) -> Result<String, String> {
    serde_json::to_string(value).map_err(|e| format!("not JSON: {e}"))
}

/// Microseconds from 1970-01-01 UTC of ISO text or a `Date`.
fn instant(value: &Value) -> Result<i64, String> {
    match value {
        Value::String(text) => {
            parse_timestamp(text).ok_or_else(|| "not an ISO 8601 timestamp".to_owned())
        }
        Value::Ext(ext) => match &**ext {
            #[allow(clippy::cast_possible_truncation)]
            Ext::Date(ms) if ms.get().is_finite() => Ok((ms.get() * 1000.0) as i64),
            _ => Err(wrong("a timestamp (ISO text or a Date)", value)),
        },
        other => Err(wrong("a timestamp (ISO text or a Date)", other)),
    }
}

fn decimal_text(value: &Value) -> Result<String, String> {
    match value {
        Value::Number(n) if n.get().is_finite() => Ok(atomiton_core::value::js_number(n.get())),
        Value::String(text) => Ok(text.trim().to_owned()),
        Value::Ext(ext) => match &**ext {
            Ext::BigInt(digits) => Ok(digits.clone()),
            _ => Err(wrong("a decimal", value)),
        },
        other => Err(wrong("a decimal", other)),
    }
}

/// Decimal text (`-12.5`, `1e3`) as `numeric`'s binary form.
fn numeric(text: &str, out: &mut BytesMut) -> Result<(), String> {
    let bad = || format!("'{}' is not a decimal number", text.chars().take(40).collect::<String>());
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().map_err(|_| bad())?),
        None => (unsigned, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.chars().chain(fraction.chars()).all(|c| c.is_ascii_digit())
    {
        return Err(bad());
    }
    // All digits, and where the point is among them.
    let digits: String = format!("{whole}{fraction}");
    #[allow(clippy::cast_possible_wrap, clippy::cast_possible_truncation)]
    let point = whole.len() as i32 + exponent;
    let scale = u16::try_from((digits.len() as i32 - point).max(0)).map_err(|_| bad())?;
    // Pad so the point falls on a group boundary, then cut into groups of four.
    let lead = (4 - point.rem_euclid(4)) % 4;
    let mut padded = "0".repeat(usize::try_from(lead).unwrap_or(0));
    padded.push_str(&digits);
    while padded.len() % 4 != 0 {
        padded.push('0');
    }
    let groups: Vec<u16> = padded
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).ok().and_then(|s| s.parse().ok()).unwrap_or(0))
        .collect();
    let weight = (point + lead) / 4 - 1;
    // Leading and trailing zero groups are not sent.
    let first = groups.iter().position(|g| *g != 0);
    let (groups, weight) = match first {
        Some(first) => {
            let last = groups.iter().rposition(|g| *g != 0).unwrap_or(first);
            #[allow(clippy::cast_possible_wrap, clippy::cast_possible_truncation)]
            (&groups[first..=last], weight - first as i32)
        }
        None => (&groups[0..0], 0),
    };
    let count = u16::try_from(groups.len()).map_err(|_| bad())?;
    out.put_u16(count);
    out.put_i16(i16::try_from(weight).map_err(|_| bad())?);
    out.put_u16(if negative && count > 0 { 0x4000 } else { 0 });
    out.put_u16(scale);
    for group in groups {
        out.put_u16(*group);
    }
    Ok(())
}

fn uuid(text: &str) -> Result<[u8; 16], String> {
    let hex: String = text.chars().filter(|c| *c != '-').collect();
    let mut bytes = [0u8; 16];
    if hex.len() != 32 {
        return Err("not a UUID".to_owned());
    }
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte =
            u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16).map_err(|_| "not a UUID".to_owned())?;
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::numeric;
    use bytes::BytesMut;

    fn words(text: &str) -> Vec<u16> {
        let mut out = BytesMut::new();
        numeric(text, &mut out).unwrap();
        out.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect()
    }

    #[test]
    fn decimals_encode_as_postgres_does() {
        // [count, weight, sign, scale, groups...]
        assert_eq!(words("12.34"), [2, 0, 0, 2, 12, 3400]);
        assert_eq!(words("-12345"), [2, 1, 0x4000, 0, 1, 2345]);
        assert_eq!(words("0.0001"), [1, 0xFFFF, 0, 4, 1]);
        assert_eq!(words("0"), [0, 0, 0, 0]);
        assert_eq!(words("1e4"), [1, 1, 0, 0, 1]);
        assert_eq!(
            words("123456789012345678901234567890.5"),
            [9, 7, 0, 1, 12, 3456, 7890, 1234, 5678, 9012, 3456, 7890, 5000]
        );
    }
}
