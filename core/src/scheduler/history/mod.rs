//! The scheduler's side of execution history: what a node's end records, which nodes a retry
//! takes over from the run it retries instead of running them, and (`wait.rs`) durable runs
//! parked at `wait` nodes.

mod wait;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use crate::error::ExecutionError;
use crate::history::{unknown_node, NodeEnded, Reuse, RunRecorder, SharedRecorder};
use crate::nodes::NodeInput;
use crate::nodes::NodeRegistry;
use crate::plan::{NodeIx, PathIndex, Plan};
use crate::progress::NodeState;
use crate::value::Value;
use std::collections::HashSet;

use super::partial::PresetOutput;
use super::recording::{RunRecording, Types};
use super::Scheduler;

/// What a run records and reuses: its history (with a recorder, once nodes are found by
/// path) and, for a retry, the outputs taken over from the run it retries.
fn prepare(
    plan: &Plan,
    paths: Option<&PathIndex>,
    recorder: Option<SharedRecorder>,
    reuse: Option<Reuse>,
    types: (&NodeRegistry, &HashSet<String>),
) -> Result<(Option<RunHistory>, Vec<Option<PresetOutput>>), ExecutionError> {
    let mut reuse = reuse;
    let interrupted = reuse.as_mut().map(|r| std::mem::take(&mut r.interrupted));
    let mut deliveries = reuse.as_mut().map(|r| std::mem::take(&mut r.deliveries));
    let effects_only = reuse.as_ref().is_some_and(|r| r.effects_only);
    let (presets, leftovers) = match (reuse, paths) {
        (Some(reuse), Some(paths)) if reuse.effects_only => {
            replayed_by_index(plan, paths.paths(), reuse, types)?
        }
        (Some(reuse), Some(paths)) => reuse_by_index(plan, paths.paths(), reuse)?,
        _ => (Vec::new(), HashMap::new()),
    };
    let history = recorder.zip(paths).map(|(recorder, paths)| {
        let mut history = RunHistory::new(recorder, paths.paths().to_vec());
        for (ix, path) in paths.paths().iter().enumerate() {
            if let Some(&made) = interrupted.as_ref().and_then(|made| made.get(&**path)) {
                history.interrupted[ix] = made;
            }
            history.deliveries[ix] = deliveries.as_mut().and_then(|d| d.remove(&**path));
        }
        // What nodes of for-each items and sub-flows (by path, inside one of this plan's) reuse.
        history.nested = Arc::new(std::sync::Mutex::new(Nested {
            outputs: leftovers,
            interrupted: interrupted.unwrap_or_default(),
            effects_only,
        }));
        history
    });
    Ok((history, presets))
}

/// What a run reuses for the nodes its plan does not have: those of its for-each items and
/// sub-flows, named by path (`loop[3]/call`), taken by the nested runs as they start.
#[derive(Default)]
pub(crate) struct Nested {
    outputs: HashMap<String, (Arc<str>, Option<Arc<Value>>)>,
    interrupted: HashMap<String, u32>,
    effects_only: bool,
}

type HashMap<K, V> = std::collections::HashMap<K, V>;

/// Per node index, the output to reuse instead of running it: recorded outputs whose node has
/// the same path and type, minus (with `rerun_from`) that node and everything downstream of it.
pub(crate) fn reuse_by_index(
    plan: &Plan,
    paths: &[Arc<str>],
    reuse: Reuse,
) -> Result<(Vec<Option<PresetOutput>>, Leftovers), ExecutionError> {
    let mut rerun = vec![false; plan.nodes.len()];
    if let Some(from) = &reuse.rerun_from {
        let start = paths.iter().position(|p| **p == **from).ok_or_else(|| unknown_node(from))?;
        mark_downstream(plan, start, &mut rerun);
    }
    let mut outputs = reuse.outputs;
    let presets = plan
        .nodes
        .iter()
        .enumerate()
        .map(|(ix, node)| {
            if node.is_group() || rerun[ix] {
                return None;
            }
            match outputs.remove(&*paths[ix]) {
                Some((node_type, output)) if node_type == node.node_type => {
                    Some(PresetOutput { output, pinned: false })
                }
                _ => None,
            }
        })
        .collect();
    Ok((presets, nested_leftovers(plan, paths, outputs, &rerun)))
}

/// The recorded outputs no node of the plan took that belong inside one of its for-each items
/// or sub-flows (a path below one's, `<path>[`), but for those that run again.
type Leftovers = HashMap<String, (Arc<str>, Option<Arc<Value>>)>;

