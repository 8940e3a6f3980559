//! Moving a chain's batches: the source reads batch n+1 while the stages work on batch n and
//! the end writes batch n-1, each on a worker of its own, so a chain keeps as many cores busy as
//! it has parts doing work (and holds a few batches at a time).

use std::collections::VecDeque;

use super::ahead::AheadSource;
use super::outcomes::{failed_at, summary, Read};
use super::parts::{open, ArmedSink, Downstream, End};
use super::{SegmentJob, Stopped};
use crate::error::ExecutionError;
use crate::host::{offload, SharedHost};
use crate::nodes::stream::{Batch, RowSource};
use crate::plan::NodeIx;
use crate::scheduler::leaf::{LeafMessage, LeafOutcome};
use crate::value::Value;

/// Rows waiting for the stages: `batch` goes through the stages from `from` on.
type Queued = (usize, Batch);

/// What the stages do next.
enum Work {
    /// A batch through the stages from the first given on.
    Push(usize, Batch),
    /// Stage `k` gives what it held back until every row came.
    Release(usize),
}

/// What the stages gave.
enum Done {
    /// Rows out of the last stage.
    Rows(Batch),
    /// What stage `k` held back, for the stages after it.
    Held(usize, Batch),
}

pub(super) async fn run(job: SegmentJob) -> Result<Vec<LeafOutcome>, Stopped> {
    let SegmentJob { mut nodes, host, messages, cancel, batch_rows } = job;
    let ixs: Vec<NodeIx> = nodes.iter().map(|node| node.ix).collect();
    let progress = |k: usize, rows: usize, bytes: (u64, Option<u64>)| {
        if let Some(messages) = &messages {
            let message = LeafMessage::Rows(ixs[k], rows as u64, bytes.0, bytes.1);
            let _ = messages.unbounded_send(message);
        }
    };
    // Open every part first: a node whose parameters cannot work fails before any row moves.
    let (mut source, source_rows, mut downstream, mut end) =
        match open(&mut nodes, &host, batch_rows) {
            Ok(opened) => opened,
            Err((k, error)) => return Ok(failed_at(k, error, &ixs, None)),
        };
    // Where there are threads, the source reads on beside the stages.
    if host.has_workers() {
        source = AheadSource::start(source, &host);
    }
    let sink_k = nodes.len() - 1;
    let stage_count = downstream.stages.len();
    let mut read = Read::default();
    let mut queue: VecDeque<Queued> = VecDeque::new();
    // A failure at position `k` of the chain, every node before it accounted for: the nodes
    // before `k` first read on to the end of their input (the sequential engine ran them whole
    // before `k` started), and one of them failing wins.
    macro_rules! fail {
        ($k:expr, $error:expr) => {{
            let (k, error) = ($k, $error);
            end.abandon().await;
            let (k, error) = if k == 0 {
                (k, error)
            } else {
                match drain(&mut source, &mut read, &mut downstream, queue, k - 1, batch_rows).await
                {
                    Some(earlier) => earlier,
                    None => (k, error),
                }
            };
            return Ok(failed_at(k, error, &ixs, Some((source, source_rows, read, downstream))));
        }};
    }
    if let End::Sink(ArmedSink { sink: Some(sink), .. }) = &mut end {
        if let Err(error) = sink.begin(downstream.rows_name(source_rows.name)).await {
            fail!(sink_k, error);
        }
    }
    let mut outgoing: Option<Batch> = None;
    let mut source_done = false;
    let mut released = 0;
    loop {
        if cancel.is_cancelled() {
            end.abandon().await;
            return Err(Stopped);
        }
        // The stages take the next batch waiting; once every row came, each stage in turn gives
        // what it held back.
        let work = match queue.pop_front() {
            Some((from, batch)) => Some(Work::Push(from, batch)),
            None if source_done && released < stage_count => {
                released += 1;
                Some(Work::Release(released - 1))
            }
            None => None,
        };
        if work.is_none() && outgoing.is_none() && source_done {
            break;
        }
        let fetch = !source_done && queue.is_empty();
        let (fetched, processed, written) = futures::join!(
            async {
                match fetch {
                    true => Some(source.next().await),
                    false => None,
                }
            },
            async {
                match work {
                    Some(work) => Some(process(&mut downstream, &host, work, batch_rows).await),
                    None => None,
                }
            },
            async {
                match outgoing.take() {
                    Some(rows) => end.take(rows, source_done).await,
                    None => Ok(()),
                }
            },
        );
        match fetched {
            Some(Ok(Some(batch))) => {
                read.count(&batch);
                progress(0, read.rows, source.bytes());
                queue.push_back((0, batch));
            }
            Some(Ok(None)) => source_done = true,
            Some(Err(error)) => fail!(0, error),
            None => {}
        }
        match processed {
            Some(Ok(Done::Rows(rows))) => outgoing = Some(rows),
            // Held rows come a batch at a time; a stage that gave some is asked again once they
            // are through, so it makes the next batch while the end writes this one.
            Some(Ok(Done::Held(k, rows))) => {
                if !rows.is_empty() {
                    released = k;
                }
                queue.extend(batches(rows, batch_rows, k + 1));
            }
            Some(Err((k, error))) => fail!(k + 1, error),
            None => {}
        }
        for (k, &(taken, _)) in downstream.counts.iter().enumerate() {
            progress(k + 1, taken, (0, None));
        }
        if let Err(error) = written {
            fail!(sink_k, error);
        }
    }
    // Every node's output, in order.
    let source_rest = match source.finish() {
        Ok(rest) => rest,
        Err(error) => {
            end.abandon().await;
            return Ok(failed_at(0, error, &ixs, None));
        }
    };
    let mut outcomes: Vec<LeafOutcome> = Vec::with_capacity(ixs.len());
    let output = summary(source_rows, read.rows, read.first, source_rest.clone());
    outcomes.push((ixs[0], Some(Ok(Some(output)))));
    let mut upstream_rest = source_rest;
    let Downstream { stages, counts, firsts, rows } = downstream;
    for (k, (((stage, (taken, given)), first), field)) in
        stages.into_iter().zip(counts).zip(firsts).zip(rows).enumerate()
    {
        let rest = match stage.finish(taken, given) {
            Ok(rest) => rest,
            Err(error) => {
                end.abandon().await;
                outcomes.push((ixs[k + 1], Some(Err(error))));
                return Ok(outcomes);
            }
        };
        let output = match (&mut end, k + 1 == stage_count) {
            (End::Collect(all), true) => {
                field.output(Value::Array(std::mem::take(all)), rest.clone())
            }
            _ => summary(field, given, first, rest.clone()),
        };
        outcomes.push((ixs[k + 1], Some(Ok(Some(output)))));
        upstream_rest = rest;
    }
    if let End::Sink(ArmedSink { sink, .. }) = &mut end {
        if let Some(sink) = sink.take() {
            outcomes.push((ixs[sink_k], Some(sink.finish(upstream_rest).await)));
        }
    }
    Ok(outcomes)
}

