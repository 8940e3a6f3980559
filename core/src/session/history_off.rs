//! Builds without `history` (the browser's default module): no session records its runs, so
//! a session's history cannot be made, and what a run would record is not kept. The same names
//! as `history.rs`, for the code that starts runs in every build.

use std::sync::Arc;

use crate::engine::{ExecutionResult, RunOptions};
use crate::error::Result;
use crate::history::{Reuse, RunRecorder, SharedRecorder};
use crate::host::SharedHost;

/// Never made: no session has a history here.
pub enum SessionHistory {}

/// A session's history as the session holds it: never made, and known not to be by its type
/// (so the code that would record a run is compiled out).
pub type SharedSessionHistory = SessionHistory;

/// A run's flow as a history would keep it: nothing, here.
pub(crate) struct FlowText;

/// A run's binary data as a history would keep it: nothing, here.
pub(crate) struct KeptBuffers;

/// Nothing of a run's binary data is kept for a record.
pub(crate) fn keep_buffers(_buffers: &[Arc<[u8]>]) -> KeptBuffers {
    KeptBuffers
}

/// Nothing of a run's flow is kept for a record.
pub(crate) fn flow_text(_json: Arc<str>, _buffers: KeptBuffers) -> FlowText {
    FlowText
}

impl SessionHistory {
    pub(crate) fn begin(
        &self,
        _host: &SharedHost,
        _embedder: &crate::nodes::SharedEmbedder,
        _ids: (&str, &str),
        _flow: FlowText,
        _request: &RunOptions,
        _resumed: (Option<Recorded>, &Suspension),
    ) -> SharedRecorder {
        match *self {}
    }

    pub(crate) async fn end(
        &self,
        _host: &SharedHost,
        _recorder: &RunRecorder,
        _result: &ExecutionResult,
        _suspension: &Suspension,
    ) {
        match *self {}
    }

    /// From scratch: the TypeScript layer refuses a retry or a resume on a module without
    /// history before the run reaches it.
    pub(crate) async fn starting_point(
        _history: Option<&SharedSessionHistory>,
        _parts: (&crate::engine::Engine, &SharedHost),
        _flow: &crate::model::NodeDefinition,
        _execution_id: &str,
        _options: &mut RunOptions,
    ) -> Result<StartingPoint> {
        Ok(StartingPoint { reuse: None, recorded: None })
    }
}

/// Never made: no run resumes here.
pub(crate) enum Recorded {}

/// Nothing: no run is suspended here (runs are never durable without a history).
#[derive(Clone, Default)]
pub(crate) struct Suspension;

/// Where a run starts: always from scratch here.
pub(crate) struct StartingPoint {
    pub reuse: Option<Reuse>,
    pub recorded: Option<Recorded>,
}

/// The session methods only history builds have are left out.
#[doc(hidden)]
#[macro_export]
macro_rules! __session_gate_history {
    ($($item:tt)*) => {};
}
