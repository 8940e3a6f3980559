//! Builds without the `streams` feature (the browser's default module): no chain runs as a
//! stream of rows; every node runs whole, with the same results.

use super::leaf::LeafOutcome;
use super::Scheduler;
use crate::nodes::NodeInput;
use crate::plan::NodeIx;

/// A chain that cannot be: there are none.
pub(super) enum NoChain {}

/// The chains that run as streams: none.
#[derive(Default)]
pub(super) struct Chains;

impl Chains {
    #[inline(always)]
    pub(super) fn remove(&mut self, _head: &NodeIx) -> Option<NoChain> {
        None
    }
}

impl Scheduler {
    #[inline(always)]
    pub(super) fn with_segments(self) -> Self {
        self
    }

    pub(super) fn start_segment(&mut self, chain: NoChain, _input: NodeInput) {
        match chain {}
    }

    pub(super) fn chain_ended(&mut self, _nodes: &[NodeIx], outcomes: Vec<LeafOutcome>) {
        for (ix, outcome) in outcomes {
            self.leaf_ended(ix, outcome);
        }
    }
}
