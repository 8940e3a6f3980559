//! Run records in memory: tests, the browser without IndexedDB, and `storage: {type: "memory"}`.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use indexmap::IndexMap;

use super::capture::Capture;
use super::record::{NodeRecord, RunRecord, RunStatus};
use super::store::{captured_node, end_record, flow_value, pruned_ids, run_record_without_flow, CapturedNode, ExecutionPage, HistoryStore, HistoryWrite, ListQuery, NodeEnded, OwnerAlive, Prune, RunBegun};
use crate::value::{codec, Value};
use crate::error::Result;
use crate::host::BoxFuture;
use crate::storage::SortOrder;

/// Distinct flow texts recently recorded, compared by content to share one copy between runs.
const RECENT_FLOWS: usize = 16;

/// Runs by id, in the order they began. Values are captured as they are written; a run's flow
/// is kept as the text it ran from (runs of the same flow share one copy) and read when a record
/// is: writes happen on the run's thread, and a flow may carry its data (a 100,000-item array
/// parsed per run cost that thread ~15 ms and kept megabytes per run).
pub struct MemoryHistory {
    runs: Mutex<Runs>,
    capture: Capture,
}

#[derive(Default)]
struct Runs {
    records: IndexMap<String, KeptRun>,
    /// Flows of runs whose record has not been read yet (its `flow` is `null` until then).
    flow_texts: HashMap<String, FlowText>,
    /// Recent distinct flows with their hashes.
    recent: VecDeque<(FlowText, String)>,
}

/// A run as kept: its record without nodes, and its nodes apart.
struct KeptRun {
    record: RunRecord,
    nodes: Vec<KeptNode>,
}

impl KeptRun {
    /// The whole record, nodes in the order they were written.
    fn to_record(&self) -> RunRecord {
        let mut record = self.record.clone();
        record.nodes = self.nodes.iter().map(KeptNode::to_record).collect();
        record
    }
}

/// A node's record as kept: its values as the JSON text the capture wrote. Held as values, a
/// 10-node run's nodes took ~20 KB (every value a tree of boxed maps), so the 10,000 runs kept
/// by default grew the process by ~200 MB; as text, a fraction of that, and writing a node no
/// longer copies its output. Reads (rare) parse the text.
struct KeptNode {
    /// The record with `input` and `output` left out.
    record: NodeRecord,
    input: Option<Box<str>>,
    output: Option<Box<str>>,
}

impl KeptNode {
    fn captured(node: &NodeEnded, capture: &Capture) -> KeptNode {
        let CapturedNode { record, input, output } = captured_node(node, capture);
        KeptNode { record, input: input.map(|i| i.json.into_boxed_str()), output: output.map(|o| o.json.into_boxed_str()) }
    }

    /// A node record read from elsewhere (a persistent store), kept the same way.
    fn of_record(mut record: NodeRecord) -> KeptNode {
        let text = |value: Value| serde_json::to_string(&value).ok().map(String::into_boxed_str);
        let (input, output) = (record.input.take().and_then(text), record.output.take().and_then(text));
        KeptNode { record, input, output }
    }

    fn to_record(&self) -> NodeRecord {
        let read = |text: &str| codec::from_json(text).unwrap_or(Value::Null);
        NodeRecord { input: self.input.as_deref().map(read), output: self.output.as_deref().map(read), ..self.record.clone() }
    }
}

/// A flow's codec text and the binary data beside it.
#[derive(Clone)]
struct FlowText {
    json: Arc<str>,
    buffers: Vec<Arc<[u8]>>,
}

impl FlowText {
    fn same_as(&self, begun: &RunBegun) -> bool {
        self.json.len() == begun.flow_json.len()
            && self.buffers.len() == begun.flow_buffers.len()
            && *self.json == *begun.flow_json
            && self.buffers.iter().zip(&begun.flow_buffers).all(|(a, b)| **a == **b)
    }
}

impl Runs {
    /// `begun`'s flow (or an equal one kept already) and its hash, computed once per distinct flow.
    fn intern(&mut self, begun: &RunBegun) -> (FlowText, String) {
        if let Some(kept) = self.recent.iter().find(|(kept, _)| kept.same_as(begun)) {
            return kept.clone();
        }
        if self.recent.len() == RECENT_FLOWS {
            self.recent.pop_back();
        }
        let entry = (FlowText { json: begun.flow_json.clone(), buffers: begun.flow_buffers.clone() }, begun.flow_hash());
        self.recent.push_front(entry.clone());
        entry
    }

    /// Run `id`'s record with its flow read from its text (once: the record keeps it).
    fn read(&mut self, id: &str, capture: &Capture) -> Option<RunRecord> {
        let text = self.flow_texts.remove(id);
        let run = self.records.get_mut(id)?;
        if let Some(text) = text {
            run.record.flow = flow_value(&text.json, &text.buffers, capture);
        }
        Some(run.to_record())
    }

    fn forget(&mut self, id: &str) -> bool {
        self.flow_texts.remove(id);
        self.records.shift_remove(id).is_some()
    }
}

impl MemoryHistory {
    pub fn new(capture: Capture) -> Self {
        MemoryHistory { runs: Mutex::new(Runs::default()), capture }
    }

    fn runs(&self) -> MutexGuard<'_, Runs> {
        self.runs.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How many runs are kept.
    pub fn len(&self) -> usize {
        self.runs().records.len()
    }

