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

    /// Whether [`send_streamed`](Self::send_streamed) streams bodies (hosts with files). When it
    /// does not (the default), a node holds a body to or from a file in memory, within its bounds.
    fn streams_bodies(&self) -> bool {
        false
    }

    /// [`send`](Self::send), with the request body read from `bodies.upload` a piece at a time
    /// as it is sent (`request.body` is then not sent) and the response body written to
    /// `bodies.download` as it arrives (the response's `body` then stays empty). A client
    /// following a redirect that must send the body again (307, 308) answers with the redirect
    /// instead: a streamed body is sent once.
    fn send_streamed(
        &self,
        request: HttpRequest,
        bodies: super::StreamedBodies,
    ) -> BoxFuture<'static, EffectResult<HttpResponse>> {
        let _ = (request, bodies);
        Box::pin(std::future::ready(Err(super::EffectError::new(
            super::EffectErrorKind::Unsupported,
            "This HTTP client does not stream bodies",
        ))))
    }
}
