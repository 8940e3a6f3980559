//! What a retry takes over from the run it retries.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Deserialize;

use super::record::{RunRecord, RunStatus};
use crate::error::{ErrorCode, ExecutionError, Result};
use crate::value::Value;

/// `retry: {of, from}` in a run's options: the run retries execution `of`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "WireRetry"))]
pub struct RetryRequest {
    pub of: String,
    /// `"failed"` (the default), `"start"` or a node's path.
    #[serde(default)]
    #[cfg_attr(test, ts(type = "\"failed\" | \"start\" | (string & {})", optional))]
    pub from: RetryFrom,
}

/// Where a retry starts: `"failed"` (reuse every node that succeeded), `"start"` (reuse
/// nothing), or a node's path (reuse every node that succeeded except that one and everything
/// that depends on it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum RetryFrom {
    #[default]
    Failed,
    Start,
    Node(String),
}

impl<'de> Deserialize<'de> for RetryFrom {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(match text.as_str() {
            "failed" => RetryFrom::Failed,
            "start" => RetryFrom::Start,
            _ => RetryFrom::Node(text),
        })
    }
}

/// Recorded outputs a run may use instead of running nodes: by node path, the node's type and
/// output (`None`: the node returned `undefined`). With `rerun_from`, that node and everything
/// downstream of it run again whatever was recorded.
#[derive(Debug, Clone, Default)]
pub struct Reuse {
    pub outputs: HashMap<String, (Arc<str>, Option<Arc<Value>>)>,
    pub rerun_from: Option<String>,
    /// A replay: only nodes with effects take their recorded output (the rest run), and one
    /// with effects but no whole recorded output refuses the run (it would have to run).
    pub effects_only: bool,
    /// A resume: the attempts nodes that were running when the run's process ended had made,
    /// by path. They count within the node's retries (it still gets one attempt).
    pub interrupted: HashMap<String, u32>,
    /// A resume: what woke each wait node the run was parked at, by path (see
    /// [`super::wait`]).
    pub deliveries: HashMap<String, Value>,
}

/// The pinned flows a resumed or replayed run kept in its record (`$sub-flow:<id>` entries),
/// taken out of what it reuses; a retry (which runs from a node) finds its flows anew.
pub(super) fn take_pins(reuse: Option<&mut Reuse>) -> HashMap<String, Value> {
    let Some(reuse) = reuse.filter(|reuse| reuse.rerun_from.is_none()) else {
        return HashMap::new();
    };
    let keys: Vec<String> =
        reuse.outputs.keys().filter(|k| k.starts_with("$sub-flow:")).cloned().collect();
    keys.into_iter()
        .filter_map(|key| {
            let (_, output) = reuse.outputs.remove(&key)?;
            Some((key, (*output?).clone()))
        })
        .collect()
}

impl Reuse {
    /// What retrying `record` from `from` reuses. A run that succeeded has no failed node to
    /// start from.
    pub fn of(record: &RunRecord, from: &RetryFrom) -> Result<Reuse> {
        let rerun_from = match from {
            RetryFrom::Start => return Ok(Reuse::default()),
            RetryFrom::Failed if record.summary.status == RunStatus::Success => {
                return Err(ExecutionError::validation(format!(
                    "Execution {} succeeded: retry it from \"start\" or from a node id",
                    record.summary.id
                )))
            }
            RetryFrom::Failed => None,
            RetryFrom::Node(id) => Some(id.clone()),
        };
        let outputs = record
            .nodes
            .iter()
            .filter(|n| n.state.has_output() && n.reusable)
            .map(|n| {
                (
                    n.node_id.clone(),
                    (Arc::from(n.node_type.as_str()), n.output.clone().map(Arc::new)),
                )
            })
            .collect();
        Ok(Reuse { outputs, rerun_from, effects_only: false, ..Reuse::default() })
    }
}

/// The error for a retry's `from` naming no node of the flow.
pub(crate) fn unknown_node(path: &str) -> ExecutionError {
    ExecutionError::new(
        ErrorCode::NODE_NOT_FOUND,
        format!("Cannot retry from node '{path}': the flow has no such node"),
    )
}
