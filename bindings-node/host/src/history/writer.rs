//! The store's own thread: it owns the connection, applies writes in batches (one transaction
//! for every write waiting, so a burst of node ends costs one commit) and answers reads in the
//! order they were asked, after every write made before them.

use std::sync::mpsc::{Receiver, Sender};

use atomiton_core::history::HistoryWrite;
use rusqlite::{Connection, Transaction};

/// A read (or any work needing the connection), run between write batches.
pub(super) type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// What the thread is asked to do, in order.
pub(super) enum Command {
    Write(HistoryWrite),
    Job(Job),
}

/// Writes applied in one transaction at most: bounds how long a read waits behind a burst.
const MAX_BATCH: usize = 512;

/// Starts the thread; it ends once every sender is dropped and the queue is drained.
pub(super) fn spawn(mut conn: Connection, apply: impl Fn(&Transaction<'_>, HistoryWrite) + Send + 'static) -> std::io::Result<Sender<Command>> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new().name("atomiton-history".into()).spawn(move || serve(&mut conn, &receiver, &apply))?;
    Ok(sender)
}

fn serve(conn: &mut Connection, receiver: &Receiver<Command>, apply: &dyn Fn(&Transaction<'_>, HistoryWrite)) {
    let mut carried: Option<Command> = None;
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
                // A store that cannot write drops the records and keeps going: history never fails
                // a run (the run's own result still reaches its caller).
                let Ok(tx) = conn.transaction() else { continue };
                apply(&tx, first);
                for _ in 1..MAX_BATCH {
                    match receiver.try_recv() {
                        Ok(Command::Write(write)) => apply(&tx, write),
                        Ok(job) => {
                            carried = Some(job);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                let _ = tx.commit();
            }
        }
    }
}
