//! The scheduler's side of execution history: what the scheduler asks of a recorded run
//! ([`RunRecording`]), and the implementation for builds without history ([`NoRecording`]).
//!
//! The implementation with history is `history/` (`history::RunHistory`). Which of the two a
//! build runs is decided once, where `scheduler/mod.rs` names [`RunHistory`](super::RunHistory).
//!
//! `NoRecording` has no values: without history no run has a recorder or a retry's outputs to
//! take over, so [`RunRecording::prepare`] never makes one, and in the builds that run it (the
//! browser's default module) every path that would record a node is provably dead and compiled
//! out, as a condition at each call would have it.

use std::collections::HashSet;
use std::sync::atomic::AtomicU32;
use std::sync::Arc;

use super::leaf::Executor;
use super::partial::PresetOutput;
use super::Scheduler;
use crate::error::ExecutionError;
use crate::host::BoxFuture;
use crate::nodes::{NodeInput, NodeRegistry};
use crate::plan::{NodeIx, PathIndex, PinnedFlows, Plan};
use crate::progress::NodeState;
use crate::value::Value;
use crate::{Reuse, SharedRecorder};

/// The node types a plan's nodes are found among: the registry and the run's custom types.
pub(crate) type Types<'a> = (&'a NodeRegistry, &'a HashSet<String>);

/// A recorded run's per-node state kept while it goes on: what its nodes' ends record, which
/// nodes a retry takes over instead of running them, and durable runs parked at `wait` nodes.
pub(crate) trait RunRecording: Sized {
    /// What the runs nested in a recorded one (for-each items, sub-flows) record with.
    type Nesting: Clone;

    /// What a run records and reuses: its history (with a recorder, once nodes are found by
    /// path) and, for a retry, the outputs taken over from the run it retries (per node index).
    #[allow(clippy::type_complexity)]
    fn prepare(
        plan: &Plan,
        paths: Option<&PathIndex>,
        recorder: Option<SharedRecorder>,
        reuse: Option<Reuse>,
        types: Types<'_>,
    ) -> Result<(Option<Self>, Vec<Option<PresetOutput>>), ExecutionError>;

    /// The history of a run nested in one recorded with `nesting`, its nodes recorded under
    /// `prefix` (`loop[3]/`), with the outputs it reuses.
    fn nested(
        nesting: &Self::Nesting,
        plan: &Plan,
        prefix: &str,
        types: Types<'_>,
    ) -> (Self, Vec<Option<PresetOutput>>);

    /// What the runs nested in this one record with.
    fn nesting(&self) -> Self::Nesting;

    /// Records each flow the run's sub-flows call as the run pinned it.
    fn record_pins(&self, flows: &PinnedFlows);

    /// Records the run's permissions and who started it, when it is durable and has either.
    fn record_permissions(&self);

    /// Keeps leaf `ix`'s input, recorded at its end.
    fn started(&mut self, ix: NodeIx, input: &NodeInput);

    /// A counter leaf `ix`'s attempts go into (leaves that may make more than one).
    fn attempt_counter(&mut self, ix: NodeIx) -> Arc<AtomicU32>;

    /// How many attempts leaf `ix` may make of `max` (those an interrupted run made count).
    fn attempts_left(&self, ix: NodeIx, max: u32) -> u32;

    /// The run was suspended or parked at a wait node: no more nodes start.
    fn suspending(&self) -> bool;

    /// Whether the run parked at a wait node.
    fn parked(&self) -> bool;

    /// The `WAITING` error the run parked with.
    fn parked_error(&self) -> Option<&ExecutionError>;

    /// Polls the recorder's writes waiting for values JS keeps.
    fn poll_writes(&self, cx: &mut std::task::Context<'_>);

    /// For a durable run, when leaf `ix` has effects: records its start; a future to wait for
    /// before calling the node when that start waits for outputs still being written out.
    fn write_ahead(
        &self,
        plan: &Plan,
        ix: NodeIx,
        executor: &Executor,
    ) -> Option<BoxFuture<'static, ()>>;

    /// Records node `ix`'s end: its state, output or error, start and end times, whether it
    /// was reused, its output holds values JS keeps or is a summary, and its cache entry.
    #[allow(clippy::too_many_arguments)]
    fn ended(
        &mut self,
        plan: &Plan,
        ix: NodeIx,
        state: NodeState,
        output: Option<Arc<Value>>,
        error: Option<ExecutionError>,
        times: (Option<f64>, Option<f64>),
        flags: (bool, bool, bool),
        cache: Option<(String, f64)>,
    );

    /// A `wait` node about to start in a durable run: parks the run there, or gives the node
    /// what woke it. `true` when the node is handled (it must not start as a leaf).
    fn parks_or_wakes(scheduler: &mut Scheduler, ix: NodeIx, input: &NodeInput) -> bool;
}

/// Builds without history: no run is recorded, reused or parked.
// Unused in the builds that link the `history` implementation instead.
#[allow(dead_code)]
pub(crate) enum NoRecording {}

/// Never made: see [`NoRecording`].
#[allow(dead_code)]
#[derive(Clone)]
pub(crate) enum NoNesting {}

impl RunRecording for NoRecording {
    type Nesting = NoNesting;

    fn prepare(
        _: &Plan,
        _: Option<&PathIndex>,
        recorder: Option<SharedRecorder>,
        reuse: Option<Reuse>,
        _: Types<'_>,
    ) -> Result<(Option<Self>, Vec<Option<PresetOutput>>), ExecutionError> {
        // Neither can be made in a build without history (their types have no values there).
        let _ = (recorder, reuse);
        Ok((None, Vec::new()))
    }

    fn nested(
        nesting: &NoNesting,
        _: &Plan,
        _: &str,
        _: Types<'_>,
    ) -> (Self, Vec<Option<PresetOutput>>) {
        match *nesting {}
    }

    fn nesting(&self) -> NoNesting {
        match *self {}
    }

    fn record_pins(&self, _: &PinnedFlows) {
        match *self {}
    }

    fn record_permissions(&self) {
        match *self {}
    }

    fn started(&mut self, _: NodeIx, _: &NodeInput) {
        match *self {}
    }

    fn attempt_counter(&mut self, _: NodeIx) -> Arc<AtomicU32> {
        match *self {}
    }

    fn attempts_left(&self, _: NodeIx, _: u32) -> u32 {
        match *self {}
    }

    fn suspending(&self) -> bool {
        match *self {}
    }

    fn parked(&self) -> bool {
        match *self {}
    }

    fn parked_error(&self) -> Option<&ExecutionError> {
        match *self {}
    }

    fn poll_writes(&self, _: &mut std::task::Context<'_>) {
        match *self {}
    }

    fn write_ahead(&self, _: &Plan, _: NodeIx, _: &Executor) -> Option<BoxFuture<'static, ()>> {
        match *self {}
    }

    fn ended(
        &mut self,
        _: &Plan,
        _: NodeIx,
        _: NodeState,
        _: Option<Arc<Value>>,
        _: Option<ExecutionError>,
        _: (Option<f64>, Option<f64>),
        _: (bool, bool, bool),
        _: Option<(String, f64)>,
    ) {
        match *self {}
    }

    /// Without history there is no `wait` node and no durable run, so nothing parks.
    #[inline(always)]
    fn parks_or_wakes(_: &mut Scheduler, _: NodeIx, _: &NodeInput) -> bool {
        false
    }
}
