//! Run records in memory: tests, the browser without IndexedDB, and `storage: {type: "memory"}`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use indexmap::IndexMap;

use super::capture::Capture;
use super::packed::{self, PackedNodes};
use super::record::{RunRecord, RunStatus, RunSummary};
use super::store::{
    captured_node, flow_value, pruned_ids, ExecutionPage, HistoryStore, HistoryWrite, ListQuery,
    OwnerAlive, Prune, RunBegun, RunEnded,
};
use crate::error::{ExecutionError, Result};
use crate::host::BoxFuture;
use crate::storage::SortOrder;
use crate::value::{codec, Value};

/// Distinct flow texts recently recorded, compared by content to share one copy between runs.
const RECENT_FLOWS: usize = 16;

/// Runs by id, in the order they began, each kept small: values as the JSON text the capture
/// wrote, nodes packed into one buffer ([`PackedNodes`]), the flow shared by the runs of an equal
/// one and kept as the text it ran from. Writes happen on the run's thread, and up to 10,000 runs
/// are kept by default: held as structs and values, so many runs grew the process a lot and cost
/// each run fresh pages (the sizes: docs/PERFORMANCE.md, "Run history"). Reads (rare) unpack.
pub struct MemoryHistory {
    runs: Mutex<Runs>,
    capture: Capture,
}

#[derive(Default)]
struct Runs {
    records: IndexMap<String, KeptRun>,
    /// Recent distinct flows.
    recent: VecDeque<Arc<KeptFlow>>,
    /// The owner last seen: a process's runs all have the same one.
    owner: Option<Arc<str>>,
}

/// A flow as its runs keep it.
struct KeptFlow {
    flow_id: Box<str>,
    hash: Box<str>,
    definition: Definition,
}

enum Definition {
    /// The codec text it ran from, with the binary data beside it: read when a record is.
    Text { json: Arc<str>, buffers: Vec<Arc<[u8]>> },
    /// A definition read back from a persistent store.
    Value(Value),
}

impl KeptFlow {
    fn of_run(begun: &RunBegun) -> KeptFlow {
        let hash = if begun.summary.flow_hash.is_empty() {
            begun.flow_hash()
        } else {
            begun.summary.flow_hash.clone()
        };
        let definition =
            Definition::Text { json: begun.flow_json.clone(), buffers: begun.flow_buffers.clone() };
        KeptFlow { flow_id: begun.summary.flow_id.as_str().into(), hash: hash.into(), definition }
    }

    fn same_as(&self, begun: &RunBegun) -> bool {
        let Definition::Text { json, buffers } = &self.definition else { return false };
        *self.flow_id == *begun.summary.flow_id
            && json.len() == begun.flow_json.len()
            && buffers.len() == begun.flow_buffers.len()
            && **json == *begun.flow_json
            && buffers.iter().zip(&begun.flow_buffers).all(|(a, b)| **a == **b)
    }

    fn value(&self, capture: &Capture) -> Value {
        match &self.definition {
            Definition::Text { json, buffers } => flow_value(json, buffers, capture),
            Definition::Value(value) => value.clone(),
        }
    }
}

/// A run as kept (its id is its key).
struct KeptRun {
    flow: Arc<KeptFlow>,
    status: RunStatus,
    start_time: f64,
    end_time: Option<f64>,
    duration: Option<f64>,
    owner: Option<Arc<str>>,
    error: Option<Box<ExecutionError>>,
    retry_of: Option<Box<str>>,
    /// Checkpointed (see `history::durable`): when its process ends, it is interrupted.
    durable: bool,
    /// Captured JSON text.
    input: Box<str>,
    variables: Box<str>,
    nodes: PackedNodes,
}

/// A value's JSON text read back.
fn read(text: &str) -> Value {
    codec::from_json(text).unwrap_or(Value::Null)
}

/// A value's JSON text, for a record read back from a persistent store.
fn text(value: &Value) -> Box<str> {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into()).into_boxed_str()
}

impl KeptRun {
    fn summary(&self, id: &str) -> RunSummary {
        RunSummary {
            id: id.to_owned(),
            flow_id: self.flow.flow_id.to_string(),
            flow_hash: self.flow.hash.to_string(),
            status: self.status,
            start_time: self.start_time,
            end_time: self.end_time,
            duration: self.duration,
            error: self.error.as_deref().cloned(),
            retry_of: self.retry_of.as_deref().map(str::to_owned),
            owner: self.owner.as_deref().map(str::to_owned),
            durable: self.durable,
        }
    }

