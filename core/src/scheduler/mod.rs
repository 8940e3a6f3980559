//! The scheduler: runs a [`Plan`] with as much parallelism as the dependencies and the
//! concurrency limit allow, while producing exactly the result the sequential engine would.
//!
//! How "exactly" is kept: plan indices are sequential positions. A node starts as soon as its
//! predecessors are done; ready nodes start lowest index first (so `concurrency: 1` is the
//! sequential order). When a node fails at index `p`, the sequential engine would have run every
//! node before `p` and none after it, so nodes after `p` are cancelled or never started, nodes
//! before `p` still run (one of them may fail too and then becomes the reported failure), and
//! `executedNodes`/`data` are read off the plan in index order.
//!
//! Runtime-agnostic: one future, driven by whatever executor the host uses. Running leaves are
//! futures polled by the scheduler itself (no task or channel per node: a leaf costs a few
//! allocations); time comes from [`Host::now`](crate::host::Host::now) and
//! [`Host::sleep`](crate::host::Host::sleep). CPU-heavy node types move their work off the
//! scheduler with [`Host::spawn`](crate::host::Host::spawn).

pub(crate) mod debug;
#[cfg(feature = "history")]
pub(crate) mod history;
#[cfg(not(feature = "history"))]
#[path = "history_off.rs"]
pub(crate) mod history;
mod leaf;
pub(crate) mod partial;
#[cfg(feature = "debugger")]
mod pause;
#[cfg(not(feature = "debugger"))]
#[path = "pause_off.rs"]
mod pause;
mod slots;
mod snapshot;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};
use std::sync::Arc;
use std::task::Poll;

use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};
use crate::value::Value;

use self::debug::ResolvedDebug;
use self::history::RunHistory;
use self::leaf::{leaf_future, Executor, LeafJob, LeafMessage, LeafOutcome};
use self::partial::PresetOutput;
use self::pause::Gate;
use self::slots::Slot;
use crate::engine::{EngineConfig, ExecutionContext, ExecutionResult, RunControl};
use crate::error::{ErrorCode, ExecutionError};
use crate::format::js_number;
use crate::host::{BoxFuture, CancelToken, EngineEvent, EventSink, SharedHost};
use crate::nodes::{Invocation, NodeInput, NodeRegistry, ParentContext};
use crate::plan::{progress_graph, trace_summary, NodeIx, Plan, TraceSummary};
use crate::progress::{NodeState, ProgressGraph, WeightedProgress};
use crate::trace::{ExecutionTrace, NodeTrace, TraceData, TraceEvent};

/// Node ends handled in one poll of a run before it yields (and asks to be polled again), so
/// the driver can give the embedder's thread back between slices of a long flow.
const NODES_PER_POLL: usize = 256;

/// Everything a run needs, prepared by the engine.
pub(crate) struct RunSetup {
    pub plan: Plan,
    pub host: SharedHost,
    pub registry: Arc<NodeRegistry>,
    pub config: Arc<EngineConfig>,
    pub execution_id: Arc<str>,
    pub variables: Arc<Value>,
    pub input: NodeInput,
    pub parent_context: Option<Value>,
    pub slow_mo: Option<f64>,
    pub debug_value: Option<Arc<Value>>,
    pub debug: ResolvedDebug,
    pub timeout_ms: Option<f64>,
    pub custom_types: Arc<HashSet<String>>,
    pub cancel: CancelToken,
    pub events: Option<Arc<dyn EventSink>>,
    pub start_time: f64,
    /// Records the run as it goes (execution history).
    pub history: Option<RunHistory>,
    /// By node index, outputs used instead of running the node (pinned, or reused by a retry);
    /// empty when there are none.
    pub presets: Vec<Option<PresetOutput>>,
    /// `runTo`: the target node, and by index whether a node runs.
    pub run_to: Option<(NodeIx, Vec<bool>)>,
    /// Indices the run pauses before, sorted.
    pub breakpoints: Vec<NodeIx>,
    /// Pause, resume and step requests.
    pub control: Option<Arc<RunControl>>,
}

/// Why a run stopped before finishing.
#[derive(Clone, Copy, PartialEq)]
enum Abort {
    Cancelled,
    TimedOut(f64),
}

