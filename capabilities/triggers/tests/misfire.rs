//! What each misfire policy runs and records after fires could not start on time.

use atomiton_triggers::misfire::GRACE_MS;
use atomiton_triggers::schedule::{Counted, Every};
use atomiton_triggers::{due, Due, Misfire, Schedule, SkipReason, Skipped};

const MINUTE: i64 = 60_000;

fn skipped(first: i64, last: i64, count: u64, reason: SkipReason) -> Option<Skipped> {
    Some(Skipped { first, last, count: Counted { count, exact: true }, reason })
}

#[test]
fn a_restart_within_the_grace_runs_every_fire_it_missed_whatever_the_policy() {
    // Every 10 s; handled through 0; back at 45 s: 10, 20, 30 and 40 s are all on time.
    let schedule = Schedule::Every(Every::new(10_000, 0));
    for policy in [Misfire::Skip, Misfire::Coalesce, Misfire::All { cap: 100 }] {
        assert_eq!(
            due(&schedule, 0, 45_000, policy),
            Due { run: vec![10_000, 20_000, 30_000, 40_000], skipped: None },
            "{policy:?}"
        );
    }
}

#[test]
fn downtime_ending_just_after_a_fire_keeps_that_fire_and_sorts_the_backlog_by_policy() {
    // Every minute; back 30 s after the 10th: that one is on time, the 9 before are late.
    let schedule = Schedule::Every(Every::new(MINUTE, 0));
    let now = 10 * MINUTE + 30_000;
    assert_eq!(
        due(&schedule, 0, now, Misfire::Skip),
        Due { run: vec![10 * MINUTE], skipped: skipped(MINUTE, 9 * MINUTE, 9, SkipReason::Missed) }
    );
    assert_eq!(
        due(&schedule, 0, now, Misfire::Coalesce),
        Due {
            run: vec![10 * MINUTE],
            skipped: skipped(MINUTE, 9 * MINUTE, 9, SkipReason::Coalesced { into: 10 * MINUTE }),
        }
    );
    assert_eq!(
        due(&schedule, 0, now, Misfire::All { cap: 3 }),
        Due {
            run: vec![8 * MINUTE, 9 * MINUTE, 10 * MINUTE],
            skipped: skipped(MINUTE, 7 * MINUTE, 7, SkipReason::OverCap { cap: 3 }),
        }
    );
    assert_eq!(
        due(&schedule, 0, now, Misfire::All { cap: 100 }),
        Due { run: (1..=10).map(|k| k * MINUTE).collect(), skipped: None }
    );
}

#[test]
fn a_backlog_entirely_late() {
    // Every 5 minutes; back 100 s after the hour's last fire (past the grace).
    let period = 5 * MINUTE;
    let schedule = Schedule::Every(Every::new(period, 0));
    let now = 12 * period + 100_000;
    assert!(now - 12 * period > GRACE_MS);
    assert_eq!(
        due(&schedule, 0, now, Misfire::Skip),
        Due { run: vec![], skipped: skipped(period, 12 * period, 12, SkipReason::Missed) }
    );
    assert_eq!(
        due(&schedule, 0, now, Misfire::Coalesce),
        Due {
            run: vec![12 * period],
            skipped: skipped(period, 11 * period, 11, SkipReason::Coalesced { into: 12 * period }),
        }
    );
}

#[test]
fn nothing_is_due_before_the_next_fire() {
    let schedule = Schedule::Every(Every::new(MINUTE, 0));
    assert_eq!(due(&schedule, 5 * MINUTE, 5 * MINUTE + 59_999, Misfire::Skip), Due::default());
    assert_eq!(due(&schedule, 5 * MINUTE, 5 * MINUTE, Misfire::All { cap: 1 }), Due::default());
}

#[test]
fn a_month_of_seconds_missed_is_counted_up_to_a_limit_not_listed() {
    let schedule = Schedule::Cron(Box::new(
        atomiton_triggers::schedule::CronSchedule::new("* * * * * *", "UTC").expect("a pattern"),
    ));
    let now = 30 * 86_400_000;
    let due = due(&schedule, 0, now, Misfire::Skip);
    assert_eq!(due.run.len(), 61, "the last minute (and its first second) is on time");
    let skipped = due.skipped.expect("the rest skipped");
    assert_eq!((skipped.first, skipped.reason), (1_000, SkipReason::Missed));
    assert!(
        !skipped.count.exact && skipped.count.count == atomiton_triggers::schedule::COUNT_LIMIT
    );
}
