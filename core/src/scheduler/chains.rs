//! Chains of nodes run as one stream of rows: what the scheduler asks of the `streams`
//! capability ([`ChainRunner`]), and the implementation for builds without it ([`NoChains`]),
//! which runs every node whole with the same results.
//!
//! The implementation with streams is `segment/` (`segment::RowStreams`). Which of the two a
//! build runs is decided once, where `scheduler/mod.rs` names [`Chains`](super::Chains).
//!
//! `NoChains` picks no chain and its chain is a type with no values, so in the builds that run
//! it (the browser's default module) every path that would start or end a chain is provably
//! dead and compiled out, as a condition at each call would have it.

use super::Scheduler;
use crate::nodes::NodeInput;
use crate::plan::NodeIx;

/// The scheduler's side of running chains of nodes as streams. Each function takes the run's
/// scheduler: a runner keeps its state in it ([`ChainRunner::Picked`] is a field of it), so a
/// run holds no runner of its own.
pub(crate) trait ChainRunner {
    /// A chain picked to run as a stream: its nodes, first to last.
    type Chain;
    /// What a chain gives back when it ends: each node's outcome, in order.
    type End;
    /// A run's picked chains, by the index of their first node.
    type Picked: Default;

    /// Picks the chains of the run's plan that run as streams in this run (into the
    /// scheduler's `segments`).
    fn pick(scheduler: &mut Scheduler);

    /// The chain whose first node is `head`, when there is one and it has not started.
    fn take(picked: &mut Self::Picked, head: NodeIx) -> Option<Self::Chain>;

    /// Starts `chain`, its first node given `input`: every node of it executing, as one future
    /// of the scheduler's that ends as [`Ended::Chain`](super::Ended::Chain).
    fn start(scheduler: &mut Scheduler, chain: Self::Chain, input: NodeInput);

    /// A chain ended: each of its nodes ends, in order.
    fn ended(scheduler: &mut Scheduler, end: Self::End);

    /// A streamed node's rows so far, and the bytes it read (when it reads any), for progress.
    fn rows(scheduler: &mut Scheduler, ix: NodeIx, rows: u64, bytes: Option<(u64, Option<u64>)>);
}

/// Builds without streams: no chain is picked, so every node runs whole.
// Unused in the builds that link the `streams` implementation instead.
#[allow(dead_code)]
pub(crate) enum NoChains {}

impl ChainRunner for NoChains {
    type Chain = NoChains;
    type End = NoChains;
    type Picked = ();

    #[inline(always)]
    fn pick(_: &mut Scheduler) {}

    #[inline(always)]
    fn take(_: &mut (), _: NodeIx) -> Option<NoChains> {
        None
    }

    fn start(_: &mut Scheduler, chain: NoChains, _: NodeInput) {
        match chain {}
    }

    fn ended(_: &mut Scheduler, end: NoChains) {
        match end {}
    }

    /// No node runs as a stream, so no progress entry counts rows.
    #[inline(always)]
    fn rows(_: &mut Scheduler, _: NodeIx, _: u64, _: Option<(u64, Option<u64>)>) {}
}
