//! A store's own thread: it owns the connection, applies writes in batches (every write waiting,
//! up to a bound, at once: a burst of node ends costs one transaction or one round trip) and
//! answers reads in the order they were asked, after every write made before them.

use std::fmt::Display;
use std::sync::mpsc::{Receiver, Sender};

use atomiton_core::error::Result;
use atomiton_core::history::HistoryWrite;
use atomiton_core::host::BoxFuture;
use futures::channel::oneshot;

use super::stored::failure;

/// A read (or any work needing the connection `C`), run between write batches.
type Job<C> = Box<dyn FnOnce(&mut C) + Send>;

/// What the thread is asked to do, in order.
enum Command<C> {
    Write(HistoryWrite),
    Job(Job<C>),
}

/// Writes applied in one batch at most: bounds how long a read waits behind a burst.
const MAX_BATCH: usize = 512;

/// The queue to a store's thread.
pub(super) struct Queue<C> {
    commands: Sender<Command<C>>,
}

impl<C: Send + 'static> Queue<C> {
    /// Starts the thread over `conn`; `apply` stores one batch of writes. The thread ends once
    /// the queue is dropped and drained.
    pub(super) fn spawn(mut conn: C, mut apply: impl FnMut(&mut C, Vec<HistoryWrite>) + Send + 'static) -> std::io::Result<Queue<C>> {
        let (commands, receiver) = std::sync::mpsc::channel();
        std::thread::Builder::new().name("atomiton-history".into()).spawn(move || serve(&mut conn, &receiver, &mut apply))?;
        Ok(Queue { commands })
    }

    /// Queues `write`; never waits.
    pub(super) fn write(&self, write: HistoryWrite) {
        // Fails only once the thread has stopped, with the conductor: nothing is left to record.
        let _ = self.commands.send(Command::Write(write));
    }

    /// Runs `job` on the thread, after every write queued before it.
    pub(super) fn read<T: Send + 'static, E: Display>(&self, job: impl FnOnce(&mut C) -> std::result::Result<T, E> + Send + 'static) -> BoxFuture<'static, Result<T>> {
        let (answer, answered) = oneshot::channel();
        let sent = self.commands.send(Command::Job(Box::new(move |conn| {
            let _ = answer.send(job(conn).map_err(|e| e.to_string()));
        })));
        Box::pin(async move {
            if sent.is_err() {
                return Err(failure("its thread has stopped".into()));
            }
            match answered.await {
                Ok(Ok(value)) => Ok(value),
                Ok(Err(message)) => Err(failure(message)),
                Err(_) => Err(failure("its thread has stopped".into())),
            }
        })
    }
}

fn serve<C>(conn: &mut C, receiver: &Receiver<Command<C>>, apply: &mut dyn FnMut(&mut C, Vec<HistoryWrite>)) {
    let mut carried: Option<Command<C>> = None;
    loop {
        let command = match carried.take() {
            Some(command) => command,
            None => match receiver.recv() {
                Ok(command) => command,
                Err(_) => return,
            },
        };
        match command {
            Command::Job(job) => job(conn),
            Command::Write(first) => {
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match receiver.try_recv() {
                        Ok(Command::Write(write)) => batch.push(write),
                        Ok(job) => {
                            carried = Some(job);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                apply(conn, batch);
            }
        }
    }
}
