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

use std::sync::Arc;

use futures::channel::mpsc::{unbounded, UnboundedSender};

use super::leaf::{LeafMessage, LeafOutcome};
use super::{Ended, Scheduler};
use crate::error::ExecutionError;
use crate::host::{offload, BoxFuture, CancelToken, SharedHost};
use crate::json;
use crate::nodes::stream::{Batch, RowSink, RowSource, RowStage, RowsField, Streaming};
use crate::nodes::Invocation;
use crate::nodes::NodeInput;
use crate::plan::NodeIx;
use crate::plan::{segments, Segment};
use crate::progress::NodeState;
use crate::value::{Map, Value};

/// Rows of a streamed node's output kept in its summary.
const SUMMARY_ROWS: usize = 5;

/// One node of a running chain.
pub(super) struct SegmentNode {
    pub ix: NodeIx,
    pub invocation: Invocation,
    pub streaming: Streaming,
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

/// The stages of a chain, with what each has seen.
#[derive(Default)]
struct Downstream {
    stages: Vec<Box<dyn RowStage>>,
    /// Rows each stage took in and gave out so far.
    counts: Vec<(usize, usize)>,
    /// The first rows each stage gave (its output's summary).
    firsts: Vec<Batch>,
    /// Each stage's rows field.
    rows: Vec<&'static str>,
}

impl Downstream {
    /// The rows field of the last stage, or `source`'s when there is none.
    fn rows_name(&self, source: &'static str) -> &'static str {
        self.rows.last().copied().unwrap_or(source)
    }

    /// What stage `k` held back until every row came, through the stages after it up to (not
    /// including) `until`.
    fn release(&mut self, k: usize, until: usize) -> Result<Batch, (usize, ExecutionError)> {
        let held = self.stages[k].end().map_err(|error| (k, error))?;
        self.counts[k].1 += held.len();
        keep_first(&mut self.firsts[k], &held);
        self.push(held, k + 1, until)
    }

    /// Pushes `batch` through the stages from `from` up to (not including) `until`; the rows that
    /// come out of the last, or the index (among the stages) and error of the first that failed.
    fn push(
        &mut self,
        mut batch: Batch,
        from: usize,
        until: usize,
    ) -> Result<Batch, (usize, ExecutionError)> {
        for k in from..until.min(self.stages.len()) {
            let (taken, _) = self.counts[k];
            let rows = batch.len();
            batch = self.stages[k].push(batch, taken).map_err(|error| (k, error))?;
            self.counts[k].0 += rows;
            self.counts[k].1 += batch.len();
            keep_first(&mut self.firsts[k], &batch);
        }
        Ok(batch)
    }
}

fn keep_first(first: &mut Batch, batch: &[Value]) {
    let room = SUMMARY_ROWS.saturating_sub(first.len());
    first.extend(batch.iter().take(room).cloned());
}

impl Scheduler {
    /// A chain ended: each node's outcome, in order. A node the chain did not report on (it
    /// stopped in a way it could not account for) fails rather than run forever; those after a
    /// failed node were let go by its failure.
    pub(super) fn chain_ended(&mut self, nodes: &[NodeIx], outcomes: Vec<LeafOutcome>) {
        for (ix, outcome) in outcomes {
            self.leaf_ended(ix, outcome);
        }
        for &ix in nodes {
            if self.slots[ix].signal.is_some() {
                let error = ExecutionError::internal("The stream stopped before this node ended");
                self.leaf_ended(ix, Some(Err(error)));
            }
        }
    }

    /// Picks the chains of the plan that run as streams in this run: none when streaming is
    /// off, with slowMo (each node's pacing is its own), with `concurrency: 1` (strictly one node
    /// at a time), or in a run to a node; no chain with a node the run pins, reuses, pauses
    /// before or simulates something on.
    pub(super) fn with_segments(mut self) -> Self {
        let strict = self.config.concurrency < 2 || self.slow_mo > 0.0;
        if self.config.stream_batch_rows == 0 || strict || self.run_to.is_some() {
            return self;
        }
        for segment in segments(&self.plan, &self.registry, &self.custom_types) {
            let plain = segment.nodes.iter().all(|&ix| {
                let id = &self.plan.nodes[ix].id;
                self.presets.get(ix).is_none_or(Option::is_none)
                    && !self.breakpoints.contains(&ix)
                    && self.debug.error_for(ix, id).is_none()
                    && self.debug.long_running_delay(ix, id) <= 0.0
                    && !self.debug.panics(ix, id)
            });
            if plain {
                self.segments.insert(segment.nodes[0], segment);
            }
        }
        if !self.segments.is_empty() && self.messages.is_none() {
            self.messages = Some(unbounded());
        }
        self
    }

