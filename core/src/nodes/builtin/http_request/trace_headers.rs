//! A traced run's `http-request` names its span in the request (W3C `traceparent` and
//! `tracestate`), so the server it calls joins the run's trace.

use crate::host::effects::HttpRequest;
use crate::nodes::Invocation;
use crate::telemetry::RunTracer;

/// `request` with the trace headers the run's tracer gives for the node's span. The flow's own
/// trace headers win: it may be continuing a trace of its own.
pub(super) async fn with_trace_headers(
    mut request: HttpRequest,
    tracer: &dyn RunTracer,
    invocation: &Invocation,
) -> HttpRequest {
    for (name, value) in tracer.trace_headers(invocation).await {
        if !request.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(&name)) {
            request.headers.push((name, value));
        }
    }
    request
}
