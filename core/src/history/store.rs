//! The one trait every history store implements (memory here; SQLite in the native host;
//! IndexedDB through the browser binding; a shared store for queue mode later), and what is
//! written to it.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::durable::Checkpoints;
use super::record::{NodeRecord, RunRecord, RunStatus, RunSummary};
use crate::error::{ExecutionError, Result};
use crate::host::{BoxFuture, MaybeSend, MaybeSync};
use crate::nodes::NodeInput;
use crate::progress::NodeState;
use crate::storage::SortOrder;
use crate::value::Value;

/// A run began: everything but its nodes. Values are raw; the store captures them (see
/// [`super::Capture`]) where it writes, off the run's thread.
#[derive(Debug, Clone)]
pub struct RunBegun {
    pub summary: RunSummary,
    /// The flow definition's codec text as it ran.
    pub flow_json: Arc<str>,
    /// The binary data its `"i"` tags refer to (large arrays of numbers, binary values).
    pub flow_buffers: Vec<Arc<[u8]>>,
    pub input: NodeInput,
    pub variables: Arc<Value>,
    /// `input` and `variables` stand in for values the embedder is still writing out (a second
    /// `Begun` brings them): a store does not checkpoint them.
    pub values_pending: bool,
}

impl RunBegun {
    /// The definition's hash (its text and the binary data beside it).
    pub fn flow_hash(&self) -> String {
        super::flow_hash(&self.flow_json, &self.flow_buffers)
    }

    /// The definition as a record keeps it: self-contained, redacted, never cut (a retry runs it
    /// again).
    pub fn flow_value(&self, capture: &super::Capture) -> Value {
        flow_value(&self.flow_json, &self.flow_buffers, capture)
    }
}

/// A node ended (or was running when the run ended). Values are raw, as in [`RunBegun`].
#[derive(Debug, Clone)]
pub struct NodeEnded {
    pub execution_id: Arc<str>,
    pub node_id: Arc<str>,
    pub node_type: Arc<str>,
    pub state: NodeState,
    pub attempts: u32,
    pub reused: bool,
    pub input: Option<NodeInput>,
    pub output: Option<Arc<Value>>,
    /// The output as stored, when it was captured where the node ended (then `output` is
    /// `None`): a marker, for an output the store would cut anyway. The record then does not
    /// hold the output while it waits in a store's queue — the run's result, were the output
    /// it, would be copied whole to hand it over.
    pub output_captured: Option<super::capture::Captured>,
    /// The output stands for rows that streamed through the node (their count and the first
    /// few, see `crate::nodes::stream`): a retry cannot reuse it.
    pub summarized: bool,
    pub error: Option<ExecutionError>,
    pub start_time: Option<f64>,
    pub end_time: Option<f64>,
    /// Served from the result cache: the entry's key (32 hex digits) and age (ms).
    pub cache: Option<(String, f64)>,
    /// The run is durable: the store also keeps the whole output as the node's checkpoint (see
    /// [`super::durable`]); `output` is then never replaced by a marker.
    pub checkpoint: bool,
}

impl NodeEnded {
    /// The output as stored under `capture`.
    pub fn captured_output(&self, capture: &super::Capture) -> Option<super::capture::Captured> {
        self.output_captured.clone().or_else(|| self.output.as_deref().map(|v| capture.value(v)))
    }
}

/// A run ended.
#[derive(Debug, Clone)]
pub struct RunEnded {
    pub execution_id: Arc<str>,
    pub status: RunStatus,
    pub end_time: f64,
    pub error: Option<ExecutionError>,
}

/// One write, applied in the order given. A second `Begun` for a run only amends its `input`
/// and `variables` (written out by the embedder after the run began).
#[derive(Debug, Clone)]
pub enum HistoryWrite {
    Begun(Box<RunBegun>),
    /// A durable run's node with effects is about to start (see [`super::durable`]).
    Started(Box<super::durable::NodeStarted>),
    Node(Box<NodeEnded>),
    Ended(Box<RunEnded>),
}

impl HistoryWrite {
    /// The run the write is about.
    pub fn execution_id(&self) -> &str {
        match self {
            HistoryWrite::Begun(begun) => &begun.summary.id,
            HistoryWrite::Started(started) => &started.execution_id,
            HistoryWrite::Node(node) => &node.execution_id,
            HistoryWrite::Ended(ended) => &ended.execution_id,
        }
    }
}

