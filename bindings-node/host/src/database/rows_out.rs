//! Where a statement's rows go as a driver reads them: gathered whole (a node's run), or handed
//! on a batch at a time through a bounded channel (a query at the head of a stream) — so each
//! driver reads rows one way for both. A stream's reader takes batches as the flow consumes
//! them; the driver waits meanwhile (the channel holds one batch), so the rows read ahead stay
//! within two batches whatever the result's size.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use atomiton_core::error::{ExecutionError, Result};
use atomiton_core::host::effects::{DatabaseRows, StatementRows};
use atomiton_core::host::BoxFuture;
use atomiton_core::value::Value;
use tokio::sync::mpsc;

use super::errors::cancelled;
use super::failure::Failure;

/// What goes down a stream's channel.
pub enum Piece {
    Rows(StatementRows),
    Failed(ExecutionError),
    /// Every row was given (a channel closed without it: the work stopped short).
    End,
}

/// Nanoseconds a driver spent waiting for the reader to take a batch: not the server's time,
/// so not counted against the statement timeout (see `clock.rs`).
pub type Waited = Arc<AtomicU64>;

/// Rows as a driver reads them.
pub enum RowsOut {
    Gathered(Vec<StatementRows>),
    Streamed(Streamer),
}

/// A stream's side of the channel.
pub struct Streamer {
    sender: mpsc::Sender<Piece>,
    batch_rows: usize,
    current: StatementRows,
    waited: Waited,
}

impl RowsOut {
    /// Rows handed on in batches of `batch_rows`, and the reader's side.
    pub fn streamed(batch_rows: usize) -> (RowsOut, ChannelRows) {
        let (sender, receiver) = mpsc::channel(1);
        let streamer = Streamer {
            sender,
            batch_rows: batch_rows.max(1),
            current: StatementRows::default(),
            waited: Waited::default(),
        };
        (RowsOut::Streamed(streamer), ChannelRows { receiver, ended: false })
    }

    /// What the time a driver waited for its reader is added to.
    pub fn waited(&self) -> Waited {
        match self {
            RowsOut::Gathered(_) => Waited::default(),
            RowsOut::Streamed(streamer) => streamer.waited.clone(),
        }
    }

    /// A statement starts, returning these columns.
    pub fn begin(&mut self, columns: Vec<String>) {
        match self {
            RowsOut::Gathered(results) => {
                results.push(StatementRows { columns, ..StatementRows::default() });
            }
            RowsOut::Streamed(streamer) => {
                streamer.current = StatementRows { columns, ..StatementRows::default() };
            }
        }
    }

    /// One row read; a full batch goes to the reader (waiting while it has one). A reader that
    /// went away fails the statement (its connection closed: the rest is not read).
    pub async fn push(&mut self, row: Vec<Value>) -> Result<(), Failure> {
        if let Some(full) = self.add(row) {
            if let RowsOut::Streamed(streamer) = self {
                return streamer.send(Piece::Rows(full)).await;
            }
        }
        Ok(())
    }

    /// `push` from a blocking thread.
    pub fn push_blocking(&mut self, row: Vec<Value>) -> Result<(), Failure> {
        if let Some(full) = self.add(row) {
            if let RowsOut::Streamed(streamer) = self {
                return streamer.send_blocking(Piece::Rows(full));
            }
        }
        Ok(())
    }

    /// The statement ended, having changed `affected` rows.
    pub fn end(&mut self, affected: u64) {
        match self {
            RowsOut::Gathered(results) => {
                if let Some(last) = results.last_mut() {
                    last.affected = affected;
                }
            }
            RowsOut::Streamed(streamer) => streamer.current.affected = affected,
        }
    }

    /// The rows gathered (none for a stream: its reader has them).
    pub fn gathered(self) -> Vec<StatementRows> {
        match self {
            RowsOut::Gathered(results) => results,
            RowsOut::Streamed(_) => Vec::new(),
        }
    }

    /// A stream's last batch and its end, or its failure.
    pub async fn close(self, outcome: Result<()>) {
        if let RowsOut::Streamed(mut streamer) = self {
            let last = std::mem::take(&mut streamer.current);
            let piece = match outcome {
                Ok(()) => match streamer.sender.send(Piece::Rows(last)).await {
                    Ok(()) => Piece::End,
                    Err(_) => return,
                },
                Err(error) => Piece::Failed(error),
            };
            let _ = streamer.sender.send(piece).await;
        }
    }

    fn add(&mut self, row: Vec<Value>) -> Option<StatementRows> {
        match self {
            RowsOut::Gathered(results) => {
                if let Some(last) = results.last_mut() {
                    last.rows.push(row);
                }
                None
            }
            RowsOut::Streamed(streamer) => {
                streamer.current.rows.push(row);
                (streamer.current.rows.len() >= streamer.batch_rows).then(|| StatementRows {
                    columns: streamer.current.columns.clone(),
                    rows: std::mem::take(&mut streamer.current.rows),
                    affected: 0,
                })
            }
        }
    }
}

impl Streamer {
    async fn send(&mut self, piece: Piece) -> Result<(), Failure> {
        let started = Instant::now();
        let sent = self.sender.send(piece).await;
        self.count_wait(started);
        sent.map_err(|_| gone())
    }

    fn send_blocking(&mut self, piece: Piece) -> Result<(), Failure> {
        let started = Instant::now();
        let sent = self.sender.blocking_send(piece);
        self.count_wait(started);
        sent.map_err(|_| gone())
    }

    fn count_wait(&self, started: Instant) {
        let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.waited.fetch_add(nanos, Ordering::Relaxed);
    }
}

/// The reader stopped reading (the run was cancelled, or its stream failed further on).
fn gone() -> Failure {
    Failure::close(cancelled())
}

/// The reader's side: the rows as the driver sends them.
pub struct ChannelRows {
    receiver: mpsc::Receiver<Piece>,
    ended: bool,
}

impl DatabaseRows for ChannelRows {
    fn next(&mut self) -> BoxFuture<'_, Result<Option<StatementRows>>> {
        Box::pin(async move {
            if self.ended {
                return Ok(None);
            }
            match self.receiver.recv().await {
                Some(Piece::Rows(rows)) => Ok(Some(rows)),
                Some(Piece::Failed(error)) => {
                    self.ended = true;
                    Err(error)
                }
                Some(Piece::End) => {
                    self.ended = true;
                    Ok(None)
                }
                None => {
                    self.ended = true;
                    Err(ExecutionError::internal("[database] The query's reader stopped short"))
                }
            }
        })
    }
}
