//! [`RedisHistory`]: execution history in Redis, shared by every process of queue mode (workers
//! on many machines, and the producers that list and read their runs).
//!
//! Like the SQLite store, one thread per store owns the connection: writes are queued to it and
//! never wait, and reads are answered after every write queued before them. Each batch of writes
//! is one call of one Lua script (one request, one atomic step), and a batch waits up to
//! `LINGER` for the end of the runs it holds, so a short run is recorded in one request. Every
//! change and read is a Lua script, loaded once and called by its SHA1, so a record is never seen
//! half-written and two processes never undo each other's changes. A server that goes away fails
//! reads, and the writes made meanwhile are held and sent again once it is back (`store_thread.rs`;
//! each batch is numbered and applied once, even when its answer was lost: `<p>:writer:<name>`);
//! the next request connects again (and one that meets a connection the server dropped, as after
//! a restart, is made again on a new one at once). Every process says it is alive every so often
//! (`<p>:alive`, a sorted set of owners by when they were last heard from, by the server's
//! clock), and runs whose owner stopped are taken for lost (see `liveness.rs`).
//!
//! Keys, all under the configured prefix `<p>`:
//! - `<p>:run:<id>`: a hash of the run without its nodes. Fields as the SQLite store's columns
//!   (`flowId`, `flowHash`, `status`, `startTime`, `endTime`, `duration`, `error` (JSON),
//!   `retryOf`, `owner`, `input` and `variables` (captured JSON)), plus `member` (its entry in
//!   the sorted sets below) and `flow`: `''` when the run shares the definition stored under its
//!   hash, else its own copy.
//! - `<p>:nodes:<id>`: a list of the run's node records (JSON), in the order written; read back in
//!   the order they ended (`order_nodes`). A list rather than a hash by node id: a node may be
//!   recorded more than once, as SQLite keeps every row.
//! - `<p>:runs`, `<p>:status:<status>`, `<p>:flow:<flowId>`: sorted sets of runs, by start time,
//!   member `<16 hex digits of a sequence number>:<id>`, so runs begun in the same millisecond
//!   keep the order they began in. `list` pages one of them (the flow's checked against the
//!   status's when both filter); `prune` ranges over `<p>:runs` (and finds the runs it must not
//!   count in `<p>:status:running`), `recover` reads `<p>:status:running`.
//! - `<p>:ckpt:<id>`: a durable run's checkpoints (a hash: `input`, `variables`, `d:<node>` for
//!   each ended node's whole output, `s:<node>` for a node with effects that started and has not
//!   ended), each value with its checksum; removed when the run ends otherwise than
//!   `interrupted`. A worker whose run was taken over (its lock lapsed, another worker resumed
//!   it) writes nothing more to it: every write names its writer, and the scripts drop writes
//!   about a run another owner holds.
//! - `<p>:seq`: the sequence number (`INCR`).
//! - `<p>:def:<flowHash>`: a hash of one definition (`text`, `digest`, `refs`), kept once however
//!   many runs ran it and removed with the last of them. A process that stored or checked a
//!   definition sends its digest rather than its text on the next run of it.
//!
//! The scripts name keys they build from the prefix, which a Redis Cluster does not allow: use
//! one server (with replicas, or Sentinel in front, as you like).

mod reads;
mod scripts;
mod writes;

use std::time::Duration;

use atomiton_core::error::Result;
use atomiton_core::history::{
    Capture, Checkpoints, ExecutionPage, HistoryStore, HistoryWrite, ListQuery, OwnerAlive, Prune,
    RunEnded, RunRecord, Wake,
};
use atomiton_core::host::BoxFuture;

use super::link::Link;
use crate::history::liveness::{self, owner_timeout, writer_name};
use crate::history::stored::failure;
use crate::store_thread::{Batch, Queue};
use writes::Writer;

/// How long a batch of writes may wait for the rest of a run still going (see `Queue::spawn_with_idle`):
/// a request costs the server a fixed amount of CPU whatever it carries (even a script that
/// does nothing), and every worker shares the server, so a short run
/// recorded in one request rather than two or three leaves that much more for the queue.
const LINGER: Duration = Duration::from_millis(2);

