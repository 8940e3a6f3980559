//! Builds without execution history have no `wait` node and no durable runs: nothing parks.

use super::Scheduler;
use crate::nodes::NodeInput;
use crate::plan::NodeIx;

impl Scheduler {
    /// Never parks: see `wait.rs`.
    pub(super) fn parks_or_wakes(&mut self, _ix: NodeIx, _input: &NodeInput) -> bool {
        false
    }
}
