//! A request body sent as it is read: the pieces a [`BodyReader`] gives (a file's, read by the
//! core through the host's file system, so a run's file grants apply) go to reqwest through a
//! channel of one piece, so at most a couple of pieces are held whatever the body's size.

use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use atomiton_core::host::effects::{BodyReader, EffectError};
use bytes::Bytes;
use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};
use http_body::{Frame, SizeHint};
use tokio::runtime::Handle;

/// A failure of the reader, kept for the request's error (reqwest only says the body failed).
pub(super) type ReadFailure = Arc<Mutex<Option<EffectError>>>;

/// The body reqwest sends: `reader`'s pieces, read on a task of `handle`'s as reqwest takes
/// them; the reader's failure, if any, lands in the returned slot.
pub(super) fn streamed_body(
    handle: &Handle,
    mut reader: Box<dyn BodyReader>,
) -> (reqwest::Body, ReadFailure) {
    let len = reader.size();
    let (mut sender, receiver) = mpsc::channel::<std::io::Result<Bytes>>(1);
    let failure: ReadFailure = Arc::new(Mutex::new(None));
    let failed = failure.clone();
    handle.spawn(async move {
        loop {
            let piece = match reader.next().await {
                Ok(Some(piece)) => Ok(Bytes::from(piece)),
                Ok(None) => return,
                Err(error) => {
                    let message = error.message.clone();
                    *failed.lock().unwrap_or_else(PoisonError::into_inner) = Some(error);
                    Err(std::io::Error::other(message))
                }
            };
            let stop = piece.is_err();
            // The request ended (sent, failed or dropped): nobody takes the rest.
            if sender.send(piece).await.is_err() || stop {
                return;
            }
        }
    });
    let body = Upload { pieces: Mutex::new(receiver), len };
    (reqwest::Body::wrap(body), failure)
}

/// The receiving end, as an HTTP body of a known length (sent as `Content-Length`).
struct Upload {
    /// In a mutex only to be `Sync`, as reqwest asks of a body; never contended.
    pieces: Mutex<mpsc::Receiver<std::io::Result<Bytes>>>,
    len: u64,
}

impl http_body::Body for Upload {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let pieces = self.get_mut().pieces.get_mut().unwrap_or_else(PoisonError::into_inner);
        pieces.poll_next_unpin(cx).map(|piece| piece.map(|piece| piece.map(Frame::data)))
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.len)
    }
}
