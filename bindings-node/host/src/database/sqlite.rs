//! SQLite for the database node: a pool of rusqlite connections per credential (its `path`,
//! made if absent; a relative path from the process's working directory), each piece of work on
//! a blocking thread. A statement past its timeout, or whose node is cancelled, is interrupted
//! (`sqlite3_interrupt`); a connection waits up to five seconds for another's write lock.
//!
//! Values: integers as numbers (beyond ±2^53 as BigInts), reals as numbers, text as text,
//! blobs as binary data, `NULL` as `null`; bound: booleans as 0/1, whole numbers as integers,
//! other numbers as reals, BigInts as integers, binary data as blobs, a `Date` as ISO text,
//! lists and objects as their JSON text.

use std::path::PathBuf;
use std::time::Duration;

use atomiton_core::error::{ErrorCode, ExecutionError};
use atomiton_core::host::effects::{Credential, DatabaseWork, Statement};
use atomiton_core::value::{BytesKind, Ext, Number, Value};
use deadpool::managed::{self, Metrics, Object, RecycleResult};
use rusqlite::types::Value as Sql;
use rusqlite::Connection;

use super::budget::Budget;
use super::clock::within;
use super::errors::{cancelled, refused, unreachable};
use super::pools::Bounds;
use super::postgres::integer;
use super::rows_out::RowsOut;
use super::timestamps::timestamp_text;

/// A credential's SQLite connections.
pub type SqlitePool = managed::Pool<Manager>;

/// Opens the connections of one database file.
pub struct Manager {
    path: PathBuf,
    idle: Duration,
}

impl managed::Manager for Manager {
    type Type = Connection;
    type Error = rusqlite::Error;

    async fn create(&self) -> Result<Connection, rusqlite::Error> {
        let path = self.path.clone();
        let opened = tokio::task::spawn_blocking(move || {
            let connection = Connection::open(&path)?;
            connection.busy_timeout(Duration::from_secs(5))?;
            Ok(connection)
        });
        // The opening thread panicked: said as an unusable path, the one error that fits.
        opened.await.map_err(|e| rusqlite::Error::InvalidPath(e.to_string().into()))?
    }

    async fn recycle(&self, _: &mut Connection, _: &Metrics) -> RecycleResult<rusqlite::Error> {
        Ok(())
    }
}

/// The pool of a `sqlite` credential (its `path`).
pub fn pool(credential: &Credential, bounds: Bounds) -> Result<SqlitePool, ExecutionError> {
    let path = credential.text("path").filter(|p| !p.is_empty()).ok_or_else(|| {
        ExecutionError::new(
            ErrorCode::INVALID_PARAMETERS,
            "[database] A sqlite credential needs path: the database file",
        )
    })?;
    super::pools::build(Manager { path: PathBuf::from(path), idle: bounds.idle_timeout }, bounds)
}

/// Runs `work` on a connection of `pool`, on a blocking thread, its rows going to `out`.
pub async fn run(
    pool: &SqlitePool,
    work: &DatabaseWork,
    out: &mut RowsOut,
) -> Result<(), ExecutionError> {
    let connection =
        super::pools::checkout(pool, pool.manager().idle, &work.signal, "SQLite").await?;
    let interrupt = connection.get_interrupt_handle();
    let statements = work.statements.clone();
    let (transaction, limits) = (work.transaction, work.limits);
    let waited = out.waited();
    // The rows' destination goes to the blocking thread and comes back with the connection.
    let mut moved = std::mem::replace(out, RowsOut::Gathered(Vec::new()));
    let mut blocking = tokio::task::spawn_blocking(move || {
        let outcome =
            run_all(&connection, &statements, transaction, &mut Budget::new(limits), &mut moved);
        (connection, outcome, moved)
    });
    let done = within(&mut blocking, work.limits.statement_timeout_ms, &waited, &work.signal);
    let stopped = match done.await {
        Ok(done) => {
            let (connection, outcome, moved) =
                done.map_err(|e| ExecutionError::internal(format!("[database] {e}")))?;
            drop(connection);
            *out = moved;
            return outcome;
        }
        Err(stopped) => stopped,
    };
    interrupt.interrupt();
    // The statement ends at its next step; the connection (rolled back) is then not reused.
    if let Ok((connection, _, moved)) = blocking.await {
        drop(Object::take(connection));
        *out = moved;
    }
    Err(stopped)
}

