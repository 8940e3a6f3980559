//! One bounded pool per credential: made when a node first names it, kept while its fields stay
//! the same, replaced when they change (a credential set again), so a rotated password is what
//! the next run connects with. Connections unused for the credential's `idleTimeout` are
//! closed; a broken one is dropped and replaced when next asked for.
//!
//! A credential's fields that shape its pool (each optional): `maxConnections` (default 10, at
//! most 100), `connectTimeout` (ms, default 10 s), `idleTimeout` (ms, default 5 min).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use atomiton_core::error::{ErrorCode, ExecutionError};
use atomiton_core::host::effects::Credential;
use atomiton_core::host::CancelToken;
use deadpool::managed;

use super::errors::unreachable;
use super::{mysql, postgres, sqlite};

/// A credential's pool, by its database.
#[derive(Clone)]
pub enum Pool {
    Postgres(Arc<postgres::PgPool>),
    Mysql(Arc<mysql::MyPool>),
    Sqlite(Arc<sqlite::SqlitePool>),
}

/// How a pool is bounded.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    pub max_connections: usize,
    pub connect_timeout: Duration,
    pub idle_timeout: Duration,
}

impl Bounds {
    fn of(credential: &Credential) -> Result<Bounds, ExecutionError> {
        let number = |name: &str, default: f64, max: f64| -> Result<f64, ExecutionError> {
            match credential.text(name) {
                None => Ok(default),
                Some(text) => text.parse::<f64>().ok().filter(|n| *n >= 1.0 && *n <= max).ok_or_else(|| {
                    ExecutionError::new(
                        ErrorCode::INVALID_PARAMETERS,
                        format!("[database] The credential's {name} must be a number from 1 to {max}"),
                    )
                }),
            }
        };
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(Bounds {
            max_connections: number("maxConnections", 10.0, 100.0)? as usize,
            connect_timeout: Duration::from_millis(
                number("connectTimeout", 10_000.0, 600_000.0)? as u64
            ),
            idle_timeout: Duration::from_millis(
                number("idleTimeout", 300_000.0, 86_400_000.0)? as u64
            ),
        })
    }
}

/// The pools, by credential name.
#[derive(Default)]
pub struct Pools {
    by_name: Mutex<HashMap<String, (u64, Pool)>>,
}

impl Pools {
    /// The pool of the credential `name` with these fields.
    pub fn of(&self, name: &str, credential: &Credential) -> Result<Pool, ExecutionError> {
        let fingerprint = fingerprint(credential);
        let mut pools = self.by_name.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((known, pool)) = pools.get(name) {
            if *known == fingerprint {
                return Ok(pool.clone());
            }
        }
        let bounds = Bounds::of(credential)?;
        let pool = match kind_of(&credential.kind) {
            Some(Kind::Postgres) => Pool::Postgres(Arc::new(postgres::pool(credential, bounds)?)),
            Some(Kind::Mysql) => Pool::Mysql(Arc::new(mysql::pool(credential, bounds)?)),
            Some(Kind::Sqlite) => Pool::Sqlite(Arc::new(sqlite::pool(credential, bounds)?)),
            None => {
                return Err(ExecutionError::new(
                    ErrorCode::INVALID_PARAMETERS,
                    format!("[database] A credential of type '{}' names no database this conductor reaches (postgres, mysql, sqlite)", credential.kind),
                ))
            }
        };
        // The pool it replaces closes its connections once the runs using them give them back.
        pools.insert(name.to_owned(), (fingerprint, pool.clone()));
        Ok(pool)
    }
}

/// A pool of `manager`'s connections within `bounds`.
pub fn build<M: managed::Manager>(
    manager: M,
    bounds: Bounds,
) -> Result<managed::Pool<M>, ExecutionError> {
    managed::Pool::builder(manager)
        .max_size(bounds.max_connections)
        .create_timeout(Some(bounds.connect_timeout))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map_err(|e| ExecutionError::internal(format!("[database] A pool: {e}")))
}

/// A connection of `pool` (waiting for one while all are in use, until `signal` cancels), once
/// those unused for `idle` are closed (each checkout looks: the pools keep no timer).
pub async fn checkout<M: managed::Manager>(
    pool: &managed::Pool<M>,
    idle: Duration,
    signal: &CancelToken,
    database: &str,
) -> Result<managed::Object<M>, ExecutionError>
where
    M::Error: std::error::Error,
{
    pool.retain(|_, metrics| metrics.last_used() < idle);
    tokio::select! {
        got = pool.get() => got.map_err(|e| match e {
            managed::PoolError::Timeout(_) => {
                unreachable(format!("{database} did not accept a connection within connectTimeout"))
            }
            managed::PoolError::Backend(e) => {
                unreachable(format!("{database} cannot be reached: {}", super::errors::described(&e)))
            }
            other => unreachable(format!("{database}: {other}")),
        }),
        () = signal.cancelled() => Err(super::errors::cancelled()),
    }
}

/// The databases this host reaches.
enum Kind {
    Postgres,
    Mysql,
    Sqlite,
}

fn kind_of(kind: &str) -> Option<Kind> {
    match kind.to_ascii_lowercase().as_str() {
        "postgres" | "postgresql" => Some(Kind::Postgres),
        "mysql" | "mariadb" => Some(Kind::Mysql),
        "sqlite" => Some(Kind::Sqlite),
        _ => None,
    }
}

/// A hash of what the credential says (in memory only, to notice a change).
fn fingerprint(credential: &Credential) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    credential.kind.hash(&mut hasher);
    for (name, value) in credential.fields.iter() {
        name.hash(&mut hasher);
        serde_json::to_string(value).unwrap_or_default().hash(&mut hasher);
    }
    hasher.finish()
}