#[cfg_attr(not(feature = "debugger"), allow(dead_code))]
pub(crate) struct Scheduler {
    plan: Plan,
    host: SharedHost,
    registry: Arc<NodeRegistry>,
    config: Arc<EngineConfig>,
    execution_id: Arc<str>,
    variables: Arc<Value>,
    run_input: NodeInput,
    /// Whether the run's input holds values the embedder keeps (see [`Slot::js`]).
    run_input_js: bool,
    parent_context: Option<Value>,
    slow_mo_option: Option<f64>,
    slow_mo: f64,
    debug_value: Option<Arc<Value>>,
    debug: ResolvedDebug,
    timeout_ms: Option<f64>,
    custom_types: Arc<HashSet<String>>,
    /// Who runs each node type, resolved on first use (plan nodes share one `Arc` per type, so
    /// its address is the key): a hash of the type name per node was a measurable cost.
    executors: rustc_hash::FxHashMap<usize, Option<Executor>>,
    cancel: CancelToken,
    events: Option<Arc<dyn EventSink>>,
    /// The root's graph metadata, computed when first needed (an event or the trace).
    graph: Option<Arc<ProgressGraph>>,
    start_time: f64,

    slots: Vec<Slot>,
    ready: BinaryHeap<Reverse<NodeIx>>,
    running: FuturesUnordered<BoxFuture<'static, LeafOutcome>>,
    running_count: usize,
    /// Progress reports of leaves paced by slowMo (the only ones that report before ending).
    messages: Option<(UnboundedSender<LeafMessage>, UnboundedReceiver<LeafMessage>)>,
    /// Lowest index that failed; nothing after it may start.
    cutoff: NodeIx,
    failure: Option<(NodeIx, ExecutionError)>,
    aborted: Option<Abort>,
    progress: WeightedProgress,
    trace: Option<ExecutionTrace>,
    dirty: bool,
    last_emit: f64,
    finished_at: Option<f64>,
    history: Option<RunHistory>,
    presets: Vec<Option<PresetOutput>>,
    run_to: Option<(NodeIx, Vec<bool>)>,
    breakpoints: Vec<NodeIx>,
    control: Option<Arc<RunControl>>,
    /// The node a paused run holds (see [`pause`]).
    held: Option<NodeIx>,
    /// When the run paused, while it is paused.
    paused_since: Option<f64>,
    /// Time spent paused, which the run's timeout does not count.
    paused_total: f64,
}

impl Scheduler {
    pub(crate) fn new(setup: RunSetup) -> Self {
        let RunSetup {
            plan,
            host,
            registry,
            config,
            execution_id,
            variables,
            input,
            parent_context,
            slow_mo,
            debug_value,
            debug,
            timeout_ms,
            custom_types,
            cancel,
            events,
            start_time,
            history,
            presets,
            run_to,
            breakpoints,
            control,
        } = setup;
        let slots = plan.nodes.iter().map(|n| Slot::new(u32::try_from(n.inputs.len()).unwrap_or(u32::MAX))).collect();
        let progress = WeightedProgress::new(plan.root().leaf_weight);
        let trace = config.trace.then(|| ExecutionTrace {
            execution_id: execution_id.clone(),
            root_node_id: plan.root().id.clone(),
            start_time,
            end_time: None,
            duration: None,
            slow_mo,
            // The first event is filled in at the end, when the graph metadata is known.
            events: {
                let mut events = Vec::with_capacity(2 * plan.nodes.len() + 2);
                events.push(TraceEvent {
                    timestamp: start_time,
                    node: None,
                    data: TraceData::Started { total_nodes: plan.nodes.len(), total_weight: 0, critical_path: Arc::from(Vec::new()) },
                });
                events
            },
            first_node: usize::from(plan.root().is_group()),
            nodes: plan
                .nodes
                .iter()
                .skip(usize::from(plan.root().is_group()))
                .map(|n| NodeTrace {
                    node_id: n.id.clone(),
                    node_name: n.name.clone(),
                    node_type: n.node_type.clone(),
                    start_time: 0.0,
                    end_time: None,
                    duration: None,
                    state: NodeState::Pending,
                    progress: 0,
                })
                .collect(),
        });
        let effective_slow_mo = slow_mo.filter(|s| s.is_finite() && *s > 0.0).unwrap_or(0.0);
        Scheduler {
            messages: (effective_slow_mo > 0.0).then(unbounded),
            slow_mo: effective_slow_mo,
            slow_mo_option: slow_mo,
            plan,
            host,
            registry,
            config,
            execution_id,
            variables,
            run_input_js: input.holds_js(),
            run_input: input,
            parent_context,
            debug_value,
            debug,
            timeout_ms,
            custom_types,
            executors: rustc_hash::FxHashMap::default(),
            cancel,
            events,
            graph: None,
            start_time,
            slots,
            ready: BinaryHeap::new(),
            running: FuturesUnordered::new(),
            running_count: 0,
            cutoff: usize::MAX,
            failure: None,
            aborted: None,
            progress,
            trace,
            dirty: false,
            last_emit: f64::NEG_INFINITY,
            finished_at: None,
            history,
            presets,
            run_to,
            breakpoints,
            control,
            held: None,
            paused_since: None,
            paused_total: 0.0,
        }
    }

