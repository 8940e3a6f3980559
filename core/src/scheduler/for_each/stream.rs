//! A for-each at the end of a stream of rows (`crate::plan::segments`): its items are the rows
//! as they come, a batch at a time, so a table larger than memory goes through the body without
//! ever being held whole. The body runs as it does over a list (`runner.rs`); only the node's
//! output, a result per item, is kept.

use super::runner::Runner;
use crate::error::ExecutionError;
use crate::host::{BoxFuture, CancelToken};
use crate::nodes::builtin::for_each::Batching;
use crate::nodes::stream::{Batch, RowSink};
use crate::plan::NodeIx;
use crate::scheduler::Scheduler;
use crate::value::Value;

impl Scheduler {
    /// The sink for-each `ix` takes its rows through in a stream, its body's runs stopped by
    /// `signal` (the node's).
    pub(in crate::scheduler) fn for_each_sink(
        &mut self,
        ix: NodeIx,
        signal: &CancelToken,
    ) -> Box<dyn RowSink> {
        let body = self.for_each_body(ix)(signal.child());
        let Batching { concurrency, batch_size } = Batching::of(&self.plan.nodes[ix].parameters);
        Box::new(ItemsSink {
            runner: Some(Runner::new(body, concurrency, None)),
            batch_size,
            pending: Vec::new(),
        })
    }
}

/// The rows of a stream, run through a for-each's body.
struct ItemsSink {
    runner: Option<Runner>,
    batch_size: usize,
    /// Rows not yet a whole batch of the body's (`batchSize` above 1).
    pending: Vec<Value>,
}

impl ItemsSink {
    /// Runs the body over `rows`; once a run failed, waits for those before it and gives the
    /// node's failure.
    async fn take(&mut self, rows: Batch) -> Result<(), ExecutionError> {
        let runner = self.runner.as_mut().ok_or_else(gone)?;
        for row in rows {
            if runner.has_failed() {
                break;
            }
            if self.batch_size == 1 {
                runner.feed(row).await;
                continue;
            }
            self.pending.push(row);
            if self.pending.len() >= self.batch_size {
                runner.feed(Value::Array(std::mem::take(&mut self.pending))).await;
            }
        }
        match runner.failure().await {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

/// The sink was used after it ended (the chain never does this).
fn gone() -> ExecutionError {
    ExecutionError::internal("A for-each's stream was used after it ended")
}

impl RowSink for ItemsSink {
    fn begin(&mut self, _rows_field: &'static str) -> BoxFuture<'_, Result<(), ExecutionError>> {
        Box::pin(async { Ok(()) })
    }

    fn write(&mut self, batch: Batch, _alone: bool) -> BoxFuture<'_, Result<(), ExecutionError>> {
        Box::pin(self.take(batch))
    }

    fn finish(
        mut self: Box<Self>,
        _upstream_rest: crate::value::Map,
    ) -> BoxFuture<'static, Result<Option<Value>, ExecutionError>> {
        Box::pin(async move {
            let mut runner = self.runner.take().ok_or_else(gone)?;
            if !self.pending.is_empty() {
                runner.feed(Value::Array(std::mem::take(&mut self.pending))).await;
            }
            Ok(Some(Value::Array(runner.finish().await?)))
        })
    }

    // The body's runs stop as they are dropped: a nested run holds nothing that must be let
    // go of by hand (its durable records are written as its nodes end).
    fn abandon(self: Box<Self>) -> BoxFuture<'static, ()> {
        drop(self);
        Box::pin(async {})
    }
}
