//! Fixed intervals: fires at `start + k × period` for every whole `k`, the same instants in
//! every zone and across daylight-saving changes.

use atomiton_core::options::read::invalid;
use atomiton_core::{Result, Value};

/// The shortest interval: a schedule is a plan written to a store, not a busy loop.
pub const MIN_PERIOD_MS: i64 = 1000;

/// An interval schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct Every {
    period: i64,
    start: i64,
}

impl Every {
    /// Every `period` milliseconds, counted from `start`.
    pub fn new(period: i64, start: i64) -> Every {
        Every { period: period.max(MIN_PERIOD_MS), start }
    }

    pub fn period_ms(&self) -> i64 {
        self.period
    }

    pub fn next_after(&self, after: i64) -> i64 {
        let steps = (after - self.start).div_euclid(self.period) + 1;
        self.start + steps * self.period
    }

    pub fn latest_at_or_before(&self, at: i64) -> Option<i64> {
        let steps = (at - self.start).div_euclid(self.period);
        Some(self.start + steps * self.period)
    }
}

/// `every` as milliseconds: a number of milliseconds, or text such as `"90s"`, `"5m"`,
/// `"1h"`, `"1d"` (one whole number and one unit: `ms`, `s`, `m`, `h`, `d`).
pub(super) fn period_ms(every: &Value) -> Result<i64> {
    let period = match every.as_str() {
        Some(text) => from_text(text),
        None => every.as_f64().filter(|ms| ms.fract() == 0.0 && *ms < 1e15).map(|ms| ms as i64),
    };
    match period {
        Some(ms) if ms >= MIN_PERIOD_MS => Ok(ms),
        Some(_) => Err(invalid(
            "schedule trigger",
            format!("'every' must be at least {MIN_PERIOD_MS} ms (1s)"),
        )),
        None => Err(invalid(
            "schedule trigger",
            "'every' must be whole milliseconds or text such as \"30s\", \"5m\", \"1h\", \"1d\""
                .to_owned(),
        )),
    }
}

fn from_text(text: &str) -> Option<i64> {
    let text = text.trim();
    let digits = text.find(|c: char| !c.is_ascii_digit())?;
    let (count, unit) = text.split_at(digits);
    let count: i64 = count.parse().ok()?;
    let unit_ms = match unit.trim() {
        "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    count.checked_mul(unit_ms).filter(|ms| *ms < 1_000_000_000_000_000)
}
