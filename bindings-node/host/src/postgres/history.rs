//! [`PostgresHistory`]: execution history in PostgreSQL, shared by every process of a fleet
//! (queue workers on many machines, and the producers and servers that read their runs), kept
//! where operators keep their data, queried with indexes at any size.
//!
//! Like the SQLite and Redis stores, one thread per store owns the writing connection (the
//! synchronous `postgres` client, chosen for that thread: the async `tokio-postgres` it wraps
//! would need the runtime's help for nothing here): writes are queued to it and never wait, each
//! batch is one transaction. Lists, gets and checkpoints are read on a pool of connections of
//! their own (`readers.rs`, up to the URL's `connection_limit`), each once every write queued
//! before it is applied; what changes runs outside a batch (claims, deletes, prunes, recovery)
//! stays on the writer's thread, in order with the writes. A connection that
//! breaks is opened again on the next request; writes that meet a server that went away are held
//! and sent again once it is back, each batch applied once (see `store_thread.rs`, `migrations/0004_writers.sql`).
//! Every process says it is alive every so often, and runs whose owner stopped are taken for
//! lost (see `liveness.rs`). Tables are versioned (`schema.rs`): migrations
//! run when a store opens, one process at a time; a database migrated by a newer version is
//! refused.
//!
//! Durable runs keep their checkpoints in `atomiton_checkpoints`, beside the record: a worker
//! resumes another's run from them. A run taken over by another process (`claim`) is written to
//! only by that process from then on (see `history/writes.rs`).

mod readers;
mod reads;
mod writes;

use std::time::Duration;

use atomiton_core::error::Result;
use atomiton_core::history::{
    Capture, Checkpoints, ExecutionPage, HistoryStore, HistoryWrite, ListQuery, OwnerAlive, Prune,
    RunCounts, RunEnded, RunRecord, Wake,
};
use atomiton_core::host::BoxFuture;

use super::link::{Described, Link};
use super::schema;
pub use super::schema::version as schema_version;
use crate::history::liveness::{self, owner_timeout, writer_name};
use crate::history::stored::{failure, KnownFlows};
use crate::store_thread::{Batch, Queue};
use readers::Readers;
use writes::Writer;

/// How long a batch of writes may wait for the rest of a run still going (see `Queue::spawn_with_idle`):
/// a short run recorded in one transaction rather than two or three.
const LINGER: Duration = Duration::from_millis(2);

/// Brings the database at `url` to version `upto` only: how tests make a database as an earlier
/// version left it, to see this one migrate it.
#[doc(hidden)]
pub fn migrate_to(url: &str, upto: usize) -> Result<()> {
    let mut client =
        postgres::Client::connect(url, postgres::NoTls).map_err(|e| failure(e.to_string()))?;
    schema::migrate_to(&mut client, upto).map_err(failure)
}

/// Run records in a PostgreSQL database, shared by every process that opens it.
pub struct PostgresHistory {
    queue: Queue<Link>,
    /// Connections for lists and gets, unless `connection_limit` is 1 (see `readers.rs`).
    readers: Option<Readers>,
    capture: Capture,
}

impl PostgresHistory {
    /// Connects to the database at `url` (`postgres://user[:password]@host[:port]/database`, or
    /// key-value settings), bringing its tables to this version; values are kept as `capture`
    /// says, and runs are written as `owner`'s. A URL this client cannot use, or a database a
    /// newer version migrated, is an error naming it; a server that cannot be reached yet is
    /// connected to (and its tables migrated) once it can be: writes are held meanwhile, reads
    /// fail naming it.
    pub fn open(url: &str, capture: Capture, owner: &str) -> Result<PostgresHistory> {
        let link = Link::open(url).map_err(failure)?;
        let readers = match link.connection_limit() {
            1 => None,
            limit => Some(Readers::start(url, limit - 1).map_err(failure)?),
        };
        let name = writer_name(owner);
        let mut writer = Writer {
            capture: capture.clone(),
            owner: owner.to_owned(),
            name: name.clone(),
            known: KnownFlows::default(),
        };
        let apply = move |link: &mut Link, batch: &mut Batch| writer.apply(link, batch);
        // While nothing is queued: say this process is alive, and look for runs whose owner
        // stopped (see liveness.rs).
        let owner = owner.to_owned();
        let idle = liveness::idle(
            move |link: &mut Link| drop(link.run(|client| reads::beat(client, &owner, &name))),
            |link: &mut Link, timeout, now| {
                drop(link.run(|client| reads::recover(client, &|_| false, timeout, now)));
            },
        );
        let queue = Queue::spawn_with_idle(link, LINGER, apply, idle)
            .map_err(|e| failure(format!("cannot start its thread: {e}")))?
            .with_deadline();
        // Connected (and migrated) on the thread, not here: see `Link::open`.
        drop(queue.read(|link: &mut Link| {
            link.connect_now();
            Ok::<(), String>(())
        }));
        Ok(PostgresHistory { queue, readers, capture })
    }