    /// Drives the run to its end and assembles the result.
    pub(crate) async fn run(mut self) -> ExecutionResult {
        self.emit(EngineEvent::Started { execution_id: self.execution_id.to_string(), node_id: self.plan.root().id.to_string() });
        if self.events.is_some() {
            self.emit_progress();
        }
        self.ready.push(Reverse(0));
        let mut cancelled = self.cancel.cancelled();
        let mut timeout: Option<BoxFuture<'static, ()>> = self.timeout_ms.map(|ms| self.host.sleep(ms));
        let start_time = self.start_time;
        let mut throttle: Option<BoxFuture<'static, ()>> = None;
        futures::future::poll_fn(|cx| {
            if cancelled.poll_unpin(cx).is_ready() {
                self.abort(Abort::Cancelled);
                return Poll::Ready(());
            }
            #[cfg(feature = "debugger")]
            if let Some(control) = &self.control {
                // Before reading its requests, so one that comes meanwhile still wakes the run.
                control.register(cx.waker());
            }
            if self.is_holding() {
                // Paused time does not count; the timer restarts with what is left on resume.
                timeout = None;
            } else if let (None, Some(ms)) = (&timeout, self.timeout_ms) {
                timeout = Some(self.host.sleep(ms - (self.host.now() - start_time - self.paused_total)));
            }
            if let Some(timer) = timeout.as_mut() {
                if timer.poll_unpin(cx).is_ready() {
                    self.abort(Abort::TimedOut(self.timeout_ms.unwrap_or(0.0)));
                    return Poll::Ready(());
                }
            }
            self.drain_messages(cx);
            self.start_ready();
            let mut ended = 0;
            while ended < NODES_PER_POLL {
                let Poll::Ready(Some((ix, outcome))) = self.running.poll_next_unpin(cx) else { break };
                self.leaf_ended(ix, outcome);
                self.start_ready();
                ended += 1;
            }
            if self.running_count == 0 && self.ready.is_empty() && !self.is_holding() {
                return Poll::Ready(());
            }
            match self.emit_if_due() {
                Some(wait) if throttle.is_none() => throttle = Some(self.host.sleep(wait)),
                Some(_) => {}
                None => throttle = None,
            }
            if let Some(timer) = throttle.as_mut() {
                if timer.poll_unpin(cx).is_ready() {
                    throttle = None;
                    if self.dirty {
                        self.emit_progress();
                    }
                }
            }
            if ended == NODES_PER_POLL {
                // Come back at once, but let the driver see its clock first: a flow of many
                // quick nodes must not hold the embedder's thread for one long poll.
                cx.waker().wake_by_ref();
            }
            Poll::Pending
        })
        .await;
        self.finish()
    }