fn run_all(
    connection: &Connection,
    statements: &[Statement],
    transaction: bool,
    budget: &mut Budget,
    out: &mut RowsOut,
) -> Result<(), ExecutionError> {
    if transaction {
        connection.execute_batch("BEGIN IMMEDIATE").map_err(|e| error_of(&e))?;
    }
    for (index, statement) in statements.iter().enumerate() {
        if let Err(error) = one(connection, statement, index, budget, out) {
            if transaction || !connection.is_autocommit() {
                let _ = connection.execute_batch("ROLLBACK");
            }
            return Err(error);
        }
    }
    if transaction {
        connection.execute_batch("COMMIT").map_err(|e| error_of(&e))?;
    }
    Ok(())
}

fn one(
    connection: &Connection,
    statement: &Statement,
    index: usize,
    budget: &mut Budget,
    out: &mut RowsOut,
) -> Result<(), ExecutionError> {
    let mut prepared = connection.prepare(&statement.sql).map_err(|e| error_of(&e))?;
    let expected = prepared.parameter_count();
    if expected != statement.parameters.len() {
        return Err(refused(
            format!(
                "statement {index}: the query has {expected} placeholder(s), and parameters gives {} value(s)",
                statement.parameters.len()
            ),
            None,
        ));
    }
    let values = statement
        .parameters
        .iter()
        .enumerate()
        .map(|(i, value)| {
            bound(value).map_err(|why| refused(format!("parameter {}: {why}", i + 1), None))
        })
        .collect::<Result<Vec<Sql>, _>>()?;
    let columns: Vec<String> = prepared.column_names().iter().map(|c| (*c).to_owned()).collect();
    let width = columns.len();
    out.begin(columns);
    let mut cursor =
        prepared.query(rusqlite::params_from_iter(values)).map_err(|e| error_of(&e))?;
    while let Some(row) = cursor.next().map_err(|e| error_of(&e))? {
        let mut values = Vec::with_capacity(width);
        for i in 0..width {
            let value: Sql = row.get(i).map_err(|e| error_of(&e))?;
            values.push(read(value));
        }
        budget.take(&values)?;
        out.push_blocking(values).map_err(|failure| failure.error)?;
    }
    drop(cursor);
    out.end(if width == 0 { connection.changes() } else { 0 });
    Ok(())
}

fn read(value: Sql) -> Value {
    match value {
        Sql::Null => Value::Null,
        Sql::Integer(n) => integer(n),
        Sql::Real(n) => Value::Number(Number::new(n)),
        Sql::Text(text) => Value::String(text.into()),
        Sql::Blob(bytes) => Value::bytes(BytesKind::Buffer, bytes),
    }
}

fn bound(value: &Value) -> Result<Sql, String> {
    Ok(match value {
        Value::Null | Value::Undefined => Sql::Null,
        Value::Bool(flag) => Sql::Integer(i64::from(*flag)),
        Value::Number(n) => match n.as_i64() {
            Some(whole) => Sql::Integer(whole),
            None => Sql::Real(n.get()),
        },
        Value::String(text) => Sql::Text(text.to_string()),
        Value::Ext(ext) => match &**ext {
            Ext::BigInt(digits) => {
                Sql::Integer(digits.parse().map_err(|_| "a BigInt beyond 64 bits".to_owned())?)
            }
            Ext::Bytes(bytes) => Sql::Blob(bytes.as_slice().to_vec()),
            #[allow(clippy::cast_possible_truncation)]
            Ext::Date(ms) if ms.get().is_finite() => {
                Sql::Text(format!("{}Z", timestamp_text((ms.get() * 1000.0) as i64)))
            }
            Ext::String16(_) => {
                return Err("text with a lone surrogate (not valid Unicode)".to_owned())
            }
            _ => return Err("a value SQLite cannot hold".to_owned()),
        },
        Value::Array(_) | Value::Object(_) => {
            Sql::Text(serde_json::to_string(value).map_err(|e| format!("not JSON: {e}"))?)
        }
    })
}

/// SQLite's refusal, or a database that cannot be opened (busy beyond the wait, a file that
/// is not a database).
fn error_of(error: &rusqlite::Error) -> ExecutionError {
    match error {
        rusqlite::Error::SqliteFailure(failure, message) => {
            let text = message.clone().unwrap_or_else(|| failure.to_string());
            match failure.code {
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked => {
                    unreachable(format!("SQLite: {text}"))
                }
                rusqlite::ErrorCode::OperationInterrupted => cancelled(),
                _ => refused(text, Some(&failure.extended_code.to_string())),
            }
        }
        other => refused(other, None),
    }
}
