//! Cron patterns in an IANA time zone, through `croner`.
//!
//! A pattern has five fields (minute granularity) or six (a leading seconds field), and
//! croner's extensions: `L` (last day, `5L` last Friday), `#` (`1#2` second Monday), `W`
//! (nearest weekday), names (`MON`, `JAN`) and aliases (`@daily`). Day of month and day of week
//! combine with OR, as in Vixie cron, unless the pattern says `+` (AND).
//!
//! Daylight saving (the rule croner implements, from the Open Cron Pattern Specification):
//! - a pattern that names a fixed second, minute and hour (`0 30 2 * * *`) fires once a day:
//!   in a skipped hour, at the first instant after the gap (03:00 where 02:30 never was); in a
//!   repeated hour, only at the first of the two 02:30s;
//! - a pattern with a wildcard or step in those fields (`*/15 * * * *`) keeps its rhythm in
//!   real time: no fire for the wall-clock times the gap skips, and a fire for each real
//!   instant of a repeated hour that matches (each is a different instant, so a different fire
//!   key: nothing fires twice).

use croner::parser::{CronParser, Seconds};
use croner::Cron;
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

use atomiton_core::options::read::invalid;
use atomiton_core::Result;

/// A cron pattern read in a time zone.
#[derive(Debug, Clone)]
pub struct CronSchedule {
    pattern: String,
    zone_name: String,
    cron: Cron,
    zone: TimeZone,
}

impl PartialEq for CronSchedule {
    fn eq(&self, other: &Self) -> bool {
        self.pattern == other.pattern && self.zone_name == other.zone_name
    }
}

impl CronSchedule {
    /// `pattern` read in the IANA zone `zone` (`"UTC"`, `"Europe/Berlin"`).
    pub fn new(pattern: &str, zone: &str) -> Result<CronSchedule> {
        let cron =
            CronParser::builder().seconds(Seconds::Optional).build().parse(pattern).map_err(
                |error| {
                    invalid(
                        "schedule trigger",
                        format!("'cron' {pattern:?} is not a cron pattern: {error}"),
                    )
                },
            )?;
        let time_zone = TimeZone::get(zone).map_err(|_| {
            invalid(
                "schedule trigger",
                format!("'timezone' {zone:?} is not an IANA time zone name (such as \"Europe/Berlin\" or \"UTC\")"),
            )
        })?;
        Ok(CronSchedule {
            pattern: pattern.to_owned(),
            zone_name: zone.to_owned(),
            cron,
            zone: time_zone,
        })
    }

    /// The pattern as given.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The zone's IANA name as given.
    pub fn zone(&self) -> &str {
        &self.zone_name
    }

    /// The first fire strictly after `after`.
    pub fn next_after(&self, after: i64) -> Option<i64> {
        // Fires are whole seconds: from the second `after` is in, the next one is strictly
        // later than `after` too.
        let from = self.zoned(after)?;
        let next = self.cron.find_next_occurrence(&from, false).ok()?;
        Some(next.timestamp().as_millisecond())
    }

    /// The latest fire at or before `at`.
    pub fn latest_at_or_before(&self, at: i64) -> Option<i64> {
        let from = self.zoned(at)?;
        let latest = self.cron.find_previous_occurrence(&from, true).ok()?;
        Some(latest.timestamp().as_millisecond())
    }

    /// `at`, truncated to its whole second, in the zone.
    fn zoned(&self, at: i64) -> Option<Zoned> {
        let second = at.div_euclid(1000);
        Some(Timestamp::from_second(second).ok()?.to_zoned(self.zone.clone()))
    }
}
