//! A traced run's `http-request` names its span in the request (W3C `traceparent` and
//! `tracestate`), so the server it calls joins the run's trace.

use crate::host::effects::HttpRequest;
use crate::nodes::Invocation;
use crate::telemetry::{RunTracer, SpanOf};

/// `request` with the trace headers the run's tracer gives for the node's span. The flow's own
/// trace headers win: it may be continuing a trace of its own.
pub(super) async fn with_trace_headers(
    mut request: HttpRequest,
    tracer: &dyn RunTracer,
    invocation: &Invocation,
) -> HttpRequest {
    let span = SpanOf {
        run: &invocation.run.execution_id,
        index: invocation.node_index,
        node_id: &invocation.node_id,
        node_type: &invocation.node_type,
        attempt: invocation.attempt,
    };
    let embedder = invocation.run.embedder();
    let headers = tracer.trace_headers(span, &|kind, fields| embedder.ask(kind, fields));
    for (name, value) in headers.await {
        if !request.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(&name)) {
            request.headers.push((name, value));
        }
    }
    request
}
