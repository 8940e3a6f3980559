//! Builds without `telemetry`: no run is traced (see `telemetry.rs` for what a traced run
//! records while it goes).

use super::Scheduler;
use crate::error::ErrorCode;
use crate::plan::NodeIx;

/// A traced run's node errors: none to keep in these builds.
#[derive(Default)]
pub(super) struct SpanErrors;

impl SpanErrors {
    #[inline(always)]
    pub(super) fn record(&mut self, _ix: NodeIx, _code: ErrorCode, _message: &str) {}
}

impl Scheduler {
    /// Nothing to prepare: no run is traced.
    pub(super) fn with_telemetry(self) -> Self {
        self
    }

    /// No span records: the result has none.
    pub(super) fn spans(&mut self) -> crate::telemetry::Spans {
        None
    }

    /// No trace headers to prepare.
    pub(super) fn note_span_lineage(&self, _ix: NodeIx) {}
}
