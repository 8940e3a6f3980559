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
//!
//! Files by job: this one holds the run's state and its loop; `start.rs` starts nodes,
//! `leaf.rs` makes a leaf's future, `outcome.rs` handles a node's end (completion, failure,
//! abort), `state.rs` node states and progress events, `snapshot.rs` the progress snapshot,
//! `finish.rs` the result, `telemetry.rs` a traced run's span records; `partial.rs` (pins, `runTo`) and `pause.rs` (breakpoints, pause,
//! step) are the debugging loop, `history.rs` what run records get, `debug.rs` the `debug`
//! option's simulations.

pub(crate) mod cache;
pub(crate) mod debug;
mod finish;
mod for_each;
mod leaf;
mod nested;
mod outcome;
pub(crate) mod partial;
// Pause, breakpoints, runTo and change events.
mod pause;
// Chains of nodes run as one stream of rows (the `streams` capability's side here).
mod chains;
// What a run's history records (the `history` capability's side here).
pub(crate) mod recording;
mod slots;
mod snapshot;
mod start;
mod state;
// Node spans of traced runs, through the run's tracer.
mod telemetry;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};
use std::sync::Arc;
use std::task::Poll;

use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};

use self::debug::ResolvedDebug;
use self::leaf::{Executor, LeafMessage, LeafOutcome};
use self::partial::PresetOutput;
use self::slots::Slot;
use crate::error::ExecutionError;
use crate::host::{BoxFuture, CancelToken, EngineEvent, EventSink, SharedHost};
use crate::nodes::NodeRegistry;
use crate::plan::{NodeIx, Plan};
use crate::progress::{NodeState, ProgressGraph, WeightedProgress};
use crate::run::{EngineConfig, ExecutionResult, RunContext, RunHandles, SharedView};
use crate::trace::{ExecutionTrace, NodeTrace, TraceData, TraceEvent};

pub(crate) use nested::NestingSetup;

use self::chains::ChainRunner;
pub(crate) use self::recording::RunRecording;

cfg_if::cfg_if! {
    if #[cfg(feature = "history")] {
        pub(crate) mod history;
        /// How this build's runs are recorded: in their session's history.
        pub(crate) type RunHistory = history::RunHistory;
    } else {
        /// How this build's runs are recorded: not at all (see [`recording`]).
        pub(crate) type RunHistory = recording::NoRecording;
    }
}

cfg_if::cfg_if! {
    if #[cfg(feature = "streams")] {
        mod segment;
        /// How this build runs chains of nodes: as streams of rows.
        type Chains = segment::RowStreams;
    } else {
        /// How this build runs chains of nodes: node by node, each whole (see [`chains`]).
        type Chains = chains::NoChains;
    }
}

/// Node ends handled in one poll of a run before it yields (and asks to be polled again), so
/// the driver can give the embedder's thread back between slices of a long flow.
const NODES_PER_POLL: usize = 256;

/// Everything a run needs, prepared by the engine.
pub(crate) struct RunSetup {
    pub plan: Arc<Plan>,
    pub host: SharedHost,
    pub registry: Arc<NodeRegistry>,
    pub config: Arc<EngineConfig>,
    /// The run's context, shared with every node and the result.
    pub context: Arc<RunContext>,
    pub debug: ResolvedDebug,
    pub timeout_ms: Option<f64>,
    pub custom_types: Arc<HashSet<String>>,
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
    /// Cancellation, events, pause requests and the live view (`node.store`), from outside.
    pub handles: RunHandles,
    /// Whether each change of a node is also an event (`nodeChanged`), unthrottled.
    pub state_events: bool,
    /// The node result cache, when the run uses one.
    pub cache: Option<cache::RunCacheSetup>,
    /// What nested runs (for-each items, sub-flows) need: the flows the run pinned, how deep
    /// it is nested, and for a nested run its root's input.
    pub nesting: nested::NestingSetup,
}

/// Why a run stopped before finishing.
#[derive(Clone, Copy, PartialEq)]
enum Abort {
    Cancelled,
    TimedOut(f64),
}

