//! Running a for-each's body over items as they come: `concurrency` runs at once, started in
//! the items' order, results kept in that order. The items come from a list the node holds
//! (`mod.rs`) or a stream of rows (`stream.rs`); the runner does not know which.

use std::sync::Arc;

use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};

use super::super::leaf::LeafMessage;
use super::super::nested::Parts;
use crate::error::ExecutionError;
use crate::host::{BoxFuture, CancelToken};
use crate::nodes::NodeInput;
use crate::plan::{NodeIx, Plan};
use crate::value::Value;

/// What every run of a for-each's body shares.
pub(super) struct Body {
    pub ix: NodeIx,
    pub parts: Parts,
    pub plan: Arc<Plan>,
    /// Where its items' nodes are recorded: `<path>[<run>]/`.
    pub path: String,
    pub signal: CancelToken,
    pub progress: Option<futures::channel::mpsc::UnboundedSender<LeafMessage>>,
}

type Running = BoxFuture<'static, (usize, Result<Option<Arc<Value>>, ExecutionError>)>;

/// The runs of a for-each's body: those running, the results of those done, and the lowest
/// run that failed.
pub(super) struct Runner {
    body: Body,
    concurrency: usize,
    /// Runs the node will make in all, when known (for progress in percent).
    total: Option<usize>,
    results: Vec<Option<Value>>,
    tokens: Vec<Option<CancelToken>>,
    running: FuturesUnordered<Running>,
    done: usize,
    failed: Option<(usize, ExecutionError)>,
}

impl Runner {
    pub fn new(body: Body, concurrency: usize, total: Option<usize>) -> Runner {
        Runner {
            body,
            concurrency: concurrency.max(1),
            total,
            results: Vec::with_capacity(total.unwrap_or(0)),
            tokens: Vec::new(),
            running: FuturesUnordered::new(),
            done: 0,
            failed: None,
        }
    }

    /// Whether a run failed: the runs after it are not started.
    pub fn has_failed(&self) -> bool {
        self.failed.is_some()
    }

    /// Starts the next run with `item` once fewer than `concurrency` run (waiting for one to
    /// end when needed). After a failure nothing more starts: every run before it has started
    /// (runs start in order), and the runs after it would not have run.
    pub async fn feed(&mut self, item: Value) {
        while self.running.len() >= self.concurrency {
            self.settle_one().await;
        }
        if self.failed.is_some() {
            return;
        }
        let at = self.results.len();
        let item = Arc::new(item);
        let input = NodeInput::from_entries([
            (Arc::from("item"), item.clone()),
            (Arc::from("index"), Arc::new(Value::from(at))),
            (Arc::from("data"), item),
        ]);
        let token = self.body.signal.child();
        self.results.push(None);
        self.tokens.push(Some(token.clone()));
        let prefix = format!("{}[{at}]/", self.body.path);
        let run = self.body.parts.run(self.body.plan.clone(), input, prefix, token);
        self.running.push(Box::pin(run.map(move |result| (at, result))));
    }

    /// Waits for every run to end: the results in order, or the failure of the lowest run
    /// that failed (`[for-each] item N failed at ...`).
    pub async fn finish(mut self) -> Result<Vec<Value>, ExecutionError> {
        while self.settle_one().await {}
        if let Some((at, error)) = self.failed.take() {
            return Err(failure(at, error));
        }
        Ok(self.results.into_iter().map(|r| r.unwrap_or(Value::Undefined)).collect())
    }

    /// Waits for the runs started so far to end, then gives the lowest failure among them (if
    /// any): a stream stops as soon as it knows an item failed.
    #[cfg(feature = "streams")]
    pub async fn failure(&mut self) -> Option<ExecutionError> {
        self.failed.as_ref()?;
        while self.settle_one().await {}
        self.failed.take().map(|(at, error)| failure(at, error))
    }

    /// Waits for one run to end and takes its outcome; `false` when none runs.
    async fn settle_one(&mut self) -> bool {
        let Some((at, outcome)) = self.running.next().await else { return false };
        self.tokens[at] = None;
        match outcome {
            Ok(output) => {
                self.results[at] = Some(output.map_or(Value::Undefined, |o| (*o).clone()));
                self.done += 1;
                self.report();
            }
            // The node itself was stopped: that is its outcome, not the item's failure.
            Err(error) if self.body.signal.is_cancelled() => self.failed = Some((at, error)),
            Err(error) => {
                if self.failed.as_ref().is_none_or(|(lowest, _)| at < *lowest) {
                    // Runs after it would not have run: those running stop.
                    for token in self.tokens.iter().skip(at + 1).flatten() {
                        token.cancel();
                    }
                    self.failed = Some((at, error));
                }
            }
        }
        true
    }

    /// Progress: a percent of the runs when their number is known, else the runs done.
    fn report(&self) {
        let Some(progress) = &self.body.progress else { return };
        let message = match self.total {
            Some(total) => {
                let percent = u8::try_from(self.done * 100 / total.max(1)).unwrap_or(100).min(99);
                LeafMessage::Progress(self.body.ix, percent, "Running its items...")
            }
            None => LeafMessage::Rows(self.body.ix, self.done as u64, 0, None),
        };
        let _ = progress.unbounded_send(message);
    }
}

/// The node's failure for run `at` failing with `error`.
fn failure(at: usize, error: ExecutionError) -> ExecutionError {
    if error.code == crate::error::ErrorCode::CANCELLED {
        return error;
    }
    let node = error.node_id.clone().unwrap_or_default();
    ExecutionError::new(
        error.code,
        format!("[for-each] item {at} failed at '{node}': {}", error.message),
    )
    .with_context("item", Value::from(at))
}
