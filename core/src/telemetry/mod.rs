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
//! (`RunTracer::trace_headers`, which asks through `Embedder::ask`), so the server it calls
//! joins the same trace.
//!
//! The engine owns the two traits here and calls them where a run goes; the capability crate
//! `atomiton-telemetry` implements them, and a binding built with it passes it to its sessions
//! (see [`crate::session::SessionCapability::tracing`]). Without it a run is never traced: its
//! `telemetry` option is read and left unused, and none of the tracer's code is in the build.

use std::sync::Arc;

use serde::Deserialize;

use crate::error::{ErrorCode, Result};
use crate::host::{BoxFuture, MaybeSend, MaybeSync, TraceHeaders};
use crate::value::Value;

/// Makes a run's [`RunTracer`] from its `telemetry` option.
pub trait RunTracing: MaybeSend + MaybeSync {
    /// The tracer of a run whose options say `telemetry: options` (any JSON value: the tracing
    /// reads it); an error names what is wrong in it, and the run fails before anything runs.
    fn tracer(&self, options: &Value) -> Result<Arc<dyn RunTracer>>;
}

/// A traced run's shared state: what its leaves record while they run, and the records written
/// at its end. Every method is called with a node's index in the run (the flow itself is 0).
pub trait RunTracer: MaybeSend + MaybeSync {
    /// Whether `http-request` nodes ask for trace headers.
    fn propagate(&self) -> bool;

    /// Node `ix` may ask for trace headers: the spans to open for it, outermost first.
    fn set_lineage(&self, ix: usize, spans: &[OpenSpan]);

    /// The spans node `ix`'s trace headers need open, as the embedder's question carries them
    /// (JSON text).
    fn lineage(&self, ix: usize) -> Arc<str>;

    /// W3C trace context headers (`traceparent`, maybe `tracestate`) naming the span of
    /// `span`'s node, for a request it is about to send (asked only where
    /// [`propagate`](Self::propagate)): the tracer puts its question to `ask` (the run's
    /// [`Embedder::ask`](crate::nodes::Embedder::ask)), whose answer opens the span to name it.
    /// No answer, or a malformed one, is no headers: tracing never fails a request.
    fn trace_headers(&self, span: SpanOf<'_>, ask: &Ask<'_>) -> BoxFuture<'static, TraceHeaders>;

    /// Node `ix` (an `http-request`) got a response with HTTP status `status`.
    fn http_status(&self, ix: usize, status: u16);

    /// Node `ix` (an `llm`) used `input` and `output` tokens, as its server counted them; an
    /// attempt's count adds to the earlier attempts' (each was paid for).
    fn tokens(&self, _ix: usize, _input: u64, _output: u64) {}

    /// Node `ix`'s attempt failed and will be retried.
    fn retried(&self, ix: usize, retry: SpanRetry);

    /// Node `ix` ended with `error` (its span's error).
    fn failed(&self, ix: usize, error: SpanError);

    /// The run's span records as the JSON text its result carries (`spans`), from what the
    /// scheduler knows of each node at the end.
    fn records(&self, nodes: &[TracedNode]) -> String;
}

/// The node attempt whose span a request names (what the question says of it).
#[derive(Debug, Clone, Copy)]
pub struct SpanOf<'a> {
    /// The run's id.
    pub run: &'a str,
    /// The node's index in the run, as the records name it.
    pub index: usize,
    pub node_id: &'a str,
    pub node_type: &'a str,
    pub attempt: u32,
}

/// How a tracer asks the embedder a question while the run goes: `(kind, fields)` to the
/// answer's value (see [`Embedder::ask`](crate::nodes::Embedder::ask)).
pub type Ask<'a> = dyn Fn(&'static str, String) -> BoxFuture<'static, Option<Value>> + 'a;

/// A run's tracer; `None` when the run is not traced.
pub type Traced = Option<Arc<dyn RunTracer>>;

/// `telemetry` in a run's options, as the tracing reads it: the run is traced.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "WireTelemetry", optional_fields))]
pub struct TelemetryOptions {
    /// Whether `http-request` nodes send W3C `traceparent`/`tracestate` headers naming their
    /// span (default `true`). A header the flow sets itself is kept.
    #[cfg_attr(test, ts(as = "Option<bool>", optional))]
    pub propagate: bool,
    /// The run's own span, as a W3C `traceparent`: what an engine that hands the run on (to a
    /// protocol server, to a queue worker) sends as the parent of the spans made there. The
    /// engine itself only carries it.
    pub traceparent: Option<String>,
    /// The `tracestate` that goes with `traceparent`.
    pub tracestate: Option<String>,
}

impl Default for TelemetryOptions {
    fn default() -> Self {
        TelemetryOptions { propagate: true, traceparent: None, tracestate: None }
    }
}

impl TelemetryOptions {
    /// Reads a run's `telemetry` option; an unknown field names the one probably meant.
    pub fn from_value(options: &Value) -> Result<Self> {
        // From JSON text with serde_json's own reader, the one the rest of the options are read
        // with: `value::from_value` would compile this reader again for its own two readers.
        serde_json::to_string(options)
            .and_then(|text| serde_json::from_str(&text))
            .map_err(|e| crate::options::serde_error::invalid("run options", &e))
    }
}

/// What the scheduler knows of a node when a traced run ends: one per node that started, was
/// skipped, pinned or served from the cache, in plan order.
#[derive(Debug, Clone)]
pub struct TracedNode {
    /// The node's index in the run (the flow itself is 0).
    pub index: usize,
    /// The index of the group it is in; `None` for the flow itself.
    pub parent: Option<usize>,
    /// Ids of its enclosing groups and its own, joined by `/`; `None` when it is the id.
    pub path: Option<Arc<str>>,
    pub id: Arc<str>,
    pub name: Arc<str>,
    pub node_type: Arc<str>,
    /// Whether it is a group (the flow itself, when it is one, is the run's own span).
    pub group: bool,
    pub start: f64,
    pub end: Option<f64>,
    /// `completed`, `error`, `skipped`, `pinned`; `executing` or `pending` when the run ended
    /// around it (a run to a node).
    pub state: &'static str,
}

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
