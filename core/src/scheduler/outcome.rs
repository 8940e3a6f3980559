//! A node's end: completion (releasing successors, finishing groups), failure (the sequential
//! cutoff), the run aborted (cancelled, timed out), and what the history records of it.

use std::cmp::Reverse;
use std::sync::Arc;

use super::{Abort, Scheduler};
use crate::error::{ErrorCode, ExecutionError};
use crate::format::js_number;
use crate::plan::NodeIx;
use crate::progress::NodeState;
use crate::value::Value;

impl Scheduler {
    /// A node is done (completed or skipped): release its successors, and complete enclosing
    /// groups whose last child this was (iteratively, however deep).
    pub(super) fn complete(&mut self, ix: NodeIx, output: Option<Arc<Value>>, state: NodeState) {
        self.complete_as(ix, output, state, false);
    }

    /// [`complete`](Self::complete), saying whether the output was `reused` from another run.
    pub(super) fn complete_as(
        &mut self,
        mut ix: NodeIx,
        mut output: Option<Arc<Value>>,
        mut state: NodeState,
        mut reused: bool,
    ) {
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
                // A successor already running started with this node, in a stream of rows.
                if slot.waiting_predecessors == 0 && slot.signal.is_none() {
                    self.ready.push(Reverse(successor));
                }
            }
            let Some(group) = self.plan.nodes[ix].parent else { return };
            if self.plan.nodes[group].sequential {
                self.release_sequential(group);
            }
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

    pub(super) fn fail(&mut self, ix: NodeIx, error: ExecutionError) {
        let node_id = self.plan.nodes[ix].id.clone();
        let error =
            error.located(&node_id, &self.context.execution_id).with_timestamp(self.host.now());
        self.set_state(ix, NodeState::Error, Some(error.message.clone()));
        self.span_errors.record(ix, error.code, &error.message);
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

    pub(super) fn abort(&mut self, reason: Abort) {
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
                let code = if reason == Abort::Cancelled {
                    ErrorCode::CANCELLED
                } else {
                    ErrorCode::TIMEOUT
                };
                self.span_errors.record(ix, code, &message);
                if self.history.is_some() {
                    self.record_end(
                        ix,
                        NodeState::Error,
                        None,
                        Some(ExecutionError::new(code, message.clone())),
                        false,
                    );
                }
            }
        }
    }

    /// Hands a node's end to the run's recorder.
    pub(super) fn record_end(
        &mut self,
        ix: NodeIx,
        state: NodeState,
        output: Option<Arc<Value>>,
        error: Option<ExecutionError>,
        reused: bool,
    ) {
        let times = (self.slots[ix].status.start_time, self.slots[ix].status.end_time);
        if let Some(history) = self.history.as_mut() {
            let (js, summarized) = (self.slots[ix].js, self.slots[ix].summarized);
            let cache = self.slots[ix].status.cache.map(|hit| (hit.key.to_hex(), hit.age_ms));
            let flags = (reused, js, summarized);
            history.ended(&self.plan, ix, state, output, error, times, flags, cache);
        }
    }
}
