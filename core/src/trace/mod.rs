//! `ExecutionTrace` (reference §4.9): what happened during a run, with timestamps.
//!
//! Recorded as typed events and serialised once at the end. Unlike the original, a trace belongs
//! to one run (no leaking between runs), its `executionId` is the run's, `rootNodeId` is the flow
//! itself, and global progress events do not copy every node (`allNodes`), which made the
//! original quadratic.

use std::sync::Arc;

use serde::{Serialize, Serializer};
use serde_json::json;

use crate::progress::NodeState;

/// The trace of one run.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionTrace {
    pub execution_id: Arc<str>,
    pub root_node_id: Arc<str>,
    pub start_time: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<f64>,
    pub config: TraceConfig,
    pub events: Vec<TraceEvent>,
    pub nodes: Vec<NodeTrace>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slow_mo: Option<f64>,
}

/// One event: `{timestamp, type, data}`.
#[derive(Debug, Clone)]
pub struct TraceEvent {
    pub timestamp: f64,
    pub data: TraceData,
}

/// The kinds of event and their data.
#[derive(Debug, Clone)]
pub enum TraceData {
    Started { total_nodes: usize, total_weight: u64, critical_path: Arc<[String]> },
    StateChange { node_id: Option<Arc<str>>, state: NodeState, error_message: Option<String> },
    Progress { node_id: Option<Arc<str>>, progress: u8, message: Option<&'static str>, overall: Option<u8> },
    Completed { total_duration: f64, nodes_completed: usize, nodes_errored: usize },
}

impl Serialize for TraceEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (kind, data) = match &self.data {
            TraceData::Started { total_nodes, total_weight, critical_path } => (
                "started",
                json!({"totalNodes": total_nodes, "totalWeight": total_weight, "criticalPath": &**critical_path}),
            ),
            TraceData::StateChange { node_id, state, error_message } => {
                let mut data = json!({"state": state, "errorMessage": error_message});
                if let Some(id) = node_id {
                    data["nodeId"] = json!(&**id);
                }
                ("state-change", data)
            }
            TraceData::Progress { node_id, progress, message, overall } => {
                let mut data = json!({"progress": overall.unwrap_or(*progress), "message": message.unwrap_or("")});
                if let Some(id) = node_id {
                    data["nodeId"] = json!(&**id);
                    data["nodeProgress"] = json!(progress);
                }
                ("progress", data)
            }
            TraceData::Completed { total_duration, nodes_completed, nodes_errored } => (
                "completed",
                json!({"totalDuration": total_duration, "nodesCompleted": nodes_completed, "nodesErrored": nodes_errored}),
            ),
        };
        json!({"timestamp": self.timestamp, "type": kind, "data": data}).serialize(serializer)
    }
}

/// One node's part of the trace.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeTrace {
    pub node_id: Arc<str>,
    pub node_name: Arc<str>,
    pub node_type: Arc<str>,
    pub start_time: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<f64>,
    pub state: NodeState,
    pub progress: u8,
    pub events: Vec<TraceEvent>,
}

impl ExecutionTrace {
    /// Records a node's state change in its own events and the global ones.
    pub(crate) fn state_change(&mut self, node: usize, at: f64, state: NodeState, error: Option<String>) {
        let Some(trace) = self.nodes.get_mut(node) else { return };
        if state == NodeState::Executing && trace.start_time == 0.0 {
            trace.start_time = at;
        }
        if matches!(state, NodeState::Completed | NodeState::Error | NodeState::Skipped) {
            trace.end_time = Some(at);
            if trace.start_time > 0.0 {
                trace.duration = Some(at - trace.start_time);
            }
        }
        trace.state = state;
        if state.is_done() {
            trace.progress = 100;
        }
        trace.events.push(TraceEvent {
            timestamp: at,
            data: TraceData::StateChange { node_id: None, state, error_message: error.clone() },
        });
        let node_id = Some(trace.node_id.clone());
        self.events.push(TraceEvent { timestamp: at, data: TraceData::StateChange { node_id, state, error_message: error } });
    }

    /// Records a node's progress step.
    pub(crate) fn progress(&mut self, node: usize, at: f64, progress: u8, message: &'static str, overall: u8) {
        let Some(trace) = self.nodes.get_mut(node) else { return };
        trace.progress = progress;
        trace.events.push(TraceEvent {
            timestamp: at,
            data: TraceData::Progress { node_id: None, progress, message: Some(message), overall: None },
        });
        let node_id = Some(trace.node_id.clone());
        self.events.push(TraceEvent {
            timestamp: at,
            data: TraceData::Progress { node_id, progress, message: Some(message), overall: Some(overall) },
        });
    }

    /// Closes the trace.
    pub(crate) fn complete(&mut self, at: f64) {
        self.end_time = Some(at);
        self.duration = Some(at - self.start_time);
        let nodes_completed = self.nodes.iter().filter(|n| n.state == NodeState::Completed).count();
        let nodes_errored = self.nodes.iter().filter(|n| n.state == NodeState::Error).count();
        self.events.push(TraceEvent {
            timestamp: at,
            data: TraceData::Completed { total_duration: at - self.start_time, nodes_completed, nodes_errored },
        });
    }
}
