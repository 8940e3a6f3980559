//! The progress payload (the TypeScript engine `ProgressEvent` and `NodeProgressEvent`, plus the
//! run's `executionId`).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// `NodeExecutionState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "NodeExecutionState"))]
pub enum NodeState {
    Pending,
    Executing,
    Completed,
    Error,
    Skipped,
    /// Not run: its output was given with the run (`pinned`).
    Pinned,
    /// Not run: its output came from the node result cache.
    Cached,
}

impl NodeState {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeState::Pending => "pending",
            NodeState::Executing => "executing",
            NodeState::Completed => "completed",
            NodeState::Error => "error",
            NodeState::Skipped => "skipped",
            NodeState::Pinned => "pinned",
            NodeState::Cached => "cached",
        }
    }

    /// Completed, skipped, pinned or cached: counts fully towards progress.
    pub fn is_done(self) -> bool {
        matches!(
            self,
            NodeState::Completed | NodeState::Skipped | NodeState::Pinned | NodeState::Cached
        )
    }

    /// Completed, pinned or cached: the node has an output its successors took (a retry may
    /// reuse it).
    pub fn has_output(self) -> bool {
        matches!(self, NodeState::Completed | NodeState::Pinned | NodeState::Cached)
    }
}

/// One node in a snapshot: the fields of `ProgressNodeSnapshot` and of the browser's
/// `NodeProgressEvent.nodes[]`, plus `parentId`/`depth` for nested groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProgressNode {
    pub id: Arc<str>,
    pub name: Arc<str>,
    #[serde(rename = "type")]
    pub node_type: Arc<str>,
    pub weight: u32,
    pub dependencies: Arc<[Arc<str>]>,
    pub dependents: Arc<[Arc<str>]>,
    pub level: u32,
    pub state: NodeState,
    pub progress: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Arc<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<Arc<str>>,
    pub depth: u32,
    /// A streamed node's rows so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: super::streamed::Count,
    /// Bytes a streamed node read so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: super::streamed::Count,
    /// Bytes it reads in all, when known (a file's size).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_bytes: super::streamed::Count,
    /// A `cached` node's entry: its key (32 hex digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_key: super::cache_hit::HitKey,
    /// A `cached` node's entry: its age in ms when it was served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_age: super::cache_hit::HitAge,
    /// What the node has made so far, for the types that report it: an `llm` node's answer
    /// growing as its tokens stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Arc<str>>,
}

/// `{from, to}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphEdge {
    pub from: Arc<str>,
    pub to: Arc<str>,
}

/// `ProgressGraphMetadata`: the analysed graph of the flow's direct children.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProgressGraph {
    pub execution_order: Vec<Vec<Arc<str>>>,
    pub critical_path: Vec<Arc<str>>,
    pub total_weight: u64,
    pub max_parallelism: usize,
    pub edges: Vec<GraphEdge>,
}

/// One throttled snapshot of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProgressEvent {
    pub execution_id: String,
    /// The first executing node, or `""`.
    pub node_id: String,
    /// Weighted progress, 0–100; exactly 100 when a run succeeds.
    pub progress: u8,
    /// `"Executing: A, B"`, `"All nodes completed"` or `"Waiting to start..."` (as the TypeScript
    /// engine's desktop app's progress bridge wrote them).
    pub message: String,
    /// Every node of the flow below the root (nested groups included), in sequential order; the
    /// root itself when it is atomic.
    pub nodes: Vec<ProgressNode>,
    pub graph: Arc<ProgressGraph>,
    pub is_executing: bool,
    pub start_time: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<f64>,
}