fn nested_leftovers(
    plan: &Plan,
    paths: &[Arc<str>],
    mut outputs: Leftovers,
    rerun: &[bool],
) -> Leftovers {
    let nesting: Vec<&str> = plan
        .nodes
        .iter()
        .enumerate()
        .filter(|(ix, node)| {
            matches!(node.kind, crate::plan::NodeKind::ForEach | crate::plan::NodeKind::SubFlow)
                && !rerun.get(*ix).copied().unwrap_or(false)
        })
        .map(|(ix, _)| &*paths[ix])
        .collect();
    if nesting.is_empty() {
        return Leftovers::new();
    }
    outputs.retain(|path, _| {
        nesting
            .iter()
            .any(|prefix| path.starts_with(prefix) && path[prefix.len()..].starts_with('['))
    });
    outputs
}

/// A replay's presets: each leaf with effects (a custom executor's, or a type's that says so)
/// takes its recorded output; one without a whole recorded output refuses the run, which would
/// otherwise have it run. Pure nodes run.
fn replayed_by_index(
    plan: &Plan,
    paths: &[Arc<str>],
    mut reuse: Reuse,
    (registry, custom_types): (&NodeRegistry, &HashSet<String>),
) -> Result<(Vec<Option<PresetOutput>>, Leftovers), ExecutionError> {
    let mut missing = Vec::new();
    let presets: Vec<Option<PresetOutput>> = plan
        .nodes
        .iter()
        .enumerate()
        .map(|(ix, node)| {
            // An embedder's executor may do anything: it is taken for one with effects.
            let effects = crate::nodes::route(&node.node_type, registry, custom_types).is_some_and(
                |runtime| runtime.registered().is_none_or(|t| t.effects(&node.parameters)),
            );
            if node.is_group() || !node.enabled || !effects || plan.in_body(ix) {
                return None;
            }
            match reuse.outputs.remove(&*paths[ix]) {
                Some((node_type, output)) if node_type == node.node_type => {
                    Some(PresetOutput { output, pinned: false })
                }
                _ => {
                    missing.push(format!("'{}' ({})", paths[ix], node.node_type));
                    None
                }
            }
        })
        .collect();
    if !missing.is_empty() {
        return Err(ExecutionError::validation(format!(
            "Cannot replay: {} {} effects and no whole recorded output (not run then, or cut at history.maxValueBytes), so would have to run",
            missing.join(", "),
            if missing.len() == 1 { "has" } else { "have" }
        )));
    }
    let rerun = vec![false; plan.nodes.len()];
    let leftovers = nested_leftovers(plan, paths, reuse.outputs, &rerun);
    Ok((presets, leftovers))
}

/// Marks `start` and whatever its output reaches: its subtree (a group's input changed), the
/// targets of its edges, and the successors of every group it ends up in (a group's output is
/// its last child's).
fn mark_downstream(plan: &Plan, start: NodeIx, rerun: &mut [bool]) {
    let mut stack = vec![start];
    while let Some(ix) = stack.pop() {
        if rerun[ix] {
            continue;
        }
        rerun[ix] = true;
        let node = &plan.nodes[ix];
        stack.extend(ix + 1..node.subtree_end);
        stack.extend(node.outputs.iter().map(|&(target, _)| target));
        let mut parent = node.parent;
        while let Some(group) = parent {
            stack.extend(plan.nodes[group].outputs.iter().map(|&(target, _)| target));
            parent = plan.nodes[group].parent;
        }
    }
}

/// A recorded run's per-node state kept while it goes on.
pub(crate) struct RunHistory {
    pub recorder: Arc<RunRecorder>,
    pub paths: Vec<Arc<str>>,
    /// Each started leaf's input, recorded at its end.
    pub inputs: Vec<Option<NodeInput>>,
    /// Each started leaf's attempt counter (retries, timeouts and pacing only).
    pub attempts: Vec<Option<Arc<AtomicU32>>>,
    /// A resumed run's attempts each leaf made before its process ended (see `Reuse::interrupted`).
    pub interrupted: Vec<u32>,
    /// A resumed run's deliveries to its wait nodes, by index (see `history::wait`).
    pub deliveries: Vec<Option<Value>>,
    /// The `WAITING` error of the wait node the run parked at, once it has.
    parked: Option<ExecutionError>,
    /// What the nested runs of its for-each items and sub-flows reuse (shared with them).
    pub nested: Arc<std::sync::Mutex<Nested>>,
}

/// The record entry that keeps a durable run's permissions.
pub const PERMISSIONS_KEY: &str = "$permissions";

impl RunHistory {
    pub fn new(recorder: Arc<RunRecorder>, paths: Vec<Arc<str>>) -> Self {
        let n = paths.len();
        RunHistory {
            recorder,
            paths,
            inputs: vec![None; n],
            attempts: vec![None; n],
            interrupted: vec![0; n],
            deliveries: vec![None; n],
            parked: None,
            nested: Arc::default(),
        }
    }

