//! One link per database file: the result cache's table and the triggers' tables, kept in the
//! history's database, share one connection on one thread instead of opening one each (a
//! connection holds the file open and its own page cache). Their jobs are answered in the order
//! they were asked, as each store's own were. The history keeps its writer's connection: a cache
//! lookup must not wait behind a batch of a run's writes.
//!
//! The link is made by the first store that opens on a path and closed once the last store
//! using it is dropped (with its conductor); a store opened on that path later makes a new one.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use atomiton_core::error::Result;
use atomiton_core::host::BoxFuture;
use rusqlite::Connection;

use crate::history::store_failure;
use crate::links::Links;
use crate::store_thread::Queue;

/// The links open now, by the path they were opened with.
static OPEN: Links<PathBuf, Queue<Connection>> = Links::new();

/// A store's handle on the link of its database file: `store` names it in errors.
pub(crate) struct SharedFile {
    queue: Arc<Queue<Connection>>,
    store: &'static str,
}

impl SharedFile {
    /// The link to the database at `path` for `store`, with `tables` made (`CREATE TABLE IF NOT
    /// EXISTS ...`): the one open already, else a new one (the file created when absent, see
    /// [`super::open_beside_history`]).
    pub(crate) fn open(
        path: &Path,
        store: &'static str,
        tables: &'static str,
    ) -> Result<SharedFile> {
        let (queue, opened_here) = OPEN.get_or_open(path.to_path_buf(), || {
            let conn = super::open_beside_history(path, store, tables)?;
            Queue::jobs(conn, "SQLite")
                .map_err(|e| store_failure(format!("{store}: cannot start its thread: {e}")))
        })?;
        if opened_here {
            return Ok(SharedFile { queue, store });
        }
        // The link is another store's: this store's tables are made on its thread, in order with
        // that store's jobs, and waited for here as they were when each store opened its own.
        let (tables_made, answer) = std::sync::mpsc::channel();
        drop(queue.read_for(store, move |conn: &mut Connection| {
            let _ = tables_made.send(conn.execute_batch(tables));
            Ok::<(), String>(())
        }));
        let failed = |e: &dyn std::fmt::Display| {
            store_failure(format!("{store}: cannot open {}: {e}", path.display()))
        };
        match answer.recv() {
            Ok(result) => result.map_err(|e| failed(&e))?,
            Err(_) => return Err(failed(&"its thread has stopped")),
        }
        Ok(SharedFile { queue, store })
    }

    /// Runs `job` with the connection on the link's thread, after every job asked before it (by
    /// any store sharing the link).
    pub(crate) fn job<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> BoxFuture<'static, Result<T>> {
        self.queue.read_for(self.store, job)
    }
}
