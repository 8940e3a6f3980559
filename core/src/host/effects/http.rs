//! HTTP as a host effect.

use super::EffectResult;
use crate::host::{BoxFuture, CancelToken, MaybeSend, MaybeSync};

/// One request, fully resolved by the node (URL with query, headers with auth, body bytes).
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    /// In order; names as given.
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    /// Follow redirects (the TypeScript engine always did).
    pub follow_redirects: bool,
    /// Whole-request limit in ms.
    pub timeout_ms: Option<f64>,
    /// Responses larger than this fail with `TooLarge` instead of being buffered.
    pub max_response_bytes: u64,
    /// Cancelling drops the request.
    pub signal: CancelToken,
}

/// A buffered response.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpResponse {
    pub status: u16,
    pub status_text: String,
    /// Header names lower-cased, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The final URL after redirects.
    pub url: String,
}

/// Sends HTTP requests.
pub trait HttpClient: MaybeSend + MaybeSync {
    fn send(&self, request: HttpRequest) -> BoxFuture<'static, EffectResult<HttpResponse>>;
}
