//! What a schedule owes when its fires could not start on time: the process was not running,
//! or the trigger was paused and resumed.
//!
//! A fire is *on time* when it starts within [`GRACE_MS`] of its time (a timer that wakes a
//! little late, a process restarted within the minute). Fires later than that follow the
//! trigger's policy:
//! - `skip` (the default): they do not run; one record says how many were skipped, from when
//!   to when;
//! - `coalesce`: one run, for the latest of them; the others are recorded as coalesced into it;
//! - `all`: each runs, oldest first, up to `maxCatchUp` (100 by default); when more were
//!   missed, the latest `maxCatchUp` run and the older ones are recorded as over the cap.

use atomiton_core::options::read::{invalid, Fields};
use atomiton_core::Result;

use crate::schedule::{Counted, Schedule};

/// How late a fire may start and still count as on time.
pub const GRACE_MS: i64 = 60_000;

/// `all`'s cap when the trigger names none.
pub const DEFAULT_CATCH_UP: u32 = 100;

/// A trigger's misfire policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Misfire {
    Skip,
    Coalesce,
    All { cap: u32 },
}

impl Misfire {
    /// `misfire` (`"skip"`, `"coalesce"`, `"all"`) and `maxCatchUp` (only with `"all"`).
    pub(crate) fn read(fields: &Fields<'_>) -> Result<Misfire> {
        let cap = fields.whole::<u32>("maxCatchUp")?;
        let policy = match fields.text("misfire")?.as_deref() {
            None | Some("skip") => Misfire::Skip,
            Some("coalesce") => Misfire::Coalesce,
            Some("all") => Misfire::All { cap: cap.unwrap_or(DEFAULT_CATCH_UP) },
            Some(other) => {
                return Err(invalid(
                    "schedule trigger",
                    format!("'misfire' must be \"skip\", \"coalesce\" or \"all\", not {other:?}"),
                ))
            }
        };
        match (policy, cap) {
            (Misfire::All { cap: 0 }, _) => {
                Err(invalid("schedule trigger", "'maxCatchUp' must be at least 1".to_owned()))
            }
            (Misfire::All { .. }, _) | (_, None) => Ok(policy),
            (_, Some(_)) => Err(invalid(
                "schedule trigger",
                "'maxCatchUp' is for misfire \"all\" (the other policies run at most one late fire)".to_owned(),
            )),
        }
    }

    /// The policy's name, as a trigger's parameters give it.
    pub fn name(&self) -> &'static str {
        match self {
            Misfire::Skip => "skip",
            Misfire::Coalesce => "coalesce",
            Misfire::All { .. } => "all",
        }
    }
}

/// Why fires did not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// Later than the grace, under `skip`.
    Missed,
    /// Under `coalesce`: the run of fire `into` stood for them.
    Coalesced { into: i64 },
    /// Under `all`: more were missed than the cap.
    OverCap { cap: u32 },
}

/// A range of fires that did not run, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Skipped {
    pub first: i64,
    pub last: i64,
    pub count: Counted,
    pub reason: SkipReason,
}

impl Skipped {
    /// The range (less its first fire, the record's key) as the text a store keeps:
    /// `{"last":..,"count":..,"exact":..,"reason":"missed"|"coalesced"|"over-cap","into":..,"cap":..}`.
    pub fn to_text(&self) -> String {
        let mut text = serde_json::json!({
            "last": self.last,
            "count": self.count.count,
            "exact": self.count.exact,
        });
        let (reason, extra) = match self.reason {
            SkipReason::Missed => ("missed", None),
            SkipReason::Coalesced { into } => ("coalesced", Some(("into", into))),
            SkipReason::OverCap { cap } => ("over-cap", Some(("cap", i64::from(cap)))),
        };
        text["reason"] = reason.into();
        if let Some((name, value)) = extra {
            text[name] = value.into();
        }
        text.to_string()
    }

    /// The range whose first fire is `first`, from [`Skipped::to_text`]'s text; `None` when the
    /// text is not one.
    pub fn from_text(first: i64, text: &str) -> Option<Skipped> {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        let reason = match value["reason"].as_str()? {
            "missed" => SkipReason::Missed,
            "coalesced" => SkipReason::Coalesced { into: value["into"].as_i64()? },
            "over-cap" => SkipReason::OverCap { cap: u32::try_from(value["cap"].as_u64()?).ok()? },
            _ => return None,
        };
        let count = Counted { count: value["count"].as_u64()?, exact: value["exact"].as_bool()? };
        Some(Skipped { first, last: value["last"].as_i64()?, count, reason })
    }
}

/// What a schedule owes at `now`, everything before `handled_through` having been handled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Due {
    /// The fires to start, oldest first.
    pub run: Vec<i64>,
    pub skipped: Option<Skipped>,
}

/// The fires of `schedule` in `(handled_through, now]`, sorted by `policy` into those to run
/// and those skipped.
pub fn due(schedule: &Schedule, handled_through: i64, now: i64, policy: Misfire) -> Due {
    let Some(latest) = schedule.latest_at_or_before(now).filter(|at| *at > handled_through) else {
        return Due::default();
    };
    let on_time_after = handled_through.max(now - GRACE_MS - 1);
    match policy {
        Misfire::Skip => Due {
            run: fires_in(schedule, on_time_after, now, usize::MAX),
            skipped: skipped(schedule, handled_through, on_time_after, SkipReason::Missed),
        },
        Misfire::Coalesce if latest > on_time_after => Due {
            // The latest is on time: the late ones before it are coalesced into the first on
            // time, and any others on time run too.
            run: fires_in(schedule, on_time_after, now, usize::MAX),
            skipped: schedule.next_after(on_time_after).and_then(|into| {
                skipped(schedule, handled_through, on_time_after, SkipReason::Coalesced { into })
            }),
        },
        Misfire::Coalesce => Due {
            run: vec![latest],
            skipped: skipped(
                schedule,
                handled_through,
                latest - 1,
                SkipReason::Coalesced { into: latest },
            ),
        },
        Misfire::All { cap } => {
            let mut run = Vec::new();
            let mut at = latest;
            while run.len() < cap as usize && at > handled_through {
                run.push(at);
                match schedule.latest_at_or_before(at - 1) {
                    Some(earlier) => at = earlier,
                    None => break,
                }
            }
            run.reverse();
            let oldest = run.first().copied().unwrap_or(latest);
            Due {
                run,
                skipped: skipped(
                    schedule,
                    handled_through,
                    oldest - 1,
                    SkipReason::OverCap { cap },
                ),
            }
        }
    }
}

/// The fires in `(after, through]`, at most `limit`.
fn fires_in(schedule: &Schedule, after: i64, through: i64, limit: usize) -> Vec<i64> {
    let mut fires = Vec::new();
    let mut at = after;
    while fires.len() < limit {
        match schedule.next_after(at).filter(|next| *next <= through) {
            Some(next) => {
                fires.push(next);
                at = next;
            }
            None => break,
        }
    }
    fires
}

/// The fires in `(after, through]` as one skipped range, if there are any.
fn skipped(schedule: &Schedule, after: i64, through: i64, reason: SkipReason) -> Option<Skipped> {
    let first = schedule.next_after(after).filter(|first| *first <= through)?;
    let last = schedule.latest_at_or_before(through)?;
    Some(Skipped { first, last, count: schedule.count_in(after, through), reason })
}
