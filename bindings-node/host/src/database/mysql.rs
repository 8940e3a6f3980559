//! MySQL and MariaDB for the database node: a pool of mysql_async connections per credential
//! (its `url`, or `host`, `port`, `user`, `password`, `database`; TLS as `sslmode` asks), each in UTC (`time_zone`
//! +00:00), each statement prepared and run with its values bound (the binary protocol), its
//! rows read as they come and made values by their columns' types. A statement past its
//! timeout, or whose node is cancelled, is ended on the server (`KILL QUERY`, from a connection
//! of its own), and its connection is closed rather than reused.
//!
//! Values: integers as numbers (beyond ±2^53 as BigInts), `FLOAT`/`DOUBLE` as numbers,
//! `DECIMAL` as its exact text, text as text, binary columns (`BLOB`, `BINARY`, `BIT`) as binary
//! data, `DATE` as `YYYY-MM-DD`, `DATETIME` as ISO text, `TIMESTAMP` as ISO text in UTC with
//! `Z`, `TIME` as `[-]HH:MM:SS[.ffffff]`, MySQL's `JSON` as the value it holds (MariaDB keeps
//! JSON as text: its text), `NULL` as `null`. Bound: booleans as 1/0, whole numbers as
//! integers, other numbers as doubles, BigInts as integers, text as text, binary data as bytes,
//! a `Date` as UTC `YYYY-MM-DD HH:MM:SS.ffffff`, lists and objects as their JSON text.

use std::time::Duration;

use atomiton_core::error::{ErrorCode, ExecutionError};
use atomiton_core::format::parse_json_value;
use atomiton_core::host::effects::{Credential, DatabaseWork, Statement};
use atomiton_core::value::{BytesKind, Ext, Number, ParseLimits, Value};
use deadpool::managed::{self, Metrics, Object, RecycleError, RecycleResult};
use mysql_async::consts::ColumnType;
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Opts, OptsBuilder, SslOpts, Value as My};

use super::budget::Budget;
use super::clock::within;
use super::errors::{cancelled, refused, unreachable};
use super::failure::{Failure, Reuse};
use super::pools::Bounds;
use super::postgres::integer;
use super::rows_out::RowsOut;
use super::timestamps::{date_text, days_from_civil, timestamp_text};

/// A credential's MySQL connections.
pub type MyPool = managed::Pool<Manager>;

/// Makes and checks the connections of one credential's pool.
pub struct Manager {
    opts: Opts,
    idle: Duration,
}

impl managed::Manager for Manager {
    type Type = Conn;
    type Error = mysql_async::Error;

    async fn create(&self) -> Result<Conn, mysql_async::Error> {
        Conn::new(self.opts.clone()).await
    }

    async fn recycle(&self, conn: &mut Conn, _: &Metrics) -> RecycleResult<mysql_async::Error> {
        conn.ping().await.map_err(RecycleError::Backend)
    }
}

/// The pool of a `mysql` (or `mariadb`) credential.
pub fn pool(credential: &Credential, bounds: Bounds) -> Result<MyPool, ExecutionError> {
    let invalid = |message: String| {
        ExecutionError::new(
            ErrorCode::INVALID_PARAMETERS,
            format!("[database] The credential: {message}"),
        )
    };
    let mut builder = match credential.text("url") {
        Some(url) => OptsBuilder::from_opts(
            Opts::from_url(&url).map_err(|_| invalid("url is not a mysql:// URL".to_owned()))?,
        ),
        None => OptsBuilder::default(),
    };
    if let Some(host) = credential.text("host") {
        builder = builder.ip_or_hostname(host);
    }
    if let Some(port) = credential.text("port") {
        builder = builder
            .tcp_port(port.parse().map_err(|_| invalid("port must be a port number".to_owned()))?);
    }
    if let Some(user) = credential.text("user") {
        builder = builder.user(Some(user));
    }
    if let Some(password) = credential.text("password") {
        builder = builder.pass(Some(password));
    }
    if let Some(database) = credential.text("database") {
        builder = builder.db_name(Some(database));
    }
    let builder = match tls(credential).map_err(invalid)? {
        Some(ssl) => builder.ssl_opts(ssl),
        None => builder,
    };
    // TCP only (a socket file would not be the server the credential names), in UTC.
    let builder = builder.prefer_socket(false).init(vec!["SET time_zone = '+00:00'"]);
    super::pools::build(Manager { opts: Opts::from(builder), idle: bounds.idle_timeout }, bounds)
}

