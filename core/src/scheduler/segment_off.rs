//! Builds without the `streams` feature (the browser's default module): no chain runs as a
//! stream of rows; every node runs whole, with the same results.

use super::{Ended, Scheduler};
use crate::nodes::NodeInput;
use crate::plan::NodeIx;

/// A chain that cannot be: there are none.
pub(crate) enum NoChain {}

/// A chain's end: there are none either.
pub(crate) type ChainEnd = NoChain;

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

    /// No node runs as a stream here, so no progress entry counts rows.
    #[inline(always)]
    pub(super) fn set_rows(&mut self, _ix: NodeIx, _rows: u64, _bytes: Option<(u64, Option<u64>)>) {
    }

    /// Unreachable (a chain cannot be made); written as the chain's end it would be, so the
    /// scheduler's `Ended` is the same in every build.
    pub(super) fn start_segment(&mut self, chain: NoChain, _input: NodeInput) {
        self.running.push(Box::pin(std::future::ready(Ended::Chain(chain))));
    }

    pub(super) fn chain_ended(&mut self, end: ChainEnd) {
        match end {}
    }
}