    /// Applies slowMo reports; animation steps can arrive together, and each gets its snapshot
    /// when the throttle allows.
    fn drain_messages(&mut self, cx: &mut std::task::Context<'_>) {
        loop {
            let Some((_, receiver)) = self.messages.as_mut() else { return };
            let Poll::Ready(Some(message)) = receiver.poll_next_unpin(cx) else { return };
            match message {
                LeafMessage::Started(ix) if self.slots[ix].signal.is_some() => {
                    self.set_state(ix, NodeState::Executing, None);
                    self.set_progress(ix, 0, Some("Starting..."));
                }
                LeafMessage::Progress(ix, percent, text) if self.slots[ix].signal.is_some() => self.set_progress(ix, percent, Some(text)),
                _ => {}
            }
            self.emit_if_due();
        }
    }

    /// A leaf future ended. Ends of leaves the scheduler already let go of are ignored.
    fn leaf_ended(&mut self, ix: NodeIx, outcome: Option<crate::nodes::NodeResult>) {
        if self.slots[ix].signal.take().is_none() {
            return;
        }
        self.running_count -= 1;
        match outcome {
            Some(Ok(output)) => self.complete(ix, output.map(Arc::new), NodeState::Completed),
            Some(Err(error)) => self.fail(ix, error),
            // Its signal was cancelled before the scheduler saw its own: the run's token (a
            // node's signal is its child) was cancelled between the two looks. Without this the
            // run would end with the node neither failed nor completed.
            None if self.cancel.is_cancelled() => self.abort(Abort::Cancelled),
            None => {}
        }
    }

    /// Starts ready nodes, lowest index first, up to the concurrency limit for atomic nodes,
    /// unless the run is paused (see [`pause`]).
    fn start_ready(&mut self) {
        if self.aborted.is_some() {
            return;
        }
        if self.held.is_some_and(|ix| ix > self.cutoff) {
            // A node before it failed: the sequential engine would never have reached it.
            self.held = None;
        }
        if !self.release_held() {
            return;
        }
        let limit = self.config.concurrency.max(1);
        while let Some(&Reverse(ix)) = self.ready.peek() {
            let outside_run_to = self.run_to.as_ref().is_some_and(|(_, runs)| !runs[ix]);
            if ix > self.cutoff || outside_run_to {
                self.ready.pop();
                continue;
            }
            let group = self.plan.nodes[ix].is_group();
            if !group && self.running_count >= limit {
                break;
            }
            match self.gate(ix) {
                Gate::Start => {}
                Gate::Wait => break,
                Gate::Held if self.release_held() => continue,
                Gate::Held => break,
            }
            self.ready.pop();
            self.start_node(ix);
        }
    }

    fn start_node(&mut self, ix: NodeIx) {
        if self.plan.nodes[ix].is_group() {
            self.start_group(ix);
        } else {
            self.start_leaf(ix);
        }
    }

    /// Edge input: one key per incoming edge whose source produced a value, later edges winning
    /// on the same key; otherwise the enclosing group's input unchanged. With it, whether it may
    /// hold values the embedder keeps (see [`Slot::js`]).
    fn input_for(&self, ix: NodeIx) -> (NodeInput, bool) {
        let node = &self.plan.nodes[ix];
        if !node.inputs.is_empty() {
            let slots = &self.slots;
            let delivered = NodeInput::from_entries(
                node.inputs.iter().filter_map(|(source, key)| slots[*source].output.as_ref().map(|out| (key.clone(), out.clone()))),
            );
            if !delivered.is_empty() {
                let js = node.inputs.iter().any(|(source, _)| slots[*source].js && slots[*source].output.is_some());
                return (delivered, js);
            }
        }
        match node.parent {
            Some(group) => (self.slots[group].input.clone().unwrap_or_default(), self.slots[group].js),
            None => (self.run_input.clone(), self.run_input_js),
        }
    }

