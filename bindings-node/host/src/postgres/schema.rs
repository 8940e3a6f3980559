//! The database's tables: versioned migrations, applied in order when a store opens (one process
//! at a time, under an advisory lock), and a database a newer version migrated refused.

use super::link::Described;
use postgres::Client;

/// Each migration, in order; the database's version is how many it has applied. A change to the
/// tables is a new entry at the end, never an edit of one applied somewhere already.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_runs.sql"),
    include_str!("migrations/0002_run_counts.sql"),
    include_str!("migrations/0003_write.sql"),
    include_str!("migrations/0004_writers.sql"),
    include_str!("migrations/0005_storage.sql"),
    include_str!("migrations/0006_cache.sql"),
    include_str!("migrations/0007_write_sets.sql"),
    include_str!("migrations/0008_write_columns.sql"),
    include_str!("migrations/0009_waits.sql"),
    include_str!("migrations/0010_triggers.sql"),
    include_str!("migrations/0011_trigger_deliveries.sql"),
    include_str!("migrations/0012_trigger_fires_started.sql"),
    include_str!("migrations/0013_begun_in_order.sql"),
];

/// A key of our own for `pg_advisory_xact_lock`: two processes opening one database at once
/// migrate it one after the other.
const MIGRATION_LOCK: i64 = 0x6174_6f6d_6974_6f6e; // "atomiton"

/// How often the migration lock is asked for while another process holds it.
const LOCK_RETRY: std::time::Duration = std::time::Duration::from_millis(100);

/// How often a wait for it is said on stderr.
const LOCK_NOTICE_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Brings the database's tables to this version's, in one transaction. Refused when another
/// version, newer than this one, migrated it further.
pub(super) fn migrate(client: &mut Client) -> Result<(), String> {
    migrate_to(client, MIGRATIONS.len())
}

/// Brings the database's tables to version `upto` (at most this version's).
pub(super) fn migrate_to(client: &mut Client, upto: usize) -> Result<(), String> {
    let mut tx = client.transaction().map_err(|e| e.described())?;
    // Asked for again and again rather than waited for, so that a wait says so: another
    // process migrating holds it for as long as its migration takes (seconds on a fleet's
    // first start), and this runs on the store's thread, never the host's JS thread.
    let started = std::time::Instant::now();
    let mut said = std::time::Duration::ZERO;
    loop {
        let row = tx
            .query_one("SELECT pg_try_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .map_err(|e| e.described())?;
        if row.try_get::<_, bool>(0).map_err(|e| e.described())? {
            break;
        }
        let waited = started.elapsed();
        if waited >= said + LOCK_NOTICE_EVERY {
            said = waited;
            eprintln!(
                "[atomiton] PostgreSQL: waiting for another process to finish migrating the tables ({} s so far)",
                waited.as_secs()
            );
        }
        std::thread::sleep(LOCK_RETRY);
    }
    tx.batch_execute("CREATE TABLE IF NOT EXISTS atomiton_schema (version INTEGER NOT NULL)")
        .map_err(|e| e.described())?;
    let row =
        tx.query_opt("SELECT version FROM atomiton_schema", &[]).map_err(|e| e.described())?;
    let version: i32 = match row {
        Some(row) => row.try_get(0).map_err(|e| e.described())?,
        None => {
            tx.execute("INSERT INTO atomiton_schema (version) VALUES (0)", &[])
                .map_err(|e| e.described())?;
            0
        }
    };
    let upto = upto.min(MIGRATIONS.len());
    let ours = i32::try_from(MIGRATIONS.len()).unwrap_or(i32::MAX);
    if version > ours {
        return Err(format!(
            "the database's tables are at version {version}, newer than this conductor's ({ours}): upgrade @atomiton/conductor to use it"
        ));
    }
    let from = usize::try_from(version).unwrap_or(0);
    for (at, migration) in MIGRATIONS.iter().enumerate().take(upto).skip(from) {
        tx.batch_execute(migration)
            .map_err(|e| format!("migration {}: {}", at + 1, e.described()))?;
    }
    let reached = i32::try_from(upto.max(from)).unwrap_or(i32::MAX);
    tx.execute("UPDATE atomiton_schema SET version = $1", &[&reached])
        .map_err(|e| e.described())?;
    tx.commit().map_err(|e| e.described())
}

/// The version this conductor migrates to (tests set a database past it).
pub fn version() -> i32 {
    i32::try_from(MIGRATIONS.len()).unwrap_or(i32::MAX)
}