pub(crate) struct Scheduler {
    /// Shared with the run's view, which reads the nodes' names, edges and levels from it.
    plan: Arc<Plan>,
    host: SharedHost,
    registry: Arc<NodeRegistry>,
    config: Arc<EngineConfig>,
    context: Arc<RunContext>,
    /// Whether the run's input holds values the embedder keeps (see [`Slot::js`]).
    run_input_js: bool,
    /// The pacing in effect: `slowMo` when finite and positive, else 0.
    slow_mo: f64,
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
    /// Ready children of sequential groups whose child in flight has not finished: back to
    /// `ready` when it has.
    deferred: Vec<NodeIx>,
    running: FuturesUnordered<BoxFuture<'static, Ended>>,
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
    /// Pause requests, breakpoints and the node a paused run holds (see [`pause`]).
    pausing: pause::Pausing,
    view: Option<SharedView>,
    /// Chains that run as one stream of rows, by the index of their first node.
    segments: <Chains as ChainRunner>::Picked,
    /// The node result cache, when the run uses one.
    cache: Option<Arc<cache::RunCacheSetup>>,
    /// What nested runs need (see [`RunSetup::nesting`]).
    nesting: nested::NestingSetup,
    /// Each for-each's body as a plan of its own, made when it first runs.
    bodies: rustc_hash::FxHashMap<NodeIx, Arc<Plan>>,
}

/// What ended in `running`: one leaf, or a chain run as a stream (its nodes, and the outcomes
/// of those that ended, in order).
pub(crate) enum Ended {
    Leaf(LeafOutcome),
    // Never made in builds without streams, whose chains have no values.
    #[allow(dead_code)]
    Chain(<Chains as ChainRunner>::End),
    /// A leaf served from the cache.
    Cached(NodeIx, cache::CachedOutput),
}