    fn start_group(&mut self, ix: NodeIx) {
        let (input, js) = self.input_for(ix);
        self.slots[ix].js = js;
        if !self.plan.nodes[ix].enabled {
            let output = Arc::new(input.to_value());
            self.skip_subtree(ix);
            self.complete(ix, Some(output), NodeState::Skipped);
            return;
        }
        #[cfg(feature = "debugger")]
        if let Some(preset) = self.presets.get_mut(ix).and_then(Option::take) {
            // A pinned group: its output is given, its children do not run.
            self.slots[ix].js = preset.output.as_ref().is_some_and(|o| o.holds_js());
            self.slots[ix].start_time = Some(self.host.now());
            self.skip_subtree(ix);
            self.complete(ix, preset.output, NodeState::Pinned);
            return;
        }
        self.slots[ix].input = Some(input);
        self.set_state(ix, NodeState::Executing, None);
        let children = &self.plan.nodes[ix].children;
        self.slots[ix].waiting_children = u32::try_from(children.len()).unwrap_or(u32::MAX);
        for &child in children {
            if self.plan.nodes[child].inputs.is_empty() {
                self.ready.push(Reverse(child));
            }
        }
    }

    /// Marks every descendant of a disabled group skipped (they never run).
    fn skip_subtree(&mut self, ix: NodeIx) {
        let end = self.plan.nodes[ix].subtree_end;
        let now = self.host.now();
        for descendant in ix + 1..end {
            let slot = &mut self.slots[descendant];
            slot.state = NodeState::Skipped;
            slot.progress = 100;
            slot.end_time = Some(now);
            if let Some(trace) = self.trace.as_mut() {
                trace.state_change(descendant, now, NodeState::Skipped, None);
            }
        }
        self.progress.add_done(self.plan.nodes[ix].leaf_weight);
        self.dirty = true;
    }

    fn executor_for(&mut self, ix: NodeIx) -> Option<Executor> {
        let node_type = &self.plan.nodes[ix].node_type;
        let (custom_types, registry) = (&self.custom_types, &self.registry);
        self.executors
            .entry(Arc::as_ptr(node_type).cast::<u8>() as usize)
            .or_insert_with(|| {
                if custom_types.contains(&**node_type) {
                    Some(Executor::Custom)
                } else {
                    registry.get(node_type).map(|t| Executor::Builtin(t.clone()))
                }
            })
            .clone()
    }

    fn start_leaf(&mut self, ix: NodeIx) {
        let (input, input_js) = self.input_for(ix);
        if !self.plan.nodes[ix].enabled {
            // Its input passes on as its output, embedder values and all.
            self.slots[ix].js = input_js;
            let output = Arc::new(input.to_value());
            self.complete(ix, Some(output), NodeState::Skipped);
            return;
        }
        if let Some(preset) = self.presets.get_mut(ix).and_then(Option::take) {
            // Pinned, or taken over from the run this one retries: the node does not run.
            self.slots[ix].js = preset.output.as_ref().is_some_and(|o| o.holds_js());
            self.slots[ix].start_time = Some(self.host.now());
            let state = if preset.pinned { NodeState::Pinned } else { NodeState::Completed };
            self.complete_as(ix, preset.output, state, !preset.pinned);
            return;
        }
        if let Some(history) = self.history.as_mut() {
            history.started(ix, &input);
        }
        let Some(executor) = self.executor_for(ix) else {
            let error = ExecutionError::new(
                ErrorCode::NODE_TYPE_NOT_FOUND,
                format!("No implementation found for node type: {}", self.plan.nodes[ix].node_type),
            );
            self.set_state(ix, NodeState::Executing, None);
            self.fail(ix, error);
            return;
        };
        // A JS executor's output may be a value JS keeps; a built-in's never is (its input was
        // written out in full before it ran).
        self.slots[ix].js = matches!(executor, Executor::Custom);
        let materialize = !matches!(executor, Executor::Custom) && input_js && input.holds_js();
        let node = &self.plan.nodes[ix];
        let signal = self.cancel.child();
        // Only JS executors see `parentContext`; built-ins never pay for it.
        let parent_context = match (&executor, node.parent) {
            (Executor::Custom, Some(group)) => Some(Arc::new(ParentContext {
                node_id: self.plan.nodes[group].id.clone(),
                execution_id: self.execution_id.clone(),
                input: self.slots[group].input.clone().unwrap_or_default(),
                variables: self.variables.clone(),
                slow_mo: self.slow_mo_option,
                debug: self.debug_value.clone(),
            })),
            _ => None,
        };
        let invocation = Invocation {
            node_id: node.id.clone(),
            node_type: node.node_type.clone(),
            execution_id: self.execution_id.clone(),
            parameters: node.parameters.clone(),
            input,
            variables: self.variables.clone(),
            parent_context,
            slow_mo: self.slow_mo_option,
            debug: self.debug_value.clone(),
            signal: signal.clone(),
            attempt: 1,
            expression_limits: self.config.expression_limits,
        };
        let job = LeafJob {
            ix,
            executor,
            host: self.host.clone(),
            weight: node.weight,
            slow_mo: self.slow_mo,
            long_running_ms: self.debug.long_running_delay(ix, &node.id),
            simulated_error: self.debug.error_for(ix, &node.id),
            simulated_panic: self.debug.panics(ix, &node.id),
            timeout_ms: node.timeout_ms,
            max_attempts: 1 + node.retries.min(self.config.max_retries),
            retry_delay_ms: self.config.retry_delay_ms,
            max_retry_delay_ms: self.config.max_retry_delay_ms,
            messages: self.messages.as_ref().map(|(sender, _)| sender.clone()),
            invocation: Some(invocation),
            materialize,
            attempts: None,
        };
        let mut job = job;
        if let Some(history) = self.history.as_mut() {
            if job.max_attempts > 1 {
                job.attempts = Some(history.attempt_counter(ix));
            }
        }
        self.running.push(leaf_future(job));
        self.running_count += 1;
        self.slots[ix].signal = Some(signal);
        if self.slow_mo <= 0.0 {
            self.set_state(ix, NodeState::Executing, None);
        }
    }