    /// An entry of the run's record that is not a node's (`key` is no node's path), completed
    /// with `output`.
    fn record_entry(&self, key: &str, kind: &str, output: Value) {
        self.recorder.node(
            NodeEnded {
                execution_id: self.recorder.execution_id().clone(),
                node_id: Arc::from(key),
                node_type: Arc::from(kind),
                state: NodeState::Completed,
                attempts: 0,
                reused: false,
                input: None,
                output: Some(Arc::new(output)),
                output_captured: None,
                summarized: false,
                error: None,
                start_time: None,
                end_time: None,
                cache: None,
                checkpoint: false,
            },
            false,
        );
    }

    /// Parks the run at a wait node (the first to park it, when two do at once).
    pub fn park(&mut self, waiting: ExecutionError) {
        self.parked.get_or_insert(waiting);
    }
}

impl RunRecording for RunHistory {
    type Nesting = Nesting;

    fn prepare(
        plan: &Plan,
        paths: Option<&PathIndex>,
        recorder: Option<SharedRecorder>,
        reuse: Option<Reuse>,
        types: Types<'_>,
    ) -> Result<(Option<Self>, Vec<Option<PresetOutput>>), ExecutionError> {
        prepare(plan, paths, recorder, reuse, types)
    }

    fn nested(
        nesting: &Nesting,
        plan: &Plan,
        prefix: &str,
        types: Types<'_>,
    ) -> (Self, Vec<Option<PresetOutput>>) {
        nesting.run(plan, prefix, types)
    }

    /// Records each flow the run's sub-flows call as the run pinned it (`$sub-flow:<id>`:
    /// `{flowId, hash, flow}`): what a resumed run calls, and what its record shows.
    fn record_pins(&self, flows: &crate::plan::PinnedFlows) {
        for (id, pinned) in flows.iter() {
            let output = crate::plan::pin_value(id, pinned);
            self.record_entry(&crate::plan::pin_key(id), crate::nodes::SUB_FLOW_TYPE, output);
        }
    }

    /// Records the run's permissions and who started it (`$permissions`: `{permissions?,
    /// caller?}`) when it is durable and has either: a run resumed after its process died goes
    /// on with them, whoever resumes it (see `session/history.rs`), and its record shows what it
    /// was allowed and for whom it ran.
    fn record_permissions(&self) {
        let mut output = crate::value::Map::new();
        if let Some(permissions) = self.recorder.permissions() {
            let Ok(granted) = crate::value::to_value(permissions) else { return };
            output.insert("permissions", granted);
        }
        if let Some(caller) = self.recorder.caller() {
            output.insert("caller", Value::from(caller));
        }
        if !output.is_empty() {
            self.record_entry(PERMISSIONS_KEY, PERMISSIONS_KEY, Value::Object(output));
        }
    }

    /// What the runs nested in this one (for-each items, sub-flows) record with.
    fn nesting(&self) -> Nesting {
        Nesting { recorder: self.recorder.clone(), nested: self.nested.clone() }
    }

    /// The run was suspended (see `RunRecorder::suspending`) or parked at a wait node: no more
    /// nodes start.
    fn suspending(&self) -> bool {
        self.parked.is_some() || self.recorder.suspending()
    }

    /// Whether the run parked at a wait node.
    fn parked(&self) -> bool {
        self.parked.is_some()
    }

    /// The `WAITING` error the run parked with.
    fn parked_error(&self) -> Option<&ExecutionError> {
        self.parked.as_ref()
    }

    /// How many attempts leaf `ix` may make of `max`: those an interrupted run made count, but
    /// it gets one at least.
    fn attempts_left(&self, ix: NodeIx, max: u32) -> u32 {
        max.saturating_sub(self.interrupted[ix]).max(1)
    }

    /// Keeps leaf `ix`'s input, recorded at its end.
    fn started(&mut self, ix: NodeIx, input: &NodeInput) {
        self.inputs[ix] = Some(input.clone());
    }

    /// Polls the recorder's writes waiting for values JS keeps (see `RunRecorder::poll_writes`).
    fn poll_writes(&self, cx: &mut std::task::Context<'_>) {
        self.recorder.poll_writes(cx);
    }