/// TLS as the credential's `sslmode` asks, with libpq's names: `disable` (the default: plain
/// TCP, unless the URL says `require_ssl=true`), `require` (encrypted; the certificate not
/// checked), `verify-ca` (it chains to `sslrootcert`, a PEM file, or to the bundled web roots),
/// `verify-full` (and names the host).
fn tls(credential: &Credential) -> Result<Option<SslOpts>, String> {
    let mode = credential.text("sslmode");
    let ssl = match mode.as_deref() {
        None | Some("disable") => return Ok(None),
        Some("require") => SslOpts::default().with_danger_accept_invalid_certs(true),
        Some("verify-ca") => SslOpts::default().with_danger_skip_domain_validation(true),
        Some("verify-full") => SslOpts::default(),
        Some(other) => {
            return Err(format!("sslmode '{other}': disable, require, verify-ca or verify-full"))
        }
    };
    Ok(Some(match credential.text("sslrootcert") {
        Some(path) => ssl.with_root_certs(vec![std::path::PathBuf::from(path).into()]),
        None => ssl,
    }))
}

/// Runs `work` on a connection of `pool`, its rows going to `out`.
pub async fn run(
    pool: &MyPool,
    work: &DatabaseWork,
    out: &mut RowsOut,
) -> Result<(), ExecutionError> {
    let mut connection =
        super::pools::checkout(pool, pool.manager().idle, &work.signal, "MySQL").await?;
    let id = connection.id();
    let mut budget = Budget::new(work.limits);
    let waited = out.waited();
    let ran = statements(&mut connection, work, &mut budget, out);
    let stopped = match within(ran, work.limits.statement_timeout_ms, &waited, &work.signal).await {
        Ok(outcome) => {
            if outcome.as_ref().is_err_and(|failure| failure.reused == Reuse::Close) {
                drop(Object::take(connection));
            }
            return outcome.map_err(|failure| failure.error);
        }
        Err(stopped) => stopped,
    };
    // The statement goes on on the server until told: end it there, from another connection.
    if let Ok(mut killer) = Conn::new(pool.manager().opts.clone()).await {
        let _ = killer.query_drop(format!("KILL QUERY {id}")).await;
        let _ = killer.disconnect().await;
    }
    drop(Object::take(connection));
    Err(stopped)
}

async fn statements(
    conn: &mut Conn,
    work: &DatabaseWork,
    budget: &mut Budget,
    out: &mut RowsOut,
) -> Result<(), Failure> {
    if work.transaction {
        conn.query_drop("START TRANSACTION").await.map_err(|e| failure_of(&e))?;
    }
    for (index, statement) in work.statements.iter().enumerate() {
        if let Err(failure) = one(conn, statement, index, budget, out).await {
            if work.transaction && failure.reused == Reuse::Keep {
                let _ = conn.query_drop("ROLLBACK").await;
            }
            return Err(failure);
        }
    }
    if work.transaction {
        conn.query_drop("COMMIT").await.map_err(|e| failure_of(&e))?;
    }
    Ok(())
}

async fn one(
    conn: &mut Conn,
    statement: &Statement,
    index: usize,
    budget: &mut Budget,
    out: &mut RowsOut,
) -> Result<(), Failure> {
    let prepared = conn.prep(statement.sql.as_str()).await.map_err(|e| failure_of(&e))?;
    let expected = usize::from(prepared.num_params());
    if expected != statement.parameters.len() {
        return Err(Failure::keep(refused(
            format!(
                "statement {index}: the query has {expected} placeholder(s), and parameters gives {} value(s)",
                statement.parameters.len()
            ),
            None,
        )));
    }
    let values = statement
        .parameters
        .iter()
        .enumerate()
        .map(|(i, value)| {
            bound(value)
                .map_err(|why| Failure::keep(refused(format!("parameter {}: {why}", i + 1), None)))
        })
        .collect::<Result<Vec<My>, _>>()?;
    let params = if values.is_empty() {
        mysql_async::Params::Empty
    } else {
        mysql_async::Params::Positional(values)
    };
    let mut result = conn.exec_iter(&prepared, params).await.map_err(|e| failure_of(&e))?;
    out.begin(result.columns_ref().iter().map(|c| c.name_str().into_owned()).collect());
    while let Some(row) = result.next().await.map_err(|e| failure_of(&e))? {
        let kinds: Vec<(ColumnType, bool)> = row
            .columns_ref()
            .iter()
            // Character set 63 is `binary`: bytes, not text.
            .map(|c| (c.column_type(), c.character_set() == 63))
            .collect();
        let values: Vec<Value> = row
            .unwrap()
            .into_iter()
            .zip(kinds)
            .map(|(value, (kind, binary))| read(value, kind, binary))
            .collect::<Result<_, _>>()
            .map_err(|why| Failure::keep(refused(why, None)))?;
        if let Err(error) = budget.take(&values) {
            return Err(Failure::close(error));
        }
        out.push(values).await?;
    }
    let affected = result.affected_rows();
    drop(result);
    out.end(affected);
    Ok(())
}

