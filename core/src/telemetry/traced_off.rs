//! Builds without `telemetry` (the browser's default module): no run is traced here — the
//! TypeScript layer traces each run as one span — so a run's telemetry state is never made.
//! The same names as `traced.rs`, for the code that reads them in every build.

use std::sync::Arc;

use super::SpanRetry;

/// A run's `telemetry` option, read and left unused.
pub type TelemetryOptions = serde::de::IgnoredAny;

/// A run's telemetry state: always `None` here, and known to be by its type (the state cannot
/// be made), so the code that would read it is compiled out.
pub type Traced = Option<RunTelemetry>;

/// Never made: [`RunTelemetry::for_run`] is always `None` in these builds.
#[derive(Debug, Clone)]
pub struct RunTelemetry {
    /// Whether `http-request` nodes ask for trace headers.
    pub propagate: bool,
    never: Never,
}

#[derive(Debug, Clone)]
enum Never {}

/// Never made (see [`RunTelemetry`]).
#[derive(Debug, Clone)]
pub enum NodeSpan {}

impl RunTelemetry {
    /// No run is traced in these builds.
    pub fn for_run(_options: Option<&TelemetryOptions>) -> Traced {
        None
    }

    pub fn lineage(&self, _ix: usize) -> Arc<str> {
        match self.never {}
    }

    pub fn http_status(&self, _ix: usize, _status: u16) {
        match self.never {}
    }

    pub(crate) fn retried(&self, _ix: usize, _retry: SpanRetry) {
        match self.never {}
    }
}

/// A result's span records: none, and known to be by their type.
pub type Spans = Option<NodeSpan>;

/// Never called: a result has no spans in these builds.
pub(crate) fn spans_as_text<S: serde::Serializer>(
    _spans: &Spans,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_none()
}
