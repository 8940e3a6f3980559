//! The database's tables: versioned migrations, applied in order when a store opens (one process
//! at a time, under an advisory lock), and a database a newer version migrated refused.

use super::link::Described;
use postgres::Client;

/// Each migration, in order; the database's version is how many it has applied. A change to the
/// tables is a new entry at the end, never an edit of one applied somewhere already.
const MIGRATIONS: &[&str] = &[
    // 1: runs, flows kept once per distinct text, nodes, and durable runs' checkpoints.
    "CREATE TABLE atomiton_runs (
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        flow_id TEXT NOT NULL,
        flow_hash TEXT NOT NULL,
        status TEXT NOT NULL,
        start_time DOUBLE PRECISION NOT NULL,
        end_time DOUBLE PRECISION,
        duration DOUBLE PRECISION,
        error TEXT,
        retry_of TEXT,
        owner TEXT,
        durable BOOLEAN NOT NULL DEFAULT FALSE,
        claimed BOOLEAN NOT NULL DEFAULT FALSE,
        flow TEXT NOT NULL,
        input TEXT NOT NULL,
        variables TEXT NOT NULL
    );
    CREATE INDEX atomiton_runs_by_start ON atomiton_runs (start_time, seq);
    CREATE INDEX atomiton_runs_by_flow ON atomiton_runs (flow_id, start_time, seq);
    CREATE INDEX atomiton_runs_by_status ON atomiton_runs (status, start_time, seq);
    CREATE INDEX atomiton_runs_by_hash ON atomiton_runs (flow_hash);
    CREATE TABLE atomiton_flows (
        hash TEXT PRIMARY KEY,
        flow TEXT NOT NULL
    );
    CREATE TABLE atomiton_nodes (
        row_seq BIGSERIAL PRIMARY KEY,
        run_seq BIGINT NOT NULL REFERENCES atomiton_runs (seq) ON DELETE CASCADE,
        node_id TEXT NOT NULL,
        node_type TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        reused BOOLEAN NOT NULL,
        reusable BOOLEAN NOT NULL,
        input TEXT,
        output TEXT,
        error TEXT,
        start_time DOUBLE PRECISION,
        end_time DOUBLE PRECISION,
        cache_key TEXT,
        cache_age DOUBLE PRECISION
    );
    CREATE INDEX atomiton_nodes_by_run ON atomiton_nodes (run_seq);
    CREATE TABLE atomiton_checkpoints (
        run_seq BIGINT NOT NULL REFERENCES atomiton_runs (seq) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        node_id TEXT NOT NULL,
        node_type TEXT NOT NULL,
        idempotent BOOLEAN NOT NULL,
        value TEXT,
        checksum TEXT NOT NULL,
        PRIMARY KEY (run_seq, kind, node_id)
    );",
    // 2: how many runs each flow has in each status, kept by triggers: a page's total (and the
    // dashboard's counts) without counting a million rows.
    "CREATE TABLE atomiton_run_counts (
        flow_id TEXT NOT NULL,
        status TEXT NOT NULL,
        runs BIGINT NOT NULL,
        PRIMARY KEY (flow_id, status)
    );
    CREATE FUNCTION atomiton_count_runs() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE atomiton_run_counts SET runs = runs - 1
                WHERE flow_id = OLD.flow_id AND status = OLD.status;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO atomiton_run_counts (flow_id, status, runs) VALUES (NEW.flow_id, NEW.status, 1)
                ON CONFLICT (flow_id, status) DO UPDATE SET runs = atomiton_run_counts.runs + 1;
        END IF;
        RETURN NULL;
    END $$;
    CREATE TRIGGER atomiton_runs_counted AFTER INSERT OR DELETE ON atomiton_runs
        FOR EACH ROW EXECUTE FUNCTION atomiton_count_runs();
    CREATE TRIGGER atomiton_runs_recounted AFTER UPDATE OF status, flow_id ON atomiton_runs
        FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.flow_id IS DISTINCT FROM NEW.flow_id)
        EXECUTE FUNCTION atomiton_count_runs();
    INSERT INTO atomiton_run_counts (flow_id, status, runs)
        SELECT flow_id, status, COUNT(*) FROM atomiton_runs GROUP BY flow_id, status;",
    // 3: a batch of writes in one call of a function (one round trip a batch; see sql/write.sql).
    include_str!("sql/write.sql"),
    // 4: batches applied once, and owners heard from (see sql/writers.sql).
    include_str!("sql/writers.sql"),
    // 5: saved flows (`storage: {type: "postgres"}`): each key's text, as a directory of files
    // keeps them.
    "CREATE TABLE atomiton_storage (
        key TEXT PRIMARY KEY,
        text TEXT NOT NULL,
        saved_at TIMESTAMPTZ NOT NULL
    );",
    // 6: the node result cache a fleet shares (see sql/cache.sql).
    include_str!("sql/cache.sql"),
    // 7: a batch applied a kind of write at a time (see sql/write_sets.sql).
    include_str!("sql/write_sets.sql"),
    // 8: a batch sent as typed columns, nodes kept a set at a time, counted once per batch (see
    // sql/write_columns.sql).
    include_str!("sql/write_columns.sql"),
    // 9: runs parked at a wait node keep their checkpoints (see sql/waits.sql).
    include_str!("sql/waits.sql"),
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