/// `rows` cut into batches of `size` for the stages from `from` on (each row moved once).
fn batches(rows: Batch, size: usize, from: usize) -> Vec<Queued> {
    let size = size.max(1);
    let mut out = Vec::with_capacity(rows.len().div_ceil(size));
    let mut rows = rows.into_iter();
    loop {
        let batch: Batch = rows.by_ref().take(size).collect();
        if batch.is_empty() {
            return out;
        }
        out.push((from, batch));
    }
}

/// Does `work` on a worker (stage work is CPU work: the stages move there and back), a stage
/// releasing what it held a batch of `batch_rows` at a time; or the index (among the stages) of
/// the one that failed, and why.
async fn process(
    downstream: &mut Downstream,
    host: &SharedHost,
    work: Work,
    batch_rows: usize,
) -> Result<Done, (usize, ExecutionError)> {
    let work = match work {
        // Past the last stage: nothing to do but hand the rows on.
        Work::Push(from, batch) if from >= downstream.stages.len() => return Ok(Done::Rows(batch)),
        work => work,
    };
    let moved = std::mem::take(downstream);
    let done = offload(host, move || {
        let mut moved = moved;
        let result = match work {
            Work::Push(from, batch) => moved.push(batch, from, usize::MAX).map(Done::Rows),
            Work::Release(k) => moved.end_of(k, batch_rows).map(|held| Done::Held(k, held)),
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

/// Before failing at stage `k` (the stages' own index): the rows still waiting and the rest of
/// the source go through the stages before `k` (their rows then go nowhere), and each of those
/// gives what it held back; the first of them to fail, by position in the chain, and its error.
async fn drain(
    source: &mut Box<dyn RowSource>,
    read: &mut Read,
    downstream: &mut Downstream,
    queue: VecDeque<Queued>,
    k: usize,
    batch_rows: usize,
) -> Option<(usize, ExecutionError)> {
    let k = k.min(downstream.stages.len());
    for (from, batch) in queue {
        if from < k {
            if let Err((j, error)) = downstream.push(batch, from, k) {
                return Some((j + 1, error));
            }
        }
    }
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
    for j in 0..k {
        loop {
            let held = match downstream.end_of(j, batch_rows) {
                Ok(held) => held,
                Err((i, error)) => return Some((i + 1, error)),
            };
            if held.is_empty() {
                break;
            }
            if let Err((i, error)) = downstream.push(held, j + 1, k) {
                return Some((i + 1, error));
            }
        }
    }
    None
}