    /// The whole record, nodes in the order they were written.
    fn record(&self, id: &str, capture: &Capture) -> RunRecord {
        RunRecord {
            summary: self.summary(id),
            flow: self.flow.value(capture),
            input: read(&self.input),
            variables: read(&self.variables),
            nodes: self.nodes.unpack(),
        }
    }

    /// A record read back from a persistent store, kept the same way.
    fn of_record(record: RunRecord) -> KeptRun {
        let RunRecord { summary, flow, input, variables, nodes: records } = record;
        let mut nodes = PackedNodes::default();
        for node in &records {
            let (input, output) = (node.input.as_ref().map(text), node.output.as_ref().map(text));
            nodes.push(node, input.as_deref(), output.as_deref());
        }
        nodes.seal();
        KeptRun {
            flow: Arc::new(KeptFlow {
                flow_id: summary.flow_id.into(),
                hash: summary.flow_hash.into(),
                definition: Definition::Value(flow),
            }),
            status: summary.status,
            start_time: summary.start_time,
            end_time: summary.end_time,
            duration: summary.duration,
            owner: summary.owner.map(Arc::from),
            error: summary.error.map(Box::new),
            retry_of: summary.retry_of.map(String::into_boxed_str),
            durable: summary.durable,
            input: text(&input),
            variables: text(&variables),
            nodes,
        }
    }

    fn end(&mut self, ended: &RunEnded) {
        self.status = ended.status;
        self.end_time = Some(ended.end_time);
        self.duration = Some(ended.end_time - self.start_time);
        self.error = ended.error.clone().map(Box::new);
        self.nodes.seal();
    }
}

impl Runs {
    /// `begun`'s flow, or an equal one kept already (its hash computed once per distinct flow).
    fn intern(&mut self, begun: &RunBegun) -> Arc<KeptFlow> {
        if let Some(kept) = self.recent.iter().find(|kept| kept.same_as(begun)) {
            return kept.clone();
        }
        if self.recent.len() == RECENT_FLOWS {
            self.recent.pop_back();
        }
        let kept = Arc::new(KeptFlow::of_run(begun));
        self.recent.push_front(kept.clone());
        kept
    }

    fn owner(&mut self, owner: Option<&str>) -> Option<Arc<str>> {
        let owner = owner?;
        match &self.owner {
            Some(last) if **last == *owner => Some(last.clone()),
            _ => {
                self.owner = Some(Arc::from(owner));
                self.owner.clone()
            }
        }
    }

    fn begin(&mut self, begun: &RunBegun, capture: &Capture) {
        let input = capture.input(&begun.input).json.into_boxed_str();
        let variables = capture.value(&begun.variables).json.into_boxed_str();
        if let Some(existing) = self.records.get_mut(&begun.summary.id) {
            // A second `Begun` amends values that were written out later.
            existing.input = input;
            existing.variables = variables;
            return;
        }
        let s = &begun.summary;
        let run = KeptRun {
            flow: self.intern(begun),
            status: s.status,
            start_time: s.start_time,
            end_time: s.end_time,
            duration: s.duration,
            owner: self.owner(s.owner.as_deref()),
            error: s.error.clone().map(Box::new),
            retry_of: s.retry_of.as_deref().map(Box::from),
            durable: s.durable,
            input,
            variables,
            nodes: PackedNodes::default(),
        };
        self.records.insert(s.id.clone(), run);
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
        let id = record.summary.id.clone();
        self.runs().records.entry(id).or_insert_with(|| KeptRun::of_record(record));
    }

    /// A kept run, its nodes as written.
    pub fn record(&self, id: &str) -> Option<RunRecord> {
        self.runs().records.get(id).map(|run| run.record(id, &self.capture))
    }

