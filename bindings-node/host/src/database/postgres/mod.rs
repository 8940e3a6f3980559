//! PostgreSQL for the database node: a pool of tokio-postgres clients per credential (TLS and
//! `sslmode` as the fleet's stores read them, `application_name` atomiton), each statement
//! prepared, its values bound by the types the server says its placeholders take
//! (`encode.rs`), its rows read as they stream in and made values by their columns' types
//! (`decode.rs`).
//!
//! A statement past its timeout, or whose node is cancelled, is cancelled on the server
//! (`pg_cancel_backend` through the cancel request), and its connection is closed rather than
//! reused; so is one a row cap stopped mid-stream, or one that broke.

mod decode;
mod encode;

pub use decode::integer;

use std::time::Duration;

use atomiton_core::error::{ErrorCode, ExecutionError};
use atomiton_core::host::effects::{Credential, DatabaseWork, Statement};
use deadpool::managed::{self, Metrics, Object, RecycleError, RecycleResult};
use futures::{pin_mut, TryStreamExt};
use tokio_postgres::Client;
use tokio_postgres_rustls::MakeRustlsConnect;

use super::budget::Budget;
use super::clock::within;
use super::errors::{described, refused, unreachable};
use super::failure::{Failure, Reuse};
use super::pools::Bounds;
use super::rows_out::RowsOut;

/// A credential's PostgreSQL connections.
pub type PgPool = managed::Pool<Manager>;

/// Makes and checks the connections of one credential's pool.
pub struct Manager {
    config: tokio_postgres::Config,
    tls: MakeRustlsConnect,
    /// Connections unused this long are closed.
    idle: Duration,
}

impl managed::Manager for Manager {
    type Type = Client;
    type Error = tokio_postgres::Error;

    async fn create(&self) -> Result<Client, tokio_postgres::Error> {
        let (client, connection) = self.config.connect(self.tls.clone()).await?;
        // The connection's I/O runs until the client is dropped (or the server goes away).
        drop(tokio::spawn(connection));
        Ok(client)
    }

    async fn recycle(
        &self,
        client: &mut Client,
        _: &Metrics,
    ) -> RecycleResult<tokio_postgres::Error> {
        if client.is_closed() {
            return Err(RecycleError::message("the connection is closed"));
        }
        Ok(())
    }
}

/// The pool of a `postgres` credential: its `url` (a `postgres://` URL or key-value settings,
/// `sslmode` included), or `host`, `port`, `user`, `password`, `database` (each overriding the
/// URL's).
pub fn pool(credential: &Credential, bounds: Bounds) -> Result<PgPool, ExecutionError> {
    let invalid = |message: String| {
        ExecutionError::new(
            ErrorCode::INVALID_PARAMETERS,
            format!("[database] The credential: {message}"),
        )
    };
    let url = credential.text("url").unwrap_or_default();
    let (mut config, tls, _) = crate::postgres::settings::async_settings(&url).map_err(invalid)?;
    if let Some(host) = credential.text("host") {
        config.host(&host);
    }
    if let Some(port) = credential.text("port") {
        config.port(port.parse().map_err(|_| invalid("port must be a port number".to_owned()))?);
    }
    if let Some(user) = credential.text("user") {
        config.user(&user);
    }
    if let Some(password) = credential.text("password") {
        config.password(password);
    }
    if let Some(database) = credential.text("database") {
        config.dbname(&database);
    }
    if config.get_hosts().is_empty() {
        return Err(invalid("a postgres credential needs url or host".to_owned()));
    }
    config.connect_timeout(bounds.connect_timeout);
    super::pools::build(Manager { config, tls, idle: bounds.idle_timeout }, bounds)
}

/// Runs `work` on a connection of `pool`, its rows going to `out`.
pub async fn run(
    pool: &PgPool,
    work: &DatabaseWork,
    out: &mut RowsOut,
) -> Result<(), ExecutionError> {
    let connection =
        super::pools::checkout(pool, pool.manager().idle, &work.signal, "PostgreSQL").await?;
    let tls = pool.manager().tls.clone();
    let mut budget = Budget::new(work.limits);
    let outcome = statements(&connection, work, &tls, &mut budget, out).await;
    if let Err(failure) = &outcome {
        // A connection whose statement was cancelled, cut short or broken is not given back.
        if failure.reused == Reuse::Close || connection.is_closed() {
            drop(Object::take(connection));
        }
    }
    outcome.map_err(|failure| failure.error)
}

