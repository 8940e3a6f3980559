//! Milliseconds as the engine gives them (`f64`, like JS numbers) to tokio durations.

use std::time::Duration;

/// The longest delay honoured: one year. Tokio's timer wheel tops out at about two years, and
/// `Duration` conversions panic on infinity, so every delay is clamped here first; a flow that
/// asks for more is indistinguishable from one that waits forever.
pub(crate) const MAX_DELAY: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// `ms` as a duration when it is a positive number; `None` for zero, negative numbers and NaN.
/// Infinite and huge values are capped at [`MAX_DELAY`]; fractions of a millisecond are kept.
pub(crate) fn positive_ms(ms: f64) -> Option<Duration> {
    if ms.is_nan() || ms <= 0.0 {
        return None;
    }
    if ms >= MAX_DELAY.as_millis() as f64 {
        return Some(MAX_DELAY);
    }
    // In range by the check above, so the cast neither saturates nor truncates meaningfully.
    Some(Duration::from_micros((ms * 1000.0) as u64))
}

/// A limit in ms from an effect request: absent, zero, negative or NaN all mean "no limit"
/// (as the engine treats `timeout`).
pub(crate) fn limit(ms: Option<f64>) -> Option<Duration> {
    ms.and_then(positive_ms)
}

/// `duration` in whole milliseconds, for messages.
pub(crate) fn display_ms(duration: Duration) -> u128 {
    duration.as_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_positive_and_nan_are_none() {
        assert_eq!(positive_ms(0.0), None);
        assert_eq!(positive_ms(-5.0), None);
        assert_eq!(positive_ms(f64::NAN), None);
        assert_eq!(positive_ms(f64::NEG_INFINITY), None);
        assert_eq!(limit(None), None);
    }

    #[test]
    fn huge_values_are_capped() {
        assert_eq!(positive_ms(f64::INFINITY), Some(MAX_DELAY));
        assert_eq!(positive_ms(1e300), Some(MAX_DELAY));
        assert_eq!(positive_ms(f64::MAX), Some(MAX_DELAY));
    }

    #[test]
    fn ordinary_values_convert() {
        assert_eq!(positive_ms(250.0), Some(Duration::from_millis(250)));
        assert_eq!(positive_ms(0.5), Some(Duration::from_micros(500)));
        assert_eq!(limit(Some(1000.0)), Some(Duration::from_secs(1)));
    }
}
