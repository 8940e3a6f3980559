//! HTTP as a host effect.

use super::EffectResult;
#[cfg(feature = "host-effects")]
use super::{EffectError, EffectErrorKind};
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

/// A request body read a piece at a time as it is sent (a file's: it need not fit in memory).
#[cfg(feature = "host-effects")]
pub trait BodyReader: MaybeSend {
    /// The next piece; `None` after the last.
    fn next(&mut self) -> BoxFuture<'_, EffectResult<Option<Vec<u8>>>>;
    /// The body's length in bytes, sent as its `Content-Length`.
    fn size(&self) -> u64;
}

/// Where a response body goes a piece at a time as it arrives (a file: it need not fit in
/// memory).
#[cfg(feature = "host-effects")]
pub trait BodyWriter: MaybeSend {
    fn write(&mut self, piece: Vec<u8>) -> BoxFuture<'_, EffectResult<()>>;
    /// After the last piece: anything the writer still holds is written.
    fn finish(&mut self) -> BoxFuture<'_, EffectResult<()>>;
}

/// The bodies [`HttpClient::send_streamed`] streams: the request's from `upload`, the
/// response's to `download` (each, when absent, as [`HttpClient::send`] has them).
#[cfg(feature = "host-effects")]
#[derive(Default)]
pub struct StreamedBodies {
    pub upload: Option<Box<dyn BodyReader>>,
    pub download: Option<Box<dyn BodyWriter>>,
}

/// Sends HTTP requests.
pub trait HttpClient: MaybeSend + MaybeSync {
    fn send(&self, request: HttpRequest) -> BoxFuture<'static, EffectResult<HttpResponse>>;

    /// Whether [`send_streamed`](Self::send_streamed) streams bodies (builds with files: the
    /// `host-effects` feature). When it does not (the
    /// default), a node holds a body to or from a file in memory, within its bounds.
    #[cfg(feature = "host-effects")]
    fn streams_bodies(&self) -> bool {
        false
    }

    /// [`send`](Self::send), with the request body read from `bodies.upload` a piece at a time
    /// as it is sent (`request.body` is then not sent) and the response body written to
    /// `bodies.download` as it arrives (the response's `body` then stays empty). A client
    /// following a redirect that must send the body again (307, 308) answers with the redirect
    /// instead: a streamed body is sent once.
    #[cfg(feature = "host-effects")]
    fn send_streamed(
        &self,
        request: HttpRequest,
        bodies: StreamedBodies,
    ) -> BoxFuture<'static, EffectResult<HttpResponse>> {
        let _ = (request, bodies);
        Box::pin(std::future::ready(Err(EffectError::new(
            EffectErrorKind::Unsupported,
            "This HTTP client does not stream bodies",
        ))))
    }
}