/// `executions.list` options: `{flowId?, status?, since?, until?, limit = 50, offset = 0,
/// sortOrder = "desc"}` (by start time; `since` and `until` bound it, in ms since the Unix epoch:
/// from `since`, before `until`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ListQuery {
    pub flow_id: Option<String>,
    pub status: Option<RunStatus>,
    pub since: Option<f64>,
    pub until: Option<f64>,
    pub limit: usize,
    pub offset: usize,
    pub sort_order: SortOrder,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery {
            flow_id: None,
            status: None,
            since: None,
            until: None,
            limit: 50,
            offset: 0,
            sort_order: SortOrder::Desc,
        }
    }
}

impl ListQuery {
    /// Whether a run passes the filters.
    pub fn matches(&self, run: &RunSummary) -> bool {
        self.accepts(&run.flow_id, run.status, run.start_time)
    }

    /// Whether a run of flow `flow_id` with `status`, begun at `start`, passes the filters.
    pub fn accepts(&self, flow_id: &str, status: RunStatus, start: f64) -> bool {
        self.flow_id.as_deref().is_none_or(|f| f == flow_id)
            && self.status.is_none_or(|s| s == status)
            && self.since.is_none_or(|since| start >= since)
            && self.until.is_none_or(|until| start < until)
    }
}

/// `{executions, total}`: one page, and how many runs pass the filters.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "ExecutionListResponse"))]
pub struct ExecutionPage {
    pub executions: Vec<RunSummary>,
    pub total: usize,
}

/// `executions.counts`: how many runs pass the filters (`flowId`, `since`, `until`; a status
/// filter or a page is not one), in all and in each status — a dashboard's tiles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "ExecutionCounts"))]
pub struct RunCounts {
    pub total: usize,
    pub running: usize,
    pub success: usize,
    pub failed: usize,
    pub cancelled: usize,
    pub crashed: usize,
    pub interrupted: usize,
    pub waiting: usize,
}

impl RunCounts {
    /// Adds `runs` runs in `status`.
    pub fn add(&mut self, status: RunStatus, runs: usize) {
        let slot = match status {
            RunStatus::Running => &mut self.running,
            RunStatus::Success => &mut self.success,
            RunStatus::Failed => &mut self.failed,
            RunStatus::Cancelled => &mut self.cancelled,
            RunStatus::Crashed => &mut self.crashed,
            RunStatus::Interrupted => &mut self.interrupted,
            RunStatus::Waiting => &mut self.waiting,
        };
        *slot += runs;
        self.total += runs;
    }
}

/// What `prune` removes: runs that began before `before` (ms since the epoch), and all but the
/// newest `keep`. Runs still `running`, `interrupted` ones (they may be resumed) and `waiting`
/// ones (they may be woken) are never pruned.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Prune {
    pub before: Option<f64>,
    pub keep: Option<usize>,
}

impl Prune {
    /// `before` as a store compares with: a time that is not a number is before nothing (to
    /// PostgreSQL every number is less than NaN; SQLite binds it as NULL).
    pub fn cutoff(&self) -> Option<f64> {
        self.before.filter(|before| !before.is_nan())
    }
}

/// Which process a `running` run belongs to is still alive (see [`RunSummary::owner`]).
pub type OwnerAlive = Box<dyn Fn(&str) -> bool + Send + Sync>;

