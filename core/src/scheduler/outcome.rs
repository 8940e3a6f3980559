//! A node's end: completion (releasing successors, finishing groups), failure (the sequential
//! cutoff), the run aborted (cancelled, timed out), and what the history records of it.

use std::cmp::Reverse;
use std::sync::Arc;

use super::slots::Fired;
use super::{Abort, Scheduler};
use crate::error::{ErrorCode, ExecutionError};
use crate::format::js_number;
use crate::plan::{NodeIx, NodeKind, OnError, PlanInput, Port};
use crate::progress::NodeState;
use crate::scheduler::RunRecording;
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
            let handled = self.slots[ix].handled.take();
            let message = handled.as_ref().map(|e| e.message.clone());
            self.set_state(ix, state, message);
            if self.history.is_some() {
                self.record_end(ix, state, output.clone(), handled, reused);
                reused = false;
            }
            // What left it: nothing for a node nothing reached; a routing node's branches;
            // otherwise its output (a handled failure's `fired` is set already).
            if self.slots[ix].dead {
                self.slots[ix].fired = Fired::Nothing;
            } else if self.slots[ix].fired == Fired::Nothing {
                if self.plan.nodes[ix].kind == NodeKind::Routing {
                    let (ports, value) = routed(output.as_deref());
                    self.slots[ix].fired = Fired::Branches(ports);
                    output = value.map(Arc::new);
                } else {
                    self.slots[ix].fired = Fired::Output;
                }
            }
            self.slots[ix].output = output;
            self.slots[ix].input = None;
            self.take_fields(ix);
            self.release_successors(ix);
            let Some(group) = self.plan.nodes[ix].parent else { return };
            if self.plan.nodes[group].sequential {
                self.release_sequential(group);
            }
            let slot = &mut self.slots[group];
            slot.waiting_children -= 1;
            if slot.waiting_children > 0 {
                return;
            }
            // The group's output is its last child's in sequential order (of the children
            // something reached: a branch not taken gives none).
            let last = self.plan.nodes[group]
                .children
                .iter()
                .rev()
                .copied()
                .find(|&child| self.slots[child].fired != Fired::Nothing);
            output = last.and_then(|child| self.slots[child].output.clone());
            self.slots[group].js = last.is_some_and(|child| self.slots[child].js);
            ix = group;
            state = NodeState::Completed;
        }
    }

    /// Node `ix` ended: each outgoing edge tells its target whether it carried something. A
    /// target whose last predecessor ended is ready, or — when none of its edges carried
    /// anything — skipped when it comes to start (so a long chain of skips is a loop, not a
    /// recursion). A `merge` that takes its first input is ready at its first.
    fn release_successors(&mut self, ix: NodeIx) {
        for i in 0..self.plan.nodes[ix].outputs.len() {
            let (successor, k) = self.plan.nodes[ix].outputs[i];
            let live = self.carries(&self.plan.nodes[successor].inputs[k as usize]);
            let first = self.plan.nodes[successor].kind == NodeKind::FirstInput;
            let slot = &mut self.slots[successor];
            slot.waiting_predecessors -= 1;
            if live {
                slot.live_inputs += 1;
                if first && slot.first_input.is_none() {
                    slot.first_input = Some(k);
                }
            }
            // A successor already running started with this node, in a stream of rows.
            if slot.queued || slot.signal.is_some() {
                continue;
            }
            if first && live {
                slot.queued = true;
                self.ready.push(Reverse(successor));
            } else if slot.waiting_predecessors == 0 {
                slot.queued = true;
                slot.dead = slot.live_inputs == 0;
                self.ready.push(Reverse(successor));
            }
        }
    }

    /// Whether an edge carried something: its source ended, and sent from the edge's port.
    pub(super) fn carries(&self, input: &PlanInput) -> bool {
        match (&self.slots[input.source].fired, &input.port) {
            (Fired::Output, Port::Whole | Port::Field(_)) => true,
            (Fired::Branches(fired), Port::Branch(port)) => fired.contains(port),
            (Fired::Error, Port::Error) => true,
            _ => false,
        }
    }

    /// What an edge that carried something delivers: its source's output, or the field of it
    /// its port selects.
    pub(super) fn delivered(&self, input: &PlanInput) -> Option<Arc<Value>> {
        let slot = &self.slots[input.source];
        match &input.port {
            Port::Field(field) => Some(
                slot.fields
                    .iter()
                    .find(|(name, _)| name == field)
                    .map_or_else(|| Arc::new(Value::Undefined), |(_, value)| value.clone()),
            ),
            _ => slot.output.clone(),
        }
    }

    /// Takes out, once, each field of node `ix`'s output its edges select.
    fn take_fields(&mut self, ix: NodeIx) {
        if self.slots[ix].fired != Fired::Output {
            return;
        }
        for i in 0..self.plan.nodes[ix].outputs.len() {
            let (successor, k) = self.plan.nodes[ix].outputs[i];
            let Port::Field(field) = &self.plan.nodes[successor].inputs[k as usize].port else {
                continue;
            };
            if self.slots[ix].fields.iter().any(|(name, _)| name == field) {
                continue;
            }
            let value = match self.slots[ix].output.as_deref() {
                Some(Value::Object(map)) => map.get(&**field).cloned(),
                _ => None,
            };
            let value = Arc::new(value.unwrap_or(Value::Undefined));
            self.slots[ix].fields.push((field.clone(), value));
        }
    }

    /// A failed node whose `onError` handles it: its output is `{error}`, which goes on from
    /// every port (`continue`) or from its error port only (`route`); the run goes on. A
    /// failure it does not handle (`stop`, or a cancellation) is given back.
    pub(super) fn handle_failure(
        &mut self,
        ix: NodeIx,
        error: ExecutionError,
    ) -> Result<(), ExecutionError> {
        let on_error = self.plan.nodes[ix].on_error;
        if on_error == OnError::Stop || error.code == ErrorCode::CANCELLED {
            return Err(error);
        }
        let node_id = self.plan.nodes[ix].id.clone();
        let error =
            error.located(&node_id, &self.context.execution_id).with_timestamp(self.host.now());
        self.record_span_error(ix, error.code, &error.message);
        let output = Arc::new(error_value(&error));
        self.slots[ix].fired =
            if on_error == OnError::Route { Fired::Error } else { Fired::Output };
        self.slots[ix].handled = Some(error);
        self.complete(ix, Some(output), NodeState::Error);
        Ok(())
    }

    pub(super) fn fail(&mut self, ix: NodeIx, error: ExecutionError) {
        let node_id = self.plan.nodes[ix].id.clone();
        let error =
            error.located(&node_id, &self.context.execution_id).with_timestamp(self.host.now());
        self.set_state(ix, NodeState::Error, Some(error.message.clone()));
        self.record_span_error(ix, error.code, &error.message);
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
                self.record_span_error(ix, code, &message);
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

/// What a routing node's output says (see `NodeType::routes`): the ports its value leaves from,
/// and the value. Anything else (an output given for it: a pin) leaves from none.
fn routed(output: Option<&Value>) -> (Vec<Arc<str>>, Option<Value>) {
    let Some(Value::Object(map)) = output else { return (Vec::new(), None) };
    let ports = match map.get("ports") {
        Some(Value::Array(ports)) => {
            ports.iter().filter_map(Value::as_str).map(Arc::from).collect()
        }
        _ => Vec::new(),
    };
    (ports, map.get("value").cloned())
}

/// A handled failure as data: `{error: {code, message, nodeId, type}}`.
pub(crate) fn error_value(error: &ExecutionError) -> Value {
    let mut fields = crate::value::Map::new();
    fields.insert("code", Value::from(error.code.as_str()));
    fields.insert("message", Value::from(error.message.as_str()));
    if let Some(node_id) = &error.node_id {
        fields.insert("nodeId", Value::from(node_id.as_str()));
    }
    fields.insert("type", Value::from(error.code.kind()));
    let mut out = crate::value::Map::new();
    out.insert("error", Value::Object(fields));
    Value::Object(out)
}
