//! A chain of nodes run as one stream of rows (see `crate::nodes::stream` and
//! `crate::plan::segments`): batches go from the source through each stage to the end, so no
//! node's whole output is ever held.
//!
//! To the rest of the scheduler the chain's nodes are ordinary leaves: they start together
//! (each executing, each counted as running) and end together, in order, each with the outcome
//! the sequential engine would have given it. A node that fails does so at the row it fails on;
//! the nodes before it then still read to the end of their input, because the sequential engine
//! would have run them whole first, and one of them failing later wins. Each streamed node's
//! output is its output object with its rows replaced by a summary (how many, the first few):
//! nothing downstream reads it but the history and the trace. The chain's last node gives its
//! real output: a sink's own, or a stage's rows collected (and bounded like any output).
//!
//! Here: the scheduler's side, as the [`ChainRunner`] with streams (which chains stream,
//! starting one, its end); `pipeline.rs` moves the batches (`ahead.rs` reads the source ahead of
//! the stages); `parts.rs` holds the opened source, stages and end; `outcomes.rs` turns what they
//! saw into each node's outcome.

mod ahead;
mod outcomes;
mod parts;
mod pipeline;

use std::sync::Arc;

use futures::channel::mpsc::{unbounded, UnboundedSender};

use super::chains::ChainRunner;
use super::leaf::{LeafMessage, LeafOutcome};
use super::{Ended, Scheduler};
use crate::error::ExecutionError;
use crate::host::{BoxFuture, CancelToken, SharedHost};
use crate::json;
use crate::nodes::stream::Streaming;
use crate::nodes::{Invocation, NodeInput};
use crate::plan::segments::{segments, Segment};
use crate::plan::NodeIx;
use crate::progress::NodeState;
use crate::scheduler::RunRecording;

/// Chains of nodes run as streams of rows: the `streams` capability's [`ChainRunner`].
pub(crate) enum RowStreams {}

/// One node of a running chain.
pub(super) struct SegmentNode {
    pub ix: NodeIx,
    pub invocation: Invocation,
    pub streaming: Streaming,
    /// Its sink, when the run opens it rather than its type (a for-each's).
    pub opened: Option<Box<dyn crate::nodes::stream::RowSink>>,
}

/// Everything a chain needs; it owns it all so the future is `'static`.
pub(super) struct SegmentJob {
    pub nodes: Vec<SegmentNode>,
    pub host: SharedHost,
    /// Rows and bytes done, for progress.
    pub messages: Option<UnboundedSender<LeafMessage>>,
    /// The run's: cancelling it stops the chain between batches.
    pub cancel: CancelToken,
    /// Rows a source gives at a time.
    pub batch_rows: usize,
}

impl ChainRunner for RowStreams {
    type Chain = Segment;
    type End = ChainEnd;
    type Picked = rustc_hash::FxHashMap<NodeIx, Segment>;

    /// Picks none when streaming is off, with slowMo (each node's pacing is its own), with
    /// `concurrency: 1` (strictly one node at a time), or in a run to a node; no chain with a
    /// node the run pins, reuses, pauses before or simulates something on.
    fn pick(scheduler: &mut Scheduler) {
        let strict = scheduler.config.concurrency < 2 || scheduler.slow_mo > 0.0;
        if scheduler.config.stream_batch_rows == 0 || strict || scheduler.run_to.is_some() {
            return;
        }
        for segment in segments(&scheduler.plan, &scheduler.registry, &scheduler.custom_types) {
            let plain = segment.nodes.iter().all(|&ix| {
                let id = &scheduler.plan.nodes[ix].id;
                scheduler.presets.get(ix).is_none_or(Option::is_none)
                    && !scheduler.pausing.has_breakpoint(ix)
                    && scheduler.debug.error_for(ix, id).is_none()
                    && scheduler.debug.long_running_delay(ix, id) <= 0.0
                    && !scheduler.debug.panics(ix, id)
            });
            if plain {
                scheduler.segments.insert(segment.nodes[0], segment);
            }
        }
        if !scheduler.segments.is_empty() && scheduler.messages.is_none() {
            scheduler.messages = Some(unbounded());
        }
    }

