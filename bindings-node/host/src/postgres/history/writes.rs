//! Writes: each batch goes to the server as one call of `atomiton_write`
//! (`migrations/0008_write_columns.sql`): one round trip, one transaction, a kind of write at a time over
//! the whole batch, as the Redis store's batches are one Lua script. The writes travel as four
//! arrays of the database's composite types in PostgreSQL's binary format, values as the JSON
//! texts the other stores keep, and a run's nodes in a batch as one JSON text: the server parses
//! nothing (measured: parsing a JSON batch was half of what recording a run cost;
//! docs/PERFORMANCE.md). Writes about a run another process took over (`claimed`, with another
//! owner: this process lost it) change nothing.

use std::collections::HashMap;

use atomiton_core::history::{
    checkpoint_text, checksum, Capture, HistoryWrite, NodeEnded, RunBegun,
};
use postgres_types::ToSql;

use crate::history::stored::{to_json, KnownFlows, NodeRow};
use crate::postgres::link::{Described, Link};
use crate::store_thread::{Applied, Batch};

/// How many times a batch that lost a deadlock or a serialization conflict is sent.
const RETRIES: usize = 3;

/// The call a batch is: whole (`$8` false), or each write on its own (true), once per batch
/// number `$3` of writer `$2` (see `migrations/0004_writers.sql`).
const WRITE: &str = "SELECT atomiton_write($1, $2, $3, $4, $5, $6, $7, $8)";

/// Whether `error` is one the server asks to try again (deadlock, serialization failure).
fn retried(error: &postgres::Error) -> bool {
    use postgres::error::SqlState;
    error.code().is_some_and(|code| {
        *code == SqlState::T_R_DEADLOCK_DETECTED || *code == SqlState::T_R_SERIALIZATION_FAILURE
    })
}

/// A run's beginning (`atomiton_begin`); `at` is each write's place in its batch.
#[derive(ToSql, Debug)]
#[postgres(name = "atomiton_begin")]
struct Begin {
    at: i32,
    id: String,
    flow_id: String,
    flow_hash: String,
    status: &'static str,
    start_time: f64,
    end_time: Option<f64>,
    duration: Option<f64>,
    error: Option<String>,
    retry_of: Option<String>,
    owner: Option<String>,
    durable: bool,
    input: String,
    variables: String,
    /// The definition, unless the server has it under `flow_hash` already.
    flow: Option<String>,
}

/// A durable run's checkpoint (`atomiton_checkpoint`).
#[derive(ToSql, Debug)]
#[postgres(name = "atomiton_checkpoint")]
struct Checkpoint {
    at: i32,
    id: String,
    kind: &'static str,
    node_id: String,
    node_type: String,
    idempotent: bool,
    value: String,
    checksum: String,
}

/// The nodes of one run a batch records (`atomiton_node_set`): a JSON array of nodes, each an
/// array of `atomiton_nodes`' columns in order.
#[derive(ToSql, Debug)]
#[postgres(name = "atomiton_node_set")]
struct NodeSet {
    at: i32,
    id: String,
    nodes: String,
}

/// A run's end (`atomiton_end`).
#[derive(ToSql, Debug)]
#[postgres(name = "atomiton_end")]
struct End {
    at: i32,
    id: String,
    status: &'static str,
    end_time: f64,
    error: Option<String>,
}

