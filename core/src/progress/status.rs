//! What changes about one node as a run goes: its state, progress and times.

use super::NodeState;

/// A node's state, progress, message, times and error, as progress snapshots and the run's
/// live view ([`crate::engine::RunView`]) report them.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeStatus {
    pub state: NodeState,
    pub progress: u8,
    pub message: Option<&'static str>,
    pub start_time: Option<f64>,
    pub end_time: Option<f64>,
    pub error: Option<String>,
    /// A streamed node's rows and bytes so far (see `crate::nodes::stream`).
    pub streamed: super::Streamed,
    /// A `cached` node's entry (see `crate::cache`).
    pub cache: Option<crate::progress::CacheHit>,
    /// What the node reported it has made so far (see `crate::nodes::NodeType::reports`).
    pub text: Option<std::sync::Arc<str>>,
}

impl NodeStatus {
    /// A node that has not started.
    pub const PENDING: NodeStatus = NodeStatus {
        state: NodeState::Pending,
        progress: 0,
        message: None,
        start_time: None,
        end_time: None,
        error: None,
        streamed: super::Streamed::NONE,
        cache: None,
        text: None,
    };

    /// How long it ran, once it has ended.
    pub fn duration(&self) -> Option<f64> {
        self.start_time.zip(self.end_time).map(|(start, end)| end - start)
    }
}