    fn take(picked: &mut Self::Picked, head: NodeIx) -> Option<Segment> {
        picked.remove(&head)
    }

    fn start(scheduler: &mut Scheduler, segment: Segment, input: NodeInput) {
        let mut nodes = Vec::with_capacity(segment.nodes.len());
        let mut cancel = None;
        for (k, (&ix, &streaming)) in segment.nodes.iter().zip(&segment.streaming).enumerate() {
            let input = match (k, streaming.port()) {
                (0, _) | (_, None) => input.clone(),
                // What the node reads comes as a stream; the history and the trace say so.
                (_, Some(port)) => NodeInput::from_entries([(
                    Arc::<str>::from(port),
                    Arc::new(json!({"$streamed": true})),
                )]),
            };
            if let Some(history) = scheduler.history.as_mut() {
                history.started(ix, &input);
            }
            let signal = scheduler.cancel.child();
            cancel.get_or_insert_with(|| signal.clone());
            let invocation = scheduler.invocation(ix, input, None, &signal);
            let opened = (scheduler.plan.nodes[ix].kind == crate::plan::NodeKind::ForEach)
                .then(|| scheduler.for_each_sink(ix, &signal));
            let slot = &mut scheduler.slots[ix];
            slot.js = false;
            // Every node's output but the last one's is a summary of its rows.
            slot.summarized = k + 1 < segment.nodes.len();
            slot.signal = Some(signal);
            scheduler.running_count += 1;
            scheduler.set_state(ix, NodeState::Executing, None);
            nodes.push(SegmentNode { ix, invocation, streaming, opened });
        }
        let job = SegmentJob {
            nodes,
            host: scheduler.host.clone(),
            messages: scheduler.messages.as_ref().map(|(sender, _)| sender.clone()),
            cancel: cancel.unwrap_or_else(|| scheduler.cancel.child()),
            batch_rows: scheduler.config.stream_batch_rows,
        };
        scheduler.running.push(segment_future(job));
    }

    /// A node the chain did not report on (it stopped in a way it could not account for) fails
    /// rather than run forever; those after a failed node were let go by its failure.
    fn ended(scheduler: &mut Scheduler, ChainEnd { nodes, outcomes }: ChainEnd) {
        for (ix, outcome) in outcomes {
            scheduler.leaf_ended(ix, outcome);
        }
        for ix in nodes {
            if scheduler.slots[ix].signal.is_some() {
                let error = ExecutionError::internal("The stream stopped before this node ended");
                scheduler.leaf_ended(ix, Some(Err(error)));
            }
        }
    }

    fn rows(scheduler: &mut Scheduler, ix: NodeIx, rows: u64, bytes: Option<(u64, Option<u64>)>) {
        let status = &mut scheduler.slots[ix].status;
        status.streamed.rows = Some(rows);
        if bytes.is_some() {
            status.streamed.bytes = bytes;
        }
        scheduler.dirty = true;
        scheduler.publish(ix);
    }
}

/// The chain's future: each node's outcome in order, up to the first that failed (the
/// scheduler lets go of the others), or `None` outcomes when the run was cancelled.
fn segment_future(job: SegmentJob) -> BoxFuture<'static, Ended> {
    Box::pin(async move {
        let ixs: Vec<NodeIx> = job.nodes.iter().map(|node| node.ix).collect();
        let outcomes = match pipeline::run(job).await {
            Ok(outcomes) => outcomes,
            Err(Stopped) => ixs.iter().map(|&ix| (ix, None)).collect(),
        };
        Ended::Chain(ChainEnd { nodes: ixs, outcomes })
    })
}

/// A chain's end: its nodes, and the outcomes of those that ended, in order.
pub(crate) struct ChainEnd {
    nodes: Vec<NodeIx>,
    outcomes: Vec<LeafOutcome>,
}

/// The run was cancelled while the chain ran.
pub(super) struct Stopped;
