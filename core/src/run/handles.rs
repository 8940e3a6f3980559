//! What reaches a run from outside while it goes: handles its embedder attaches, not data.

use std::sync::Arc;

use super::{SharedControl, SharedView};
use crate::host::{CancelToken, EventSink};

/// A run's live handles. A session attaches them in one place (`Session::run`); a run without
/// them (a bare [`Engine::run`](crate::Engine::run)) cannot be cancelled, observed or paused
/// from outside.
#[derive(Clone)]
pub struct RunHandles {
    /// Cancels the run when cancelled.
    pub cancel: Option<CancelToken>,
    /// The app around the engine: the node types it provides, values kept on its side, its
    /// tracer (by default none of these: a run without custom node types).
    pub embedder: crate::nodes::SharedEmbedder,
    /// Receives this run's events.
    pub event_sink: Option<Arc<dyn EventSink>>,
    /// The run's live state, read by the embedder whenever it asks (`node.store`).
    pub view: Option<SharedView>,
    /// Pause, resume and step requests from outside the run.
    pub control: Option<SharedControl>,
    /// Records the run's nodes as they end (execution history).
    pub recorder: Option<crate::SharedRecorder>,
    /// Recorded outputs to use instead of running those nodes (a retry).
    pub reuse: Option<crate::Reuse>,
    /// The node result cache the run reads and writes (unless its options say `cache: false`).
    pub cache: Option<Arc<dyn crate::cache::ResultCache>>,
    /// Where the run's `sub-flow` nodes find the flows they call (none: they find none).
    pub flows: Option<Arc<dyn crate::plan::FlowSource>>,
}

impl Default for RunHandles {
    /// No handles: a run nobody outside can cancel, observe, pause or record, whose custom node
    /// types fail as unknown.
    fn default() -> Self {
        RunHandles {
            cancel: Default::default(),
            embedder: crate::nodes::default_embedder(),
            event_sink: Default::default(),
            view: Default::default(),
            control: Default::default(),
            recorder: Default::default(),
            reuse: Default::default(),
            cache: Default::default(),
            flows: None,
        }
    }
}