    /// A node is done (completed or skipped): release its successors, and complete enclosing
    /// groups whose last child this was (iteratively, however deep).
    fn complete(&mut self, ix: NodeIx, output: Option<Arc<Value>>, state: NodeState) {
        self.complete_as(ix, output, state, false);
    }

    /// [`complete`](Self::complete), saying whether the output was `reused` from another run.
    fn complete_as(&mut self, mut ix: NodeIx, mut output: Option<Arc<Value>>, mut state: NodeState, mut reused: bool) {
        loop {
            self.set_state(ix, state, None);
            if self.history.is_some() {
                self.record_end(ix, state, output.clone(), None, reused);
                reused = false;
            }
            self.slots[ix].output = output;
            self.slots[ix].input = None;
            for i in 0..self.plan.nodes[ix].outputs.len() {
                let successor = self.plan.nodes[ix].outputs[i];
                let slot = &mut self.slots[successor];
                slot.waiting_predecessors -= 1;
                if slot.waiting_predecessors == 0 {
                    self.ready.push(Reverse(successor));
                }
            }
            let Some(group) = self.plan.nodes[ix].parent else { return };
            let slot = &mut self.slots[group];
            slot.waiting_children -= 1;
            if slot.waiting_children > 0 {
                return;
            }
            // The group's output is its last child's in sequential order.
            let last = self.plan.nodes[group].children.last().copied();
            output = last.and_then(|child| self.slots[child].output.clone());
            self.slots[group].js = last.is_some_and(|child| self.slots[child].js);
            ix = group;
            state = NodeState::Completed;
        }
    }

    fn fail(&mut self, ix: NodeIx, error: ExecutionError) {
        let node_id = self.plan.nodes[ix].id.clone();
        let error = error.located(&node_id, &self.execution_id).with_timestamp(self.host.now());
        self.set_state(ix, NodeState::Error, Some(error.message.clone()));
        if self.history.is_some() {
            self.record_end(ix, NodeState::Error, None, Some(error.clone()), false);
        }
        if ix < self.cutoff {
            self.cutoff = ix;
            self.failure = Some((ix, error));
        }
        for j in self.cutoff + 1..self.slots.len() {
            if let Some(signal) = self.slots[j].signal.take() {
                // The sequential engine would never have started it.
                signal.cancel();
                self.running_count -= 1;
                self.set_state(j, NodeState::Pending, None);
            }
        }
    }

