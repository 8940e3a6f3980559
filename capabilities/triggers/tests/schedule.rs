//! Fire times against instants written out by hand (UTC), for time zones across their
//! daylight-saving changes, leap days and croner's `L`, `#` and `W`.
//!
//! 2026's changes: Europe/Berlin springs forward on 29 March (02:00 CET -> 03:00 CEST, at
//! 01:00Z) and falls back on 25 October (03:00 CEST -> 02:00 CET, at 01:00Z);
//! America/New_York springs forward on 8 March (02:00 EST -> 03:00 EDT, at 07:00Z) and falls
//! back on 1 November (02:00 EDT -> 01:00 EST, at 06:00Z).

use atomiton_core::json;
use atomiton_triggers::schedule::{Counted, CronSchedule, Every};
use atomiton_triggers::{Misfire, Schedule, ScheduleSpec};

fn ms(utc: &str) -> i64 {
    utc.parse::<jiff::Timestamp>().expect("a test instant").as_millisecond()
}

fn utc(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).expect("an instant").to_string()
}

/// The next `count` fires of `pattern` in `zone` after `from`, as UTC text.
fn fires(pattern: &str, zone: &str, from: &str, count: usize) -> Vec<String> {
    let schedule =
        Schedule::Cron(Box::new(CronSchedule::new(pattern, zone).expect("a valid pattern")));
    let mut at = ms(from);
    (0..count)
        .map(|_| {
            at = schedule.next_after(at).expect("a next fire");
            utc(at)
        })
        .collect()
}

#[test]
fn a_fixed_time_in_the_skipped_hour_fires_once_right_after_the_gap() {
    assert_eq!(
        fires("30 2 * * *", "Europe/Berlin", "2026-03-27T12:00:00Z", 4),
        [
            "2026-03-28T01:30:00Z", // 02:30 CET
            "2026-03-29T01:00:00Z", // no 02:30 that day: 03:00 CEST, the first minute after the gap
            "2026-03-30T00:30:00Z", // 02:30 CEST
            "2026-03-31T00:30:00Z",
        ]
    );
    assert_eq!(
        fires("30 2 * * *", "America/New_York", "2026-03-06T12:00:00Z", 3),
        ["2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"]
    );
}

#[test]
fn a_fixed_time_in_the_repeated_hour_fires_once_at_its_first_occurrence() {
    assert_eq!(
        fires("30 2 * * *", "Europe/Berlin", "2026-10-23T12:00:00Z", 3),
        [
            "2026-10-24T00:30:00Z", // 02:30 CEST
            "2026-10-25T00:30:00Z", // the first 02:30 (CEST); the second (01:30Z, CET) does not fire
            "2026-10-26T01:30:00Z", // 02:30 CET
        ]
    );
    assert_eq!(
        fires("30 1 * * *", "America/New_York", "2026-10-30T12:00:00Z", 3),
        ["2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"]
    );
}

#[test]
fn a_step_pattern_keeps_its_rhythm_in_real_time_across_both_changes() {
    // Falling back: the repeated hour's half hours are other instants, each fired once.
    assert_eq!(
        fires("*/30 * * * *", "Europe/Berlin", "2026-10-24T23:59:00Z", 5),
        [
            "2026-10-25T00:00:00Z", // 02:00 CEST
            "2026-10-25T00:30:00Z", // 02:30 CEST
            "2026-10-25T01:00:00Z", // 02:00 CET
            "2026-10-25T01:30:00Z", // 02:30 CET
            "2026-10-25T02:00:00Z", // 03:00 CET
        ]
    );
    // Springing forward: 02:00 and 02:30 never happen; real time goes on every 30 minutes.
    assert_eq!(
        fires("*/30 * * * *", "Europe/Berlin", "2026-03-28T23:59:00Z", 4),
        [
            "2026-03-29T00:00:00Z",
            "2026-03-29T00:30:00Z",
            "2026-03-29T01:00:00Z",
            "2026-03-29T01:30:00Z"
        ]
    );
}

#[test]
fn weekdays_at_nine_in_berlin_follow_the_offset() {
    assert_eq!(
        fires("0 9 * * 1-5", "Europe/Berlin", "2026-03-26T12:00:00Z", 3),
        [
            "2026-03-27T08:00:00Z", // Friday, CET
            "2026-03-30T07:00:00Z", // Monday, CEST
            "2026-03-31T07:00:00Z",
        ]
    );
}

