//! Breakpoints, pause, resume and step: where a run stops starting nodes, and how it goes on;
//! and, with them, what else only a debugger asks of a run (a run to a node, an event per
//! change). Every build has it.
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

use std::task::Context;

use super::Scheduler;
use crate::host::EngineEvent;
use crate::plan::NodeIx;
use crate::run::SharedControl;

/// A run's debugging state.
pub(super) struct Pausing {
    control: Option<SharedControl>,
    /// Indices the run pauses before, sorted.
    breakpoints: Vec<NodeIx>,
    /// The node a paused run holds.
    held: Option<NodeIx>,
    /// When the run paused, while it is paused.
    since: Option<f64>,
    /// Time spent paused, which the run's timeout does not count.
    total: f64,
    /// Whether each change of a node is also an event (`nodeChanged`), unthrottled.
    state_events: bool,
}

impl Pausing {
    pub(super) fn new(
        control: Option<SharedControl>,
        breakpoints: Vec<NodeIx>,
        state_events: bool,
    ) -> Self {
        Pausing { control, breakpoints, held: None, since: None, total: 0.0, state_events }
    }
}

impl Pausing {
    /// Whether the run is paused with a node held.
    pub(super) fn is_holding(&self) -> bool {
        self.held.is_some()
    }

    /// Time spent paused so far, which the run's timeout does not count.
    pub(super) fn paused_total(&self) -> f64 {
        self.total
    }

    /// Wakes the run on the next request from outside. Called before the requests are read, so
    /// one that comes meanwhile still wakes it.
    pub(super) fn listen_for_requests(&self, cx: &Context<'_>) {
        if let Some(control) = &self.control {
            control.register(cx.waker());
        }
    }

    /// Whether the run pauses before node `ix`.
    pub(super) fn has_breakpoint(&self, ix: NodeIx) -> bool {
        self.breakpoints.binary_search(&ix).is_ok()
    }
}

/// Why the lowest ready node does not start now.
pub(super) enum Hold {
    /// Start nothing for now.
    Wait,
    /// It was just held (and reported); see whether a request releases it at once.
    Held,
}

impl Scheduler {
    /// Whether `ix` may start now (`None`); holds it when the run pauses before it.
    pub(super) fn gate(&mut self, ix: NodeIx) -> Option<Hold> {
        let control = self.pausing.control.as_ref()?;
        let node = &self.plan.nodes[ix];
        // Nodes that do not run (disabled, pinned, reused) never pause the run.
        if !node.enabled || self.presets.get(ix).is_some_and(Option::is_some) {
            return None;
        }
        if self.pausing.has_breakpoint(ix) {
            control.pause();
            self.hold(ix);
            return Some(Hold::Held);
        }
        if !control.is_paused() || node.is_group() {
            return None;
        }
        if self.running_count > 0 {
            // The next node is chosen when nothing runs, so the order does not depend on timing.
            return Some(Hold::Wait);
        }
        self.hold(ix);
        Some(Hold::Held)
    }

    /// After a [`gate`](Self::gate) held the run: whether nodes may still start in this pass.
    pub(super) fn goes_on(&mut self, hold: Hold) -> bool {
        match hold {
            Hold::Wait => false,
            Hold::Held => self.release_held(),
        }
    }

    /// Takes `ix` out of the ready queue as the node the run is paused at, and reports it.
    fn hold(&mut self, ix: NodeIx) {
        self.ready.pop();
        self.pausing.held = Some(ix);
        self.pausing.since = Some(self.host.now());
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
        let (Some(ix), Some(control)) = (self.pausing.held, &self.pausing.control) else {
            return true;
        };
        if control.is_paused() && !control.take_step() {
            return false;
        }
        self.pausing.held = None;
        self.count_paused_time();
        self.start_node(ix);
        true
    }

    /// A node before the held one failed: the sequential engine would never have reached it.
    pub(super) fn drop_held_past_cutoff(&mut self) {
        if self.pausing.held.is_some_and(|ix| ix > self.cutoff) {
            self.pausing.held = None;
            self.count_paused_time();
        }
    }

    fn count_paused_time(&mut self) {
        if let Some(since) = self.pausing.since.take() {
            self.pausing.total += self.host.now() - since;
        }
    }

    /// Whether `ix` lies outside a run to a node (so never starts).
    pub(super) fn outside_run_to(&self, ix: NodeIx) -> bool {
        self.run_to.as_ref().is_some_and(|(_, runs)| !runs[ix])
    }

    /// Tells the embedder that asked for every change (`stateEvents`) that node `ix` changed.
    pub(super) fn node_changed(&self, ix: NodeIx, progress: u8) {
        if self.pausing.state_events && crate::plan::listed_nodes(&self.plan).contains(&ix) {
            let node = crate::plan::progress_node(&self.plan, ix, &self.slots[ix].status);
            self.emit(EngineEvent::NodeChanged {
                execution_id: self.context.execution_id.to_string(),
                node: Box::new(node),
                progress,
            });
        }
    }
}
