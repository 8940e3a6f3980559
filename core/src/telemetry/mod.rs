//! What a traced run tells a tracing backend: one record per node that started, with the
//! engine's own times, its attempts and how it ended.
//!
//! The engine does not talk to a tracing SDK itself (the embedder's OpenTelemetry SDK is a JS
//! library): a run asked for telemetry (`telemetry` in its options) returns these records with
//! its result, and the TypeScript layer turns them into spans. Times are the engine's clock at
//! the moment a node started and ended, not when JS heard of it.
//!
//! One live question crosses during the run: an `http-request` node of a run that propagates
//! trace context asks the embedder for the `traceparent` of its own span
//! (`Embedder::trace_headers`), so the server it calls joins the same trace.

use std::sync::Arc;

// Node spans with `telemetry`; without it, a twin where no run is traced.
#[cfg_attr(not(feature = "telemetry"), path = "traced_off.rs")]
mod traced;

pub(crate) use traced::spans_as_text;
pub use traced::{NodeSpan, RunTelemetry, Spans, TelemetryOptions, Traced};

use crate::error::ErrorCode;

/// A span the embedder opens while the run goes, before the run's records exist: a node about
/// to send a request (whose span the request names as its parent) or a group it is in, so the
/// node's span has its group's span as parent and starts when the engine started it.
#[derive(Debug, Clone)]
pub struct OpenSpan {
    /// The node's index in the run.
    pub index: usize,
    /// The index of its group; 0 (the flow) and the flow itself are the run's own span.
    pub parent: usize,
    pub id: Arc<str>,
    pub node_type: Arc<str>,
    /// When the engine started it (ms since the epoch).
    pub start: f64,
}

/// An attempt that failed and was retried.
#[derive(Debug, Clone)]
pub struct SpanRetry {
    /// The attempt that failed (1 = the first).
    pub attempt: u32,
    /// When it failed (the engine's clock, ms since the epoch).
    pub at: f64,
    pub code: ErrorCode,
    pub message: String,
}

/// How a node's span ended when it failed.
#[derive(Debug, Clone)]
pub struct SpanError {
    pub code: ErrorCode,
    pub message: String,
}
