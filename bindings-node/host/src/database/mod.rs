//! The native host's database client (`DatabaseClient`): the `database` node's statements run on
//! a connection of the credential's pool — PostgreSQL (`postgres/`, tokio-postgres),
//! MySQL/MariaDB (`mysql.rs`, mysql_async), SQLite (`sqlite.rs`, rusqlite on a blocking
//! thread) — each statement bounded by its timeout and the
//! node's cancellation (both cancel it on the server), what it returns by the node's row and byte
//! caps (`budget.rs`), and every error made coded and stripped of the credential's fields
//! (`errors.rs`).
//!
//! A query at the head of a stream of rows reads the same way, its rows handed on a batch at a
//! time as the flow takes them (`rows_out.rs`); the statement timeout counts the server's time
//! (`clock.rs`).
//!
//! One bounded pool per credential (`pools.rs`), made on first use and replaced when the
//! credential's fields change (set again: the next run connects with the new ones).

mod budget;
mod clock;
mod errors;
mod failure;
mod mysql;
mod pools;
mod postgres;
mod rows_out;
mod sqlite;
mod timestamps;

use std::sync::Arc;

use atomiton_core::error::{ExecutionError, Result};
use atomiton_core::host::effects::{DatabaseClient, DatabaseRows, DatabaseWork, StatementRows};
use atomiton_core::host::BoxFuture;
use tokio::runtime::Handle;

use pools::Pools;
use rows_out::RowsOut;

/// Databases for the `database` node, their pools kept by credential (a clone shares them).
#[derive(Clone)]
pub struct NativeDatabases {
    handle: Handle,
    pools: Arc<Pools>,
}

impl NativeDatabases {
    /// Work runs on `handle`'s runtime (its connections' I/O is registered there).
    pub fn new(handle: Handle) -> NativeDatabases {
        NativeDatabases { handle, pools: Arc::new(Pools::default()) }
    }
}

impl DatabaseClient for NativeDatabases {
    fn run(&self, work: DatabaseWork) -> BoxFuture<'static, Result<Vec<StatementRows>>> {
        let pools = self.pools.clone();
        let task = self.handle.spawn(async move {
            let mut out = RowsOut::Gathered(Vec::new());
            run(&pools, &work, &mut out).await.map(|()| out.gathered())
        });
        Box::pin(async move {
            task.await
                .map_err(|e| ExecutionError::internal(format!("Database work stopped: {e}")))?
        })
    }

    fn stream(&self, work: DatabaseWork, batch_rows: usize) -> Box<dyn DatabaseRows> {
        let pools = self.pools.clone();
        let (mut out, rows) = RowsOut::streamed(batch_rows);
        // The task ends with the statement: at its last row, its failure, or as soon as the
        // reader is dropped (its next batch has nowhere to go).
        drop(self.handle.spawn(async move {
            let outcome = run(&pools, &work, &mut out).await;
            out.close(outcome).await;
        }));
        Box::new(rows)
    }
}

/// `work` on a connection of its credential's pool, its rows going to `out`.
async fn run(pools: &Pools, work: &DatabaseWork, out: &mut RowsOut) -> Result<()> {
    let outcome = match pools.of(&work.name, &work.credential) {
        Ok(pools::Pool::Postgres(pool)) => postgres::run(&pool, work, out).await,
        Ok(pools::Pool::Mysql(pool)) => mysql::run(&pool, work, out).await,
        Ok(pools::Pool::Sqlite(pool)) => sqlite::run(&pool, work, out).await,
        Err(error) => Err(error),
    };
    // Whatever a driver said, no field of the credential goes out in it.
    outcome.map_err(|error| errors::redacted(error, &work.credential))
}
