//! Dates and times as the database node gives and takes them: ISO 8601 text, exact to the
//! microsecond (a JavaScript `Date` keeps milliseconds only). `timestamp` (without a zone)
//! reads `2024-05-01T12:30:00.25`, `timestamptz` the same instant in UTC with `Z`; a value
//! bound to either may be such text (with `Z` or an offset; none is UTC) or a `Date`.

/// Microseconds in a day.
const DAY: i64 = 86_400_000_000;

/// Days from 1970-01-01 to the civil date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count from 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (if month <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, month, day)
}

/// `YYYY-MM-DD` of a day count from 1970-01-01.
pub fn date_text(days: i64) -> String {
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

/// `HH:MM:SS[.ffffff]` of microseconds into a day.
pub fn time_text(micros: i64) -> String {
    let seconds = micros / 1_000_000;
    let fraction = micros % 1_000_000;
    let base = format!("{:02}:{:02}:{:02}", seconds / 3600, (seconds / 60) % 60, seconds % 60);
    if fraction == 0 {
        base
    } else {
        let digits = format!("{fraction:06}");
        format!("{base}.{}", digits.trim_end_matches('0'))
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.ffffff]` of microseconds from 1970-01-01 00:00.
pub fn timestamp_text(micros: i64) -> String {
    let days = micros.div_euclid(DAY);
    format!("{}T{}", date_text(days), time_text(micros.rem_euclid(DAY)))
}

/// Microseconds from 1970-01-01 00:00 UTC of ISO text: a date, optionally `T` (or a space) and
/// a time with an optional fraction, and optionally `Z` or an offset (none: UTC).
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, rest) = text.split_at(text.find(['T', 't', ' ']).unwrap_or(text.len()));
    let days = parse_date(date)?;
    let rest = rest.get(1..).unwrap_or("");
    if rest.is_empty() {
        return Some(days * DAY);
    }
    let zone_at = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
    let (time, zone) = rest.split_at(zone_at);
    let micros = parse_time(time)?;
    let offset = match zone {
        "" | "Z" | "z" => 0,
        signed => {
            let sign = if signed.starts_with('-') { -1 } else { 1 };
            let digits: String = signed[1..].chars().filter(char::is_ascii_digit).collect();
            if digits.len() != 4 && digits.len() != 2 {
                return None;
            }
            let hours: i64 = digits.get(0..2)?.parse().ok()?;
            let minutes: i64 = digits.get(2..4).unwrap_or("0").parse().ok()?;
            sign * (hours * 3600 + minutes * 60) * 1_000_000
        }
    };
    Some(days * DAY + micros - offset)
}

/// Days from 1970-01-01 of `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<i64> {
    let mut parts = text.splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: i64 = parts.next()?.parse().ok()?;
    let day: i64 = parts.next()?.parse().ok()?;
    ((1..=12).contains(&month) && (1..=31).contains(&day))
        .then(|| days_from_civil(year, month, day))
}

/// Microseconds into a day of `HH:MM[:SS[.ffffff]]`.
pub fn parse_time(text: &str) -> Option<i64> {
    let (clock, fraction) = text.split_once('.').unwrap_or((text, ""));
    let mut parts = clock.split(':');
    let hours: i64 = parts.next()?.parse().ok()?;
    let minutes: i64 = parts.next()?.parse().ok()?;
    let seconds: i64 = parts.next().map_or(Some(0), |s| s.parse().ok())?;
    if hours > 24 || minutes > 59 || seconds > 60 || fraction.len() > 9 {
        return None;
    }
    let mut micros = 0i64;
    for (i, digit) in fraction.chars().take(6).enumerate() {
        micros += i64::from(digit.to_digit(10)?) * 10i64.pow(5 - i as u32);
    }
    Some(((hours * 60 + minutes) * 60 + seconds) * 1_000_000 + micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_and_instants_round_trip() {
        for text in [
            "1970-01-01T00:00:00",
            "2024-02-29T23:59:59.999999",
            "1999-12-31T12:00:00.5",
            "0001-01-01T00:00:00",
        ] {
            let micros = parse_timestamp(text).unwrap();
            assert_eq!(timestamp_text(micros), text.replace(".50", ".5"));
        }
        assert_eq!(
            parse_timestamp("2024-05-01T12:00:00+02:00"),
            parse_timestamp("2024-05-01T10:00:00Z")
        );
        assert_eq!(parse_timestamp("2024-05-01"), parse_timestamp("2024-05-01T00:00:00"));
        assert_eq!(parse_timestamp("2024-13-01"), None);
        assert_eq!(date_text(-1), "1969-12-31");
    }
}
