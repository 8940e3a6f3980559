//! Writes: each batch is one transaction, each write in it a savepoint of its own (a write that
//! fails is dropped and the others stand). Writes about a run another process took over
//! (`claimed`, with another owner: this process lost it) change nothing.

use atomiton_core::history::Capture;
use atomiton_core::history::{
    checkpoint_text, checksum, HistoryWrite, NodeEnded, RunBegun, RunEnded, RunStatus,
};
use postgres::Transaction;

use super::super::stored::{to_json, KnownFlows};

/// How many times a write that lost a deadlock or a serialization conflict is tried.
const RETRIES: usize = 3;

/// Whether `error` is one the server asks to try again (deadlock, serialization failure).
fn retried(error: &postgres::Error) -> bool {
    use postgres::error::SqlState;
    error.code().is_some_and(|code| {
        *code == SqlState::T_R_DEADLOCK_DETECTED || *code == SqlState::T_R_SERIALIZATION_FAILURE
    })
}

/// Run `$1` is this writer's (owner `$W`) to write to: not taken over by another process.
const MINE: &str = "NOT (claimed AND owner IS DISTINCT FROM";

/// What the writer keeps between batches.
pub(super) struct Writer {
    pub(super) capture: Capture,
    pub(super) owner: String,
    pub(super) known: KnownFlows,
}

impl Writer {
    /// Stores `writes` in one transaction.
    pub(super) fn apply(&mut self, tx: &mut Transaction<'_>, writes: Vec<HistoryWrite>) {
        for write in writes {
            // Another process's transaction may hold the same counts' rows in the other order:
            // the server picks one of the two to fail, and that write is tried again.
            for _ in 0..RETRIES {
                let Ok(mut step) = tx.transaction() else { return };
                match self.one(&mut step, &write) {
                    Ok(()) => {
                        let _ = step.commit();
                        break;
                    }
                    Err(error) if retried(&error) => continue,
                    Err(_) => break,
                }
            }
        }
    }

    fn one(
        &mut self,
        tx: &mut Transaction<'_>,
        write: &HistoryWrite,
    ) -> Result<(), postgres::Error> {
        match write {
            HistoryWrite::Begun(begun) => {
                self.begin(tx, begun)?;
                if begun.summary.durable && !begun.values_pending {
                    let id = begun.summary.id.as_str();
                    let input = Some(begun.input.to_value());
                    checkpoint(tx, (id, &self.owner), ("input", "", ""), false, input.as_ref())?;
                    let variables = Some(&*begun.variables);
                    checkpoint(tx, (id, &self.owner), ("variables", "", ""), false, variables)?;
                }
                Ok(())
            }
            HistoryWrite::Started(started) => checkpoint(
                tx,
                (&started.execution_id, &self.owner),
                ("started", &started.node_id, &started.node_type),
                started.idempotent,
                None,
            ),
            HistoryWrite::Node(node) => {
                self.node(tx, node)?;
                if node.checkpoint && node.state.has_output() && !node.summarized {
                    let whose = (&*node.execution_id, self.owner.as_str());
                    let what = ("done", &*node.node_id, &*node.node_type);
                    checkpoint(tx, whose, what, false, node.output.as_deref())?;
                    tx.execute(
                        &format!("DELETE FROM atomiton_checkpoints WHERE run_seq = (SELECT seq FROM atomiton_runs WHERE id = $1 AND {MINE} $3)) AND kind = 'started' AND node_id = $2"),
                        &[&&*node.execution_id, &&*node.node_id, &self.owner],
                    )?;
                }
                Ok(())
            }
            HistoryWrite::Ended(ended) => run_ended(tx, ended, &self.owner),
        }
    }

    fn begin(&mut self, tx: &mut Transaction<'_>, begun: &RunBegun) -> Result<(), postgres::Error> {
        let s = &begun.summary;
        let hash = if s.flow_hash.is_empty() { begun.flow_hash() } else { s.flow_hash.clone() };
        // One copy per distinct definition (see the SQLite store's `begin`): shared only when the
        // stored text is this definition's; otherwise the run keeps its own copy.
        let mut own_copy = String::new();
        if self.known.holds(&hash, begun).is_none() {
            let flow = self.capture.uncapped().value(&begun.flow_value(&self.capture)).json;
            tx.execute(
                "INSERT INTO atomiton_flows (hash, flow) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING",
                &[&hash, &flow],
            )?;
            let stored =
                tx.query_one("SELECT flow FROM atomiton_flows WHERE hash = $1", &[&hash])?;
            if stored.try_get::<_, String>(0)? == flow {
                self.known.add(&hash, begun, ());
            } else {
                own_copy = flow;
            }
        }
        let error = s.error.as_ref().map(to_json);
        let input = self.capture.input(&begun.input).json;
        let variables = self.capture.value(&begun.variables).json;
        // A second `Begun` of a run amends the values the embedder wrote out after it began.
        tx.execute(
            "INSERT INTO atomiton_runs (id, flow_id, flow_hash, status, start_time, end_time, duration, error, retry_of, owner, flow, input, variables, durable)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
             ON CONFLICT (id) DO UPDATE SET input = EXCLUDED.input, variables = EXCLUDED.variables
             WHERE NOT (atomiton_runs.claimed AND atomiton_runs.owner IS DISTINCT FROM EXCLUDED.owner)",
            &[
                &s.id,
                &s.flow_id,
                &hash,
                &s.status.as_str(),
                &s.start_time,
                &s.end_time,
                &s.duration,
                &error,
                &s.retry_of,
                &s.owner,
                &own_copy,
                &input,
                &variables,
                &s.durable,
            ],
        )?;
        Ok(())
    }