    /// Starts `segment` (its head's `input` given): every node of it executing, as one future.
    pub(super) fn start_segment(&mut self, segment: Segment, input: NodeInput) {
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
            if let Some(history) = self.history.as_mut() {
                history.started(ix, &input);
            }
            let node = &self.plan.nodes[ix];
            let signal = self.cancel.child();
            cancel.get_or_insert_with(|| signal.clone());
            let invocation = Invocation {
                node_id: node.id.clone(),
                node_type: node.node_type.clone(),
                run: self.context.clone(),
                parameters: node.parameters.clone(),
                input,
                parent_context: None,
                signal: signal.clone(),
                attempt: 1,
                expression_limits: self.config.expression_limits,
            };
            self.slots[ix].js = false;
            // Every node's output but the last one's is a summary of its rows.
            self.slots[ix].summarized = k + 1 < segment.nodes.len();
            self.slots[ix].signal = Some(signal);
            self.running_count += 1;
            self.set_state(ix, NodeState::Executing, None);
            nodes.push(SegmentNode { ix, invocation, streaming });
        }
        let job = SegmentJob {
            nodes,
            host: self.host.clone(),
            messages: self.messages.as_ref().map(|(sender, _)| sender.clone()),
            cancel: cancel.unwrap_or_else(|| self.cancel.child()),
            batch_rows: self.config.stream_batch_rows,
        };
        self.running.push(segment_future(job));
    }
}

/// The chain's future: each node's outcome in order, up to the first that failed (the
/// scheduler lets go of the others), or `None` outcomes when the run was cancelled.
fn segment_future(job: SegmentJob) -> BoxFuture<'static, Ended> {
    Box::pin(async move {
        let ixs: Vec<NodeIx> = job.nodes.iter().map(|node| node.ix).collect();
        let outcomes = match run(job).await {
            Ok(outcomes) => outcomes,
            Err(Stopped) => ixs.iter().map(|&ix| (ix, None)).collect(),
        };
        Ended::Chain(ixs, outcomes)
    })
}

/// The run was cancelled while the chain ran.
struct Stopped;