    /// Removes what `prune` selects; the ids removed.
    pub fn prune_ids(&self, prune: Prune) -> Vec<String> {
        let mut runs = self.runs();
        // Runs by position: naming all 10,000 kept runs by a copy of their id cost more than
        // the pruning itself.
        let listed =
            runs.records.values().enumerate().map(|(at, r)| (r.start_time, r.status, at)).collect();
        let doomed = pruned_ids(listed, prune);
        if doomed.is_empty() {
            return Vec::new();
        }
        let ids: Vec<String> = doomed
            .iter()
            .filter_map(|&at| runs.records.get_index(at).map(|(id, _)| id.clone()))
            .collect();
        // One pass over the runs: removing each on its own shifts every later run down, so each
        // retention pass moved most of the history, a cost that grew with it (measured:
        // docs/PERFORMANCE.md, "Run history").
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

    /// Takes `interrupted` run `id` over for `owner`: running again, its end cleared. Whether it
    /// was interrupted.
    pub fn claim(&self, id: &str, owner: Option<&str>) -> bool {
        let mut runs = self.runs();
        let owner = runs.owner(owner);
        let Some(run) = runs.records.get_mut(id) else { return false };
        if run.status != RunStatus::Interrupted {
            return false;
        }
        (run.status, run.end_time, run.duration, run.error, run.owner) =
            (RunStatus::Running, None, None, None, owner);
        true
    }

    /// Whether run `wake.execution_id` still waits at `wake`'s wait.
    pub fn waits_at(&self, wake: &super::Wake) -> bool {
        let runs = self.runs();
        runs.records
            .get(&wake.execution_id)
            .is_some_and(|run| wake.matches(run.status, run.error.as_deref()))
    }

    /// Makes run `wake.execution_id` interrupted when it still waits at `wake`'s wait (see
    /// [`super::wait`]); whether it did. The delivery is the caller's to keep.
    pub fn wake(&self, wake: &super::Wake) -> bool {
        let mut runs = self.runs();
        let Some(run) = runs.records.get_mut(&wake.execution_id) else { return false };
        if !wake.matches(run.status, run.error.as_deref()) {
            return false;
        }
        (run.status, run.error) = (RunStatus::Interrupted, None);
        true
    }

    /// Marks `running` runs whose owner is not `alive` as crashed at `now`; their ids.
    pub fn recover_ids(&self, alive: &OwnerAlive, now: f64) -> Vec<String> {
        let mut crashed = Vec::new();
        for (id, run) in self.runs().records.iter_mut() {
            if run.status == RunStatus::Running && !run.owner.as_deref().is_some_and(alive) {
                run.status = RunStatus::Crashed;
                run.end_time.get_or_insert(now);
                crashed.push(id.clone());
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
    fn capture(&self) -> Option<&Capture> {
        Some(&self.capture)
    }

    fn write(&self, write: HistoryWrite) {
        match write {
            HistoryWrite::Begun(begun) => self.runs().begin(&begun, &self.capture),
            HistoryWrite::Node(node) => {
                let captured = captured_node(&node, &self.capture);
                if let Some(run) = self.runs().records.get_mut(&*node.execution_id) {
                    run.nodes.push(
                        &captured.record,
                        packed::text(&captured.input),
                        packed::text(&captured.output),
                    );
                }
            }
            HistoryWrite::Ended(ended) => {
                if let Some(run) = self.runs().records.get_mut(&*ended.execution_id) {
                    run.end(&ended);
                }
            }
            // A store in memory keeps no checkpoints (nothing of it outlives the process).
            HistoryWrite::Started(_) => {}
        }
    }

    fn list(&self, query: ListQuery) -> BoxFuture<'static, Result<ExecutionPage>> {
        let runs = self.runs();
        let mut matching: Vec<_> = runs
            .records
            .iter()
            .filter(|(_, r)| query.accepts(&r.flow.flow_id, r.status, r.start_time))
            .collect();
        // Stable: runs that began in the same millisecond stay in the order they began.
        matching.sort_by(|a, b| a.1.start_time.total_cmp(&b.1.start_time));
        if query.sort_order == SortOrder::Desc {
            matching.reverse();
        }
        let total = matching.len();
        let executions = matching
            .into_iter()
            .skip(query.offset)
            .take(query.limit)
            .map(|(id, run)| run.summary(id))
            .collect();
        ready(Ok(ExecutionPage { executions, total }))
    }

    fn get(&self, id: String) -> BoxFuture<'static, Result<Option<RunRecord>>> {
        let mut run = self.record(&id);
        if let Some(run) = &mut run {
            super::store::order_nodes(&mut run.nodes);
        }
        ready(Ok(run))
    }

    fn delete(&self, id: String) -> BoxFuture<'static, Result<bool>> {
        ready(Ok(self.runs().records.shift_remove(&id).is_some()))
    }

    fn prune(&self, prune: Prune) -> BoxFuture<'static, Result<usize>> {
        ready(Ok(self.prune_ids(prune).len()))
    }

    fn recover(&self, alive: OwnerAlive, now: f64) -> BoxFuture<'static, Result<usize>> {
        ready(Ok(self.recover_ids(&alive, now).len()))
    }
}
