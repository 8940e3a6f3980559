//! Run records in memory: tests, the browser without IndexedDB, and `storage: {type: "memory"}`.

use std::sync::{Mutex, MutexGuard};

use indexmap::IndexMap;

use super::capture::Capture;
use super::record::{RunRecord, RunStatus};
use super::store::{end_record, node_record, pruned_ids, ExecutionPage, HistoryStore, HistoryWrite, ListQuery, OwnerAlive, Prune};
use crate::error::Result;
use crate::host::BoxFuture;
use crate::storage::SortOrder;

/// Runs by id, in the order they began. Values are captured as they are written.
pub struct MemoryHistory {
    runs: Mutex<IndexMap<String, RunRecord>>,
    capture: Capture,
}

impl MemoryHistory {
    pub fn new(capture: Capture) -> Self {
        MemoryHistory { runs: Mutex::new(IndexMap::new()), capture }
    }

    fn runs(&self) -> MutexGuard<'_, IndexMap<String, RunRecord>> {
        self.runs.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How many runs are kept.
    pub fn len(&self) -> usize {
        self.runs().len()
    }

    /// Whether no run is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keeps `record` as it is (one read back from a persistent store), unless a run with its id
    /// is kept already.
    pub fn insert(&self, record: RunRecord) {
        self.runs().entry(record.summary.id.clone()).or_insert(record);
    }

    /// A kept run, its nodes as written.
    pub fn record(&self, id: &str) -> Option<RunRecord> {
        self.runs().get(id).cloned()
    }

    /// Removes what `prune` selects; the ids removed.
    pub fn prune_ids(&self, prune: Prune) -> Vec<String> {
        let mut runs = self.runs();
        let listed = runs.values().map(|r| (r.summary.start_time, r.summary.status, r.summary.id.clone())).collect();
        let doomed = pruned_ids(listed, prune);
        if !doomed.is_empty() {
            let gone: std::collections::HashSet<&String> = doomed.iter().collect();
            runs.retain(|id, _| !gone.contains(id));
        }
        doomed
    }

    /// Marks `running` runs whose owner is not `alive` as crashed at `now`; their ids.
    pub fn recover_ids(&self, alive: &OwnerAlive, now: f64) -> Vec<String> {
        let mut crashed = Vec::new();
        for run in self.runs().values_mut() {
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
            HistoryWrite::Begun(begun) => {
                let record = super::store::run_record(&begun, &self.capture);
                let mut runs = self.runs();
                match runs.get_mut(&record.summary.id) {
                    // A second `Begun` amends values that were written out later.
                    Some(existing) => {
                        existing.input = record.input;
                        existing.variables = record.variables;
                    }
                    None => {
                        runs.insert(record.summary.id.clone(), record);
                    }
                }
            }
            HistoryWrite::Node(node) => {
                let record = node_record(&node, &self.capture);
                if let Some(run) = self.runs().get_mut(&*node.execution_id) {
                    run.nodes.push(record);
                }
            }
            HistoryWrite::Ended(ended) => {
                if let Some(run) = self.runs().get_mut(&*ended.execution_id) {
                    end_record(&mut run.summary, &ended);
                }
            }
        }
    }

    fn list(&self, query: ListQuery) -> BoxFuture<'static, Result<ExecutionPage>> {
        let runs = self.runs();
        let mut matching: Vec<_> = runs.values().map(|r| &r.summary).filter(|s| query.matches(s)).collect();
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
        let mut run = self.runs().get(&id).cloned();
        if let Some(run) = &mut run {
            super::store::order_nodes(&mut run.nodes);
        }
        ready(Ok(run))
    }

    fn delete(&self, id: String) -> BoxFuture<'static, Result<bool>> {
        ready(Ok(self.runs().shift_remove(&id).is_some()))
    }

    fn prune(&self, prune: Prune) -> BoxFuture<'static, Result<usize>> {
        ready(Ok(self.prune_ids(prune).len()))
    }

    fn recover(&self, alive: OwnerAlive, now: f64) -> BoxFuture<'static, Result<usize>> {
        ready(Ok(self.recover_ids(&alive, now).len()))
    }
}
