//! Execution history on disk: run records in one SQLite database beside the flows, written by
//! one thread of its own so recording never holds up the JS thread or a run; or, for queue mode,
//! in Redis, shared by every worker and producer ([`RedisHistory`]), or in PostgreSQL, shared by a
//! fleet ([`PostgresHistory`]).
//!
//! Why SQLite rather than a log of JSON lines: `executions.list` filters, sorts and pages, and
//! `prune` removes from the middle; a log would have to be read whole (or indexed in memory,
//! which grows with every run kept) for both, and rewritten to remove anything. SQLite does both
//! with indexes, each write batch is one transaction (a killed process leaves whole records), and
//! WAL mode lets a second conductor (another process) read and write the same file.

pub(crate) mod checkpoints;
mod crashed;
pub(crate) mod journal;
pub(crate) mod liveness;
mod owner;
pub(crate) mod stored;
pub(crate) use stored::store_failure;

pub use crate::postgres::history::{
    migrate_to as postgres_migrate_to, schema_version as postgres_schema_version, PostgresHistory,
};
pub use crate::redis::history::RedisHistory;
pub use crate::sqlite::history::SqliteHistory;
pub use crashed::{mark_crashed, mark_lost};
pub use liveness::OWNER_TIMEOUT_VARIABLE;
pub use owner::{fleet_owner, owner_alive, this_owner};
