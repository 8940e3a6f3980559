//! What the node reference (`docs/nodes.md`) says of the `schedule` trigger beyond its schema:
//! its output (the fire) and its examples (run as a run a fire started, and one refused).

use super::super::{NodeExample, OutputField};

pub(crate) const OUTPUT: &[OutputField] = &[
    OutputField::new("type", "string", "`\"schedule\"`."),
    OutputField::new("flowId", "string", "The flow the fire started."),
    OutputField::new("nodeId", "string", "This node's id."),
    OutputField::new("scheduledAt", "string", "The fire's time, ISO 8601 in UTC: the instant the pattern or interval named (the key no second run shares)."),
    OutputField::new("firedAt", "string", "When its run started (later than `scheduledAt` after downtime under misfire `coalesce` or `all`)."),
    OutputField::new("manual", "boolean", "`true` when the flow was run by hand rather than by a fire: then both times are now."),
];

pub(crate) const EXAMPLES: &[NodeExample] = &[
    NodeExample::new(
        "Weekdays at nine in Berlin: a run a fire started gets the fire",
        r#"{"cron": "0 9 * * MON-FRI", "timezone": "Europe/Berlin"}"#,
        r#"{"trigger": {"type": "schedule", "flowId": "report", "nodeId": "weekday-mornings", "scheduledAt": "2026-03-30T07:00:00.000Z", "firedAt": "2026-03-30T07:00:00.012Z"}}"#,
    ),
    NodeExample::new(
        "Every five minutes, one run for a backlog after downtime",
        r#"{"every": "5m", "misfire": "coalesce"}"#,
        r#"{"trigger": {"type": "schedule", "flowId": "sync", "nodeId": "every-5m", "scheduledAt": "2026-11-28T10:05:00.000Z", "firedAt": "2026-11-28T10:07:41.305Z"}}"#,
    ),
    NodeExample::new(
        "Refuse a time zone that is not an IANA name",
        r#"{"cron": "0 9 * * *", "timezone": "CEST"}"#,
        r#"{}"#,
    ),
];
