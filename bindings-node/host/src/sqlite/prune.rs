//! Retention in a SQLite history: the runs a [`Prune`] removes, found through the
//! `runs_by_start` index rather than by reading every run. A session prunes every 64 ended runs;
//! reading all 10,000 runs a history keeps by default, each pass cost its thread more than
//! recording the 64 runs between two passes.

use atomiton_core::history::Prune;
use rusqlite::{params, Connection, Transaction, TransactionBehavior};

use crate::history::stored::prunable_sql;

/// Removes what `prune` says (with their nodes and checkpoints, and the flow definitions no kept
/// run ran), in one transaction; how many runs went.
pub(super) fn prune(conn: &mut Connection, prune: Prune) -> rusqlite::Result<usize> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut doomed = match prune.keep {
        Some(keep) => oldest_beyond(&tx, keep)?,
        None => Vec::new(),
    };
    if let Some(before) = prune.cutoff() {
        let sql = format!("SELECT seq FROM runs WHERE start_time < ?1 AND {}", prunable_sql());
        let mut older = tx.prepare_cached(&sql)?;
        for seq in older.query_map(params![before], |row| row.get::<_, i64>(0))? {
            doomed.push(seq?);
        }
    }
    doomed.sort_unstable();
    doomed.dedup();
    let mut deleted = 0;
    {
        let mut delete = tx.prepare_cached("DELETE FROM runs WHERE seq = ?1")?;
        for seq in &doomed {
            deleted += delete.execute(params![seq])?;
        }
    }
    if deleted > 0 {
        super::history::forget_unused_flows(&tx)?;
    }
    tx.commit()?;
    Ok(deleted)
}

/// The prunable runs past the newest `keep` of them: the oldest first (by start time, then by
/// the order they were written, so of two begun together the later is kept). Two counts and a
/// walk from the index's old end, which stops after the runs it returns.
fn oldest_beyond(tx: &Transaction<'_>, keep: usize) -> rusqlite::Result<Vec<i64>> {
    let all: i64 = tx.prepare_cached("SELECT COUNT(*) FROM runs")?.query_row([], |r| r.get(0))?;
    let unprunable: i64 = tx
        .prepare_cached(&format!("SELECT COUNT(*) FROM runs WHERE NOT ({})", prunable_sql()))?
        .query_row([], |r| r.get(0))?;
    let excess = all - unprunable - i64::try_from(keep).unwrap_or(i64::MAX);
    if excess <= 0 {
        return Ok(Vec::new());
    }
    let sql =
        format!("SELECT seq FROM runs WHERE {} ORDER BY start_time, seq LIMIT ?1", prunable_sql());
    let mut oldest = tx.prepare_cached(&sql)?;
    let seqs = oldest.query_map(params![excess], |row| row.get::<_, i64>(0))?;
    seqs.collect()
}

#[cfg(test)]
mod tests {
    use atomiton_core::history::Prune;
    use rusqlite::{params, Connection};

    /// A database with runs `(id, status, start time)`, written in that order.
    fn with_runs(runs: &[(&str, &str, f64)]) -> Connection {
        let conn = Connection::open_in_memory().expect("open");
        super::super::schema::prepare(&conn).expect("tables");
        for (id, status, start) in runs {
            conn.execute(
                "INSERT INTO runs (id, flow_id, flow_hash, status, start_time, flow, input, variables)
                 VALUES (?1, 'f', 'h', ?2, ?3, '', '{}', 'null')",
                params![id, status, start],
            )
            .expect("a run");
        }
        conn
    }

    fn left(conn: &Connection) -> Vec<String> {
        let mut ids = conn.prepare("SELECT id FROM runs ORDER BY seq").expect("select");
        let rows = ids.query_map([], |row| row.get::<_, String>(0)).expect("ids");
        rows.map(|id| id.expect("an id")).collect()
    }

    /// The same runs as `atomiton_core::history::pruned_ids` would remove: the newest `keep`
    /// prunable runs stay (of two begun together, the one written later is the newer), runs
    /// before `before` go, and running, interrupted and waiting runs are never counted or
    /// removed.
    #[test]
    fn retention_removes_what_the_rule_says() {
        let runs = [
            ("old-running", "running", 100.0),
            ("a", "success", 1000.0),
            ("tie-first", "failed", 2000.0),
            ("tie-second", "success", 2000.0),
            ("waiting", "waiting", 2500.0),
            ("b", "cancelled", 3000.0),
            ("interrupted", "interrupted", 50.0),
        ];
        let mut conn = with_runs(&runs);
        let deleted =
            super::prune(&mut conn, Prune { before: None, keep: Some(2) }).expect("prune");
        assert_eq!(deleted, 2);
        assert_eq!(left(&conn), ["old-running", "tie-second", "waiting", "b", "interrupted"]);
        let mut conn = with_runs(&runs);
        let deleted =
            super::prune(&mut conn, Prune { before: Some(2000.0), keep: Some(10) }).expect("prune");
        assert_eq!(deleted, 1, "only `a` began before 2000 and may go");
        let deleted =
            super::prune(&mut conn, Prune { before: None, keep: Some(0) }).expect("prune");
        assert_eq!(deleted, 3);
        assert_eq!(left(&conn), ["old-running", "waiting", "interrupted"]);
        let nothing = super::prune(&mut conn, Prune::default()).expect("prune");
        assert_eq!(nothing, 0);
    }

    /// The walk for `keep` reads the start-time index from its old end, and the counts need
    /// no sort: a pass costs the runs it removes, not the runs the history keeps.
    #[test]
    fn retention_reads_the_start_time_index_without_sorting() {
        let conn = Connection::open_in_memory().expect("open");
        super::super::schema::prepare(&conn).expect("tables");
        let plan = |sql: &str| -> String {
            let mut explain = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).expect("explain");
            let rows = explain.query_map([], |row| row.get::<_, String>(3)).expect("plan");
            rows.map(|row| row.expect("a plan row")).collect::<Vec<_>>().join("; ")
        };
        let walk = plan(&format!(
            "SELECT seq FROM runs WHERE {} ORDER BY start_time, seq LIMIT 64",
            crate::history::stored::prunable_sql()
        ));
        assert!(walk.contains("runs_by_start"), "{walk}");
        assert!(!walk.contains("TEMP B-TREE"), "{walk}");
        let older = plan(&format!(
            "SELECT seq FROM runs WHERE start_time < 1 AND {}",
            crate::history::stored::prunable_sql()
        ));
        assert!(older.contains("runs_by_start"), "{older}");
    }
}