async fn run(job: SegmentJob) -> Result<Vec<LeafOutcome>, Stopped> {
    let SegmentJob { nodes, host, messages, cancel, batch_rows } = job;
    let ixs: Vec<NodeIx> = nodes.iter().map(|node| node.ix).collect();
    let progress = |k: usize, rows: usize, bytes: (u64, Option<u64>)| {
        if let Some(messages) = &messages {
            let message = LeafMessage::Rows(ixs[k], rows as u64, bytes.0, bytes.1);
            let _ = messages.unbounded_send(message);
        }
    };
    // Open every part first: a node whose parameters cannot work fails before any row moves.
    let (mut source, source_rows, mut downstream, mut end) = match open(&nodes, &host, batch_rows) {
        Ok(opened) => opened,
        Err((k, error)) => return Ok(failed_at(k, error, &ixs, None)),
    };
    let sink_k = nodes.len() - 1;
    let mut read = Read::default();
    // A failure at position `k` of the chain, every node before it accounted for.
    macro_rules! fail {
        ($k:expr, $error:expr) => {{
            end.abandon(&host);
            return Ok(failed_at($k, $error, &ixs, Some((source, source_rows, read, downstream))));
        }};
    }
    if let End::Sink(sink) = &mut end {
        if let Err(error) = sink.begin(downstream.rows_name(source_rows.name)).await {
            fail!(sink_k, error);
        }
    }
    // Rows from the source, through the stages, to the end, a batch at a time; then what each
    // stage held back until every row came (a sort's rows), through the stages after it.
    let stage_count = downstream.stages.len();
    let mut release = 0;
    loop {
        if cancel.is_cancelled() {
            end.abandon(&host);
            return Err(Stopped);
        }
        let work = if release == 0 {
            match source.next().await {
                Ok(Some(batch)) => {
                    read.count(&batch);
                    progress(0, read.rows, source.bytes());
                    Work::Push(batch)
                }
                Ok(None) if stage_count == 0 => break,
                Ok(None) => {
                    release = 1;
                    Work::Release(0)
                }
                Err(error) => fail!(0, error),
            }
        } else if release < stage_count {
            release += 1;
            Work::Release(release - 1)
        } else {
            break;
        };
        let rows = match process(&mut downstream, &host, work).await {
            Ok(rows) => rows,
            Err((k, error)) => {
                // Nodes before the failed one would have run whole first: one of them may fail.
                match drain(&mut source, &mut read, &mut downstream, k).await {
                    Some((j, earlier)) => fail!(j, earlier),
                    None => fail!(k + 1, error),
                }
            }
        };
        for (k, &(taken, _)) in downstream.counts.iter().enumerate() {
            progress(k + 1, taken, (0, None));
        }
        if let Err(error) = end.take(rows).await {
            fail!(sink_k, error);
        }
    }
    // Every node's output, in order.
    let source_rest = match source.finish() {
        Ok(rest) => rest,
        Err(error) => {
            end.abandon(&host);
            return Ok(failed_at(0, error, &ixs, None));
        }
    };
    let mut outcomes: Vec<LeafOutcome> = Vec::with_capacity(ixs.len());
    let output = summary(source_rows.name, read.rows, read.first, source_rest.clone());
    outcomes.push((ixs[0], Some(Ok(Some(output)))));
    let mut upstream_rest = source_rest;
    let Downstream { stages, counts, firsts, rows } = downstream;
    for (k, (((stage, (taken, given)), first), field)) in
        stages.into_iter().zip(counts).zip(firsts).zip(rows).enumerate()
    {
        let rest = match stage.finish(taken, given) {
            Ok(rest) => rest,
            Err(error) => {
                end.abandon(&host);
                outcomes.push((ixs[k + 1], Some(Err(error))));
                return Ok(outcomes);
            }
        };
        let output = match (&mut end, k + 1 == stage_count) {
            (End::Collect(all), true) => {
                whole(field, Value::Array(std::mem::take(all)), rest.clone())
            }
            _ => summary(field, given, first, rest.clone()),
        };
        outcomes.push((ixs[k + 1], Some(Ok(Some(output)))));
        upstream_rest = rest;
    }
    if let End::Sink(sink) = end {
        outcomes.push((ixs[sink_k], Some(sink.finish(upstream_rest).await)));
    }
    Ok(outcomes)
}

/// Opens the chain's parts: its source, its stages, and its end; or the position in the chain
/// of the node that could not open, and why.
#[allow(clippy::type_complexity)]
fn open(
    nodes: &[SegmentNode],
    host: &SharedHost,
    batch_rows: usize,
) -> Result<(Box<dyn RowSource>, RowsField, Downstream, End), (usize, ExecutionError)> {
    let Some((head, rest)) = nodes.split_first() else {
        return Err((0, ExecutionError::internal("An empty stream")));
    };
    let Streaming::Source { rows: source_rows, open } = head.streaming else {
        return Err((0, ExecutionError::internal("A stream must start with a source")));
    };
    let source = open(&head.invocation, host, batch_rows).map_err(|error| (0, error))?;
    let mut downstream = Downstream::default();
    let mut end = End::Collect(Vec::new());
    for (k, node) in rest.iter().enumerate() {
        match node.streaming {
            Streaming::Stage { open, rows, .. } => {
                downstream.stages.push(open(&node.invocation).map_err(|error| (k + 1, error))?);
                downstream.counts.push((0, 0));
                downstream.firsts.push(Vec::new());
                downstream.rows.push(rows.name);
            }
            Streaming::Sink { open, .. } => {
                end = End::Sink(open(&node.invocation, host).map_err(|error| (k + 1, error))?);
            }
            Streaming::Source { .. } => {
                return Err((k + 1, ExecutionError::internal("A source inside a stream")));
            }
        }
    }
    Ok((source, source_rows, downstream, end))
}

/// Where the chain's rows go at its end.
enum End {
    /// A sink writes them out.
    Sink(Box<dyn RowSink>),
    /// The last stage's output holds them all.
    Collect(Batch),
}

impl End {
    async fn take(&mut self, rows: Batch) -> Result<(), ExecutionError> {
        match self {
            End::Collect(all) => {
                all.extend(rows);
                Ok(())
            }
            End::Sink(_) if rows.is_empty() => Ok(()),
            End::Sink(sink) => sink.write(rows).await,
        }
    }

