//! The database's tables, created (or checked) when a store opens.

use rusqlite::Connection;

/// Bumped when the tables change; a database written by a newer version is refused rather than
/// misread.
/// 2: flow definitions kept once per distinct text in `flows` (by hash); a run written by version 1
/// keeps its own copy in `runs.flow`, a run written since has `''` there.
/// 3: `nodes.cache_key` and `nodes.cache_age` (a node served from the result cache), added to a
/// database of an earlier version when it opens.
/// 4: durable runs: `runs.durable` and the `checkpoints` table, added likewise.
const VERSION: i64 = 4;

/// Opens the file's tables, creating them the first time.
pub(super) fn prepare(conn: &Connection) -> rusqlite::Result<()> {
    // WAL: readers never block the writer, and another process may use the same file.
    // NORMAL: each transaction is durable against a process crash (a power cut may lose the last
    // few), and a commit costs no fsync.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version > VERSION {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "history database version {version} is newer than this conductor's ({VERSION})"
        )));
    }
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS runs (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            flow_id TEXT NOT NULL,
            flow_hash TEXT NOT NULL,
            status TEXT NOT NULL,
            start_time REAL NOT NULL,
            end_time REAL,
            duration REAL,
            error TEXT,
            retry_of TEXT,
            owner TEXT,
            durable INTEGER NOT NULL DEFAULT 0,
            flow TEXT NOT NULL,
            input TEXT NOT NULL,
            variables TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS runs_by_start ON runs (start_time, seq);
        CREATE INDEX IF NOT EXISTS runs_by_flow ON runs (flow_id, start_time);
        CREATE INDEX IF NOT EXISTS runs_by_status ON runs (status);
        CREATE INDEX IF NOT EXISTS runs_by_hash ON runs (flow_hash);
        CREATE TABLE IF NOT EXISTS flows (
            hash TEXT PRIMARY KEY,
            flow TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS nodes (
            run_seq INTEGER NOT NULL REFERENCES runs (seq) ON DELETE CASCADE,
            node_id TEXT NOT NULL,
            node_type TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            reused INTEGER NOT NULL,
            reusable INTEGER NOT NULL,
            input TEXT,
            output TEXT,
            error TEXT,
            start_time REAL,
            end_time REAL,
            cache_key TEXT,
            cache_age REAL
        );
        CREATE INDEX IF NOT EXISTS nodes_by_run ON nodes (run_seq);
        CREATE TABLE IF NOT EXISTS checkpoints (
            run_seq INTEGER NOT NULL REFERENCES runs (seq) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            node_id TEXT NOT NULL,
            node_type TEXT NOT NULL,
            idempotent INTEGER NOT NULL,
            value TEXT,
            checksum TEXT NOT NULL,
            PRIMARY KEY (run_seq, kind, node_id)
        );",
    )?;
    if version < 4 && !has_column(conn, "runs", "durable")? {
        conn.execute_batch("ALTER TABLE runs ADD COLUMN durable INTEGER NOT NULL DEFAULT 0;")?;
    }
    if version < 3 && !has_column(conn, "nodes", "cache_key")? {
        conn.execute_batch(
            "ALTER TABLE nodes ADD COLUMN cache_key TEXT; ALTER TABLE nodes ADD COLUMN cache_age REAL;",
        )?;
    }
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "user_version", VERSION)?;
    Ok(())
}

fn has_column(conn: &Connection, table: &str, column: &str) -> rusqlite::Result<bool> {
    let mut statement = conn.prepare(&format!("PRAGMA table_info({table})"))?;
    let names = statement.query_map([], |row| row.get::<_, String>(1))?;
    for name in names {
        if name? == column {
            return Ok(true);
        }
    }
    Ok(false)
}
