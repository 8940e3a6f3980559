//! How the native stores write a record's fields as text and read them back (shared by the SQLite
//! and Redis stores, so both keep one format), and the definitions a store knows it holds.

use std::collections::HashMap;
use std::sync::Arc;

use atomiton_core::error::{ErrorCode, ExecutionError};
use atomiton_core::history::{Capture, NodeEnded, RunBegun, RunStatus};
use atomiton_core::value::{codec, Value};

/// A store's failure, as the `executions.*` calls report it.
pub(crate) fn failure(message: String) -> ExecutionError {
    ExecutionError::new(ErrorCode::EXECUTION_FAILED, format!("Execution history: {message}"))
}

/// A store's failure, named by the store (`"Result cache: ..."`).
pub(crate) fn store_failure(message: String) -> ExecutionError {
    ExecutionError::new(ErrorCode::EXECUTION_FAILED, message)
}

/// A field written as JSON (errors, node states).
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A node's record as the SQL stores keep it, a column each (values as JSON texts, kept as
/// `capture` says); `reusable` when its output is whole, so a retry may reuse it.
pub(crate) struct NodeRow<'a> {
    pub(crate) node_id: &'a str,
    pub(crate) node_type: &'a str,
    pub(crate) state: String,
    pub(crate) attempts: u32,
    pub(crate) reused: bool,
    pub(crate) reusable: bool,
    pub(crate) input: Option<String>,
    pub(crate) output: Option<String>,
    pub(crate) error: Option<String>,
    pub(crate) start_time: Option<f64>,
    pub(crate) end_time: Option<f64>,
    pub(crate) cache_key: Option<&'a str>,
    pub(crate) cache_age: Option<f64>,
}

impl<'a> NodeRow<'a> {
    pub(crate) fn of(node: &'a NodeEnded, capture: &Capture) -> NodeRow<'a> {
        let output = node.captured_output(capture);
        NodeRow {
            node_id: &node.node_id,
            node_type: &node.node_type,
            state: to_json(&node.state),
            attempts: node.attempts,
            reused: node.reused,
            reusable: node.state.has_output() && output.as_ref().is_none_or(|o| o.exact),
            input: node.input.as_ref().map(|i| capture.input(i).json),
            output: output.map(|o| o.json),
            error: node.error.as_ref().map(to_json),
            start_time: node.start_time,
            end_time: node.end_time,
            cache_key: node.cache.as_ref().map(|(key, _)| key.as_str()),
            cache_age: node.cache.as_ref().map(|&(_, age)| age),
        }
    }
}

/// A JSON field read back; `None` when absent or unreadable.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(text: Option<String>) -> Option<T> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

/// A status read back; an unknown one (written by a newer version) reads as `crashed`.
/// The SQL condition on a `status` column that a run may be pruned
/// (see `RunStatus::NEVER_PRUNED`).
pub(crate) fn prunable_sql() -> String {
    let never: Vec<String> =
        RunStatus::NEVER_PRUNED.iter().map(|status| format!("'{}'", status.as_str())).collect();
    format!("status NOT IN ({})", never.join(", "))
}

pub(crate) fn status(text: &str) -> RunStatus {
    RunStatus::ALL.into_iter().find(|s| s.as_str() == text).unwrap_or(RunStatus::Crashed)
}

/// A stored value read back (the codec's tagged JSON).
pub(crate) fn value(text: Option<String>) -> Option<Value> {
    text.map(|t| codec::from_json(&t).unwrap_or(Value::Null))
}

/// Definitions this store wrote or checked, by hash, with the text they came from (and what the
/// store needs to refer to its copy, `T`): a run of one of them (compared in full) shares the
/// stored copy without writing it out again.
pub(crate) struct KnownFlows<T = ()>(HashMap<String, Known<T>>);

struct Known<T> {
    json: Arc<str>,
    buffers: Vec<Arc<[u8]>>,
    what: T,
}

impl<T> Default for KnownFlows<T> {
    fn default() -> Self {
        KnownFlows(HashMap::new())
    }
}

impl<T> KnownFlows<T> {
    /// Bounds what the cache holds; a flow missing from it is only checked again.
    const MAX: usize = 64;

    /// What is known of `begun`'s definition under `hash`, when it is that definition.
    pub(crate) fn holds(&self, hash: &str, begun: &RunBegun) -> Option<&T> {
        self.0
            .get(hash)
            .filter(|k| k.json == begun.flow_json && k.buffers == begun.flow_buffers)
            .map(|k| &k.what)
    }

    pub(crate) fn add(&mut self, hash: &str, begun: &RunBegun, what: T) {
        if self.0.len() >= Self::MAX {
            self.0.clear();
        }
        self.0.insert(
            hash.to_owned(),
            Known { json: begun.flow_json.clone(), buffers: begun.flow_buffers.clone(), what },
        );
    }

    /// Stops trusting what is known of `hash` (the store no longer holds it as it was).
    pub(crate) fn forget(&mut self, hash: &str) {
        self.0.remove(hash);
    }
}
