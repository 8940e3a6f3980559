//! Writes: each batch goes to the server as one call of `atomiton_write` (`sql/write_sets.sql`):
//! one round trip, one transaction, a kind of write at a time over the whole batch, as the Redis
//! store's batches are one Lua script (measured: 165–184 us a 10-node run, against 276 us as a
//! function call per write and 5.2 ms as a statement a write in savepoints; docs/PERFORMANCE.md).
//! Writes about a run another process took over (`claimed`, with another owner: this process
//! lost it) change nothing.

use atomiton_core::history::{
    checkpoint_text, checksum, Capture, HistoryWrite, NodeEnded, RunBegun, RunEnded,
};
use serde_json::{json, Value as Json};

use super::super::stored::{to_json, KnownFlows};
use super::super::writer::{Applied, Batch};
use super::link::{Described, Link};

/// How many times a batch that lost a deadlock or a serialization conflict is sent.
const RETRIES: usize = 3;

/// The call a batch is: whole (`$5` false), or each write on its own (true; see `sql/write.sql`),
/// once per batch number `$3` of writer `$2` (see `sql/writers.sql`).
const WRITE: &str = "SELECT atomiton_write($1, $2, $3, $4::TEXT::JSONB, $5)";

/// Whether `error` is one the server asks to try again (deadlock, serialization failure).
fn retried(error: &postgres::Error) -> bool {
    use postgres::error::SqlState;
    error.code().is_some_and(|code| {
        *code == SqlState::T_R_DEADLOCK_DETECTED || *code == SqlState::T_R_SERIALIZATION_FAILURE
    })
}

/// What the writer keeps between batches.
pub(super) struct Writer {
    pub(super) capture: Capture,
    pub(super) owner: String,
    /// This store's name among the writers (see `liveness::writer_name`).
    pub(super) name: String,
    pub(super) known: KnownFlows,
}

impl Writer {
    /// Stores `batch` in one call. Writes the server refuses are dropped (history never fails a
    /// run), and said so on stderr; a batch that could not reach it is given back, to be sent
    /// again.
    pub(super) fn apply(&mut self, link: &mut Link, batch: &Batch) -> Applied {
        let number = i64::try_from(batch.number).unwrap_or(i64::MAX);
        let writes = &batch.writes;
        let mut batch = Vec::with_capacity(writes.len() + 2);
        // Definitions sent whole: known to be stored once the call is.
        let mut sent: Vec<(String, &RunBegun)> = Vec::new();
        for write in writes {
            match write {
                HistoryWrite::Begun(begun) => {
                    if let Some(hash) = self.begin(&mut batch, begun) {
                        sent.push((hash, begun));
                    }
                }
                HistoryWrite::Started(started) => batch.push(checkpoint(
                    (&started.execution_id, "started", &started.node_id, &started.node_type),
                    started.idempotent,
                    None,
                )),
                HistoryWrite::Node(node) => {
                    batch.push(self.node(node));
                    if node.checkpoint && node.state.has_output() && !node.summarized {
                        let what = (&*node.execution_id, "done", &*node.node_id, &*node.node_type);
                        batch.push(checkpoint(what, false, node.output.as_deref()));
                    }
                }
                HistoryWrite::Ended(ended) => batch.push(ended_write(ended)),
            }
        }
        let text = Json::Array(batch).to_string();
        // Whole first; when a write fails, again with each write on its own.
        let mut careful = false;
        for _ in 0..RETRIES {
            let (client, statement) = match link.prepared(WRITE) {
                Ok(prepared) => prepared,
                Err(why) => return Applied::Unreachable(why),
            };
            match client.query_one(&statement, &[&self.owner, &self.name, &number, &text, &careful])
            {
                Ok(row) => {
                    let dropped: i32 = row.try_get(0).unwrap_or(0);
                    if dropped > 0 {
                        eprintln!(
                            "[atomiton] Execution history: PostgreSQL refused {dropped} of a batch's {} writes (the others are stored)",
                            writes.len()
                        );
                    }
                    for (hash, begun) in sent {
                        self.known.add(&hash, begun, ());
                    }
                    return Applied::Done;
                }
                Err(error) if retried(&error) => continue,
                // No code, or the server closed the connection (it is shutting down): the
                // connection broke, before or after the server took the batch (its number tells).
                Err(error) if error.code().is_none() || link.broken() => {
                    return Applied::Unreachable(error.described())
                }
                Err(error) if careful => {
                    eprintln!(
                        "[atomiton] Execution history: PostgreSQL refused a batch of {} writes: {}",
                        writes.len(),
                        error.described()
                    );
                    return Applied::Done;
                }
                Err(error) => {
                    eprintln!(
                        "[atomiton] Execution history: PostgreSQL failed a batch of {} writes whole ({}); sent again write by write",
                        writes.len(),
                        error.described()
                    );
                    careful = true;
                }
            }
        }
        Applied::Done
    }