#[test]
fn leap_days_last_days_nth_and_nearest_weekdays() {
    assert_eq!(
        fires("0 12 29 2 *", "UTC", "2026-01-01T00:00:00Z", 2),
        ["2028-02-29T12:00:00Z", "2032-02-29T12:00:00Z"]
    );
    assert_eq!(
        fires("0 0 L * *", "UTC", "2028-01-15T00:00:00Z", 3),
        ["2028-01-31T00:00:00Z", "2028-02-29T00:00:00Z", "2028-03-31T00:00:00Z"]
    );
    // The second Monday.
    assert_eq!(
        fires("0 9 * * 1#2", "UTC", "2026-01-01T00:00:00Z", 3),
        ["2026-01-12T09:00:00Z", "2026-02-09T09:00:00Z", "2026-03-09T09:00:00Z"]
    );
    // The last Friday.
    assert_eq!(
        fires("0 9 * * 5L", "UTC", "2026-01-01T00:00:00Z", 2),
        ["2026-01-30T09:00:00Z", "2026-02-27T09:00:00Z"]
    );
    // The weekday nearest the 15th: Sunday 15 February -> Monday 16th; Wednesday 15 April.
    assert_eq!(
        fires("0 0 15W * *", "UTC", "2026-02-01T00:00:00Z", 3),
        ["2026-02-16T00:00:00Z", "2026-03-16T00:00:00Z", "2026-04-15T00:00:00Z"]
    );
}

#[test]
fn an_optional_seconds_field_and_aliases() {
    assert_eq!(
        fires("*/20 * * * * *", "UTC", "2026-01-01T00:00:00Z", 3),
        ["2026-01-01T00:00:20Z", "2026-01-01T00:00:40Z", "2026-01-01T00:01:00Z"]
    );
    assert_eq!(fires("@daily", "Asia/Tokyo", "2026-01-01T00:00:00Z", 1), ["2026-01-01T15:00:00Z"]);
}

#[test]
fn next_is_strictly_after_and_latest_is_at_or_before_even_within_a_second() {
    let schedule =
        Schedule::Cron(Box::new(CronSchedule::new("0 * * * *", "UTC").expect("a pattern")));
    let hour = ms("2026-05-01T10:00:00Z");
    assert_eq!(schedule.next_after(hour - 1), Some(hour));
    assert_eq!(schedule.next_after(hour), Some(hour + 3_600_000));
    assert_eq!(schedule.next_after(hour + 500), Some(hour + 3_600_000));
    assert_eq!(schedule.latest_at_or_before(hour), Some(hour));
    assert_eq!(schedule.latest_at_or_before(hour + 999), Some(hour));
    assert_eq!(schedule.latest_at_or_before(hour - 1), Some(hour - 3_600_000));
}

#[test]
fn intervals_count_from_their_start() {
    let every = Schedule::Every(Every::new(90_000, 1_000));
    assert_eq!(every.next_after(0), Some(1_000));
    assert_eq!(every.next_after(1_000), Some(91_000));
    assert_eq!(every.latest_at_or_before(90_999), Some(1_000));
    assert_eq!(every.latest_at_or_before(91_000), Some(91_000));
    assert_eq!(every.count_in(1_000, 1_000 + 10 * 90_000), Counted { count: 10, exact: true });
    let cron =
        Schedule::Cron(Box::new(CronSchedule::new("* * * * * *", "UTC").expect("a pattern")));
    assert_eq!(cron.count_in(0, 10_000), Counted { count: 10, exact: true });
    let day = 86_400_000;
    assert!(!cron.count_in(0, 2 * day).exact, "counting stops at its limit");
}

