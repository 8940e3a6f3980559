//! Builds without the `debugger` feature (the browser's default module): a run never pauses, so
//! every pause path in the scheduler is compiled out.

use super::Scheduler;
use crate::plan::NodeIx;

/// What the run does about the lowest ready node: always start it.
#[allow(dead_code)]
pub(super) enum Gate {
    Start,
    Wait,
    Held,
}

impl Scheduler {
    #[inline(always)]
    pub(super) fn gate(&mut self, _ix: NodeIx) -> Gate {
        Gate::Start
    }

    #[inline(always)]
    pub(super) fn release_held(&mut self) -> bool {
        true
    }

    #[inline(always)]
    pub(super) fn is_holding(&self) -> bool {
        false
    }
}
