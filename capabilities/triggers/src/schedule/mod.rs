//! When a schedule fires: a cron pattern in an IANA time zone, or a fixed interval. Instants
//! are whole milliseconds since the Unix epoch (UTC), the unit of a fire's key.

mod cron;
mod every;

use atomiton_core::options::read::Fields;
use atomiton_core::{ExecutionError, Result, Value};

pub use cron::CronSchedule;
pub use every::Every;

use crate::misfire::Misfire;

/// A `schedule` node's parameters, read and checked: when it fires and what it owes after
/// downtime.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleSpec {
    pub when: Schedule,
    pub misfire: Misfire,
}

/// When a schedule fires.
#[derive(Debug, Clone, PartialEq)]
pub enum Schedule {
    /// Boxed: a parsed pattern and its zone are large beside an interval.
    Cron(Box<CronSchedule>),
    Every(Every),
}

/// The parameters a `schedule` node has.
pub const PARAMETERS: &[&str] = &["cron", "timezone", "every", "startAt", "misfire", "maxCatchUp"];

const WHAT: &str = "schedule trigger";

impl ScheduleSpec {
    /// Reads a `schedule` node's parameters: exactly one of `cron` (with an optional
    /// `timezone`, UTC by default) and `every` (with an optional `startAt`, the activation
    /// time by default: `activated_at`), and the misfire policy.
    pub fn read(parameters: &Value, activated_at: i64) -> Result<ScheduleSpec> {
        let fields = Fields::of(Some(parameters), WHAT, PARAMETERS)?;
        let when = match (fields.text("cron")?, fields.get("every")) {
            (Some(pattern), None) => {
                if fields.get("startAt").is_some() {
                    return Err(invalid(
                        "'startAt' is for 'every' schedules; a cron pattern says its own times",
                    ));
                }
                let zone = fields.text("timezone")?.unwrap_or_else(|| "UTC".to_owned());
                Schedule::Cron(Box::new(CronSchedule::new(&pattern, &zone)?))
            }
            (None, Some(every)) => {
                if fields.get("timezone").is_some() {
                    return Err(invalid(
                        "'timezone' is for 'cron' schedules; an interval is the same in every zone",
                    ));
                }
                let start = match fields.number("startAt")? {
                    Some(ms) if ms.fract() == 0.0 && ms.abs() < 8.64e15 => ms as i64,
                    Some(_) => {
                        return Err(invalid(
                            "'startAt' must be whole milliseconds since 1970-01-01T00:00:00Z",
                        ))
                    }
                    None => activated_at,
                };
                Schedule::Every(Every::new(every::period_ms(every)?, start))
            }
            (Some(_), Some(_)) => return Err(invalid("give either 'cron' or 'every', not both")),
            (None, None) => {
                return Err(invalid(
                    "say when it fires: 'cron' (a pattern) or 'every' (an interval)",
                ))
            }
        };
        let misfire = Misfire::read(&fields)?;
        Ok(ScheduleSpec { when, misfire })
    }
}

impl Schedule {
    /// The first fire time strictly after `after`; `None` when the pattern has no more (a
    /// pattern naming a past year).
    pub fn next_after(&self, after: i64) -> Option<i64> {
        match self {
            Schedule::Cron(cron) => cron.next_after(after),
            Schedule::Every(every) => Some(every.next_after(after)),
        }
    }

    /// How many fires are in `(after, through]`, counting at most [`COUNT_LIMIT`] of them
    /// (`exact` is false past it: a schedule of seconds left for a month has millions).
    pub fn count_in(&self, after: i64, through: i64) -> Counted {
        if through <= after {
            return Counted { count: 0, exact: true };
        }
        if let Schedule::Every(every) = self {
            let first = every.next_after(after);
            let count = if first > through { 0 } else { (through - first) / every.period_ms() + 1 };
            return Counted { count: count as u64, exact: true };
        }
        let mut count = 0;
        let mut at = after;
        while let Some(next) = self.next_after(at).filter(|next| *next <= through) {
            if count == COUNT_LIMIT {
                return Counted { count, exact: false };
            }
            count += 1;
            at = next;
        }
        Counted { count, exact: true }
    }

    /// The latest fire time at or before `at`, if there is one.
    pub fn latest_at_or_before(&self, at: i64) -> Option<i64> {
        match self {
            Schedule::Cron(cron) => cron.latest_at_or_before(at),
            Schedule::Every(every) => every.latest_at_or_before(at),
        }
    }
}

/// How many fires [`Schedule::count_in`] counts before it stops.
pub const COUNT_LIMIT: u64 = 100_000;

/// A number of fires, and whether it is exact (else at least that many).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    pub count: u64,
    pub exact: bool,
}

fn invalid(message: &str) -> ExecutionError {
    atomiton_core::options::read::invalid(WHAT, message.to_owned())
}
