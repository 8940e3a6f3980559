//! A wait's `until`: ms since the Unix epoch, or an ISO 8601 date and time with its offset
//! (`2026-12-01T09:00:00Z`, `2026-12-01T09:00:00.250+02:00`). A date without an offset is
//! refused: whose nine o'clock it means depends on where the flow runs.

use crate::value::Value;

/// `until` as ms since the Unix epoch; why not, when it is not a time.
pub(crate) fn until_ms(value: &Value) -> Result<f64, String> {
    if let Some(ms) = value.as_f64() {
        return if ms.is_finite() { Ok(ms) } else { Err("'until' must be a finite number".into()) };
    }
    let text =
        value.as_str().ok_or("'until' must be an ISO 8601 date or ms since the Unix epoch")?;
    iso_ms(text).ok_or_else(|| {
        format!("'until' is not an ISO 8601 date and time with an offset (e.g. 2026-12-01T09:00:00Z): {text:?}")
    })
}

fn iso_ms(text: &str) -> Option<f64> {
    let (date, rest) = text.split_once('T')?;
    let mut ymd = date.split('-');
    let (year, month, day) = (ymd.next()?, ymd.next()?, ymd.next()?);
    if ymd.next().is_some() || year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    let (year, month, day): (i64, u32, u32) = (digits(year)?, digits(month)?, digits(day)?);
    let (clock, offset_minutes) = if let Some(clock) = rest.strip_suffix('Z') {
        (clock, 0)
    } else {
        let at = rest.rfind(['+', '-'])?;
        let (clock, offset) = rest.split_at(at);
        let sign = if offset.starts_with('-') { -1 } else { 1 };
        let (hours, minutes) = offset[1..].split_once(':')?;
        let (hours, minutes): (i64, i64) = (digits(hours)?, digits(minutes)?);
        if hours > 23 || minutes > 59 {
            return None;
        }
        (clock, sign * (hours * 60 + minutes))
    };
    let (clock, millis) = match clock.split_once('.') {
        Some((clock, fraction)) if (1..=3).contains(&fraction.len()) => {
            let scale = 10_i64.pow(3 - fraction.len() as u32);
            (clock, digits::<i64>(fraction)? * scale)
        }
        Some(_) => return None,
        None => (clock, 0),
    };
    let mut parts = clock.split(':');
    let (hour, minute) = (parts.next()?, parts.next()?);
    let second = parts.next().unwrap_or("00");
    if parts.next().is_some() || [hour, minute, second].iter().any(|p| p.len() != 2) {
        return None;
    }
    let (hour, minute, second): (i64, i64, i64) = (digits(hour)?, digits(minute)?, digits(second)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let days = crate::format::days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some((seconds * 1000 + millis) as f64)
}

fn digits<T: std::str::FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::until_ms;
    use crate::json;

    #[test]
    fn dates_with_an_offset_and_epoch_ms_are_read() {
        assert_eq!(until_ms(&json!("2024-01-01T00:00:00Z")), Ok(1_704_067_200_000.0));
        assert_eq!(until_ms(&json!("2024-01-01T02:00:00.5+02:00")), Ok(1_704_067_200_500.0));
        assert_eq!(until_ms(&json!("2023-12-31T19:00-05:00")), Ok(1_704_067_200_000.0));
        assert_eq!(until_ms(&json!(42)), Ok(42.0));
    }

    #[test]
    fn a_date_without_an_offset_or_out_of_range_is_refused() {
        for bad in [
            "2024-01-01T00:00:00",
            "2024-01-01",
            "2024-13-01T00:00:00Z",
            "soon",
            "2024-01-01T24:00:00Z",
        ] {
            assert!(until_ms(&json!(bad)).is_err(), "{bad}");
        }
        assert!(until_ms(&json!(true)).is_err());
    }
}