/// Where run records live. Writes never wait and never fail the run (a store that cannot write
/// drops the record and keeps going); reads see every write made before them.
pub trait HistoryStore: MaybeSend + MaybeSync {
    /// Applies `write` (now, or queued in order).
    fn write(&self, write: HistoryWrite);
    /// How the store keeps values, when it captures them itself (see [`NodeEnded::output_captured`]).
    fn capture(&self) -> Option<&super::Capture> {
        None
    }
    /// One page of runs, newest first unless `sort_order` says otherwise.
    fn list(&self, query: ListQuery) -> BoxFuture<'static, Result<ExecutionPage>>;
    /// A run with its nodes; `None` when absent.
    fn get(&self, id: String) -> BoxFuture<'static, Result<Option<RunRecord>>>;
    /// How many runs pass `query`'s flow and time filters, in each status (its status, limit,
    /// offset and order are not read). By default a page of none per status, whose totals a
    /// store keeps; a store that can count them in one request does.
    fn counts(&self, query: ListQuery) -> BoxFuture<'static, Result<RunCounts>> {
        let totals: Vec<_> = RunStatus::ALL
            .into_iter()
            .map(|status| {
                let query =
                    ListQuery { status: Some(status), limit: 0, offset: 0, ..query.clone() };
                (status, self.list(query))
            })
            .collect();
        Box::pin(async move {
            let mut counts = RunCounts::default();
            for (status, page) in totals {
                counts.add(status, page.await?.total);
            }
            Ok(counts)
        })
    }
    /// Removes a run; `false` when absent.
    fn delete(&self, id: String) -> BoxFuture<'static, Result<bool>>;
    /// Removes old runs (see [`Prune`]); how many went.
    fn prune(&self, prune: Prune) -> BoxFuture<'static, Result<usize>>;
    /// Marks `running` runs whose owner is not `alive` as `crashed` (`interrupted`, for a
    /// durable run of a store that keeps checkpoints); how many were.
    fn recover(&self, alive: OwnerAlive, now: f64) -> BoxFuture<'static, Result<usize>>;

    /// Whether the store keeps checkpoints where they outlive the process (durable runs need it):
    /// then a write of a durable run's checkpoints (its [`HistoryWrite::Begun`] with
    /// `summary.durable`, a [`HistoryWrite::Started`], a [`HistoryWrite::Node`] with `checkpoint`)
    /// is stored when `write` returns, or once [`stored`](Self::stored) resolves — a node with
    /// effects is called right after its start is.
    fn keeps_checkpoints(&self) -> bool {
        false
    }
    /// For a store whose writes reach it after `write` returns (a server's): a future resolved
    /// once every write made before is stored. `None` (the default) when `write` stores at once.
    fn stored(&self) -> Option<BoxFuture<'static, ()>> {
        None
    }
    /// Ends a run for the process that lost it (queue mode: its worker's lock lapsed), when it
    /// is still `running` and still `owner`'s (`None`: anyone's); whether it did. A store shared
    /// by processes checks both in one step, so that a run another process took over meanwhile
    /// is left alone; the default writes `ended` as any write.
    fn end_lost(
        &self,
        ended: RunEnded,
        _owner: Option<String>,
    ) -> BoxFuture<'static, Result<bool>> {
        self.write(HistoryWrite::Ended(Box::new(ended)));
        Box::pin(std::future::ready(Ok(true)))
    }
    /// An interrupted run's checkpoints; `None` when the store has none of it.
    fn checkpoints(&self, _id: String) -> BoxFuture<'static, Result<Option<Checkpoints>>> {
        Box::pin(std::future::ready(Ok(None)))
    }
    /// Takes an `interrupted` run over for `owner` (it is `running` again, its end cleared);
    /// `false` when it is not interrupted (another conductor took it first, or it never was).
    /// One step, so that of two conductors on one store only one resumes a run.
    fn claim(&self, _id: String, _owner: Option<String>) -> BoxFuture<'static, Result<bool>> {
        Box::pin(std::future::ready(Ok(false)))
    }
    /// Wakes a `waiting` run (see [`super::wait`]): in one step, when it still waits at the
    /// wait `wake` names (same node, parked at the same time), keeps `wake.entry` as that node's
    /// wake checkpoint and makes the run `interrupted`, to be resumed; `false` when it does not
    /// wait there (never did, or was woken first). Of two wakes racing, one wins.
    fn wake(&self, wake: super::wait::Wake) -> BoxFuture<'static, Result<bool>> {
        let _ = wake;
        Box::pin(std::future::ready(Err(crate::error::ExecutionError::validation(
            "This history store cannot park runs: waits need a store that keeps checkpoints",
        ))))
    }
}

/// Shared handle to a history store.
pub type SharedHistory = Arc<dyn HistoryStore>;

/// Applies [`Prune`] to runs listed as `(start_time, status, id)` in the order they began: the
/// ids to remove. An id is whatever names a run to the store (its id, or its position).
pub fn pruned_ids<Id>(mut runs: Vec<(f64, RunStatus, Id)>, prune: Prune) -> Vec<Id> {
    runs.retain(|(_, status, _)| !RunStatus::NEVER_PRUNED.contains(status));
    // Newest first, and (the sort being stable) the later of two runs begun together first.
    runs.reverse();
    runs.sort_by(|a, b| b.0.total_cmp(&a.0));
    runs.into_iter()
        .enumerate()
        .filter(|(rank, (start, _, _))| {
            prune.keep.is_some_and(|k| *rank >= k) || prune.cutoff().is_some_and(|b| *start < b)
        })
        .map(|(_, (_, _, id))| id)
        .collect()
}