impl Scheduler {
    pub(crate) fn new(setup: RunSetup) -> Self {
        let RunSetup {
            plan,
            host,
            registry,
            config,
            context,
            debug,
            timeout_ms,
            custom_types,
            start_time,
            history,
            presets,
            run_to,
            breakpoints,
            handles,
            state_events,
            cache,
            nesting,
        } = setup;
        let RunHandles { cancel, event_sink: events, view, control, .. } = handles;
        let cancel = cancel.unwrap_or_default();
        if let Some(view) = &view {
            view.begin(&plan, start_time);
        }
        // A node waits for each of its edge sources; in a run to a node, only for those that run
        // (a pinned node's sources may not).
        let waits_for = |n: &crate::plan::PlanNode| match &run_to {
            Some((_, runs)) => n.inputs.iter().filter(|input| runs[input.source]).count(),
            None => n.inputs.len(),
        };
        let slots = plan
            .nodes
            .iter()
            .map(|n| Slot::new(u32::try_from(waits_for(n)).unwrap_or(u32::MAX)))
            .collect();
        let progress = WeightedProgress::new(plan.root().leaf_weight);
        let trace = config.trace.then(|| ExecutionTrace {
            execution_id: context.execution_id.clone(),
            root_node_id: plan.root().id.clone(),
            start_time,
            end_time: None,
            duration: None,
            slow_mo: context.slow_mo,
            // The first event is filled in at the end, when the graph metadata is known.
            events: {
                let mut events = Vec::with_capacity(2 * plan.nodes.len() + 2);
                events.push(TraceEvent {
                    timestamp: start_time,
                    node: None,
                    data: TraceData::Started {
                        total_nodes: plan.nodes.len(),
                        total_weight: 0,
                        critical_path: Arc::from(Vec::new()),
                    },
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
                    cache: None,
                })
                .collect(),
        });
        let effective_slow_mo =
            context.slow_mo.filter(|s| s.is_finite() && *s > 0.0).unwrap_or(0.0);
        // A for-each reports how far its items are, as paced leaves report their steps, and
        // some node types what they have made so far.
        let reports = effective_slow_mo > 0.0
            || plan.nodes.iter().any(|n| n.kind == crate::plan::NodeKind::ForEach || n.reports);
        let mut scheduler = Scheduler {
            messages: reports.then(unbounded),
            slow_mo: effective_slow_mo,
            plan,
            host,
            registry,
            config,
            run_input_js: context.input.holds_js(),
            context,
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
            deferred: Vec::new(),
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
            pausing: pause::Pausing::new(control, breakpoints, state_events),
            view,
            segments: Default::default(),
            cache: cache.map(Arc::new),
            nesting,
            bodies: Default::default(),
        };
        Chains::pick(&mut scheduler);
        scheduler
    }

    /// Drives the run to its end and assembles the result.
    pub(crate) async fn run(mut self) -> ExecutionResult {
        self.drive().await;
        let result = self.finish();
        if self.plan.frees_later() {
            // The flow's data goes with the plan: freed on a worker while the result is handed over.
            let host = self.host.clone();
            crate::host::drop_later(&host, self);
        }
        result
    }

    /// Runs the nodes until none is left to run (or the run stops).
    async fn drive(&mut self) {
        self.emit(EngineEvent::Started {
            execution_id: self.context.execution_id.to_string(),
            node_id: self.plan.root().id.to_string(),
        });
        if self.events.is_some() {
            self.emit_progress();
        }
        self.slots[0].queued = true;
        self.ready.push(Reverse(0));
        let mut cancelled = self.cancel.cancelled();
        let mut timeout: Option<BoxFuture<'static, ()>> =
            self.timeout_ms.map(|ms| self.host.sleep(ms));
        let start_time = self.start_time;
        let mut throttle: Option<BoxFuture<'static, ()>> = None;
        futures::future::poll_fn(|cx| {
            if cancelled.poll_unpin(cx).is_ready() {
                self.abort(Abort::Cancelled);
                return Poll::Ready(());
            }
            self.pausing.listen_for_requests(cx);
            if self.pausing.is_holding() {
                // Paused time does not count; the timer restarts with what is left on resume.
                timeout = None;
            } else if let (None, Some(ms)) = (&timeout, self.timeout_ms) {
                timeout = Some(
                    self.host
                        .sleep(ms - (self.host.now() - start_time - self.pausing.paused_total())),
                );
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
                let Poll::Ready(Some(done)) = self.running.poll_next_unpin(cx) else {
                    break;
                };
                match done {
                    Ended::Leaf((ix, outcome)) => {
                        // What it reported last (an answer's text read whole) lands before it ends.
                        self.drain_messages(cx);
                        self.leaf_ended(ix, outcome)
                    }
                    Ended::Cached(ix, cached) => self.cache_hit(ix, cached),
                    Ended::Chain(end) => {
                        // The rows it reported count before its nodes end.
                        self.drain_messages(cx);
                        Chains::ended(self, end)
                    }
                }
                self.start_ready();
                ended += 1;
            }
            if self.running_count == 0 && self.history.as_ref().is_some_and(RunHistory::parked) {
                // Parked at a wait node, the nodes that were running ended: it waits.
                return Poll::Ready(());
            }
            if self.running_count == 0 && self.ready.is_empty() && !self.pausing.is_holding() {
                return Poll::Ready(());
            }
            if self.running_count == 0 && self.history.as_ref().is_some_and(|h| h.suspending()) {
                // Suspended at a node boundary, with nodes left to run: stopped, to be resumed.
                self.abort(Abort::Cancelled);
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
            if timeout.is_none() && self.timeout_ms.is_some() && !self.pausing.is_holding() {
                // A held node was let go in this poll: come back to restart the run's timer
                // with what is left (nothing else may wake the run before it would fire).
                cx.waker().wake_by_ref();
            }
            if let Some(history) = &self.history {
                // Records waiting for values JS writes out go on with the run (and wake it).
                history.poll_writes(cx);
            }
            Poll::Pending
        })
        .await;
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
                LeafMessage::Progress(ix, percent, text) if self.slots[ix].signal.is_some() => {
                    self.set_progress(ix, percent, Some(text))
                }
                LeafMessage::Rows(ix, rows, read, total) if self.slots[ix].signal.is_some() => {
                    let bytes = (read > 0 || total.is_some()).then_some((read, total));
                    Chains::rows(self, ix, rows, bytes)
                }
                LeafMessage::Text(ix, text) if self.slots[ix].signal.is_some() => {
                    self.slots[ix].status.text = Some(text);
                    self.dirty = true;
                    self.publish(ix);
                }
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
            Some(Err(error)) => {
                if let Err(error) = self.handle_failure(ix, error) {
                    self.fail(ix, error);
                }
            }
            // Its signal was cancelled before the scheduler saw its own: the run's token (a
            // node's signal is its child) was cancelled between the two looks. Without this the
            // run would end with the node neither failed nor completed.
            None if self.cancel.is_cancelled() => self.abort(Abort::Cancelled),
            None => {}
        }
        if self.plan.nodes[ix].kind == crate::plan::NodeKind::ForEach {
            self.settle_body(ix);
        }
    }
}