    fn abort(&mut self, reason: Abort) {
        self.aborted = Some(reason);
        let message = match reason {
            Abort::Cancelled => "Cancelled".to_owned(),
            Abort::TimedOut(ms) => format!("Execution timed out after {}ms", js_number(ms)),
        };
        for ix in 0..self.slots.len() {
            if let Some(signal) = self.slots[ix].signal.take() {
                signal.cancel();
                self.running_count -= 1;
                self.set_state(ix, NodeState::Error, Some(message.clone()));
                if self.history.is_some() {
                    let code = if reason == Abort::Cancelled { ErrorCode::CANCELLED } else { ErrorCode::TIMEOUT };
                    self.record_end(ix, NodeState::Error, None, Some(ExecutionError::new(code, message.clone())), false);
                }
            }
        }
    }

    /// Hands a node's end to the run's recorder.
    fn record_end(&mut self, ix: NodeIx, state: NodeState, output: Option<Arc<Value>>, error: Option<ExecutionError>, reused: bool) {
        let times = (self.slots[ix].start_time, self.slots[ix].end_time);
        if let Some(history) = self.history.as_mut() {
            history.ended(&self.plan, ix, state, output, error, times, reused);
        }
    }

    fn set_state(&mut self, ix: NodeIx, state: NodeState, error: Option<String>) {
        let now = self.host.now();
        let is_leaf = !self.plan.nodes[ix].is_group();
        let slot = &mut self.slots[ix];
        let old = (slot.state, slot.progress);
        match state {
            NodeState::Executing => {
                slot.start_time = Some(now);
                slot.progress = 0;
            }
            NodeState::Completed | NodeState::Skipped | NodeState::Pinned => {
                slot.end_time = Some(now);
                slot.progress = 100;
                slot.message = Some(crate::progress::COMPLETE_MESSAGE);
            }
            NodeState::Error => slot.end_time = Some(now),
            NodeState::Pending => {
                slot.progress = 0;
                slot.message = None;
                slot.start_time = None;
            }
        }
        slot.state = state;
        if error.is_some() {
            slot.error = error.clone();
        }
        if is_leaf {
            self.progress.update(u64::from(self.plan.nodes[ix].weight), old, (state, slot.progress));
        }
        if let Some(trace) = self.trace.as_mut() {
            trace.state_change(ix, now, state, error);
        }
        self.dirty = true;
    }

    fn set_progress(&mut self, ix: NodeIx, percent: u8, message: Option<&'static str>) {
        let slot = &mut self.slots[ix];
        let old = (slot.state, slot.progress);
        slot.progress = percent.min(100);
        if message.is_some() {
            slot.message = message;
        }
        let new = (slot.state, slot.progress);
        self.progress.update(u64::from(self.plan.nodes[ix].weight), old, new);
        if let Some(trace) = self.trace.as_mut() {
            let overall = self.progress.percent();
            trace.progress(ix, self.host.now(), percent, message.unwrap_or(""), overall);
        }
        self.dirty = true;
    }

    fn current_progress(&self) -> u8 {
        if self.finished_at.is_some() && self.failure.is_none() && self.aborted.is_none() {
            100
        } else {
            self.progress.percent()
        }
    }

    /// Emits a snapshot if something changed and the throttle allows; otherwise returns how long
    /// until it will.
    fn emit_if_due(&mut self) -> Option<f64> {
        if !self.dirty || self.events.is_none() {
            return None;
        }
        let due = self.last_emit + self.config.progress_throttle_ms;
        let now = self.host.now();
        if now >= due {
            self.emit_progress();
            None
        } else {
            Some(due - now)
        }
    }

    fn graph(&mut self) -> Arc<ProgressGraph> {
        self.graph.get_or_insert_with(|| Arc::new(progress_graph(&self.plan))).clone()
    }

    fn emit(&self, event: EngineEvent) {
        if let Some(sink) = &self.events {
            sink.emit(event);
        }
    }

    fn emit_progress(&mut self) {
        self.dirty = false;
        self.last_emit = self.host.now();
        if self.events.is_some() {
            let snapshot = self.snapshot();
            self.emit(EngineEvent::Progress(Box::new(snapshot)));
        }
    }