async fn statements(
    client: &Client,
    work: &DatabaseWork,
    tls: &MakeRustlsConnect,
    budget: &mut Budget,
    out: &mut RowsOut,
) -> Result<(), Failure> {
    if work.transaction {
        client.batch_execute("BEGIN").await.map_err(|e| Failure::close(error_of(&e)))?;
    }
    for (index, statement) in work.statements.iter().enumerate() {
        if let Err(failure) = bounded(client, statement, index, work, tls, budget, out).await {
            if work.transaction && failure.reused == Reuse::Keep {
                // Rolled back here; a connection being closed rolls back by itself.
                let _ = client.batch_execute("ROLLBACK").await;
            }
            return Err(failure);
        }
    }
    if work.transaction {
        client.batch_execute("COMMIT").await.map_err(|e| Failure::close(error_of(&e)))?;
    }
    Ok(())
}

/// One statement, cancelled on the server when it runs past the timeout or the node is
/// cancelled.
async fn bounded(
    client: &Client,
    statement: &Statement,
    index: usize,
    work: &DatabaseWork,
    tls: &MakeRustlsConnect,
    budget: &mut Budget,
    out: &mut RowsOut,
) -> Result<(), Failure> {
    let cancel = client.cancel_token();
    let waited = out.waited();
    let ran = one(client, statement, index, budget, out);
    let stopped = match within(ran, work.limits.statement_timeout_ms, &waited, &work.signal).await {
        Ok(outcome) => return outcome,
        Err(stopped) => stopped,
    };
    // The statement goes on on the server until told: cancel it there (over a connection of
    // its own, with the connection's TLS).
    let _ = cancel.cancel_query(tls.clone()).await;
    Err(Failure::close(stopped))
}

async fn one(
    client: &Client,
    statement: &Statement,
    index: usize,
    budget: &mut Budget,
    out: &mut RowsOut,
) -> Result<(), Failure> {
    let prepared = client.prepare(&statement.sql).await.map_err(|e| Failure::keep(error_of(&e)))?;
    let types = prepared.params();
    if types.len() != statement.parameters.len() {
        return Err(Failure::keep(refused(
            format!(
                "statement {index}: the query has {} placeholder(s), and parameters gives {} value(s)",
                types.len(),
                statement.parameters.len()
            ),
            None,
        )));
    }
    let bound: Vec<encode::Bound<'_>> = statement
        .parameters
        .iter()
        .enumerate()
        .map(|(i, value)| encode::Bound { value, position: i + 1 })
        .collect();
    let columns: Vec<String> = prepared.columns().iter().map(|c| c.name().to_owned()).collect();
    let width = columns.len();
    out.begin(columns);
    let stream =
        client.query_raw(&prepared, bound.iter()).await.map_err(|e| Failure::keep(error_of(&e)))?;
    pin_mut!(stream);
    while let Some(row) = stream.try_next().await.map_err(|e| Failure::keep(error_of(&e)))? {
        let mut values = Vec::with_capacity(width);
        for (i, column) in row.columns().iter().enumerate() {
            let decode::Decoded(value) = row
                .try_get(i)
                .map_err(|e| Failure::keep(column_error(column.name(), column.type_(), &e)))?;
            values.push(value);
        }
        // Over a cap, the rest is not read: the connection is closed with its rows.
        budget.take(&values).map_err(Failure::close)?;
        out.push(values).await?;
    }
    out.end(stream.rows_affected().unwrap_or(0));
    Ok(())
}

/// A column whose type the node does not read.
fn column_error(
    name: &str,
    ty: &tokio_postgres::types::Type,
    error: &tokio_postgres::Error,
) -> ExecutionError {
    let source = std::error::Error::source(error)
        .map(ToString::to_string)
        .unwrap_or_else(|| error.to_string());
    refused(format!("column '{name}' ({ty}): {source}"), None)
}

/// The error of a failed request: the server's refusal (its message and SQLSTATE), or a
/// connection that could not be made or broke (retryable).
fn error_of(error: &tokio_postgres::Error) -> ExecutionError {
    if let Some(db) = error.as_db_error() {
        let mut message = db.message().to_owned();
        if let Some(detail) = db.detail() {
            message = format!("{message} ({detail})");
        }
        let code = db.code().code();
        // 08: connection exceptions; 57P01..03: the server shutting down or restarting.
        if code.starts_with("08") || code.starts_with("57P") {
            return unreachable(format!("PostgreSQL: {message}"))
                .with_context("sqlState", code.into());
        }
        return refused(message, Some(code));
    }
    if error.is_closed()
        || std::error::Error::source(error).is_some_and(|s| s.is::<std::io::Error>())
    {
        return unreachable(format!("PostgreSQL: {}", described(error)));
    }
    refused(described(error), None)
}
