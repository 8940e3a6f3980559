//! Node states and progress as the run goes: each change recorded in the slots, the weighted
//! progress and the trace, and throttled progress events.

use std::sync::Arc;

use super::Scheduler;
use crate::host::EngineEvent;
use crate::plan::{progress_graph, NodeIx};
use crate::progress::{NodeState, ProgressGraph};

impl Scheduler {
    pub(super) fn set_state(&mut self, ix: NodeIx, state: NodeState, error: Option<String>) {
        let now = self.host.now();
        let is_leaf = !self.plan.nodes[ix].is_group();
        let slot = &mut self.slots[ix];
        let old = (slot.state, slot.progress);
        match state {
            NodeState::Executing => {
                slot.start_time = Some(now);
                slot.progress = 0;
            }
            NodeState::Completed | NodeState::Skipped | NodeState::Pinned => {
                slot.end_time = Some(now);
                slot.progress = 100;
                slot.message = Some(crate::progress::COMPLETE_MESSAGE);
            }
            NodeState::Error => slot.end_time = Some(now),
            NodeState::Pending => {
                slot.progress = 0;
                slot.message = None;
                slot.start_time = None;
            }
        }
        slot.state = state;
        if error.is_some() {
            slot.error = error.clone();
        }
        if is_leaf {
            self.progress.update(u64::from(self.plan.nodes[ix].weight), old, (state, slot.progress));
        }
        if let Some(trace) = self.trace.as_mut() {
            trace.state_change(ix, now, state, error);
        }
        self.dirty = true;
    }

    pub(super) fn set_progress(&mut self, ix: NodeIx, percent: u8, message: Option<&'static str>) {
        let slot = &mut self.slots[ix];
        let old = (slot.state, slot.progress);
        slot.progress = percent.min(100);
        if message.is_some() {
            slot.message = message;
        }
        let new = (slot.state, slot.progress);
        self.progress.update(u64::from(self.plan.nodes[ix].weight), old, new);
        if let Some(trace) = self.trace.as_mut() {
            let overall = self.progress.percent();
            trace.progress(ix, self.host.now(), percent, message.unwrap_or(""), overall);
        }
        self.dirty = true;
    }

    pub(super) fn current_progress(&self) -> u8 {
        if self.finished_at.is_some() && self.failure.is_none() && self.aborted.is_none() {
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
