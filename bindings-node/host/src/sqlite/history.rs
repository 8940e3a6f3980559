//! [`SqliteHistory`]: the native [`HistoryStore`].

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use atomiton_core::error::Result;
use atomiton_core::history::{
    Capture, Checkpoints, ExecutionPage, HistoryStore, HistoryWrite, ListQuery, NodeEnded,
    NodeRecord, OwnerAlive, Prune, RunBegun, RunEnded, RunRecord, RunStatus, RunSummary, Wake,
};
use atomiton_core::host::BoxFuture;
use atomiton_core::progress::NodeState;
use atomiton_core::storage::SortOrder;
use atomiton_core::value::Value;
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction, TransactionBehavior};

use crate::history::checkpoints;
use crate::history::journal::Journal;
use crate::history::stored::{failure, from_json, status, to_json, value, KnownFlows, NodeRow};
use crate::store_thread::{Applied, Batch, Queue};

/// Run records in one SQLite file. Writes are queued to the store's thread and never wait;
/// reads are answered on that thread after every write queued before them.
pub struct SqliteHistory {
    queue: Queue<Connection>,
    capture: Capture,
    /// Where durable runs' checkpoints are written first, on the runs' threads.
    journal: Arc<Journal>,
    /// The directory of the journals (this store's and those of processes that died).
    journals: Arc<Path>,
}

impl SqliteHistory {
    /// `true`: a durable run's checkpoints before a node with effects reach the disk before the
    /// node starts (see `Journal::sync_starts`; `durability.sync`).
    pub fn sync_effect_starts(&self, synced: bool) {
        self.journal.sync_starts(synced);
    }

    /// Opens (creating when absent) the database at `path`; values are kept as `capture` says.
    pub fn open(path: &Path, capture: Capture) -> Result<SqliteHistory> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| failure(format!("cannot create {}: {e}", dir.display())))?;
        }
        let conn = Connection::open(path)
            .map_err(|e| failure(format!("cannot open {}: {e}", path.display())))?;
        super::schema::prepare(&conn)
            .map_err(|e| failure(format!("cannot prepare {}: {e}", path.display())))?;
        let mut known = KnownFlows::default();
        let kept = capture.clone();
        let journals: Arc<Path> = Arc::from(path.with_extension("checkpoints"));
        let journal = Arc::new(Journal::new(journals.to_path_buf()));
        let (flushed, imported) = (journal.clone(), journal.clone());
        // No lingering: a batch is whatever writes are queued when the thread takes the first.
        let apply = move |conn: &mut Connection, batch: &mut Batch| {
            // A store that cannot write drops the records and keeps going: history never fails a
            // run (the run's own result still reaches its caller).
            // The write lock first (IMMEDIATE, waiting the busy timeout for it): a deferred
            // transaction that read and then found the file written by another connection (the
            // triggers' or the cache's thread, another process) cannot write at all, whatever the
            // timeout, and its whole batch would be dropped.
            let Ok(tx) = conn.transaction_with_behavior(TransactionBehavior::Immediate) else {
                return Applied::Done;
            };
            // Runs that stopped to go on later: their journal entries, moved into the database
            // by this batch, are let go of once it is committed (not before: a failed commit
            // leaves them in the journal, for the next conductor to move).
            let mut moved = Vec::new();
            for write in std::mem::take(&mut batch.writes) {
                let parked = match &write {
                    HistoryWrite::Ended(ended) if ended.status.keeps_checkpoints() => {
                        Some(ended.execution_id.clone())
                    }
                    _ => None,
                };
                // A write that fails is dropped; the rest of the batch goes on.
                if apply(&tx, write, (&capture, &imported), &mut known).is_ok() {
                    moved.extend(parked);
                }
            }
            if tx.commit().is_ok() {
                for run in moved {
                    imported.ended(&run);
                }
            }
            Applied::Done
        };
        // Checkpoints kept for later go to the file off the runs' threads when no start took
        // them along (see `journal.rs`).
        let queue =
            Queue::spawn_with_idle(conn, Duration::ZERO, apply, move |_: &mut Connection| {
                flushed.flush_due()
            })
            .map_err(|e| failure(format!("cannot start its thread: {e}")))?;
        Ok(SqliteHistory { queue, capture: kept, journal, journals })
    }

    /// Runs `job` on the store's thread, after every write queued before it.
    fn read<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> BoxFuture<'static, Result<T>> {
        self.queue.read(job)
    }
}