    /// For a durable run, when leaf `ix` has effects: records its start (see
    /// [`RunRecorder::starting`]); a future to wait for before calling the node when that start
    /// waits for outputs still being written out.
    fn write_ahead(
        &self,
        plan: &Plan,
        ix: NodeIx,
        executor: &super::leaf::Executor,
    ) -> Option<crate::host::BoxFuture<'static, ()>> {
        if !self.recorder.is_durable() {
            return None;
        }
        let node = &plan.nodes[ix];
        let (effects, repeatable) = match executor {
            super::leaf::Executor::Builtin(node_type, _) => {
                (node_type.effects(&node.parameters), node_type.repeatable(&node.parameters))
            }
            super::leaf::Executor::Custom => (true, false),
        };
        if !effects {
            return None;
        }
        // `parameters.idempotent`: the flow says running it twice is safe, so a run interrupted
        // while it ran runs it again without asking (as it does a node its type says is).
        let idempotent = repeatable
            || crate::model::small_map_get(&node.parameters, "idempotent").and_then(Value::as_bool)
                == Some(true);
        self.recorder.starting(self.paths[ix].clone(), node.node_type.clone(), idempotent)
    }

    /// A counter leaf `ix`'s attempts go into (leaves that may make more than one).
    fn attempt_counter(&mut self, ix: NodeIx) -> Arc<AtomicU32> {
        let counter = Arc::new(AtomicU32::new(0));
        self.attempts[ix] = Some(counter.clone());
        counter
    }

    #[allow(clippy::too_many_arguments)]
    fn ended(
        &mut self,
        plan: &Plan,
        ix: NodeIx,
        state: NodeState,
        output: Option<Arc<Value>>,
        error: Option<ExecutionError>,
        times: (Option<f64>, Option<f64>),
        (reused, output_js, summarized): (bool, bool, bool),
        cache: Option<(String, f64)>,
    ) {
        if ix == 0 && plan.root().is_group() {
            return;
        }
        let node = &plan.nodes[ix];
        let leaf = !node.is_group();
        let attempts = match (leaf, reused, self.attempts[ix].take()) {
            (false, _, _) | (true, true, _) => 0,
            (true, false, Some(counter)) => counter.load(Ordering::Relaxed),
            // Skipped, pinned and cached leaves never ran.
            (true, false, None) => u32::from(!matches!(
                state,
                NodeState::Skipped | NodeState::Pinned | NodeState::Cached
            )),
        };
        // With the attempts it made before an interruption (the record tells them all).
        let attempts = if attempts > 0 { attempts + self.interrupted[ix] } else { 0 };
        self.recorder.node(
            NodeEnded {
                execution_id: self.recorder.execution_id().clone(),
                node_id: self.paths[ix].clone(),
                node_type: node.node_type.clone(),
                state,
                attempts,
                reused,
                input: if leaf { self.inputs[ix].take() } else { None },
                output: if leaf { output } else { None },
                output_captured: None,
                summarized,
                error,
                start_time: times.0,
                end_time: times.1,
                cache,
                checkpoint: false,
            },
            output_js,
        );
    }

    fn parks_or_wakes(scheduler: &mut Scheduler, ix: NodeIx, input: &NodeInput) -> bool {
        scheduler.parks_or_wakes(ix, input)
    }
}

/// A run's recorder and what its nested runs reuse, as those runs take them.
#[derive(Clone)]
pub(crate) struct Nesting {
    recorder: Arc<RunRecorder>,
    nested: Arc<std::sync::Mutex<Nested>>,
}

impl Nesting {
    /// The history of a run nested in this one (a for-each's item, a sub-flow's flow), whose
    /// nodes are recorded under `prefix` (`loop[3]/`), with what it reuses: the outputs and the
    /// attempts of an interrupted run's nodes by their paths (a replay: those of nodes with
    /// effects only).
    pub fn run(
        &self,
        plan: &Plan,
        prefix: &str,
        (registry, custom_types): (&NodeRegistry, &HashSet<String>),
    ) -> (RunHistory, Vec<Option<PresetOutput>>) {
        let paths: Vec<Arc<str>> = (0..plan.nodes.len())
            .map(|ix| Arc::from(format!("{prefix}{}", plan.path(ix))))
            .collect();
        let mut nested = self.nested.lock().unwrap_or_else(|p| p.into_inner());
        let mut presets = Vec::new();
        let mut history = RunHistory::new(self.recorder.clone(), paths);
        if !nested.outputs.is_empty() || !nested.interrupted.is_empty() {
            presets =
                plan.nodes
                    .iter()
                    .enumerate()
                    .map(|(ix, node)| {
                        let path = &*history.paths[ix];
                        if let Some(&made) = nested.interrupted.get(path) {
                            history.interrupted[ix] = made;
                        }
                        let effects = || {
                            crate::nodes::route(&node.node_type, registry, custom_types)
                                .is_some_and(|runtime| {
                                    runtime.registered().is_none_or(|t| t.effects(&node.parameters))
                                })
                        };
                        if node.is_group() || (nested.effects_only && !effects()) {
                            return None;
                        }
                        match nested.outputs.remove(path) {
                            Some((node_type, output)) if node_type == node.node_type => {
                                Some(PresetOutput { output, pinned: false })
                            }
                            _ => None,
                        }
                    })
                    .collect();
        }
        history.nested = self.nested.clone();
        (history, presets)
    }
}
