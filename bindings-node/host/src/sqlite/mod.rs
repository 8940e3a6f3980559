//! SQLite, for one machine: the history database beside the flows (its tables, created or
//! checked when it opens), the run history kept in it (its retention in `prune.rs`), the node result cache's table and the
//! triggers' tables. The history writes on a store thread of its own (`crate::store_thread`); the
//! cache and the triggers of one file share one link (`shared.rs`).

pub(crate) mod cache;
pub(crate) mod history;
mod prune;
mod schema;
mod shared;
pub(crate) mod triggers;

use std::path::Path;

use atomiton_core::error::{ExecutionError, Result};

use crate::history::store_failure;

/// The database at `path` (created, with its directory, when absent) for a store beside the
/// history's — `store` names it in errors ("Result cache") — with the history's settings: WAL
/// (the history's writer and the other stores' threads use the file at once, as other
/// processes may), no fsync per commit, and a wait rather than an error while another holds
/// the write lock. `tables` is run once it is open (`CREATE TABLE IF NOT EXISTS ...`).
pub(crate) fn open_beside_history(
    path: &Path,
    store: &str,
    tables: &str,
) -> Result<rusqlite::Connection> {
    let failed = |e: &dyn std::fmt::Display| -> ExecutionError {
        store_failure(format!("{store}: cannot open {}: {e}", path.display()))
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| failed(&e))?;
    }
    let conn = rusqlite::Connection::open(path).map_err(|e| failed(&e))?;
    conn.pragma_update(None, "journal_mode", "WAL").map_err(|e| failed(&e))?;
    conn.pragma_update(None, "synchronous", "NORMAL").map_err(|e| failed(&e))?;
    conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(|e| failed(&e))?;
    conn.execute_batch(tables).map_err(|e| failed(&e))?;
    Ok(conn)
}
