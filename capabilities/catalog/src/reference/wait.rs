//! What the node reference (`docs/nodes.md`) says of this type beyond its schema: its output's
//! fields and its examples (run by the reference's test, in runs that are not durable: a
//! durable run parks at the node instead, see the README's "Waits and approvals").

use super::super::{NodeExample, OutputField};

pub(crate) const OUTPUT: &[OutputField] = &[
    OutputField::new("(duration, until)", "unknown", "Once the time came: the value its one edge brought, else its input as an object."),
    OutputField::new("(signal)", "unknown", "The signal's payload (`executions.signal(id, name, payload)`)."),
    OutputField::new("approved", "boolean", "Mode approval: the decision (`executions.approve`); a rejection fails the run unless `onReject` is `\"continue\"`."),
    OutputField::new("by", "string", "Mode approval: who decided, when they said."),
    OutputField::new("comment", "string", "Mode approval: their comment, when they gave one."),
    OutputField::new("at", "number", "Mode approval: when (ms since the Unix epoch)."),
    OutputField::new("timedOut", "boolean", "`true` when `waitTimeout` passed and `onTimeout` is `\"continue\"` (the whole output)."),
];

pub(crate) const EXAMPLES: &[NodeExample] = &[
    NodeExample::new(
        "A short wait holds a run that is not durable, then passes its input on",
        r#"{"mode": "duration", "duration": 20}"#,
        r#"{"data": {"order": 7}}"#,
    ),
    NodeExample::new(
        "Refuse to wait for a signal in a run that is not durable",
        r#"{"mode": "signal", "signal": "paid"}"#,
        r#"{}"#,
    ),
];
