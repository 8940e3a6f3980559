//! What a run leaves behind: its summary, the flow as it ran, its input, and one record per node.

use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::error::ExecutionError;
use crate::progress::NodeState;
use crate::value::Value;

/// Where a run stands. A later conductor sets `Crashed` on a run whose process died while it was
/// `Running`, or `Interrupted` when the run was durable: it can be resumed from its checkpoints.
/// A durable run parked at a `wait` node is `Waiting` until a signal, an approval or its time
/// wakes it (its `error`, code `WAITING`, says what it waits for in its `context`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "RecordedRunStatus"))]
pub enum RunStatus {
    Running,
    Success,
    Failed,
    Cancelled,
    Crashed,
    Interrupted,
    /// Parked at a `wait` node until a signal, an approval or a time wakes it (see
    /// [`super::wait`]): its checkpoints are kept, as an interrupted run's are.
    Waiting,
}

impl RunStatus {
    /// Every status, in the order the API lists them.
    pub const ALL: [RunStatus; 7] = [
        RunStatus::Running,
        RunStatus::Success,
        RunStatus::Failed,
        RunStatus::Cancelled,
        RunStatus::Crashed,
        RunStatus::Interrupted,
        RunStatus::Waiting,
    ];

    /// The status as it is written (`"running"`, ...).
    /// The statuses retention never removes: a run still `running`, an `interrupted` one (it
    /// may be resumed) and a `waiting` one (it may be woken).
    pub const NEVER_PRUNED: [RunStatus; 3] =
        [RunStatus::Running, RunStatus::Interrupted, RunStatus::Waiting];

    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Success => "success",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
            RunStatus::Crashed => "crashed",
            RunStatus::Interrupted => "interrupted",
            RunStatus::Waiting => "waiting",
        }
    }

    /// Whether a run in this status keeps its checkpoints: it has not ended, and goes on from
    /// them (an interrupted run when it is resumed, a waiting one when it is woken).
    pub fn keeps_checkpoints(self) -> bool {
        matches!(self, RunStatus::Interrupted | RunStatus::Waiting)
    }
}

/// A run as `executions.list` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "ExecutionSummary", optional_fields))]
pub struct RunSummary {
    /// The run's execution id.
    pub id: String,
    /// The flow's root node id.
    pub flow_id: String,
    /// FNV-1a 64 of the flow's text as it ran, in hex: equal hashes, same definition.
    pub flow_hash: String,
    pub status: RunStatus,
    pub start_time: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(type = "ExecutionError"))]
    pub error: Option<ExecutionError>,
    /// The run this one retried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_of: Option<String>,
    /// Which process owned the run while it was going on (a native host's `pid:<n>`), so a later
    /// conductor can tell a crashed run from one still going on elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The run is checkpointed as it goes (`ConductorConfig.durability`): once interrupted, it can
    /// be resumed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(test, ts(as = "Option<bool>", optional))]
    pub durable: bool,
}

impl RunSummary {
    /// Run `id` of flow `flow_id`, `running` since `start_time`: nothing else known yet.
    pub fn running(id: impl Into<String>, flow_id: impl Into<String>, start_time: f64) -> Self {
        RunSummary {
            id: id.into(),
            flow_id: flow_id.into(),
            flow_hash: String::new(),
            status: RunStatus::Running,
            start_time,
            end_time: None,
            duration: None,
            error: None,
            retry_of: None,
            owner: None,
            durable: false,
        }
    }
}

/// One node of a run. Group nodes have state and timings only; atomic nodes also their values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "ExecutionNodeRecord", optional_fields))]
pub struct NodeRecord {
    /// The node's path from the flow's root: ids of enclosing groups and its own, joined by `/`.
    pub node_id: String,
    pub node_type: String,
    pub state: NodeState,
    /// Attempts made (retries included); 0 for a reused output or a group.
    pub attempts: u32,
    /// The output was taken from the run this one retried; the node did not run.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(test, ts(as = "Option<bool>", optional))]
    pub reused: bool,
    /// The output is recorded in full (not cut or redacted), so a retry may reuse it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(test, ts(as = "Option<bool>", optional))]
    pub reusable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(type = "unknown"))]
    pub input: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(type = "unknown"))]
    pub output: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(type = "ExecutionError"))]
    pub error: Option<ExecutionError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<f64>,
    /// A node served from the result cache (state `cached`): its entry's key, 32 hex digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_key: Option<String>,
    /// A node served from the result cache: the entry's age in ms when it was served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_age: Option<f64>,
}

/// A whole run as `executions.get` gives it: the summary's fields, then these.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "ExecutionRecord"))]
pub struct RunRecord {
    // The TypeScript is `ExecutionSummary & {...}` (written by the generator).
    #[cfg_attr(test, ts(skip))]
    pub summary: RunSummary,
    /// The flow definition as it ran.
    #[cfg_attr(test, ts(type = "NodeDefinition"))]
    pub flow: Value,
    /// The run's input.
    #[cfg_attr(test, ts(type = "unknown"))]
    pub input: Value,
    /// The run's variables.
    #[cfg_attr(test, ts(type = "Record<string, unknown>"))]
    pub variables: Value,
    /// Nodes that finished (or were running when the run ended), in the order they ended (by
    /// end time; nodes without one last).
    pub nodes: Vec<NodeRecord>,
}

impl RunRecord {
    /// A record read back from its stored JSON (as [`Serialize`] wrote it); `None` when the text
    /// is not one.
    pub fn from_json(text: &str) -> Option<RunRecord> {
        let Ok(Value::Object(mut fields)) = crate::value::codec::from_json(text) else {
            return None;
        };
        let mut take = |key: &str| fields.shift_remove(key).unwrap_or(Value::Null);
        let (flow, input, variables, nodes) =
            (take("flow"), take("input"), take("variables"), take("nodes"));
        let nodes = crate::value::from_value(nodes).ok()?;
        let summary = crate::value::from_value(Value::Object(fields)).ok()?;
        Some(RunRecord { summary, flow, input, variables, nodes })
    }
}

// By hand rather than `#[serde(flatten)]`, whose buffering costs the browser module kilobytes.
impl Serialize for RunRecord {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let s = &self.summary;
        let mut out = serializer.serialize_map(None)?;
        out.serialize_entry("id", &s.id)?;
        out.serialize_entry("flowId", &s.flow_id)?;
        out.serialize_entry("flowHash", &s.flow_hash)?;
        out.serialize_entry("status", &s.status)?;
        out.serialize_entry("startTime", &s.start_time)?;
        if let Some(end_time) = &s.end_time {
            out.serialize_entry("endTime", end_time)?;
        }
        if let Some(duration) = &s.duration {
            out.serialize_entry("duration", duration)?;
        }
        if let Some(error) = &s.error {
            out.serialize_entry("error", error)?;
        }
        if let Some(retry_of) = &s.retry_of {
            out.serialize_entry("retryOf", retry_of)?;
        }
        if let Some(owner) = &s.owner {
            out.serialize_entry("owner", owner)?;
        }
        if s.durable {
            out.serialize_entry("durable", &true)?;
        }
        out.serialize_entry("flow", &self.flow)?;
        out.serialize_entry("input", &self.input)?;
        out.serialize_entry("variables", &self.variables)?;
        out.serialize_entry("nodes", &self.nodes)?;
        out.end()
    }
}
