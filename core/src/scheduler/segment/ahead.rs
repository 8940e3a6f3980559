//! A chain's source read ahead of its stages: a task of the host's takes the source's batches as
//! fast as it gives them, up to a few batches ahead, so parsing a file runs beside the stages'
//! work instead of in turn with it (a source parses a whole piece of a file at once: many
//! batches, then none for a while). The batches, their order, the error and where it comes are
//! the source's own; the chain still holds a few batches at a time.

use futures::channel::{mpsc, oneshot};
use futures::{SinkExt, StreamExt};

use crate::error::ExecutionError;
use crate::host::{BoxFuture, SharedHost};
use crate::nodes::stream::{Batch, RowSource};
use crate::value::Map;

/// Batches read ahead at most, beside the one the chain has. Few: a batch read long before the
/// stages take it has left the cache by then (more ahead made a large pipeline slower, its
/// stages waiting on memory for rows the source had just written: docs/PERFORMANCE.md, "How a
/// chain uses the cores").
const AHEAD: usize = 2;

/// A batch (or the source's error), with the bytes read when it was given.
type Given = (Result<Batch, ExecutionError>, (u64, Option<u64>));

/// `source`, read ahead on a task of `host`'s.
pub(super) struct AheadSource {
    batches: mpsc::Receiver<Given>,
    /// The source, back once it gave its last batch (or its error, or was let go of).
    back: oneshot::Receiver<Box<dyn RowSource>>,
    bytes: (u64, Option<u64>),
}

impl AheadSource {
    pub(super) fn start(mut source: Box<dyn RowSource>, host: &SharedHost) -> Box<dyn RowSource> {
        let (mut sender, batches) = mpsc::channel::<Given>(AHEAD);
        let (give_back, back) = oneshot::channel();
        let bytes = source.bytes();
        host.spawn(Box::pin(async move {
            loop {
                let given = match source.next().await {
                    Ok(Some(batch)) => Ok(batch),
                    Ok(None) => break,
                    Err(error) => Err(error),
                };
                let failed = given.is_err();
                // The chain let go (it was cancelled, or failed without reading on): stop.
                if sender.send((given, source.bytes())).await.is_err() || failed {
                    break;
                }
            }
            // Back before the batches end, so the chain has it once it sees the end.
            let _ = give_back.send(source);
            drop(sender);
        }));
        Box::new(AheadSource { batches, back, bytes })
    }
}

impl RowSource for AheadSource {
    fn next(&mut self) -> BoxFuture<'_, Result<Option<Batch>, ExecutionError>> {
        Box::pin(async move {
            match self.batches.next().await {
                Some((given, bytes)) => {
                    self.bytes = bytes;
                    given.map(Some)
                }
                None => Ok(None),
            }
        })
    }

    fn bytes(&self) -> (u64, Option<u64>) {
        self.bytes
    }

    fn finish(mut self: Box<Self>) -> Result<Map, ExecutionError> {
        // Asked once every batch was taken: the task has given the source back by then.
        match self.back.try_recv() {
            Ok(Some(source)) => source.finish(),
            _ => Err(ExecutionError::internal("The stream's source was not given back")),
        }
    }
}