    fn node(&self, tx: &mut Transaction<'_>, node: &NodeEnded) -> Result<(), postgres::Error> {
        let output = node.captured_output(&self.capture);
        let reusable = node.state.has_output() && output.as_ref().is_none_or(|o| o.exact);
        let attempts = i32::try_from(node.attempts).unwrap_or(i32::MAX);
        tx.execute(
            &format!("INSERT INTO atomiton_nodes (run_seq, node_id, node_type, state, attempts, reused, reusable, input, output, error, start_time, end_time, cache_key, cache_age)
             SELECT seq, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14 FROM atomiton_runs WHERE id = $1 AND {MINE} $15)"),
            &[
                &&*node.execution_id,
                &&*node.node_id,
                &&*node.node_type,
                &to_json(&node.state),
                &attempts,
                &node.reused,
                &reusable,
                &node.input.as_ref().map(|i| self.capture.input(i).json),
                &output.map(|o| o.json),
                &node.error.as_ref().map(to_json),
                &node.start_time,
                &node.end_time,
                &node.cache.as_ref().map(|(key, _)| key.as_str()),
                &node.cache.as_ref().map(|&(_, age)| age),
                &self.owner,
            ],
        )?;
        Ok(())
    }
}

/// One checkpoint (`kind`: `input`, `variables`, `started` or `done`), with its checksum; a
/// later one of the same kind and node replaces it.
fn checkpoint(
    tx: &mut Transaction<'_>,
    (id, owner): (&str, &str),
    (kind, node_id, node_type): (&str, &str, &str),
    idempotent: bool,
    value: Option<&atomiton_core::value::Value>,
) -> Result<(), postgres::Error> {
    let text = checkpoint_text(value);
    let sum = checksum(&text);
    tx.execute(
        &format!("INSERT INTO atomiton_checkpoints (run_seq, kind, node_id, node_type, idempotent, value, checksum)
         SELECT seq, $2, $3, $4, $5, $6, $7 FROM atomiton_runs WHERE id = $1 AND {MINE} $8)
         ON CONFLICT (run_seq, kind, node_id) DO UPDATE SET node_type = EXCLUDED.node_type, idempotent = EXCLUDED.idempotent, value = EXCLUDED.value, checksum = EXCLUDED.checksum"),
        &[&id, &kind, &node_id, &node_type, &idempotent, &text, &sum, &owner],
    )?;
    Ok(())
}

/// A run ends: only a running one (a run another process marked crashed or interrupted when it
/// found its worker lost stays so), and only this writer's.
fn run_ended(
    tx: &mut Transaction<'_>,
    ended: &RunEnded,
    owner: &str,
) -> Result<(), postgres::Error> {
    end_run(tx, ended, &format!("{MINE} $5)"), &owner)?;
    Ok(())
}

/// Ends running run `ended`'s when `condition` (on `$5`, `param`) holds too; one that ends
/// otherwise than interrupted lets its checkpoints go. Whether it did.
pub(super) fn end_run(
    tx: &mut Transaction<'_>,
    ended: &RunEnded,
    condition: &str,
    param: &(dyn postgres::types::ToSql + Sync),
) -> Result<bool, postgres::Error> {
    let updated = tx.execute(
        &format!("UPDATE atomiton_runs SET status = $2, end_time = $3, duration = $3 - start_time, error = $4 WHERE id = $1 AND status = 'running' AND {condition}"),
        &[&&*ended.execution_id, &ended.status.as_str(), &ended.end_time, &ended.error.as_ref().map(to_json), param],
    )?;
    if updated > 0 && ended.status != RunStatus::Interrupted {
        tx.execute(
            "DELETE FROM atomiton_checkpoints WHERE run_seq = (SELECT seq FROM atomiton_runs WHERE id = $1)",
            &[&&*ended.execution_id],
        )?;
    }
    Ok(updated == 1)
}
