//! A run's live state for the embedder's `node.store`: the scheduler writes each change of a
//! node into it, and the embedder reads the whole state whenever it asks. Nothing is built
//! until then, so a run nobody looks at pays a lock and a copy per change, not a snapshot.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::plan::{listed_nodes, progress_graph, progress_node, NodeIx, Plan};
use crate::progress::{NodeStatus, ProgressEvent, ProgressGraph};

/// A run's live view as its handles hold it (shared by the run and the session reading it).
pub type SharedView = Arc<RunView>;

/// One run's state as `node.store` shows it (`ExecutionGraphState`), kept current by the
/// scheduler and read as JSON by [`RunView::to_json`].
pub struct RunView {
    state: Mutex<ViewState>,
}

struct ViewState {
    execution_id: Arc<str>,
    /// The run's plan, for the nodes' names, edges and levels; `None` before the run starts
    /// (or when it was refused) and after a plan that carries much data was let go.
    plan: Option<Arc<Plan>>,
    graph: Option<Arc<ProgressGraph>>,
    /// Each plan node's status.
    statuses: Vec<NodeStatus>,
    progress: u8,
    start_time: Option<f64>,
    end_time: Option<f64>,
    /// The final state's text, kept instead of the plan when the plan carries much data.
    frozen: Option<String>,
}

impl RunView {
    /// The view of run `execution_id`, empty until the run starts.
    pub fn new(execution_id: &str) -> Arc<Self> {
        Arc::new(RunView {
            state: Mutex::new(ViewState {
                execution_id: Arc::from(execution_id),
                plan: None,
                graph: None,
                statuses: Vec::new(),
                progress: 0,
                start_time: None,
                end_time: None,
                frozen: None,
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, ViewState> {
        // A poisoned lock only means a panic elsewhere mid-update; the view stays readable.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The run's id.
    pub fn execution_id(&self) -> Arc<str> {
        self.lock().execution_id.clone()
    }

    /// The run starts: every node pending.
    pub(crate) fn begin(&self, plan: &Arc<Plan>, start_time: f64) {
        let mut state = self.lock();
        state.statuses = vec![NodeStatus::PENDING; plan.nodes.len()];
        state.plan = Some(plan.clone());
        state.start_time = Some(start_time);
    }

    /// Node `ix` changed; the run's progress is `progress`.
    pub(crate) fn set(&self, ix: NodeIx, status: &NodeStatus, progress: u8) {
        let mut state = self.lock();
        if let Some(slot) = state.statuses.get_mut(ix) {
            slot.clone_from(status);
        }
        state.progress = progress;
    }

    /// The run ended at `end_time` with `progress`. A plan that carries much data is let go
    /// here (the final state kept as text), so the view never keeps a run's data alive.
    pub(crate) fn finish(&self, end_time: f64, progress: u8) {
        let mut state = self.lock();
        state.end_time = Some(end_time);
        state.progress = progress;
        if state.plan.as_ref().is_some_and(|plan| plan.bulky) {
            state.frozen = state.text();
            state.plan = None;
            state.statuses = Vec::new();
        }
    }

    /// The state as the JSON of a progress snapshot (what a progress event carries: its nodes,
    /// graph, progress, times), whenever asked; `None` when the run never started (it was
    /// refused before any node could run).
    pub fn to_json(&self) -> Option<String> {
        let mut state = self.lock();
        if let Some(text) = &state.frozen {
            return Some(text.clone());
        }
        if state.graph.is_none() {
            state.graph = Some(Arc::new(progress_graph(state.plan.as_ref()?)));
        }
        state.text()
    }
}

impl ViewState {
    fn text(&self) -> Option<String> {
        let plan = self.plan.as_ref()?;
        let graph = match &self.graph {
            Some(graph) => graph.clone(),
            None => Arc::new(progress_graph(plan)),
        };
        let snapshot = ProgressEvent {
            execution_id: self.execution_id.to_string(),
            node_id: String::new(),
            progress: self.progress,
            message: String::new(),
            nodes: listed_nodes(plan)
                .filter_map(|ix| {
                    self.statuses.get(ix).map(|status| progress_node(plan, ix, status))
                })
                .collect(),
            graph,
            is_executing: self.end_time.is_none(),
            start_time: self.start_time.unwrap_or_default(),
            end_time: self.end_time,
        };
        serde_json::to_string(&snapshot).ok()
    }
}
