//! A durable run's checkpoints in the SQLite store: what a write puts in the journal (on the run's
//! thread), how a dead process's journal is moved into the `checkpoints` table when a conductor
//! finds its runs interrupted, and how that table is read back for a resume.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use atomiton_core::history::{
    checkpoint_text, checksum, verified, Checkpoints, HistoryWrite, InFlight, RunStatus, Wake,
};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::journal::{self, Entry, Journal, Kind, Pending};

/// Puts what `write` holds of a durable run's checkpoints in `journal`, before the write is queued
/// for the database: a node's start (nodes with effects) written at once, with whatever was kept
/// for later; the whole input and variables when the run begins and a node's whole output when it
/// ends kept for later (see `journal.rs`).
pub(crate) fn journal(journal: &Journal, write: &HistoryWrite) -> std::io::Result<()> {
    let entry = |kind, run: &str, node: &str, node_type: &str, idempotent| Entry {
        kind,
        run: run.to_owned(),
        node: node.to_owned(),
        node_type: node_type.to_owned(),
        idempotent,
        value: String::new(),
    };
    match write {
        HistoryWrite::Begun(begun) if begun.summary.durable && !begun.values_pending => {
            let run = &begun.summary.id;
            let input = Some(Arc::new(begun.input.to_value()));
            journal
                .later(Pending { entry: entry(Kind::Input, run, "", "", false), value: input })?;
            let variables = Some(begun.variables.clone());
            journal.later(Pending {
                entry: entry(Kind::Variables, run, "", "", false),
                value: variables,
            })
        }
        HistoryWrite::Started(started) => journal.append(&entry(
            Kind::Started,
            &started.execution_id,
            &started.node_id,
            &started.node_type,
            started.idempotent,
        )),
        HistoryWrite::Node(node)
            if node.checkpoint && node.state.has_output() && !node.summarized =>
        {
            let done = entry(Kind::Done, &node.execution_id, &node.node_id, &node.node_type, false);
            // No output: `undefined`, an entry without text.
            journal.later(Pending { entry: done, value: node.output.clone() })
        }
        HistoryWrite::Ended(ended) => {
            if ended.status.keeps_checkpoints() {
                // Suspended or parked: what it kept goes to the file, from which the store's
                // thread moves it into the database with this end, and ends it here once that is
                // committed (see `import_run`).
                return journal.flush_now();
            }
            journal.ended(&ended.execution_id);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Moves the checkpoints of interrupted runs out of the journals in `directory` whose process is
/// gone (`alive` says of an owner, `pid:<n>`), then deletes those journals.
pub(crate) fn import(
    tx: &Transaction<'_>,
    directory: &Path,
    alive: &dyn Fn(&str) -> bool,
) -> rusqlite::Result<()> {
    let mut interrupted: HashMap<String, bool> = HashMap::new();
    for path in journal::orphans(directory, |pid| alive(&format!("pid:{pid}"))) {
        // A journal that cannot be read is left for the next conductor.
        let Ok((entries, _torn)) = journal::read(&path) else { continue };
        for entry in entries {
            let keep = match interrupted.get(&entry.run) {
                Some(&keep) => keep,
                None => {
                    let status: Option<String> = tx
                        .prepare_cached("SELECT status FROM runs WHERE id = ?1")?
                        .query_row(params![entry.run], |row| row.get(0))
                        .optional()?;
                    let keep = status.as_deref().is_some_and(|s| {
                        s == RunStatus::Interrupted.as_str() || s == RunStatus::Waiting.as_str()
                    });
                    interrupted.insert(entry.run.clone(), keep);
                    keep
                }
            };
            if keep {
                store(tx, &entry)?;
            }
        }
        let _ = std::fs::remove_file(&path);
    }
    Ok(())
}

/// Moves run `run`'s checkpoints from this process's own journal into the database: the run was
/// suspended or parked (it ended `interrupted` or `waiting` with this process alive), and may go
/// on in this process or, after it ends, in the next. Only the run's own entries are read (the
/// journal knows where they are): a run parking costs its checkpoints, not the journal's size.
pub(crate) fn import_run(
    tx: &Transaction<'_>,
    journal: &Journal,
    run: &str,
) -> rusqlite::Result<()> {
    for entry in journal.entries_of(run) {
        store(tx, &entry)?;
    }
    Ok(())
}

/// Writes (or replaces) one checkpoint, with its checksum; a node's end replaces its start.
fn store(tx: &Transaction<'_>, entry: &Entry) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO checkpoints (run_seq, kind, node_id, node_type, idempotent, value, checksum)
         SELECT seq, ?2, ?3, ?4, ?5, ?6, ?7 FROM runs WHERE id = ?1",
    )?
    .execute(params![
        entry.run,
        entry.kind.as_str(),
        entry.node,
        entry.node_type,
        entry.idempotent,
        entry.value,
        checksum(&entry.value)
    ])?;
    if entry.kind == Kind::Done {
        tx.prepare_cached(
            "DELETE FROM checkpoints WHERE run_seq = (SELECT seq FROM runs WHERE id = ?1) AND kind = 'started' AND node_id = ?2",
        )?
        .execute(params![entry.run, entry.node])?;
    }
    Ok(())
}

/// Keeps what woke a parked run's wait node (see `history::wait`), as its `wake` checkpoint.
pub(crate) fn store_wake(tx: &Transaction<'_>, wake: &Wake) -> rusqlite::Result<()> {
    let text = checkpoint_text(Some(&wake.delivery));
    tx.prepare_cached(
        "INSERT OR REPLACE INTO checkpoints (run_seq, kind, node_id, node_type, idempotent, value, checksum)
         SELECT seq, 'wake', ?2, 'wait', 0, ?3, ?4 FROM runs WHERE id = ?1",
    )?
    .execute(params![wake.execution_id, wake.node_id, text, checksum(&text)])?;
    Ok(())
}

/// Run `id`'s checkpoints; `None` when it has none. A value whose checksum does not match is
/// left out (its node runs again); a damaged input or variables refuses the resume.
pub(crate) fn read(conn: &mut Connection, id: &str) -> Result<Option<Checkpoints>, String> {
    let rows = conn
        .prepare_cached("SELECT kind, node_id, node_type, idempotent, value, checksum FROM checkpoints WHERE run_seq = (SELECT seq FROM runs WHERE id = ?1)")
        .and_then(|mut statement| {
            statement
                .query_map(params![id], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, bool>(3)?,
                        row.get::<_, Option<String>>(4)?,
                        row.get::<_, String>(5)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(|e| e.to_string())?;
    assemble(id, rows)
}

/// A checkpoint as a table keeps it: kind (`input`, `variables`, `started`, `done`, `wake`), node id,
/// node type, idempotent, value's text, checksum.
pub(crate) type Row = (String, String, String, bool, Option<String>, String);

/// Run `id`'s checkpoints from its rows (of any table store); `None` when there are none. A value
/// whose checksum does not match is left out (its node runs again); a damaged input or variables
/// refuses the resume.
pub(crate) fn assemble(id: &str, rows: Vec<Row>) -> Result<Option<Checkpoints>, String> {
    if rows.is_empty() {
        return Ok(None);
    }
    let mut checkpoints = Checkpoints::default();
    for (kind, node_id, node_type, idempotent, text, sum) in rows {
        if kind == "started" {
            checkpoints.in_flight.push(InFlight { node_id, node_type, idempotent });
            continue;
        }
        match (kind.as_str(), verified(text.as_deref(), &sum)) {
            ("input" | "variables", None) => {
                return Err(format!("execution {id}: its {kind} checkpoint is damaged"));
            }
            ("input", Some(value)) => checkpoints.input = value,
            ("variables", Some(value)) => checkpoints.variables = value,
            ("wake", Some(Some(delivery))) => {
                checkpoints.deliveries.insert(node_id, delivery);
            }
            // A damaged delivery is not trusted: the node waits again.
            ("wake", _) => checkpoints.torn += 1,
            (_, Some(output)) => {
                checkpoints.outputs.insert(node_id, (Arc::from(node_type), output.map(Arc::new)));
            }
            (_, None) => checkpoints.torn += 1,
        }
    }
    Ok(Some(checkpoints))
}