    /// Whether no run is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keeps `record` as it is (one read back from a persistent store), unless a run with its id
    /// is kept already.
    pub fn insert(&self, record: RunRecord) {
        let mut record = record;
        let nodes = std::mem::take(&mut record.nodes).into_iter().map(KeptNode::of_record).collect();
        self.runs().records.entry(record.summary.id.clone()).or_insert(KeptRun { record, nodes });
    }

    /// A kept run, its nodes as written.
    pub fn record(&self, id: &str) -> Option<RunRecord> {
        self.runs().read(id, &self.capture)
    }

    /// Removes what `prune` selects; the ids removed.
    pub fn prune_ids(&self, prune: Prune) -> Vec<String> {
        let mut runs = self.runs();
        // Runs by position: naming all 10,000 kept runs by a copy of their id cost more than
        // the pruning itself.
        let listed = runs.records.values().enumerate().map(|(at, r)| (r.record.summary.start_time, r.record.summary.status, at)).collect();
        let doomed = pruned_ids(listed, prune);
        if doomed.is_empty() {
            return Vec::new();
        }
        let ids: Vec<String> = doomed.iter().filter_map(|&at| runs.records.get_index(at).map(|(id, _)| id.clone())).collect();
        for id in &ids {
            runs.flow_texts.remove(id);
        }
        // One pass over the runs: removing each on its own shifts every later run down, and with
        // the default 10,000 runs kept, the 64 removed per retention pass moved hundreds of
        // megabytes (a tenth of a small run's time, growing with the history).
        let mut gone = vec![false; runs.records.len()];
        for at in doomed {
            gone[at] = true;
        }
        let mut at = 0;
        runs.records.retain(|_, _| {
            at += 1;
            !gone[at - 1]
        });
        ids
    }

    /// Marks `running` runs whose owner is not `alive` as crashed at `now`; their ids.
    pub fn recover_ids(&self, alive: &OwnerAlive, now: f64) -> Vec<String> {
        let mut crashed = Vec::new();
        for run in self.runs().records.values_mut().map(|kept| &mut kept.record) {
            if run.summary.status == RunStatus::Running && !run.summary.owner.as_deref().is_some_and(alive) {
                run.summary.status = RunStatus::Crashed;
                run.summary.end_time.get_or_insert(now);
                crashed.push(run.summary.id.clone());
            }
        }
        crashed
    }
}

impl Default for MemoryHistory {
    fn default() -> Self {
        MemoryHistory::new(Capture::default())
    }
}

fn ready<T: crate::host::MaybeSend + 'static>(value: T) -> BoxFuture<'static, T> {
    Box::pin(std::future::ready(value))
}

impl HistoryStore for MemoryHistory {
    fn write(&self, write: HistoryWrite) {
        match write {
            HistoryWrite::Begun(mut begun) => {
                let mut runs = self.runs();
                let (text, hash) = runs.intern(&begun);
                if begun.summary.flow_hash.is_empty() {
                    begun.summary.flow_hash = hash;
                }
                let record = run_record_without_flow(&begun, &self.capture);
                match runs.records.get_mut(&record.summary.id) {
                    // A second `Begun` amends values that were written out later.
                    Some(existing) => {
                        existing.record.input = record.input;
                        existing.record.variables = record.variables;
                    }
                    None => {
                        runs.flow_texts.insert(record.summary.id.clone(), text);
                        runs.records.insert(record.summary.id.clone(), KeptRun { record, nodes: Vec::new() });
                    }
                }
            }
            HistoryWrite::Node(node) => {
                let kept = KeptNode::captured(&node, &self.capture);
                if let Some(run) = self.runs().records.get_mut(&*node.execution_id) {
                    run.nodes.push(kept);
                }
            }
            HistoryWrite::Ended(ended) => {
                if let Some(run) = self.runs().records.get_mut(&*ended.execution_id) {
                    end_record(&mut run.record.summary, &ended);
                }
            }
        }
    }

    fn list(&self, query: ListQuery) -> BoxFuture<'static, Result<ExecutionPage>> {
        let runs = self.runs();
        let mut matching: Vec<_> = runs.records.values().map(|r| &r.record.summary).filter(|s| query.matches(s)).collect();
        // Stable: runs that began in the same millisecond stay in the order they began.
        matching.sort_by(|a, b| a.start_time.total_cmp(&b.start_time));
        if query.sort_order == SortOrder::Desc {
            matching.reverse();
        }
        let total = matching.len();
        let executions = matching.into_iter().skip(query.offset).take(query.limit).cloned().collect();
        ready(Ok(ExecutionPage { executions, total }))
    }

    fn get(&self, id: String) -> BoxFuture<'static, Result<Option<RunRecord>>> {
        let mut run = self.runs().read(&id, &self.capture);
        if let Some(run) = &mut run {
            super::store::order_nodes(&mut run.nodes);
        }
        ready(Ok(run))
    }

    fn delete(&self, id: String) -> BoxFuture<'static, Result<bool>> {
        ready(Ok(self.runs().forget(&id)))
    }

    fn prune(&self, prune: Prune) -> BoxFuture<'static, Result<usize>> {
        ready(Ok(self.prune_ids(prune).len()))
    }

    fn recover(&self, alive: OwnerAlive, now: f64) -> BoxFuture<'static, Result<usize>> {
        ready(Ok(self.recover_ids(&alive, now).len()))
    }
}
