//! The native host's database client (`DatabaseClient`): the `database` node's statements run on
//! a connection of the credential's pool — PostgreSQL (`postgres/`, tokio-postgres),
//! MySQL/MariaDB (`mysql.rs`, mysql_async), SQLite (`sqlite.rs`, rusqlite on a blocking
//! thread) — each statement bounded by its timeout and the
//! node's cancellation (both cancel it on the server), what it returns by the node's row and byte
//! caps (`budget.rs`), and every error made coded and stripped of the credential's fields
//! (`errors.rs`).
//!
//! One bounded pool per credential (`pools.rs`), made on first use and replaced when the
//! credential's fields change (set again: the next run connects with the new ones).

mod budget;
mod errors;
mod failure;
mod mysql;
mod pools;
mod postgres;
mod sqlite;
mod timestamps;

use std::sync::Arc;

use atomiton_core::error::{ExecutionError, Result};
use atomiton_core::host::effects::{DatabaseClient, DatabaseWork, StatementRows};
use atomiton_core::host::BoxFuture;
use tokio::runtime::Handle;

use pools::Pools;

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
            let secrets = work.credential.clone();
            let outcome = match pools.of(&work.name, &work.credential) {
                Ok(pools::Pool::Postgres(pool)) => postgres::run(&pool, &work).await,
                Ok(pools::Pool::Mysql(pool)) => mysql::run(&pool, &work).await,
                Ok(pools::Pool::Sqlite(pool)) => sqlite::run(&pool, &work).await,
                Err(error) => Err(error),
            };
            // Whatever a driver said, no field of the credential goes out in it.
            outcome.map_err(|error| errors::redacted(error, &secrets))
        });
        Box::pin(async move {
            task.await
                .map_err(|e| ExecutionError::internal(format!("Database work stopped: {e}")))?
        })
    }
}
