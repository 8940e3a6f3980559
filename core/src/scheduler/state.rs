//! Node states and progress as the run goes: each change recorded in the slots, the weighted
//! progress and the trace, and throttled progress events.

use std::sync::Arc;

use super::Scheduler;
use crate::host::EngineEvent;
use crate::plan::{progress_graph, NodeIx};
use crate::progress::{NodeState, ProgressGraph};
use crate::scheduler::RunRecording;

impl Scheduler {
    pub(super) fn set_state(&mut self, ix: NodeIx, state: NodeState, error: Option<String>) {
        let now = self.host.now();
        let is_leaf = !self.plan.nodes[ix].is_group();
        let slot = &mut self.slots[ix];
        let old = (slot.status.state, slot.status.progress);
        match state {
            NodeState::Executing => {
                slot.status.start_time = Some(now);
                slot.status.progress = 0;
            }
            NodeState::Completed | NodeState::Skipped | NodeState::Pinned | NodeState::Cached => {
                slot.status.end_time = Some(now);
                slot.status.progress = 100;
                slot.status.message = Some(crate::progress::COMPLETE_MESSAGE);
            }
            NodeState::Error => slot.status.end_time = Some(now),
            NodeState::Pending => {
                slot.status.progress = 0;
                slot.status.message = None;
                slot.status.start_time = None;
            }
        }
        slot.status.state = state;
        if error.is_some() {
            slot.status.error = error.clone();
        }
        if is_leaf {
            self.progress.update(
                u64::from(self.plan.nodes[ix].weight),
                old,
                (state, slot.status.progress),
            );
        }
        if let Some(trace) = self.trace.as_mut() {
            trace.state_change(ix, now, state, error);
        }
        self.dirty = true;
        self.publish(ix);
    }

    pub(super) fn set_progress(&mut self, ix: NodeIx, percent: u8, message: Option<&'static str>) {
        let slot = &mut self.slots[ix];
        let old = (slot.status.state, slot.status.progress);
        slot.status.progress = percent.min(100);
        if message.is_some() {
            slot.status.message = message;
        }
        let new = (slot.status.state, slot.status.progress);
        self.progress.update(u64::from(self.plan.nodes[ix].weight), old, new);
        if let Some(trace) = self.trace.as_mut() {
            let overall = self.progress.percent();
            trace.progress(ix, self.host.now(), percent, message.unwrap_or(""), overall);
        }
        self.dirty = true;
        self.publish(ix);
    }

    /// Tells the run's view, and the embedder when it asked for every change, that node `ix`
    /// changed. The root group's own changes show only in the run's `isExecuting` and times.
    pub(super) fn publish(&self, ix: NodeIx) {
        let progress = self.current_progress();
        if let Some(view) = &self.view {
            view.set(ix, &self.slots[ix].status, progress);
        }
        self.node_changed(ix, progress);
    }

    /// The `WAITING` error of a durable run parked at a wait node (see `wait.rs`).
    pub(super) fn parked_error(&self) -> Option<&crate::error::ExecutionError> {
        self.history.as_ref().and_then(super::RunHistory::parked_error)
    }

    pub(super) fn current_progress(&self) -> u8 {
        // A parked run is not done: its progress stays where it stopped.
        if self.finished_at.is_some()
            && self.failure.is_none()
            && self.aborted.is_none()
            && self.parked_error().is_none()
        {
            100
        } else {
            self.progress.percent()
        }
    }

    /// Emits a snapshot if something changed and the throttle allows; otherwise returns how long
    /// until it will.
    pub(super) fn emit_if_due(&mut self) -> Option<f64> {
        if !self.dirty || self.events.is_none() {
            return None;
        }
        let due = self.last_emit + self.config.progress_throttle_ms;
        let now = self.host.now();
        if now >= due {
            self.emit_progress();
            None
        } else {
            Some(due - now)
        }
    }

    pub(super) fn graph(&mut self) -> Arc<ProgressGraph> {
        self.graph.get_or_insert_with(|| Arc::new(progress_graph(&self.plan))).clone()
    }

    pub(super) fn emit(&self, event: EngineEvent) {
        if let Some(sink) = &self.events {
            sink.emit(event);
        }
    }

    pub(super) fn emit_progress(&mut self) {
        self.dirty = false;
        self.last_emit = self.host.now();
        if self.events.is_some() {
            let snapshot = self.snapshot();
            self.emit(EngineEvent::Progress(Box::new(snapshot)));
        }
    }
}
