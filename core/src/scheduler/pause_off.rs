//! Builds without the `debugger` feature (the browser's default module): a run never pauses,
//! never runs to a node and sends no per-change events, so every such path in the scheduler is
//! compiled out. See `pause.rs`.

use std::task::Context;

use super::Scheduler;
use crate::plan::NodeIx;
use crate::run::SharedControl;

/// No debugging state: nothing pauses a run.
pub(super) struct Pausing;

impl Pausing {
    pub(super) fn new(
        _control: Option<SharedControl>,
        _breakpoints: Vec<NodeIx>,
        _state_events: bool,
    ) -> Self {
        Pausing
    }
}

impl Pausing {
    #[inline(always)]
    pub(super) fn is_holding(&self) -> bool {
        false
    }

    #[inline(always)]
    pub(super) fn paused_total(&self) -> f64 {
        0.0
    }

    #[inline(always)]
    pub(super) fn listen_for_requests(&self, _cx: &Context<'_>) {}

    #[inline(always)]
    pub(super) fn has_breakpoint(&self, _ix: NodeIx) -> bool {
        false
    }
}

/// Never made: the lowest ready node always starts.
pub(super) enum Hold {}

impl Scheduler {
    #[inline(always)]
    pub(super) fn gate(&mut self, ix: NodeIx) -> Option<Hold> {
        // The engine refuses breakpoints before a run starts in these builds.
        debug_assert!(!self.pausing.has_breakpoint(ix));
        None
    }

    pub(super) fn goes_on(&mut self, hold: Hold) -> bool {
        match hold {}
    }

    #[inline(always)]
    pub(super) fn release_held(&mut self) -> bool {
        true
    }

    #[inline(always)]
    pub(super) fn drop_held_past_cutoff(&mut self) {}

    #[inline(always)]
    pub(super) fn outside_run_to(&self, _ix: NodeIx) -> bool {
        false
    }

    #[inline(always)]
    pub(super) fn node_changed(&self, _ix: NodeIx, _progress: u8) {}
}
