//! Builds without `telemetry` (the browser's default module): no run is traced, so no request
//! carries trace headers. See `trace_headers.rs`.

use crate::host::effects::HttpRequest;
use crate::nodes::Invocation;

/// `request` as it is (never called: no run propagates trace context in these builds).
pub(super) async fn with_trace_headers(
    request: HttpRequest,
    _invocation: &Invocation,
) -> HttpRequest {
    request
}
