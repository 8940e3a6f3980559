//! Durable waits: what a run parked at a `wait` node waits for, and what wakes it.
//!
//! A durable run that reaches a `wait` node does not hold it: it ends `waiting` (its
//! checkpoints kept, as an interrupted run's are), and its `WAITING` error's `context` says what
//! it waits for ([`Waiting`]). Waking it is one store step ([`HistoryStore::wake`]): the
//! delivery (a signal's payload, an approval, the time that came) is kept as the wait node's wake
//! checkpoint and the run becomes `interrupted`; resumed, every node that completed keeps its
//! output and the wait node reads its delivery instead of parking again.
//!
//! [`HistoryStore::wake`]: super::HistoryStore::wake

use serde::{Deserialize, Serialize};

use super::RunSummary;
use crate::error::{ErrorCode, ExecutionError};
use crate::value::{Map, Value};

/// What a `wait` node waits for (its `mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "WaitKind"))]
pub enum WaitKind {
    /// A time span from when the node was reached.
    Duration,
    /// A point in time.
    Until,
    /// A named signal (`executions.signal`).
    Signal,
    /// An approval or a rejection (`executions.approve`).
    Approval,
}

impl WaitKind {
    /// The mode's name, as flows write it.
    pub fn as_str(self) -> &'static str {
        match self {
            WaitKind::Duration => "duration",
            WaitKind::Until => "until",
            WaitKind::Signal => "signal",
            WaitKind::Approval => "approval",
        }
    }
}

/// What a parked run waits for: the `context` of its `WAITING` error, in its result and in its
/// record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "ExecutionWaiting", optional_fields))]
pub struct Waiting {
    /// The wait node's path from the flow's root.
    pub node_id: String,
    pub kind: WaitKind,
    /// When the run parked there (ms since the Unix epoch): with the node, names this wait.
    pub since: f64,
    /// When a time wakes it (ms since the Unix epoch): a duration's or a date's end, or a
    /// signal's or an approval's `waitTimeout`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wake_at: Option<f64>,
    /// The signal's name (mode `signal`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<String>,
    /// The schema a signal's payload must pass (the node's `payloadSchema`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(type = "unknown"))]
    pub payload_schema: Option<Value>,
    /// The run's permissions (its `permissions` option), when it had some: a wake hands them to
    /// the resumed run (in its delivery), so that a run goes on with the reach it started with,
    /// whoever wakes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(type = "WirePermissions"))]
    pub permissions: Option<crate::host::RunPermissions>,
}

impl Waiting {
    /// The `WAITING` error a run parked here ends with (what it waits for in its `context`).
    pub fn error(&self) -> ExecutionError {
        let what = match (self.kind, &self.signal) {
            (WaitKind::Signal, Some(name)) => format!("signal '{name}'"),
            (WaitKind::Approval, _) => "an approval".to_owned(),
            _ => {
                format!("{} ms", crate::format::js_number(self.wake_at.unwrap_or(0.0) - self.since))
            }
        };
        let mut error = ExecutionError::new(
            ErrorCode::WAITING,
            format!("The run waits at node '{}' for {what}", self.node_id),
        );
        error.recovery = None;
        error.node_id = Some(self.node_id.clone());
        if let Ok(Value::Object(context)) = crate::value::to_value(self) {
            error.context = Some(Box::new(context));
        }
        error
    }

    /// What run `summary` waits for; `None` when it is not waiting.
    pub fn of(summary: &RunSummary) -> Option<Waiting> {
        Self::of_parts(summary.status, summary.error.as_ref())
    }

    /// What a run in `status` that ended with `error` waits for.
    pub fn of_parts(status: super::RunStatus, error: Option<&ExecutionError>) -> Option<Waiting> {
        if status != super::RunStatus::Waiting {
            return None;
        }
        let context = error?.context.as_deref()?;
        crate::value::from_value(Value::Object(context.clone())).ok()
    }
}

/// One wake of a parked run, as a store applies it ([`super::HistoryStore::wake`]).
#[derive(Debug, Clone)]
pub struct Wake {
    pub execution_id: String,
    /// The wait's node and when the run parked there ([`Waiting::node_id`], [`Waiting::since`]).
    pub node_id: String,
    pub since: f64,
    /// What woke it (see [`delivery`]), kept as the node's wake checkpoint.
    pub delivery: Value,
}

impl Wake {
    /// The delivery as a store keeps a checkpoint in one text (see
    /// [`super::durable::checkpoint_entry`]).
    pub fn entry(&self) -> String {
        super::checkpoint_entry("wait", Some(&self.delivery))
    }

    /// Whether a run in `status` that ended with `error` still waits at this wake's wait.
    pub fn matches(&self, status: super::RunStatus, error: Option<&ExecutionError>) -> bool {
        Waiting::of_parts(status, error)
            .is_some_and(|w| w.node_id == self.node_id && w.since == self.since)
    }
}

/// A delivery: `{kind: "signal", name, payload}`, `{kind: "approval", approved, by?, comment?}`,
/// `{kind: "time"}` (a duration or a date came) or `{kind: "timeout"}`, with `at` (when).
pub fn delivery(kind: &str, at: f64, fields: Map) -> Value {
    let mut out = Map::new();
    out.insert("kind".to_owned(), Value::from(kind));
    out.extend(fields);
    out.insert("at".to_owned(), Value::from(at));
    Value::Object(out)
}