    /// The run ends without this chain finishing: the sink leaves nothing that looks complete
    /// (off the chain's path).
    fn abandon(&mut self, host: &SharedHost) {
        if let End::Sink(sink) = std::mem::replace(self, End::Collect(Vec::new())) {
            host.spawn(sink.abandon());
        }
    }
}

/// What to do with the stages next.
enum Work {
    /// A batch from the source, through every stage.
    Push(Batch),
    /// What stage `k` held back, through the stages after it.
    Release(usize),
}

/// Does `work` on a worker (stage work is CPU work: the stages move there and back): the rows
/// that come out of the last stage, or the index (among the stages) of the one that failed.
async fn process(
    downstream: &mut Downstream,
    host: &SharedHost,
    work: Work,
) -> Result<Batch, (usize, ExecutionError)> {
    let moved = std::mem::take(downstream);
    let done = offload(host, move || {
        let mut moved = moved;
        let result = match work {
            Work::Push(batch) => moved.push(batch, 0, usize::MAX),
            Work::Release(k) => moved.release(k, usize::MAX),
        };
        (moved, result)
    })
    .await;
    match done {
        Ok((back, result)) => {
            *downstream = back;
            result
        }
        // The stages were lost with the worker's panic: the chain cannot go on.
        Err(error) => Err((0, error)),
    }
}

/// After stage `k` failed: the source and the stages before it read on to the end (their rows
/// go nowhere), as the sequential engine would have run them whole before `k` started; the
/// first of them to fail, by position in the chain, and its error.
async fn drain(
    source: &mut Box<dyn RowSource>,
    read: &mut Read,
    downstream: &mut Downstream,
    k: usize,
) -> Option<(usize, ExecutionError)> {
    loop {
        match source.next().await {
            Ok(Some(batch)) => {
                read.count(&batch);
                if let Err((j, error)) = downstream.push(batch, 0, k) {
                    return Some((j + 1, error));
                }
            }
            Ok(None) => break,
            Err(error) => return Some((0, error)),
        }
    }
    for j in 0..k.min(downstream.stages.len()) {
        if let Err((i, error)) = downstream.release(j, k) {
            return Some((i + 1, error));
        }
    }
    None
}

/// The outcomes of a chain whose node at position `k` failed: the nodes before it ended whole
/// (the sequential engine ran them to their end first), each with the summary of its rows.
fn failed_at(
    k: usize,
    error: ExecutionError,
    ixs: &[NodeIx],
    parts: Option<(Box<dyn RowSource>, RowsField, Read, Downstream)>,
) -> Vec<LeafOutcome> {
    let mut outcomes: Vec<LeafOutcome> = Vec::with_capacity(k + 1);
    if let (true, Some((source, rows, read, downstream))) = (k > 0, parts) {
        match source.finish() {
            Ok(rest) => {
                let output = summary(rows.name, read.rows, read.first, rest);
                outcomes.push((ixs[0], Some(Ok(Some(output)))));
            }
            Err(error) => return vec![(ixs[0], Some(Err(error)))],
        }
        let Downstream { stages, counts, firsts, rows } = downstream;
        for (j, (((stage, (taken, given)), first), field)) in
            stages.into_iter().zip(counts).zip(firsts).zip(rows).enumerate().take(k - 1)
        {
            match stage.finish(taken, given) {
                Ok(rest) => {
                    outcomes.push((ixs[j + 1], Some(Ok(Some(summary(field, given, first, rest))))))
                }
                Err(error) => {
                    outcomes.push((ixs[j + 1], Some(Err(error))));
                    return outcomes;
                }
            }
        }
    }
    outcomes.push((ixs[k], Some(Err(error))));
    outcomes
}

/// What the source gave so far.
#[derive(Default)]
struct Read {
    rows: usize,
    first: Batch,
}

impl Read {
    fn count(&mut self, batch: &[Value]) {
        self.rows += batch.len();
        keep_first(&mut self.first, batch);
    }
}

/// A streamed node's output: its rows field as a summary.
fn summary(field: &str, rows: usize, first: Batch, rest: Map) -> Value {
    whole(field, json!({"$streamed": rows, "first": Value::Array(first)}), rest)
}

/// The output object: the rows field first, then the rest.
fn whole(field: &str, rows: Value, rest: Map) -> Value {
    let mut out = Map::with_capacity(rest.len() + 1);
    out.insert(field, rows);
    for (key, value) in rest {
        out.insert(key, value);
    }
    Value::Object(out)
}
