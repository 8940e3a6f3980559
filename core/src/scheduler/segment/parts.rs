//! The opened parts of a running chain: its source, its stages (with what each has seen), and
//! its end (a sink, or the rows collected for the last stage's output).

use super::SegmentNode;
use crate::error::ExecutionError;
use crate::host::SharedHost;
use crate::nodes::stream::{Batch, RowSink, RowSource, RowStage, RowsField, Streaming};
use crate::value::{Map, Value};

/// Rows of a streamed node's output kept in its summary.
pub(super) const SUMMARY_ROWS: usize = 5;

/// The stages of a chain, with what each has seen.
#[derive(Default)]
pub(super) struct Downstream {
    pub(super) stages: Vec<Box<dyn RowStage>>,
    /// Rows each stage took in and gave out so far.
    pub(super) counts: Vec<(usize, usize)>,
    /// The first rows each stage gave (its output's summary).
    pub(super) firsts: Vec<Batch>,
    /// Each stage's rows field.
    pub(super) rows: Vec<RowsField>,
}

impl Downstream {
    /// The rows field of the last stage, or `source`'s when there is none.
    pub(super) fn rows_name(&self, source: &'static str) -> &'static str {
        self.rows.last().map_or(source, |rows| rows.name)
    }

    /// What stage `k` held back until every row came (a sort's rows), about `rows` at a time,
    /// not yet through the stages after it.
    pub(super) fn end_of(
        &mut self,
        k: usize,
        rows: usize,
    ) -> Result<Batch, (usize, ExecutionError)> {
        let held = self.stages[k].end(rows).map_err(|error| (k, error))?;
        self.counts[k].1 += held.len();
        keep_first(&mut self.firsts[k], &held);
        Ok(held)
    }

    /// Pushes `batch` through the stages from `from` up to (not including) `until`; the rows that
    /// come out of the last, or the index (among the stages) and error of the first that failed.
    pub(super) fn push(
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

/// Adds to `first` the rows of `batch` it has room for.
pub(super) fn keep_first(first: &mut Batch, batch: &[Value]) {
    let room = SUMMARY_ROWS.saturating_sub(first.len());
    first.extend(batch.iter().take(room).cloned());
}

/// Opens the chain's parts: its source, its stages, and its end; or the position in the chain
/// of the node that could not open, and why.
#[allow(clippy::type_complexity)]
pub(super) fn open(
    nodes: &mut [SegmentNode],
    host: &SharedHost,
    batch_rows: usize,
) -> Result<(Box<dyn RowSource>, RowsField, Downstream, End), (usize, ExecutionError)> {
    let Some((head, rest)) = nodes.split_first_mut() else {
        return Err((0, ExecutionError::internal("An empty stream")));
    };
    let Streaming::Source { rows: source_rows, open } = head.streaming else {
        return Err((0, ExecutionError::internal("A stream must start with a source")));
    };
    let source = open(&head.invocation, host, batch_rows).map_err(|error| (0, error))?;
    let mut downstream = Downstream::default();
    let mut end = End::Collect(Vec::new());
    for (k, node) in rest.iter_mut().enumerate() {
        match node.streaming {
            Streaming::Stage { open, rows, .. } => {
                let stage = open(&node.invocation, host)
                    .unwrap_or_else(|error| Box::new(Unopened(error)) as Box<dyn RowStage>);
                downstream.stages.push(stage);
                downstream.counts.push((0, 0));
                downstream.firsts.push(Vec::new());
                downstream.rows.push(rows);
            }
            Streaming::Sink { open, .. } => {
                let sink = match node.opened.take() {
                    Some(sink) => sink,
                    None => open(&node.invocation, host).map_err(|error| (k + 1, error))?,
                };
                end = End::Sink(ArmedSink::new(sink, host.clone()));
            }
            Streaming::Source { .. } => {
                return Err((k + 1, ExecutionError::internal("A source inside a stream")));
            }
        }
    }
    Ok((source, source_rows, downstream, end))
}

/// A stage whose node could not open (its parameters cannot work). It fails where the node run
/// on its own fails, when it is first given rows or told every row came, so the nodes before it
/// read to the end of their input first, and one of them failing wins, as node by node.
struct Unopened(ExecutionError);

impl RowStage for Unopened {
    fn push(&mut self, _batch: Batch, _offset: usize) -> Result<Batch, ExecutionError> {
        Err(self.0.clone())
    }

    fn end(&mut self, _rows: usize) -> Result<Batch, ExecutionError> {
        Err(self.0.clone())
    }

    fn finish(self: Box<Self>, _in: usize, _out: usize) -> Result<Map, ExecutionError> {
        Err(self.0)
    }
}

/// Where the chain's rows go at its end.
pub(super) enum End {
    /// A sink writes them out.
    Sink(ArmedSink),
    /// The last stage's output holds them all.
    Collect(Batch),
}

impl End {
    /// Writes (or keeps) rows out of the last stage; `alone`: the source is done (see
    /// [`RowSink::write`]).
    pub(super) async fn take(&mut self, rows: Batch, alone: bool) -> Result<(), ExecutionError> {
        match self {
            End::Collect(all) => {
                all.extend(rows);
                Ok(())
            }
            End::Sink(_) if rows.is_empty() => Ok(()),
            End::Sink(sink) => match sink.sink.as_mut() {
                Some(sink) => sink.write(rows, alone).await,
                None => Err(ExecutionError::internal("The stream's sink was already let go")),
            },
        }
    }

    /// The chain ends without finishing: the sink leaves nothing that looks complete, before
    /// the chain reports its end. The abandoning runs as a task of its own, waited for here: a
    /// cancelled run lets go of the chain as soon as it stops, and a partial file must go all
    /// the same (let go of mid-way, the sink's removal was never asked of the file system).
    pub(super) async fn abandon(&mut self) {
        if let End::Sink(armed) = self {
            if let Some(sink) = armed.sink.take() {
                let (done, abandoned) = futures::channel::oneshot::channel();
                let abandon = sink.abandon();
                armed.host.spawn(Box::pin(async move {
                    abandon.await;
                    let _ = done.send(());
                }));
                let _ = abandoned.await;
            }
        }
    }
}

/// A sink that abandons its work when dropped unfinished: the chain's future may be dropped
/// mid-stream (a run that is cancelled or times out lets go of what still runs), and a partial
/// file must not stay then either. The abandoning then runs off the chain's path.
pub(super) struct ArmedSink {
    pub(super) sink: Option<Box<dyn RowSink>>,
    host: SharedHost,
}

impl ArmedSink {
    pub(super) fn new(sink: Box<dyn RowSink>, host: SharedHost) -> Self {
        ArmedSink { sink: Some(sink), host }
    }
}

impl Drop for ArmedSink {
    fn drop(&mut self) {
        if let Some(sink) = self.sink.take() {
            self.host.spawn(sink.abandon());
        }
    }
}
