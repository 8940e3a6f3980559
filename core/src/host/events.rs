//! Events the engine reports while a run goes on.

use super::future::{MaybeSend, MaybeSync};
use crate::error::ExecutionError;
use crate::progress::ProgressEvent;

/// One notification. Every event carries the `executionId` of its run, so concurrent runs on one
/// conductor never mix.
#[derive(Debug, Clone)]
pub enum EngineEvent {
    /// The run began (`events.onStarted`).
    Started { execution_id: String, node_id: String },
    /// A throttled snapshot of the run's progress (`onProgress`).
    Progress(Box<ProgressEvent>),
    /// A node's state or progress changed (every change, for runs that ask: `stateEvents`);
    /// `progress` is the run's.
    NodeChanged { execution_id: String, node: Box<crate::progress::ProgressNode>, progress: u8 },
    /// The run finished successfully; the result itself is what `run` returns.
    Completed { execution_id: String, node_id: String },
    /// The run failed, was cancelled or timed out.
    Error { execution_id: String, node_id: String, error: ExecutionError },
    /// The run paused before starting node `node_id` (a path), whose input is `input`
    /// (`node.onPaused`).
    Paused { execution_id: String, node_id: String, input: crate::value::Value },
}

impl EngineEvent {
    /// The run this event belongs to.
    pub fn execution_id(&self) -> &str {
        match self {
            EngineEvent::Started { execution_id, .. }
            | EngineEvent::Completed { execution_id, .. }
            | EngineEvent::Error { execution_id, .. } => execution_id,
            EngineEvent::Progress(event) => &event.execution_id,
            EngineEvent::Paused { execution_id, .. }
            | EngineEvent::NodeChanged { execution_id, .. } => execution_id,
        }
    }
}

/// Receives a run's events. Bindings batch them towards JS.
pub trait EventSink: MaybeSend + MaybeSync {
    fn emit(&self, event: EngineEvent);
}

impl<F: Fn(EngineEvent) + MaybeSend + MaybeSync> EventSink for F {
    fn emit(&self, event: EngineEvent) {
        self(event)
    }
}