/// A batch as the call's arguments.
#[derive(Default)]
struct Columns {
    begins: Vec<Begin>,
    checkpoints: Vec<Checkpoint>,
    node_sets: Vec<NodeSet>,
    ends: Vec<End>,
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
        let mut columns = Columns::default();
        // Each run's node set in `columns.node_sets`.
        let mut sets: HashMap<&str, usize> = HashMap::new();
        // Definitions sent whole: known to be stored once the call is.
        let mut sent: Vec<(String, &RunBegun)> = Vec::new();
        for (at, write) in writes.iter().enumerate() {
            let at = i32::try_from(at).unwrap_or(i32::MAX);
            match write {
                HistoryWrite::Begun(begun) => {
                    if let Some(hash) = self.begin(&mut columns, at, begun) {
                        sent.push((hash, begun));
                    }
                }
                HistoryWrite::Started(started) => columns.checkpoints.push(checkpoint(
                    at,
                    (&started.execution_id, "started", &started.node_id, &started.node_type),
                    started.idempotent,
                    None,
                )),
                HistoryWrite::Node(node) => {
                    let row = self.node(node);
                    match sets.get(&*node.execution_id) {
                        Some(&set) => {
                            let nodes = &mut columns.node_sets[set].nodes;
                            nodes.push(',');
                            nodes.push_str(&row);
                        }
                        None => {
                            sets.insert(&node.execution_id, columns.node_sets.len());
                            let id = node.execution_id.to_string();
                            columns.node_sets.push(NodeSet { at, id, nodes: format!("[{row}") });
                        }
                    }
                    if node.checkpoint && node.state.has_output() && !node.summarized {
                        let what = (&*node.execution_id, "done", &*node.node_id, &*node.node_type);
                        columns.checkpoints.push(checkpoint(
                            at,
                            what,
                            false,
                            node.output.as_deref(),
                        ));
                    }
                }
                HistoryWrite::Ended(ended) => columns.ends.push(End {
                    at,
                    id: ended.execution_id.to_string(),
                    status: ended.status.as_str(),
                    end_time: ended.end_time,
                    error: ended.error.as_ref().map(to_json),
                }),
            }
        }
        for set in &mut columns.node_sets {
            set.nodes.push(']');
        }
        let Columns { begins, checkpoints, node_sets, ends } = &columns;
        // Whole first; when a write fails, again with each write on its own.
        let mut careful = false;
        // Why the last try failed, when the tries run out.
        let mut last_error = None;
        for _ in 0..RETRIES {
            let (client, statement) = match link.prepared(WRITE) {
                Ok(prepared) => prepared,
                Err(why) => return Applied::Unreachable(why),
            };
            let arguments: [&(dyn ToSql + Sync); 8] =
                [&self.owner, &self.name, &number, begins, checkpoints, node_sets, ends, &careful];
            match client.query_one(&statement, &arguments) {
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
                Err(error) if retried(&error) => last_error = Some(error.described()),
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
                    let why = error.described();
                    eprintln!(
                        "[atomiton] Execution history: PostgreSQL failed a batch of {} writes whole ({why}); sent again write by write",
                        writes.len(),
                    );
                    last_error = Some(why);
                    careful = true;
                }
            }
        }
        eprintln!(
            "[atomiton] Execution history: a batch of {} writes was not stored after {RETRIES} tries ({}): dropped",
            writes.len(),
            last_error.unwrap_or_default()
        );
        Applied::Done
    }

    /// A run's beginning, and a durable run's input and variables checkpoints; the hash of its
    /// definition when it was sent whole.
    fn begin(&self, columns: &mut Columns, at: i32, begun: &RunBegun) -> Option<String> {
        let s = &begun.summary;
        let hash = if s.flow_hash.is_empty() { begun.flow_hash() } else { s.flow_hash.clone() };
        // One copy per distinct definition: a definition this process saw stored is named by
        // its hash rather than sent again (the server shares its copy when the texts match).
        let flow = match self.known.holds(&hash, begun) {
            Some(()) => None,
            None => Some(self.capture.uncapped().value(&begun.flow_value(&self.capture)).json),
        };
        let sent = flow.is_some().then(|| hash.clone());
        columns.begins.push(Begin {
            at,
            id: s.id.clone(),
            flow_id: s.flow_id.clone(),
            flow_hash: hash,
            status: s.status.as_str(),
            start_time: s.start_time,
            end_time: s.end_time,
            duration: s.duration,
            error: s.error.as_ref().map(to_json),
            retry_of: s.retry_of.clone(),
            owner: s.owner.clone(),
            durable: s.durable,
            input: self.capture.input(&begun.input).json,
            variables: self.capture.value(&begun.variables).json,
            flow,
        });
        if s.durable && !begun.values_pending {
            let input = begun.input.to_value();
            columns.checkpoints.push(checkpoint(at, (&s.id, "input", "", ""), false, Some(&input)));
            let variables = Some(&*begun.variables);
            columns.checkpoints.push(checkpoint(
                at,
                (&s.id, "variables", "", ""),
                false,
                variables,
            ));
        }
        sent
    }

    /// A node as `atomiton_nodes`' columns, in order (see `migrations/0008_write_columns.sql`): a JSON
    /// array, written straight from a tuple (no `Value` tree per node).
    fn node(&self, node: &NodeEnded) -> String {
        let r = NodeRow::of(node, &self.capture);
        to_json(&(
            r.node_id,
            r.node_type,
            r.state,
            r.attempts,
            r.reused,
            r.reusable,
            r.input,
            r.output,
            r.error,
            r.start_time,
            r.end_time,
            r.cache_key,
            r.cache_age,
        ))
    }
}

/// One checkpoint (`kind`: `input`, `variables`, `started` or `done`), with its checksum; a
/// later one of the same kind and node replaces it.
fn checkpoint(
    at: i32,
    (id, kind, node_id, node_type): (&str, &'static str, &str, &str),
    idempotent: bool,
    value: Option<&atomiton_core::value::Value>,
) -> Checkpoint {
    let value = checkpoint_text(value);
    Checkpoint {
        at,
        id: id.to_owned(),
        kind,
        node_id: node_id.to_owned(),
        node_type: node_type.to_owned(),
        idempotent,
        checksum: checksum(&value),
        value,
    }
}
