//! Breakpoints, pause, resume and step: where a run stops starting nodes, and how it goes on.
//!
//! A paused run *holds* one node: the next it would start, taken out of the ready queue and
//! reported with its input ([`EngineEvent::Paused`]). Nodes already running finish; nothing new
//! starts; the run's timeout does not count. Resuming starts the held node and goes on; a step
//! starts it and pauses again at the next one.
//!
//! The next node is chosen only once nothing is running, as the lowest ready index: so stepping
//! visits nodes in sequential order (the order of `executedNodes`) at any concurrency. A
//! breakpoint holds its node as soon as that node would start. Groups pass a pause (starting one
//! runs nothing) but stop at their own breakpoints.

use super::Scheduler;
use crate::host::EngineEvent;
use crate::plan::NodeIx;

/// What the run does about the lowest ready node.
pub(super) enum Gate {
    /// Start it.
    Start,
    /// Start nothing for now.
    Wait,
    /// It was just held (and reported); see whether a request releases it at once.
    Held,
}

impl Scheduler {
    /// Whether `ix` may start now; holds it when the run pauses before it.
    pub(super) fn gate(&mut self, ix: NodeIx) -> Gate {
        let Some(control) = &self.control else { return Gate::Start };
        let node = &self.plan.nodes[ix];
        // Nodes that do not run (disabled, pinned, reused) never pause the run.
        if !node.enabled || self.presets.get(ix).is_some_and(Option::is_some) {
            return Gate::Start;
        }
        if self.breakpoints.binary_search(&ix).is_ok() {
            control.pause();
            self.hold(ix);
            return Gate::Held;
        }
        if !control.is_paused() || node.is_group() {
            return Gate::Start;
        }
        if self.running_count > 0 {
            // The next node is chosen when nothing runs, so the order does not depend on timing.
            return Gate::Wait;
        }
        self.hold(ix);
        Gate::Held
    }

    /// Takes `ix` out of the ready queue as the node the run is paused at, and reports it.
    fn hold(&mut self, ix: NodeIx) {
        self.ready.pop();
        self.held = Some(ix);
        self.paused_since = Some(self.host.now());
        if self.events.is_some() {
            // Values the embedder keeps stay handles: the event goes to that embedder, which
            // has them (and keeps them while the run lasts).
            let input = self.input_for(ix).0.to_value();
            self.emit(EngineEvent::Paused {
                execution_id: self.context.execution_id.to_string(),
                node_id: self.plan.path(ix).to_string(),
                input,
            });
        }
    }

    /// Starts the held node if a resume or a step lets it go; `false` while the run stays paused.
    pub(super) fn release_held(&mut self) -> bool {
        let (Some(ix), Some(control)) = (self.held, &self.control) else { return true };
        if control.is_paused() && !control.take_step() {
            return false;
        }
        self.held = None;
        if let Some(since) = self.paused_since.take() {
            self.paused_total += self.host.now() - since;
        }
        self.start_node(ix);
        true
    }

    /// Whether the run is paused with a node held.
    pub(super) fn is_holding(&self) -> bool {
        self.held.is_some()
    }
}
