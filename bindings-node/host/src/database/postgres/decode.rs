//! A PostgreSQL column's value (binary format) as the engine's value, by the column's type:
//! booleans and numbers as numbers (a `bigint` beyond ±2^53 as a BigInt, never rounded),
//! `numeric` as its exact decimal text, text as text, `bytea` as binary data, `json`/`jsonb` as
//! the value they hold, `uuid` as text, dates and times as ISO text (see `timestamps.rs`),
//! enums as their label, `NULL` as `null`. Another type is refused, naming it: cast it in the
//! query (`x::text`).

use std::error::Error;

use atomiton_core::format::parse_json_value;
use atomiton_core::value::{BytesKind, Ext, Number, ParseLimits, Value};
use tokio_postgres::types::{FromSql, Kind, Type};

use crate::database::timestamps::{date_text, time_text, timestamp_text};

type Failure = Box<dyn Error + Sync + Send>;

/// Microseconds from 1970-01-01 to 2000-01-01, PostgreSQL's epoch.
const EPOCH_2000: i64 = 946_684_800_000_000;
/// Days from 1970-01-01 to 2000-01-01.
const DAYS_2000: i64 = 10_957;
/// 2^53: integers beyond it in magnitude do not fit a double exactly.
const EXACT: i64 = 9_007_199_254_740_992;

/// A column's value, whatever its type.
pub struct Decoded(pub Value);

impl<'a> FromSql<'a> for Decoded {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Decoded, Failure> {
        decode(ty, raw).map(Decoded)
    }