/// Run records in Redis, shared by every process that opens the same server and prefix.
pub struct RedisHistory {
    queue: Queue<Link>,
    capture: Capture,
}

impl RedisHistory {
    /// Connects to the server at `url` (`redis://[:password@]host[:port][/db]`; no TLS), keeping
    /// every key under `key_prefix`; values are kept as `capture` says, and runs are written as
    /// `owner`'s (see `fleet_owner`: a run another owner took over is not written to). A server
    /// that cannot be reached is an error naming it.
    pub fn open(
        url: &str,
        key_prefix: &str,
        capture: Capture,
        owner: &str,
    ) -> Result<RedisHistory> {
        let link = Link::open(url, key_prefix, scripts::ALL).map_err(failure)?;
        let mut writer = Writer::new(capture.clone(), owner.to_owned(), writer_name(owner));
        let apply = move |link: &mut Link, batch: &mut Batch| writer.apply(link, batch);
        // While nothing is queued: say this process is alive, and look for runs whose owner
        // stopped (see liveness.rs).
        let owner = owner.to_owned();
        let idle = liveness::idle(
            move |link: &mut Link| drop(reads::beat(link, &owner)),
            |link: &mut Link, timeout, now| drop(reads::recover(link, &|_| false, timeout, now)),
        );
        let queue = Queue::spawn_with_idle(link, LINGER, apply, idle)
            .map_err(|e| failure(format!("cannot start its thread: {e}")))?;
        Ok(RedisHistory { queue, capture })
    }
}

impl HistoryStore for RedisHistory {
    fn write(&self, write: HistoryWrite) {
        self.queue.write(write);
    }

    fn capture(&self) -> Option<&Capture> {
        Some(&self.capture)
    }

    fn list(&self, query: ListQuery) -> BoxFuture<'static, Result<ExecutionPage>> {
        self.queue.read(move |link| reads::list(link, &query))
    }

    fn get(&self, id: String) -> BoxFuture<'static, Result<Option<RunRecord>>> {
        self.queue.read(move |link| reads::get(link, &id))
    }

    fn delete(&self, id: String) -> BoxFuture<'static, Result<bool>> {
        self.queue.read(move |link| reads::delete(link, &[id], true).map(|deleted| deleted > 0))
    }

    fn prune(&self, prune: Prune) -> BoxFuture<'static, Result<usize>> {
        self.queue.read(move |link| reads::prune(link, prune))
    }

    /// Runs whose owner has not been heard from within the owner timeout (see liveness.rs) and
    /// that `alive` does not know alive.
    fn recover(&self, alive: OwnerAlive, now: f64) -> BoxFuture<'static, Result<usize>> {
        let timeout = owner_timeout();
        self.queue.read(move |link| reads::recover(link, &*alive, timeout, now))
    }

    // Checkpoints are in the server, beside the record: another worker resumes a run whose
    // worker died. A write reaches the server after `write` returns; `stored` waits for it.
    fn keeps_checkpoints(&self) -> bool {
        true
    }

    fn stored(&self) -> Option<BoxFuture<'static, ()>> {
        // A server that went away dropped the write: the node goes ahead (see docs/queue.md).
        Some(self.queue.stored())
    }

    fn checkpoints(&self, id: String) -> BoxFuture<'static, Result<Option<Checkpoints>>> {
        self.queue.read(move |link| reads::checkpoints(link, &id))
    }

    fn claim(&self, id: String, owner: Option<String>) -> BoxFuture<'static, Result<bool>> {
        self.queue.read(move |link| reads::claim(link, &id, owner.as_deref().unwrap_or("")))
    }

    fn end_lost(&self, ended: RunEnded, owner: Option<String>) -> BoxFuture<'static, Result<bool>> {
        self.queue.read(move |link| reads::end_lost(link, &ended, owner.as_deref().unwrap_or("")))
    }

    fn wake(&self, wake: Wake) -> BoxFuture<'static, Result<bool>> {
        self.queue.read(move |link| reads::wake(link, &wake))
    }
}