    /// Builds the result the original sequential engine would give (its `data`,
    /// `executedNodes` and error).
    fn finish(mut self) -> ExecutionResult {
        let now = self.host.now();
        self.finished_at = Some(now);
        let error = match (self.aborted, self.failure.take()) {
            (Some(Abort::Cancelled), _) => Some(ExecutionError::new(ErrorCode::CANCELLED, "Execution cancelled")),
            (Some(Abort::TimedOut(ms)), _) => Some(ExecutionError::new(
                ErrorCode::TIMEOUT,
                format!("Execution timed out after {}ms", js_number(ms)),
            )),
            (None, Some((ix, error))) => {
                self.failure = Some((ix, error.clone()));
                Some(error)
            }
            (None, None) => None,
        };
        let root_id = self.plan.root().id.clone();
        let error = error.map(|e| e.located(&root_id, &self.execution_id).with_timestamp(now));
        // A run to a node succeeds with that node; the groups around it never finish.
        let target = self.run_to.as_ref().map_or(0, |(target, _)| *target);
        let success = error.is_none() && self.slots[target].state.is_done();
        let error = if success || error.is_some() {
            error
        } else {
            Some(ExecutionError::internal("The run ended with nodes left unfinished"))
        };
        // Only a failed run or a run to a node leaves groups open.
        let open_groups = if success && self.run_to.is_none() { 0 } else { self.plan.nodes.len() };
        for ix in 0..open_groups {
            if !self.plan.nodes[ix].is_group() || self.slots[ix].state != NodeState::Executing {
                continue;
            }
            if success {
                // Around a run's target: started, never run as a whole.
                self.set_state(ix, NodeState::Pending, None);
                continue;
            }
            // Groups still open around the failure did not complete.
            self.set_state(ix, NodeState::Error, error.as_ref().map(|e| e.message.clone()));
            if self.history.is_some() {
                self.record_end(ix, NodeState::Error, None, error.clone(), false);
            }
        }
        let executed_nodes = self.executed_nodes(success);
        if self.events.is_some() {
            self.emit_progress();
        }
        if let Some(trace) = self.trace.as_mut() {
            let TraceSummary { total_weight, critical_path } = match &self.graph {
                Some(graph) => TraceSummary { total_weight: graph.total_weight, critical_path: graph.critical_path.clone() },
                None => trace_summary(&self.plan),
            };
            if let Some(first) = trace.events.first_mut() {
                first.data = TraceData::Started { total_nodes: self.plan.nodes.len(), total_weight, critical_path: Arc::from(critical_path) };
            }
            trace.complete(now);
        }
        let execution_id = self.execution_id.to_string();
        match &error {
            None => self.emit(EngineEvent::Completed { execution_id: execution_id.clone(), node_id: root_id.to_string() }),
            Some(error) => self.emit(EngineEvent::Error { execution_id: execution_id.clone(), node_id: root_id.to_string(), error: error.clone() }),
        }
        let root_is_group = self.plan.root().is_group();
        let context = (success || !root_is_group).then(|| ExecutionContext {
            node_id: root_id.to_string(),
            execution_id,
            variables: self.variables.clone(),
            input: Some(self.run_input.clone()),
            parent_context: self.parent_context.take(),
            slow_mo: self.slow_mo_option,
            debug: self.debug_value.clone(),
        });
        let output = if success { self.slots[target].output.take() } else { None };
        let trace = self.trace.take();
        let duration = now - self.start_time;
        // Release every other reference to the output before unwrapping it.
        drop(std::mem::take(&mut self.slots));
        let data = output.map(|out| Arc::try_unwrap(out).unwrap_or_else(|shared| (*shared).clone()));
        ExecutionResult { success, data, error, duration, executed_nodes, context, trace }
    }

    /// Completed nodes in sequential order; on failure at `p`, those before `p` and then `p`.
    fn executed_nodes(&self, success: bool) -> Vec<Arc<str>> {
        let limit = match (&self.failure, success) {
            (Some((p, _)), false) if self.aborted.is_none() => *p,
            _ => self.plan.nodes.len(),
        };
        let mut executed: Vec<Arc<str>> = (0..limit)
            .filter(|&ix| self.slots[ix].state == NodeState::Completed)
            .map(|ix| self.plan.nodes[ix].id.clone())
            .collect();
        if let (Some((p, _)), false, None) = (&self.failure, success, self.aborted) {
            executed.push(self.plan.nodes[*p].id.clone());
        }
        executed
    }
}
