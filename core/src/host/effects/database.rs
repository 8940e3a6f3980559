//! Databases as a host effect: the `database` node (its executor in `atomiton-database`)
//! turns its parameters into statements — SQL text the flow wrote, values bound apart — and the
//! host runs them on a connection of the credential's pool (the native host: PostgreSQL,
//! MySQL/MariaDB and SQLite clients). Values cross as the engine's own: the host converts each
//! column's type to a value and each value to the type its placeholder takes.

use crate::error::Result;
use crate::host::effects::Credential;
use crate::host::{BoxFuture, CancelToken, MaybeSend, MaybeSync};
use crate::value::Value;

/// One statement: SQL with placeholders, and the values bound to them in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sql: String,
    pub parameters: Vec<Value>,
}

/// Bounds on what a piece of work may read and how long each statement may take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DatabaseLimits {
    /// More rows than this over the work's statements is `MEMORY_LIMIT_EXCEEDED`.
    pub max_rows: u64,
    /// More bytes of values than this (as their text would take) is `MEMORY_LIMIT_EXCEEDED`.
    pub max_bytes: u64,
    /// A statement running longer is cancelled on the server: `TIMEOUT`.
    pub statement_timeout_ms: f64,
}

/// Statements to run on one connection, in order.
#[derive(Debug, Clone)]
pub struct DatabaseWork {
    /// The credential's name (the pool's) and its fields (where to connect).
    pub name: String,
    pub credential: Credential,
    pub statements: Vec<Statement>,
    /// All or nothing: inside one transaction, rolled back when a statement fails.
    pub transaction: bool,
    pub limits: DatabaseLimits,
    /// Cancelling (the run's cancel, the node's timeout) cancels the running statement on the
    /// server and gives the connection back.
    pub signal: CancelToken,
}

/// What one statement gave: its rows (values by column, in the columns' order) when it returns
/// rows, else how many rows it changed. A streamed statement's batches are each one of these:
/// the columns in every batch, `affected` in the last.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatementRows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    pub affected: u64,
}

/// Runs database work. Errors are coded: `TRANSPORT_ERROR` (retryable) for a server that cannot
/// be reached or a connection that broke, `TIMEOUT`, `CANCELLED`, `MEMORY_LIMIT_EXCEEDED`,
/// `EXECUTION_FAILED` for the database refusing a statement (its message, SQLSTATE in
/// `context.sqlState`); none quotes a credential's field.
pub trait DatabaseClient: MaybeSend + MaybeSync {
    fn run(&self, work: DatabaseWork) -> BoxFuture<'static, Result<Vec<StatementRows>>>;

    /// The rows of `work`'s statements as they are read, about `batch_rows` at a time, for a
    /// query at the head of a stream of rows: the client reads the next rows only as the
    /// batches before are taken, so a result larger than memory goes through. The caps and
    /// errors are `run`'s; the statement timeout counts the time the server takes, not the time
    /// a batch waits to be taken. Dropping the rows ends the statement. By default the work
    /// runs whole and its rows are handed on in batches (a client that cannot stream).
    fn stream(&self, work: DatabaseWork, batch_rows: usize) -> Box<dyn DatabaseRows> {
        Box::new(WholeRows { pending: Some(self.run(work)), ready: Vec::new(), batch_rows })
    }
}

/// A statement's rows, a batch at a time (see [`DatabaseClient::stream`]).
pub trait DatabaseRows: MaybeSend {
    /// The next batch: `None` once the last was given.
    fn next(&mut self) -> BoxFuture<'_, Result<Option<StatementRows>>>;
}

/// The rows of work that ran whole, handed on in batches.
struct WholeRows {
    pending: Option<BoxFuture<'static, Result<Vec<StatementRows>>>>,
    /// What is left to hand on, last statement first.
    ready: Vec<StatementRows>,
    batch_rows: usize,
}

impl DatabaseRows for WholeRows {
    fn next(&mut self) -> BoxFuture<'_, Result<Option<StatementRows>>> {
        Box::pin(async move {
            if let Some(pending) = self.pending.take() {
                self.ready = pending.await?;
                self.ready.reverse();
            }
            let Some(current) = self.ready.last_mut() else { return Ok(None) };
            if current.rows.len() <= self.batch_rows.max(1) {
                return Ok(self.ready.pop());
            }
            let rest = current.rows.split_off(self.batch_rows.max(1));
            let rows = std::mem::replace(&mut current.rows, rest);
            Ok(Some(StatementRows { columns: current.columns.clone(), rows, affected: 0 }))
        })
    }
}