    fn from_sql_null(_: &Type) -> Result<Decoded, Failure> {
        Ok(Decoded(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

fn number(n: f64) -> Value {
    Value::Number(Number::new(n))
}

/// A 64-bit integer: a number when a double holds it exactly, else a BigInt.
pub fn integer(n: i64) -> Value {
    #[allow(clippy::cast_precision_loss)]
    if (-EXACT..=EXACT).contains(&n) {
        number(n as f64)
    } else {
        Value::ext(Ext::BigInt(n.to_string()))
    }
}

fn text(raw: &[u8]) -> Result<Value, Failure> {
    Ok(Value::String(<&str as FromSql>::from_sql(&Type::TEXT, raw)?.into()))
}

fn decode(ty: &Type, raw: &[u8]) -> Result<Value, Failure> {
    Ok(match *ty {
        Type::BOOL => Value::Bool(bool::from_sql(ty, raw)?),
        Type::VOID => Value::Null,
        Type::INT2 => number(f64::from(i16::from_sql(ty, raw)?)),
        Type::INT4 => number(f64::from(i32::from_sql(ty, raw)?)),
        Type::INT8 => integer(i64::from_sql(ty, raw)?),
        Type::OID => number(f64::from(u32::from_sql(ty, raw)?)),
        Type::FLOAT4 => number(f64::from(f32::from_sql(ty, raw)?)),
        Type::FLOAT8 => number(f64::from_sql(ty, raw)?),
        Type::NUMERIC => Value::String(numeric_text(raw)?.into()),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => text(raw)?,
        Type::CHAR => {
            Value::String(char::from(i8::from_sql(ty, raw)?.to_ne_bytes()[0]).to_string().into())
        }
        Type::BYTEA => Value::bytes(BytesKind::Buffer, raw.to_vec()),
        Type::JSON => json(std::str::from_utf8(raw)?)?,
        Type::JSONB => match raw.split_first() {
            Some((1, rest)) => json(std::str::from_utf8(rest)?)?,
            _ => return Err("jsonb in a version this client does not read".into()),
        },
        Type::UUID => Value::String(uuid_text(raw)?.into()),
        Type::DATE => Value::String(date(i32::from_sql(ty, raw)?).into()),
        Type::TIME => Value::String(time_text(i64::from_sql(ty, raw)?).into()),
        Type::TIMESTAMP => Value::String(timestamp(i64::from_sql(ty, raw)?, "").into()),
        Type::TIMESTAMPTZ => Value::String(timestamp(i64::from_sql(ty, raw)?, "Z").into()),
        _ => match ty.kind() {
            Kind::Enum(_) => text(raw)?,
            Kind::Domain(inner) => decode(inner, raw)?,
            _ => {
                return Err(
                    "the database node does not read this type: cast it in the query (x::text)"
                        .into(),
                )
            }
        },
    })
}

fn json(text: &str) -> Result<Value, Failure> {
    parse_json_value(text, &ParseLimits::default()).map_err(|e| e.message.into())
}

fn date(days: i32) -> String {
    match days {
        i32::MAX => "infinity".to_owned(),
        i32::MIN => "-infinity".to_owned(),
        days => date_text(i64::from(days) + DAYS_2000),
    }
}

fn timestamp(micros: i64, zone: &str) -> String {
    match micros {
        i64::MAX => "infinity".to_owned(),
        i64::MIN => "-infinity".to_owned(),
        micros => format!("{}{zone}", timestamp_text(micros + EPOCH_2000)),
    }
}

fn uuid_text(raw: &[u8]) -> Result<String, Failure> {
    if raw.len() != 16 {
        return Err("a uuid is 16 bytes".into());
    }
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32]))
}

/// `numeric`'s binary form (digit groups of base 10,000, a weight, a sign and a display scale)
/// as its exact decimal text.
fn numeric_text(raw: &[u8]) -> Result<String, Failure> {
    let word = |i: usize| -> Result<u16, Failure> {
        raw.get(i * 2..i * 2 + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "a short numeric".into())
    };
    let count = usize::from(word(0)?);
    #[allow(clippy::cast_possible_wrap)]
    let weight = i32::from(word(1)? as i16);
    let sign = word(2)?;
    let scale = usize::from(word(3)?);
    match sign {
        0xC000 => return Ok("NaN".to_owned()),
        0xD000 => return Ok("Infinity".to_owned()),
        0xF000 => return Ok("-Infinity".to_owned()),
        _ => {}
    }
    let digits: Vec<u16> = (0..count).map(|i| word(4 + i)).collect::<Result<_, _>>()?;
    let group = |i: i32| -> u16 {
        usize::try_from(i).ok().and_then(|i| digits.get(i)).copied().unwrap_or(0)
    };
    let mut whole = String::new();
    for i in 0..=weight.max(-1) {
        if whole.is_empty() {
            let first = group(i);
            if first != 0 || i == weight {
                whole.push_str(&first.to_string());
            }
        } else {
            whole.push_str(&format!("{:04}", group(i)));
        }
    }
    if whole.is_empty() {
        whole.push('0');
    }
    let mut fraction = String::new();
    let mut i = weight + 1;
    while fraction.len() < scale {
        fraction.push_str(&format!("{:04}", group(i)));
        i += 1;
    }
    fraction.truncate(scale);
    let negative = if sign == 0x4000 { "-" } else { "" };
    Ok(if scale == 0 {
        format!("{negative}{whole}")
    } else {
        format!("{negative}{whole}.{fraction}")
    })
}

#[cfg(test)]
mod tests {
    use super::{integer, numeric_text};
    use atomiton_core::value::{Ext, Value};

    fn numeric(weight: i16, sign: u16, scale: u16, digits: &[u16]) -> Vec<u8> {
        let mut raw = Vec::new();
        for word in [digits.len() as u16, weight as u16, sign, scale]
            .into_iter()
            .chain(digits.iter().copied())
        {
            raw.extend_from_slice(&word.to_be_bytes());
        }
        raw
    }

    #[test]
    fn numerics_read_exactly() {
        assert_eq!(numeric_text(&numeric(0, 0, 2, &[12, 3400])).unwrap(), "12.34");
        assert_eq!(numeric_text(&numeric(1, 0x4000, 0, &[1, 2345])).unwrap(), "-12345");
        assert_eq!(numeric_text(&numeric(-1, 0, 5, &[1])).unwrap(), "0.00010");
        assert_eq!(numeric_text(&numeric(0, 0, 0, &[])).unwrap(), "0");
        assert_eq!(
            numeric_text(&numeric(4, 0, 0, &[9, 2233, 7203, 6854, 7758])).unwrap(),
            "92233720368547758"
        );
    }

    #[test]
    fn big_integers_stay_exact() {
        assert_eq!(integer(42), Value::Number(atomiton_core::value::Number::new(42.0)));
        assert_eq!(integer(i64::MAX), Value::ext(Ext::BigInt("9223372036854775807".into())));
    }
}
