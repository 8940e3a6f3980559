//! HTTP bodies streamed to and from files (`host-effects`: builds whose hosts have files).

use super::EffectResult;
use crate::host::{BoxFuture, MaybeSend};

/// A request body read a piece at a time as it is sent (a file's: it need not fit in memory).
pub trait BodyReader: MaybeSend {
    /// The next piece; `None` after the last.
    fn next(&mut self) -> BoxFuture<'_, EffectResult<Option<Vec<u8>>>>;
    /// The body's length in bytes, sent as its `Content-Length`.
    fn size(&self) -> u64;
}

/// Where a response body goes a piece at a time as it arrives (a file: it need not fit in
/// memory).
pub trait BodyWriter: MaybeSend {
    fn write(&mut self, piece: Vec<u8>) -> BoxFuture<'_, EffectResult<()>>;
    /// After the last piece: anything the writer still holds is written.
    fn finish(&mut self) -> BoxFuture<'_, EffectResult<()>>;
}

/// The bodies [`HttpClient::send_streamed`] streams: the request's from `upload`, the
/// response's to `download` (each, when absent, as [`HttpClient::send`] has them).
#[derive(Default)]
pub struct StreamedBodies {
    pub upload: Option<Box<dyn BodyReader>>,
    pub download: Option<Box<dyn BodyWriter>>,
}