fn apply(
    tx: &Transaction<'_>,
    write: HistoryWrite,
    (capture, journal): (&Capture, &Journal),
    known: &mut KnownFlows,
) -> rusqlite::Result<()> {
    match write {
        HistoryWrite::Begun(begun) => begin(tx, &begun, capture, known),
        // Checkpoints went to the journal where the run wrote them (see `journal.rs`).
        HistoryWrite::Started(_) => Ok(()),
        HistoryWrite::Node(node) => node_ended(tx, &node, capture),
        HistoryWrite::Ended(ended) => {
            if ended.status.keeps_checkpoints() {
                checkpoints::import_run(tx, journal, &ended.execution_id)?;
            }
            run_ended(tx, &ended)
        }
    }
}

fn begin(
    tx: &Transaction<'_>,
    begun: &RunBegun,
    capture: &Capture,
    known: &mut KnownFlows,
) -> rusqlite::Result<()> {
    let s = &begun.summary;
    let hash = if s.flow_hash.is_empty() { begun.flow_hash() } else { s.flow_hash.clone() };
    // One copy per distinct definition: runs of a flow that carries its data (a 100,000-item
    // array) would otherwise store it again every run. The hash is not collision-proof (a
    // caller could craft a flow with another's hash), so a stored copy is shared only when it is
    // this definition: the same text as a run this store checked, or the same stored JSON;
    // otherwise the run keeps its own copy.
    let mut own_copy = None;
    if known.holds(&hash, begun).is_none() {
        // Self-contained (binary data inline), redacted, never cut: a retry runs it again.
        let flow = capture.uncapped().value(&begun.flow_value(capture)).json;
        let stored: Option<String> = tx
            .prepare_cached("SELECT flow FROM flows WHERE hash = ?1")?
            .query_row(params![hash], |row| row.get(0))
            .optional()?;
        match stored {
            None => {
                tx.prepare_cached("INSERT INTO flows (hash, flow) VALUES (?1, ?2)")?
                    .execute(params![hash, flow])?;
                known.add(&hash, begun, ());
            }
            Some(stored) if stored == flow => known.add(&hash, begun, ()),
            Some(_) => own_copy = Some(flow),
        }
    }
    let error = s.error.as_ref().map(to_json);
    // A second `Begun` of a run amends the values the embedder wrote out after it began.
    tx.prepare_cached(
        "INSERT INTO runs (id, flow_id, flow_hash, status, start_time, end_time, duration, error, retry_of, owner, flow, input, variables, durable)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (id) DO UPDATE SET input = excluded.input, variables = excluded.variables",
    )?
    .execute(params![
        s.id,
        s.flow_id,
        hash,
        s.status.as_str(),
        s.start_time,
        s.end_time,
        s.duration,
        error,
        s.retry_of,
        s.owner,
        own_copy.as_deref().unwrap_or(""),
        capture.input(&begun.input).json,
        capture.value(&begun.variables).json,
        s.durable
    ])?;
    Ok(())
}

fn node_ended(tx: &Transaction<'_>, node: &NodeEnded, capture: &Capture) -> rusqlite::Result<()> {
    let row = NodeRow::of(node, capture);
    tx.prepare_cached(
        "INSERT INTO nodes (run_seq, node_id, node_type, state, attempts, reused, reusable, input, output, error, start_time, end_time, cache_key, cache_age)
         SELECT seq, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14 FROM runs WHERE id = ?1",
    )?
    .execute(params![
        &*node.execution_id,
        row.node_id,
        row.node_type,
        row.state,
        row.attempts,
        row.reused,
        row.reusable,
        row.input,
        row.output,
        row.error,
        row.start_time,
        row.end_time,
        row.cache_key,
        row.cache_age
    ])?;
    Ok(())
}

/// Drops definitions no kept run ran.
pub(super) fn forget_unused_flows(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM flows WHERE hash NOT IN (SELECT flow_hash FROM runs)")?
        .execute([])?;
    Ok(())
}

