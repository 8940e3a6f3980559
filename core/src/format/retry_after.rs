//! Reading an HTTP `Retry-After` header (RFC 9110 §10.2.3): delay-seconds, or an IMF-fixdate.
//! The obsolete date forms (RFC 850, asctime) are not read; without a delay the engine's own
//! backoff applies.

/// The delay `value` asks for, in milliseconds from `now_ms` (epoch milliseconds); a date in
/// the past is no delay.
pub fn retry_after_ms(value: &str, now_ms: f64) -> Option<u64> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse::<u64>().ok().map(|seconds| seconds.saturating_mul(1000));
    }
    let at = imf_fixdate_ms(value)?;
    let delay = (at - now_ms).max(0.0).ceil();
    // An f64 delay far beyond u64 saturates in the cast, which is the right answer anyway.
    Some(delay as u64)
}

/// `Sun, 06 Nov 1994 08:49:37 GMT` as epoch milliseconds.
fn imf_fixdate_ms(value: &str) -> Option<f64> {
    let (_weekday, rest) = value.split_once(", ")?;
    let parts: Vec<&str> = rest.split(' ').collect();
    let [day, month, year, time, "GMT"] = parts.as_slice() else { return None };
    let day: u32 = two_digits(day)?;
    let month = MONTHS.iter().position(|m| m == month)? as u32 + 1;
    let year: i64 = if year.len() == 4 { year.parse().ok()? } else { return None };
    let mut clock = time.split(':').map(two_digits);
    let (Some(Some(hour)), Some(Some(minute)), Some(Some(second)), None) =
        (clock.next(), clock.next(), clock.next(), clock.next())
    else {
        return None;
    };
    if !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = crate::format::days_from_civil(year, month, day);
    let seconds = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    Some(seconds as f64 * 1000.0)
}

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

fn two_digits(text: &str) -> Option<u32> {
    if text.len() == 2 && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::retry_after_ms;

    /// 2024-01-01T00:00:00Z.
    const NOW: f64 = 1_704_067_200_000.0;

    #[test]
    fn delay_seconds() {
        assert_eq!(retry_after_ms("2", NOW), Some(2000));
        assert_eq!(retry_after_ms(" 0 ", NOW), Some(0));
        assert_eq!(retry_after_ms("120", NOW), Some(120_000));
    }

    #[test]
    fn imf_fixdates_count_from_now_and_past_dates_are_no_delay() {
        assert_eq!(retry_after_ms("Mon, 01 Jan 2024 00:00:05 GMT", NOW), Some(5000));
        assert_eq!(
            retry_after_ms("Thu, 29 Feb 2024 12:00:00 GMT", NOW),
            Some((59 * 86_400 + 12 * 3600) * 1000)
        );
        assert_eq!(retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", NOW), Some(0));
    }

    #[test]
    fn anything_else_is_not_a_delay() {
        for value in [
            "",
            "-1",
            "1.5",
            "soon",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Mon, 01 Jan 2024 25:00:00 GMT",
            "Mon, 1 Jan 2024 00:00:05 GMT",
            "Mon, 01 Foo 2024 00:00:05 GMT",
        ] {
            assert_eq!(retry_after_ms(value, NOW), None, "{value:?}");
        }
    }
}