fn read(value: My, kind: ColumnType, binary: bool) -> Result<Value, String> {
    use ColumnType::*;
    Ok(match value {
        My::NULL => Value::Null,
        My::Int(n) => integer(n),
        My::UInt(n) => match i64::try_from(n) {
            Ok(n) => integer(n),
            Err(_) => Value::ext(Ext::BigInt(n.to_string())),
        },
        My::Float(n) => Value::Number(Number::new(f64::from(n))),
        My::Double(n) => Value::Number(Number::new(n)),
        My::Date(year, month, day, hour, minute, second, micros) => {
            let days = days_from_civil(i64::from(year), i64::from(month), i64::from(day));
            match kind {
                MYSQL_TYPE_DATE | MYSQL_TYPE_NEWDATE => Value::String(date_text(days).into()),
                _ => {
                    let micros = days * 86_400_000_000
                        + ((i64::from(hour) * 60 + i64::from(minute)) * 60 + i64::from(second))
                            * 1_000_000
                        + i64::from(micros);
                    let zone = if matches!(kind, MYSQL_TYPE_TIMESTAMP | MYSQL_TYPE_TIMESTAMP2) {
                        "Z"
                    } else {
                        ""
                    };
                    Value::String(format!("{}{zone}", timestamp_text(micros)).into())
                }
            }
        }
        My::Time(negative, days, hours, minutes, seconds, micros) => {
            let hours = u64::from(days) * 24 + u64::from(hours);
            let mut text =
                format!("{}{hours:02}:{minutes:02}:{seconds:02}", if negative { "-" } else { "" });
            if micros > 0 {
                text.push_str(format!(".{micros:06}").trim_end_matches('0'));
            }
            Value::String(text.into())
        }
        My::Bytes(bytes) => match kind {
            MYSQL_TYPE_JSON => {
                let text = String::from_utf8(bytes)
                    .map_err(|_| "a JSON column that is not UTF-8".to_owned())?;
                parse_json_value(&text, &ParseLimits::default()).map_err(|e| e.message)?
            }
            MYSQL_TYPE_BIT => Value::bytes(BytesKind::Buffer, bytes),
            // Only a string or blob column of the binary character set holds bytes (a decimal
            // is reported in it too).
            MYSQL_TYPE_TINY_BLOB
            | MYSQL_TYPE_MEDIUM_BLOB
            | MYSQL_TYPE_LONG_BLOB
            | MYSQL_TYPE_BLOB
            | MYSQL_TYPE_VAR_STRING
            | MYSQL_TYPE_STRING
            | MYSQL_TYPE_VARCHAR
            | MYSQL_TYPE_GEOMETRY
                if binary =>
            {
                Value::bytes(BytesKind::Buffer, bytes)
            }
            _ => Value::String(
                String::from_utf8(bytes)
                    .map_err(|_| "a text column that is not UTF-8".to_owned())?
                    .into(),
            ),
        },
    })
}

fn bound(value: &Value) -> Result<My, String> {
    Ok(match value {
        Value::Null | Value::Undefined => My::NULL,
        Value::Bool(flag) => My::Int(i64::from(*flag)),
        Value::Number(n) => match n.as_i64() {
            Some(whole) => My::Int(whole),
            None => My::Double(n.get()),
        },
        Value::String(text) => My::Bytes(text.as_bytes().to_vec()),
        Value::Ext(ext) => match &**ext {
            Ext::BigInt(digits) => match digits.parse::<i64>() {
                Ok(n) => My::Int(n),
                Err(_) => {
                    My::UInt(digits.parse().map_err(|_| "a BigInt beyond 64 bits".to_owned())?)
                }
            },
            Ext::Bytes(bytes) => My::Bytes(bytes.as_slice().to_vec()),
            #[allow(clippy::cast_possible_truncation)]
            Ext::Date(ms) if ms.get().is_finite() => {
                My::Bytes(timestamp_text((ms.get() * 1000.0) as i64).replace('T', " ").into_bytes())
            }
            Ext::String16(_) => {
                return Err("text with a lone surrogate (not valid Unicode)".to_owned())
            }
            _ => return Err("a value MySQL cannot hold".to_owned()),
        },
        Value::Array(_) | Value::Object(_) => My::Bytes(
            serde_json::to_string(value).map_err(|e| format!("not JSON: {e}"))?.into_bytes(),
        ),
    })
}

/// The server's refusal (its message and SQLSTATE), or a connection that could not be made or
/// broke (retryable): then the connection is not reused.
fn failure_of(error: &mysql_async::Error) -> Failure {
    match error {
        mysql_async::Error::Server(server) => {
            // 1053 shutting down, 1927 connection killed, 2006/2013 gone away: the connection.
            if matches!(server.code, 1053 | 1927 | 2006 | 2013) {
                return Failure::close(unreachable(format!("MySQL: {}", server.message)));
            }
            if server.code == 1317 {
                return Failure::close(cancelled());
            }
            Failure::keep(refused(&server.message, Some(&server.state)))
        }
        mysql_async::Error::Io(_) | mysql_async::Error::Driver(_) => {
            Failure::close(unreachable(format!("MySQL: {error}")))
        }
        other => Failure::keep(refused(other, None)),
    }
}