fn run_ended(tx: &Transaction<'_>, ended: &RunEnded) -> rusqlite::Result<()> {
    if !ended.status.keeps_checkpoints() {
        // An ended run is never resumed: its checkpoints go (its record stays).
        tx.prepare_cached(
            "DELETE FROM checkpoints WHERE run_seq = (SELECT seq FROM runs WHERE id = ?1)",
        )?
        .execute(params![&*ended.execution_id])?;
    }
    tx.prepare_cached("UPDATE runs SET status = ?2, end_time = ?3, duration = ?3 - start_time, error = ?4 WHERE id = ?1")?.execute(params![
        &*ended.execution_id,
        ended.status.as_str(),
        ended.end_time,
        ended.error.as_ref().map(to_json)
    ])?;
    Ok(())
}

const SUMMARY_COLUMNS: &str =
    "id, flow_id, flow_hash, status, start_time, end_time, duration, error, retry_of, owner, durable";

fn summary(row: &Row<'_>) -> rusqlite::Result<RunSummary> {
    Ok(RunSummary {
        id: row.get(0)?,
        flow_id: row.get(1)?,
        flow_hash: row.get(2)?,
        status: status(&row.get::<_, String>(3)?),
        start_time: row.get(4)?,
        end_time: row.get(5)?,
        duration: row.get(6)?,
        error: from_json(row.get(7)?),
        retry_of: row.get(8)?,
        owner: row.get(9)?,
        durable: row.get(10)?,
    })
}

fn node(row: &Row<'_>) -> rusqlite::Result<NodeRecord> {
    Ok(NodeRecord {
        node_id: row.get(0)?,
        node_type: row.get(1)?,
        state: from_json(row.get(2)?).unwrap_or(NodeState::Error),
        attempts: row.get(3)?,
        reused: row.get(4)?,
        reusable: row.get(5)?,
        input: value(row.get(6)?),
        output: value(row.get(7)?),
        error: from_json(row.get(8)?),
        start_time: row.get(9)?,
        end_time: row.get(10)?,
        cache_key: row.get(11)?,
        cache_age: row.get(12)?,
    })
}

impl HistoryStore for SqliteHistory {
    fn write(&self, write: HistoryWrite) {
        // A checkpoint that cannot be written is not: the run goes on (history never fails a
        // run), and a resume of it runs that node again.
        let _ = checkpoints::journal(&self.journal, &write);
        // A start is only a checkpoint: the database has nothing to do with it (and the store's
        // thread is not woken for it).
        if !matches!(write, HistoryWrite::Started(_)) {
            self.queue.write(write);
        }
    }

    fn capture(&self) -> Option<&Capture> {
        Some(&self.capture)
    }

