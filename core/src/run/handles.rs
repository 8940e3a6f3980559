//! What reaches a run from outside while it goes: handles its embedder attaches, not data.

use std::sync::Arc;

use super::{RunControl, RunView};
use crate::host::{CancelToken, EventSink};

/// A run's live handles. A session attaches them in one place (`Session::run`); a run without
/// them (a bare [`Engine::run`](crate::Engine::run)) cannot be cancelled, observed or paused
/// from outside.
#[derive(Clone, Default)]
pub struct RunHandles {
    /// Cancels the run when cancelled.
    pub cancel: Option<CancelToken>,
    /// Receives this run's events.
    pub event_sink: Option<Arc<dyn EventSink>>,
    /// The run's live state, read by the embedder whenever it asks (`node.store`).
    pub view: Option<Arc<RunView>>,
    /// Pause, resume and step requests from outside the run.
    pub control: Option<Arc<RunControl>>,
    /// Records the run's nodes as they end (execution history).
    #[cfg(feature = "history")]
    pub recorder: Option<Arc<crate::history::RunRecorder>>,
    /// Recorded outputs to use instead of running those nodes (a retry).
    #[cfg(feature = "history")]
    pub reuse: Option<crate::history::Reuse>,
    /// The node result cache the run reads and writes (unless its options say `cache: false`).
    #[cfg(feature = "cache")]
    pub cache: Option<crate::cache::CacheHandle>,
}
