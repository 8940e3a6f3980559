//! A `for-each`: its body (its child nodes) run once per item of a list as a nested run of its
//! own (`nested.rs`), `concurrency` items at once, the results kept in the items' order. An
//! item whose body fails (a failure its nodes' `onError` does not handle) fails the node, as
//! the lowest failing item: items after it are not started (those running are stopped), items
//! before it finish, as a loop over the items in order would have run them.

use std::sync::Arc;

mod runner;
#[cfg(feature = "streams")]
mod stream;

use runner::{Body, Runner};

use super::nested::subtree_plan;
use super::Scheduler;
use crate::error::{ErrorCode, ExecutionError};
use crate::host::CancelToken;
use crate::nodes::builtin::for_each::{items_of, Batching};
use crate::nodes::{NodeInput, NodeResult};
use crate::plan::NodeIx;
use crate::progress::NodeState;
use crate::scheduler::RunRecording;
use crate::value::{Map, Value};

/// What a for-each job takes with it.
struct Job {
    body: Body,
    input: NodeInput,
    parameters: Arc<Map>,
    limits: crate::expression::Limits,
}

impl Scheduler {
    /// Starts for-each `ix` (a leaf of this run: its body is not).
    pub(super) fn start_for_each(&mut self, ix: NodeIx) {
        let (input, _) = self.input_for(ix);
        if !self.plan.nodes[ix].enabled {
            let output = Arc::new(input.to_value());
            self.complete(ix, Some(output), NodeState::Skipped);
            self.settle_body(ix);
            return;
        }
        if let Some(preset) = self.take_preset(ix) {
            self.slots[ix].status.start_time = Some(self.host.now());
            let state = if preset.pinned { NodeState::Pinned } else { NodeState::Completed };
            self.complete_as(ix, preset.output, state, !preset.pinned);
            self.settle_body(ix);
            return;
        }
        if let Some(history) = self.history.as_mut() {
            history.started(ix, &input);
        }
        let body = self.for_each_body(ix);
        let parameters = self.plan.nodes[ix].parameters.clone();
        let limits = self.config.expression_limits;
        self.start_nested(ix, move |signal| {
            Box::pin(run_items(Job { body: body(signal), input, parameters, limits }))
        });
    }

    /// What every run of for-each `ix`'s body shares, given the signal that stops them.
    fn for_each_body(&mut self, ix: NodeIx) -> impl FnOnce(CancelToken) -> Body {
        let plan =
            self.bodies.entry(ix).or_insert_with(|| Arc::new(subtree_plan(&self.plan, ix))).clone();
        let parts = self.nesting_parts(ix);
        let path = self.plan.path(ix).to_string();
        let progress = self.messages.as_ref().map(|(sender, _)| sender.clone());
        move |signal| Body { ix, parts, plan, path, signal, progress }
    }

    /// The body of for-each `ix` ended with it: its nodes say how (they ran per item, not here;
    /// progress counted them with the for-each).
    pub(super) fn settle_body(&mut self, ix: NodeIx) {
        let state = match self.slots[ix].status.state {
            NodeState::Error => NodeState::Error,
            NodeState::Completed | NodeState::Cached | NodeState::Pinned => NodeState::Completed,
            _ => NodeState::Skipped,
        };
        let now = self.host.now();
        for body in ix + 1..self.plan.nodes[ix].subtree_end {
            let status = &mut self.slots[body].status;
            status.state = state;
            status.progress = 100;
            status.end_time = Some(now);
            self.publish(body);
        }
        self.dirty = true;
    }
}

/// Runs the body once per item (or batch), `concurrency` at once: the results in order, or the
/// failure of the lowest item that failed.
async fn run_items(job: Job) -> NodeResult {
    let items = items_of(&job.parameters, &job.input, &job.limits).map_err(|message| {
        ExecutionError::new(ErrorCode::EXECUTION_FAILED, format!("[for-each] {message}"))
    })?;
    let Batching { concurrency, batch_size } = Batching::of(&job.parameters);
    let list = items.list();
    let total = list.len().div_ceil(batch_size);
    let mut runner = Runner::new(job.body, concurrency, Some(total));
    for run in 0..total {
        if runner.has_failed() {
            break;
        }
        // Each run's item is copied from the list as the run starts (a batch: a list of them).
        let item = match batch_size {
            1 => list[run].clone(),
            _ => Value::Array(
                list[run * batch_size..((run + 1) * batch_size).min(list.len())].to_vec(),
            ),
        };
        runner.feed(item).await;
    }
    Ok(Some(Value::Array(runner.finish().await?)))
}