    fn list(&self, query: ListQuery) -> BoxFuture<'static, Result<ExecutionPage>> {
        self.read(move |conn| {
            let filter = "WHERE (?1 IS NULL OR flow_id = ?1) AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR start_time >= ?3) AND (?4 IS NULL OR start_time < ?4)";
            let status = query.status.map(RunStatus::as_str);
            let (since, until) = (query.since, query.until);
            let total: i64 = conn.prepare_cached(&format!("SELECT COUNT(*) FROM runs {filter}"))?.query_row(params![query.flow_id, status, since, until], |row| row.get(0))?;
            let order = if query.sort_order == SortOrder::Asc { "ASC" } else { "DESC" };
            let sql = format!("SELECT {SUMMARY_COLUMNS} FROM runs {filter} ORDER BY start_time {order}, seq {order} LIMIT ?5 OFFSET ?6");
            let limit = i64::try_from(query.limit).unwrap_or(i64::MAX);
            let offset = i64::try_from(query.offset).unwrap_or(i64::MAX);
            let executions = conn.prepare_cached(&sql)?.query_map(params![query.flow_id, status, since, until, limit, offset], summary)?.collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(ExecutionPage { executions, total: usize::try_from(total).unwrap_or(0) })
        })
    }

    fn get(&self, id: String) -> BoxFuture<'static, Result<Option<RunRecord>>> {
        self.read(move |conn| {
            let found = conn
                .prepare_cached(&format!(
                    "SELECT {SUMMARY_COLUMNS}, seq, CASE runs.flow WHEN '' THEN (SELECT flow FROM flows WHERE hash = runs.flow_hash) ELSE runs.flow END, input, variables FROM runs WHERE id = ?1"
                ))?
                .query_row(params![id], |row| Ok((summary(row)?, row.get::<_, i64>(11)?, row.get(12)?, row.get(13)?, row.get(14)?)))
                .optional()?;
            let Some((summary, seq, flow, input, variables)) = found else { return Ok(None) };
            let nodes = conn
                .prepare_cached("SELECT node_id, node_type, state, attempts, reused, reusable, input, output, error, start_time, end_time, cache_key, cache_age FROM nodes WHERE run_seq = ?1 ORDER BY end_time IS NULL, end_time, rowid")?
                .query_map(params![seq], node)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let field = |text: String| value(Some(text)).unwrap_or(Value::Null);
            Ok(Some(RunRecord { summary, flow: field(flow), input: field(input), variables: field(variables), nodes }))
        })
    }

    fn delete(&self, id: String) -> BoxFuture<'static, Result<bool>> {
        self.read(move |conn| {
            let deleted =
                conn.prepare_cached("DELETE FROM runs WHERE id = ?1")?.execute(params![id])? > 0;
            forget_unused_flows(conn)?;
            Ok(deleted)
        })
    }

    fn prune(&self, prune: Prune) -> BoxFuture<'static, Result<usize>> {
        self.read(move |conn| super::prune::prune(conn, prune))
    }

    fn keeps_checkpoints(&self) -> bool {
        true
    }

    fn checkpoints(&self, id: String) -> BoxFuture<'static, Result<Option<Checkpoints>>> {
        self.queue.read(move |conn| checkpoints::read(conn, &id))
    }

    fn claim(&self, id: String, owner: Option<String>) -> BoxFuture<'static, Result<bool>> {
        self.read(move |conn| {
            let claimed = conn
                .prepare_cached("UPDATE runs SET status = 'running', owner = ?2, end_time = NULL, duration = NULL, error = NULL WHERE id = ?1 AND status = 'interrupted'")?
                .execute(params![id, owner])?;
            Ok::<_, rusqlite::Error>(claimed == 1)
        })
    }

    fn wake(&self, wake: Wake) -> BoxFuture<'static, Result<bool>> {
        self.read(move |conn| {
            // One write transaction: of two processes waking the run, one sees it waiting.
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let found: Option<(String, Option<String>)> = tx
                .prepare_cached("SELECT status, error FROM runs WHERE id = ?1")?
                .query_row(params![wake.execution_id], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            let waits_there = found.is_some_and(|(status, error)| {
                let error = error.and_then(|text| serde_json::from_str(&text).ok());
                status == RunStatus::Waiting.as_str()
                    && wake.matches(RunStatus::Waiting, error.as_ref())
            });
            if !waits_there {
                return Ok(false);
            }
            checkpoints::store_wake(&tx, &wake)?;
            tx.prepare_cached("UPDATE runs SET status = 'interrupted', error = NULL WHERE id = ?1 AND status = 'waiting'")?
                .execute(params![wake.execution_id])?;
            tx.commit()?;
            Ok::<_, rusqlite::Error>(true)
        })
    }

    fn recover(&self, alive: OwnerAlive, now: f64) -> BoxFuture<'static, Result<usize>> {
        let journals = self.journals.clone();
        self.read(move |conn| {
            // Read and marked in one write transaction: another conductor on the file that takes
            // a run over meanwhile (`claim`, which changes its owner) is not undone.
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let running = tx
                .prepare_cached("SELECT id, owner FROM runs WHERE status = 'running'")?
                .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, Option<String>>(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut crashed = 0;
            {
                // A durable run can go on from its checkpoints: it is interrupted, not crashed.
                let mut mark = tx.prepare_cached("UPDATE runs SET status = CASE durable WHEN 1 THEN 'interrupted' ELSE 'crashed' END, end_time = COALESCE(end_time, ?2) WHERE id = ?1 AND status = 'running' AND owner IS ?3")?;
                for (id, owner) in running {
                    if !owner.as_deref().is_some_and(&alive) {
                        crashed += mark.execute(params![id, now, owner])?;
                    }
                }
            }
            // Their checkpoints, from the journals of the processes that died.
            checkpoints::import(&tx, &journals, &alive)?;
            // One whose process died before its input was stored (its first moments: no node
            // with effects had started, as a start is stored after everything before it) cannot
            // go on without it: crashed, to be retried.
            tx.prepare_cached("UPDATE runs SET status = 'crashed' WHERE status = 'interrupted' AND NOT EXISTS (SELECT 1 FROM checkpoints WHERE checkpoints.run_seq = runs.seq AND kind = 'input')")?
                .execute([])?;
            tx.commit()?;
            Ok(crashed)
        })
    }
}