#[test]
fn parameters_are_read_and_mistakes_refused_with_what_to_write() {
    let spec =
        ScheduleSpec::read(&json!({"every": "5m", "misfire": "coalesce"}), 7).expect("valid");
    assert_eq!(spec.when, Schedule::Every(Every::new(300_000, 7)));
    assert_eq!(spec.misfire, Misfire::Coalesce);
    let spec = ScheduleSpec::read(
        &json!({"cron": "0 9 * * MON-FRI", "timezone": "Europe/Berlin", "misfire": "all", "maxCatchUp": 5}),
        0,
    )
    .expect("valid");
    assert_eq!(spec.misfire, Misfire::All { cap: 5 });
    assert_eq!(
        ScheduleSpec::read(&json!({"cron": "@hourly"}), 0).expect("valid").misfire,
        Misfire::Skip
    );

    let refused = |parameters: atomiton_core::Value, expected: &str| {
        let error = ScheduleSpec::read(&parameters, 0).expect_err("refused");
        assert_eq!(error.code, atomiton_core::ErrorCode::VALIDATION_FAILED, "{}", error.message);
        assert!(error.message.contains(expected), "{:?} should say {expected:?}", error.message);
    };
    refused(json!({}), "'cron' (a pattern) or 'every'");
    refused(json!({"cron": "* * * * *", "every": 1000}), "not both");
    refused(json!({"cron": "61 * * * *"}), "is not a cron pattern");
    refused(json!({"cron": "0 9 * * *", "timezone": "Europe/Berlinn"}), "not an IANA time zone");
    refused(json!({"every": 999}), "at least 1000 ms");
    refused(json!({"every": "5 minutes"}), "\"30s\", \"5m\"");
    refused(json!({"every": 1000, "timezone": "UTC"}), "'timezone' is for 'cron'");
    refused(json!({"cron": "* * * * *", "startAt": 5}), "'startAt' is for 'every'");
    refused(json!({"cron": "* * * * *", "misfire": "later"}), "\"skip\", \"coalesce\" or \"all\"");
    refused(json!({"cron": "* * * * *", "maxCatchUp": 3}), "'maxCatchUp' is for misfire \"all\"");
    refused(json!({"cron": "* * * * *", "misfire": "all", "maxCatchUp": 0}), "at least 1");
    refused(json!({"cron": "* * * * *", "timezon": "UTC"}), "did you mean 'timezone'");
}

#[test]
fn a_schedule_nodes_parameters_decide_its_fires() {
    use atomiton_triggers::{due, SkipReason};
    let next = |parameters: atomiton_core::Value, after: &str| {
        let spec = ScheduleSpec::read(&parameters, ms("2026-01-01T00:00:00Z")).expect("valid");
        utc(spec.when.next_after(ms(after)).expect("a next fire"))
    };
    // `cron` and `timezone`: the same pattern fires at other instants in another zone.
    assert_eq!(next(json!({"cron": "0 9 * * *"}), "2026-07-01T00:00:00Z"), "2026-07-01T09:00:00Z");
    assert_eq!(
        next(json!({"cron": "0 9 * * *", "timezone": "Europe/Berlin"}), "2026-07-01T00:00:00Z"),
        "2026-07-01T07:00:00Z"
    );
    // `every` and `startAt`: intervals counted from the start given, else from the activation.
    assert_eq!(next(json!({"every": "90s"}), "2026-01-01T00:01:00Z"), "2026-01-01T00:01:30Z");
    assert_eq!(
        next(
            json!({"every": "90s", "startAt": ms("2026-01-01T00:00:10Z")}),
            "2026-01-01T00:01:00Z"
        ),
        "2026-01-01T00:01:40Z"
    );
    // `misfire` and `maxCatchUp`: what an hour of a five-minute schedule missed becomes (back 90 s
    // after its last fire: every fire late).
    let missed = |parameters: atomiton_core::Value| {
        let spec = ScheduleSpec::read(&parameters, 0).expect("valid");
        due(&spec.when, 0, 3_600_000 + 90_000, spec.misfire)
    };
    assert!(missed(json!({"every": "5m"})).run.is_empty());
    assert_eq!(missed(json!({"every": "5m", "misfire": "coalesce"})).run, vec![3_600_000]);
    let capped = missed(json!({"every": "5m", "misfire": "all", "maxCatchUp": 3}));
    assert_eq!(capped.run, vec![3_000_000, 3_300_000, 3_600_000]);
    assert_eq!(capped.skipped.map(|s| s.reason), Some(SkipReason::OverCap { cap: 3 }));
    assert_eq!(missed(json!({"every": "5m", "misfire": "all"})).run.len(), 12);
}