    /// Runs `job` with the connection on the store's thread, after every write queued before it
    /// (what changes runs: in order with the writes).
    fn read<T: Send + 'static, E: Described>(
        &self,
        job: impl FnMut(&mut postgres::Client) -> std::result::Result<T, E> + Send + 'static,
    ) -> BoxFuture<'static, Result<T>> {
        self.queue.read(move |link: &mut Link| link.run(job))
    }

    /// Runs `job` on a reader's connection once the store's thread has applied every write
    /// queued before it (or holds them, its server away: the read then meets the same error).
    fn pooled<T: Send + 'static, E: Described + 'static>(
        &self,
        job: impl FnMut(&mut postgres::Client) -> std::result::Result<T, E> + Send + 'static,
    ) -> BoxFuture<'static, Result<T>> {
        let Some(readers) = &self.readers else { return self.read(job) };
        let reached = self.queue.read(|_: &mut Link| Ok::<(), String>(()));
        let readers = readers.clone();
        Box::pin(async move {
            reached.await?;
            readers.read(job).await
        })
    }
}

impl HistoryStore for PostgresHistory {
    fn write(&self, write: HistoryWrite) {
        self.queue.write(write);
    }

    fn capture(&self) -> Option<&Capture> {
        Some(&self.capture)
    }

    fn list(&self, query: ListQuery) -> BoxFuture<'static, Result<ExecutionPage>> {
        self.pooled(move |client| reads::list(client, &query))
    }

    fn counts(&self, query: ListQuery) -> BoxFuture<'static, Result<RunCounts>> {
        self.pooled(move |client| reads::counts(client, &query))
    }

    fn get(&self, id: String) -> BoxFuture<'static, Result<Option<RunRecord>>> {
        self.pooled(move |client| reads::get(client, &id))
    }

    fn delete(&self, id: String) -> BoxFuture<'static, Result<bool>> {
        self.read(move |client| reads::delete(client, &id))
    }

    fn prune(&self, prune: Prune) -> BoxFuture<'static, Result<usize>> {
        self.read(move |client| reads::prune(client, prune))
    }

    /// Runs whose owner has not been heard from within the owner timeout (see liveness.rs) and
    /// that `alive` does not know alive.
    fn recover(&self, alive: OwnerAlive, now: f64) -> BoxFuture<'static, Result<usize>> {
        let timeout = owner_timeout();
        self.read(move |client| reads::recover(client, &*alive, timeout, now))
    }

    fn keeps_checkpoints(&self) -> bool {
        true
    }

    fn stored(&self) -> Option<BoxFuture<'static, ()>> {
        // While the server is away, this waits for it (the writes are held; see store_thread.rs).
        Some(self.queue.stored())
    }

    fn checkpoints(&self, id: String) -> BoxFuture<'static, Result<Option<Checkpoints>>> {
        self.pooled(move |client| reads::checkpoints(client, &id))
    }

    fn claim(&self, id: String, owner: Option<String>) -> BoxFuture<'static, Result<bool>> {
        self.read(move |client| reads::claim(client, &id, owner.as_deref()))
    }

    fn end_lost(&self, ended: RunEnded, owner: Option<String>) -> BoxFuture<'static, Result<bool>> {
        self.read(move |client| reads::end_lost(client, &ended, owner.as_deref()))
    }

    fn wake(&self, wake: Wake) -> BoxFuture<'static, Result<bool>> {
        self.read(move |client| reads::wake(client, &wake))
    }
}