    /// A run's beginning, and a durable run's input and variables checkpoints; the hash of its
    /// definition when it was sent whole.
    fn begin(&self, batch: &mut Vec<Json>, begun: &RunBegun) -> Option<String> {
        let s = &begun.summary;
        let hash = if s.flow_hash.is_empty() { begun.flow_hash() } else { s.flow_hash.clone() };
        // One copy per distinct definition: a definition this process saw stored is named by
        // its hash rather than sent again (the server shares its copy when the texts match).
        let flow = match self.known.holds(&hash, begun) {
            Some(()) => None,
            None => Some(self.capture.uncapped().value(&begun.flow_value(&self.capture)).json),
        };
        batch.push(json!({
            "op": "begin",
            "id": s.id,
            "flowId": s.flow_id,
            "hash": hash,
            "status": s.status.as_str(),
            "start": s.start_time,
            "end": s.end_time,
            "duration": s.duration,
            "error": s.error.as_ref().map(to_json),
            "retryOf": s.retry_of,
            "owner": s.owner,
            "durable": s.durable,
            "input": self.capture.input(&begun.input).json,
            "variables": self.capture.value(&begun.variables).json,
            "flow": flow,
        }));
        if s.durable && !begun.values_pending {
            let input = begun.input.to_value();
            batch.push(checkpoint((&s.id, "input", "", ""), false, Some(&input)));
            batch.push(checkpoint((&s.id, "variables", "", ""), false, Some(&begun.variables)));
        }
        flow.is_some().then_some(hash)
    }

    fn node(&self, node: &NodeEnded) -> Json {
        let output = node.captured_output(&self.capture);
        let reusable = node.state.has_output() && output.as_ref().is_none_or(|o| o.exact);
        json!({
            "op": "node",
            "id": &*node.execution_id,
            "node": &*node.node_id,
            "type": &*node.node_type,
            "state": to_json(&node.state),
            "attempts": node.attempts,
            "reused": node.reused,
            "reusable": reusable,
            "input": node.input.as_ref().map(|i| self.capture.input(i).json),
            "output": output.map(|o| o.json),
            "error": node.error.as_ref().map(to_json),
            "start": node.start_time,
            "end": node.end_time,
            "cacheKey": node.cache.as_ref().map(|(key, _)| key.as_str()),
            "cacheAge": node.cache.as_ref().map(|&(_, age)| age),
        })
    }
}

/// One checkpoint (`kind`: `input`, `variables`, `started` or `done`), with its checksum; a
/// later one of the same kind and node replaces it.
fn checkpoint(
    (id, kind, node_id, node_type): (&str, &str, &str, &str),
    idempotent: bool,
    value: Option<&atomiton_core::value::Value>,
) -> Json {
    let text = checkpoint_text(value);
    json!({
        "op": "ckpt",
        "id": id,
        "kind": kind,
        "node": node_id,
        "type": node_type,
        "idempotent": idempotent,
        "sum": checksum(&text),
        "value": text,
    })
}

fn ended_write(ended: &RunEnded) -> Json {
    json!({
        "op": "ended",
        "id": &*ended.execution_id,
        "status": ended.status.as_str(),
        "end": ended.end_time,
        "error": ended.error.as_ref().map(to_json),
    })
}