/// Puts a run's nodes in the order they ended (nodes without an end last, in the order they were
/// written). Writes can arrive out of that order: a node whose values the embedder writes out
/// first is written after them.
pub fn order_nodes(nodes: &mut [NodeRecord]) {
    nodes.sort_by(|a, b| match (a.end_time, b.end_time) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
}

/// A captured value as a record holds it: the value itself when it was kept whole (neither cut
/// nor redacted), so a store in memory does not read back the text it just wrote.
fn kept(captured: super::capture::Captured, original: impl FnOnce() -> Value) -> Value {
    if captured.exact {
        original()
    } else {
        captured.to_value()
    }
}

/// A node's end with its values captured as text: the record's other fields filled in, its
/// `input` and `output` left for the store to make of the text.
pub struct CapturedNode {
    pub record: NodeRecord,
    pub input: Option<super::capture::Captured>,
    pub output: Option<super::capture::Captured>,
}

/// A node's end, its values captured (see [`CapturedNode`]).
pub fn captured_node(node: &NodeEnded, capture: &super::Capture) -> CapturedNode {
    let output = node.captured_output(capture);
    let record = NodeRecord {
        node_id: node.node_id.to_string(),
        node_type: node.node_type.to_string(),
        state: node.state,
        attempts: node.attempts,
        reused: node.reused,
        reusable: node.state.has_output()
            && !node.summarized
            && output.as_ref().is_none_or(|o| o.exact),
        input: None,
        output: None,
        error: node.error.clone(),
        start_time: node.start_time,
        end_time: node.end_time,
        cache_key: node.cache.as_ref().map(|(key, _)| key.clone()),
        cache_age: node.cache.as_ref().map(|&(_, age)| age),
    };
    CapturedNode { record, input: node.input.as_ref().map(|i| capture.input(i)), output }
}

/// A node record from a node's end, its values captured.
pub fn node_record(node: &NodeEnded, capture: &super::Capture) -> NodeRecord {
    let CapturedNode { mut record, input, output } = captured_node(node, capture);
    record.input =
        input.zip(node.input.as_ref()).map(|(i, original)| kept(i, || original.to_value()));
    record.output =
        output.map(|o| kept(o, || node.output.as_deref().cloned().unwrap_or(Value::Null)));
    record
}

/// A run record (without nodes) from its beginning, its values captured.
pub fn run_record(begun: &RunBegun, capture: &super::Capture) -> RunRecord {
    let mut record = run_record_without_flow(begun, capture);
    record.flow = begun.flow_value(capture);
    record
}

/// [`run_record`] with the flow left `null` (a store that keeps the flow's text apart).
pub fn run_record_without_flow(begun: &RunBegun, capture: &super::Capture) -> RunRecord {
    let mut summary = begun.summary.clone();
    if summary.flow_hash.is_empty() {
        summary.flow_hash = begun.flow_hash();
    }
    RunRecord {
        summary,
        flow: Value::Null,
        input: kept(capture.input(&begun.input), || begun.input.to_value()),
        variables: kept(capture.value(&begun.variables), || (*begun.variables).clone()),
        nodes: Vec::new(),
    }
}

/// A flow's codec text (with the binary data beside it) as a record keeps it: redacted, never
/// cut (a retry runs it again).
pub fn flow_value(flow_json: &str, buffers: &[Arc<[u8]>], capture: &super::Capture) -> Value {
    let flow = crate::value::codec::decode(buffers.to_vec(), || {
        crate::format::parse_json_value(flow_json, &crate::format::ParseLimits::default())
    })
    .unwrap_or(Value::Null);
    capture.uncapped().value(&flow).to_value()
}

/// Ends a record: status, end time, duration, error.
pub fn end_record(summary: &mut RunSummary, ended: &RunEnded) {
    summary.status = ended.status;
    summary.end_time = Some(ended.end_time);
    summary.duration = Some(ended.end_time - summary.start_time);
    summary.error = ended.error.clone();
}
