//! A session's side of execution history: what starting a run asks of it
//! ([`SessionRecording`]), and the implementation for builds without history
//! ([`NoSessionHistory`]).
//!
//! The implementation with history is `history.rs` (`SessionHistory`, which also answers the
//! `executions.*` calls). Which of the two a build runs is decided once, where `session/mod.rs`
//! names `SessionRecorder`.
//!
//! `NoSessionHistory` has no values, and a session holds it as it is (not behind an `Arc`), so
//! in the builds that run it (the browser's default module) a session is known to record no run
//! and every path that would record one is compiled out.

use std::future::Future;
use std::sync::Arc;

use crate::engine::{Engine, ExecutionResult, RunOptions};
use crate::error::Result;
use crate::host::{MaybeSend, SharedHost};
use crate::model::NodeDefinition;
use crate::nodes::SharedEmbedder;
use crate::{Reuse, SharedRecorder};

/// Where a run starts: the outputs it reuses instead of running those nodes (a retry's, or a
/// resumed run's checkpoints), and for a resumed run the nodes its record already holds.
pub(crate) struct StartingPoint<Recorded> {
    pub reuse: Option<Reuse>,
    pub recorded: Option<Recorded>,
}

/// How a session records the runs it starts.
pub(crate) trait SessionRecording: Sized {
    /// The history as the session holds it (shared with its calls' futures).
    type Shared;
    /// The binary data beside a run's flow text, kept for its record.
    type Buffers;
    /// What the history keeps of a run's flow.
    type Flow;
    /// What stops a durable run at a node boundary, to be resumed later (`executions.suspend`).
    type Suspension: Clone + Default;
    /// The nodes a resumed run's record already holds (not recorded again).
    type Recorded;

    /// Keeps the binary data beside a run's flow text (the run's options number theirs after
    /// the flow's, so all of it).
    fn keep_buffers(buffers: &[Arc<[u8]>]) -> Self::Buffers;

    /// What the history keeps of a run's flow: its text and the binary data beside it.
    fn flow_text(json: Arc<str>, buffers: Self::Buffers) -> Self::Flow;

    /// Starts recording run `ids.0` of flow `ids.1` (`resumed`: the nodes a resumed run has
    /// recorded, and what stops a durable run at a node boundary).
    fn begin(
        &self,
        host: &SharedHost,
        embedder: &SharedEmbedder,
        ids: (&str, &str),
        flow: Self::Flow,
        request: &RunOptions,
        resumed: (Option<Self::Recorded>, &Self::Suspension),
    ) -> SharedRecorder;

    /// Records the run's end (and every so often prunes by retention).
    fn end(
        &self,
        host: &SharedHost,
        recorder: &SharedRecorder,
        result: &ExecutionResult,
        suspension: &Self::Suspension,
    ) -> impl Future<Output = ()> + MaybeSend;

    /// Where a run starts: `options.retry`, `options.resume` and `options.replay` read (a
    /// resume's whole input and variables put in `options`).
    fn starting_point(
        history: Option<&Self::Shared>,
        parts: (&Engine, &SharedHost),
        flow: &NodeDefinition,
        execution_id: &str,
        options: &mut RunOptions,
    ) -> impl Future<Output = Result<StartingPoint<Self::Recorded>>> + MaybeSend;
}

/// Builds without history: no session records its runs, and nothing of a run is kept for a
/// record.
// Unused in the builds that link the `history` implementation instead.
#[allow(dead_code)]
pub(crate) enum NoSessionHistory {}

/// Nothing of a run's flow or its binary data is kept, and no run is suspended (runs are never
/// durable without a history).
#[allow(dead_code)]
#[derive(Clone, Default)]
pub(crate) struct Nothing;

impl SessionRecording for NoSessionHistory {
    type Shared = NoSessionHistory;
    type Buffers = Nothing;
    type Flow = Nothing;
    type Suspension = Nothing;
    type Recorded = NoSessionHistory;

    #[inline(always)]
    fn keep_buffers(_: &[Arc<[u8]>]) -> Nothing {
        Nothing
    }

    #[inline(always)]
    fn flow_text(_: Arc<str>, _: Nothing) -> Nothing {
        Nothing
    }

    fn begin(
        &self,
        _: &SharedHost,
        _: &SharedEmbedder,
        _: (&str, &str),
        _: Nothing,
        _: &RunOptions,
        _: (Option<NoSessionHistory>, &Nothing),
    ) -> SharedRecorder {
        match *self {}
    }

    async fn end(&self, _: &SharedHost, _: &SharedRecorder, _: &ExecutionResult, _: &Nothing) {
        match *self {}
    }

    /// From scratch: the run options that would start elsewhere (`retry`, `resume`, `replay`)
    /// are refused when they are read, in a build without history.
    async fn starting_point(
        _: Option<&NoSessionHistory>,
        _: (&Engine, &SharedHost),
        _: &NodeDefinition,
        _: &str,
        _: &mut RunOptions,
    ) -> Result<StartingPoint<NoSessionHistory>> {
        Ok(StartingPoint { reuse: None, recorded: None })
    }
}
