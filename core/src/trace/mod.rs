//! `ExecutionTrace` (the TypeScript engine's shape): what happened during a run, with timestamps.
//!
//! Each event is recorded once, with the index of its node, and serialised in both places the
//! TypeScript engine had it (the global `events` and each node's `events`). Unlike that engine, a
//! trace belongs to one run (nothing leaks between runs), its `executionId` is the run's,
//! `rootNodeId` is the flow itself, and global progress events do not copy every node
//! (`allNodes`), which made its traces quadratic in size.

mod serialize;

use std::sync::Arc;

use crate::progress::NodeState;

/// The trace of one run.
#[derive(Debug, Clone)]
pub struct ExecutionTrace {
    pub execution_id: Arc<str>,
    pub root_node_id: Arc<str>,
    pub start_time: f64,
    pub end_time: Option<f64>,
    pub duration: Option<f64>,
    /// `config.slowMo`.
    pub slow_mo: Option<f64>,
    /// Every event, in order.
    pub events: Vec<TraceEvent>,
    /// The flow's nodes below the root (the root itself when it is atomic), as in progress
    /// snapshots.
    pub nodes: Vec<NodeTrace>,
    /// Plan index of `nodes[0]` (1 when the root is a group, whose own changes are only global).
    pub(crate) first_node: usize,
}

/// One event.
#[derive(Debug, Clone)]
pub struct TraceEvent {
    pub timestamp: f64,
    /// Index into [`ExecutionTrace::nodes`] of the node concerned, if any.
    pub node: Option<u32>,
    pub data: TraceData,
}

/// The kinds of event and their data.
#[derive(Debug, Clone)]
pub enum TraceData {
    Started {
        total_nodes: usize,
        total_weight: u64,
        critical_path: Arc<[Arc<str>]>,
    },
    StateChange {
        state: NodeState,
        error_message: Option<String>,
    },
    /// `overall` is the run's progress after the step.
    Progress {
        progress: u8,
        message: &'static str,
        overall: u8,
    },
    Completed {
        total_duration: f64,
        nodes_completed: usize,
        nodes_errored: usize,
    },
}

/// One node's part of the trace (its events are [`ExecutionTrace::node_events`]).
#[derive(Debug, Clone)]
pub struct NodeTrace {
    pub node_id: Arc<str>,
    pub node_name: Arc<str>,
    pub node_type: Arc<str>,
    pub start_time: f64,
    pub end_time: Option<f64>,
    pub duration: Option<f64>,
    pub state: NodeState,
    pub progress: u8,
    /// A `cached` node's entry (its key and age).
    pub cache: Option<crate::progress::CacheHit>,
}

impl ExecutionTrace {
    /// The events of `nodes[index]`.
    pub fn node_events(&self, index: usize) -> impl Iterator<Item = &TraceEvent> {
        self.events.iter().filter(move |e| e.node == u32::try_from(index).ok())
    }

    fn local(&self, plan_index: usize) -> Option<u32> {
        plan_index
            .checked_sub(self.first_node)
            .filter(|i| *i < self.nodes.len())
            .and_then(|i| u32::try_from(i).ok())
    }

    /// Node `plan_index`'s record; `None` for the root group, whose changes are global only.
    pub(crate) fn node_mut(&mut self, plan_index: usize) -> Option<&mut NodeTrace> {
        let local = self.local(plan_index)?;
        self.nodes.get_mut(local as usize)
    }

    /// Records a node's state change. The root group's own changes are global only.
    pub(crate) fn state_change(
        &mut self,
        plan_index: usize,
        at: f64,
        state: NodeState,
        error: Option<String>,
    ) {
        let node = self.local(plan_index);
        if let Some(trace) = self.node_mut(plan_index) {
            if state == NodeState::Executing && trace.start_time == 0.0 {
                trace.start_time = at;
            }
            if state.is_done() || state == NodeState::Error {
                trace.end_time = Some(at);
                if trace.start_time > 0.0 {
                    trace.duration = Some(at - trace.start_time);
                }
            }
            trace.state = state;
            if state.is_done() {
                trace.progress = 100;
            }
        }
        self.events.push(TraceEvent {
            timestamp: at,
            node,
            data: TraceData::StateChange { state, error_message: error },
        });
    }

    /// Records a node's progress step.
    pub(crate) fn progress(
        &mut self,
        plan_index: usize,
        at: f64,
        progress: u8,
        message: &'static str,
        overall: u8,
    ) {
        let Some(node) = self.local(plan_index) else { return };
        if let Some(trace) = self.nodes.get_mut(node as usize) {
            trace.progress = progress;
        }
        self.events.push(TraceEvent {
            timestamp: at,
            node: Some(node),
            data: TraceData::Progress { progress, message, overall },
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
            node: None,
            data: TraceData::Completed {
                total_duration: at - self.start_time,
                nodes_completed,
                nodes_errored,
            },
        });
    }
}
