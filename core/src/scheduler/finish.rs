//! The run's end: the result the sequential engine would give (`data`, `executedNodes`, the
//! error), the last progress event and the trace.

use std::sync::Arc;

use super::{Abort, Scheduler};
use crate::error::{ErrorCode, ExecutionError};
use crate::format::js_number;
use crate::host::EngineEvent;
use crate::plan::{trace_summary, TraceSummary};
use crate::progress::NodeState;
use crate::run::{ExecutionContext, ExecutionResult};
use crate::trace::TraceData;

impl Scheduler {
    /// Builds the result the sequential engine would give (its `data`,
    /// `executedNodes` and error).
    pub(super) fn finish(&mut self) -> ExecutionResult {
        let now = self.host.now();
        self.finished_at = Some(now);
        let error = match (self.aborted, self.failure.take()) {
            (Some(Abort::Cancelled), _) => Some(ExecutionError::new(
                ErrorCode::CANCELLED,
                crate::error::messages::EXECUTION_CANCELLED,
            )),
            (Some(Abort::TimedOut(ms)), _) => Some(ExecutionError::new(
                ErrorCode::TIMEOUT,
                format!("Execution timed out after {}ms", js_number(ms)),
            )),
            (None, Some((ix, error))) => {
                self.failure = Some((ix, error.clone()));
                Some(error)
            }
            // Parked at a wait node (durable runs only): it waits, nothing failed.
            (None, None) => self.parked_error().cloned(),
        };
        let parked = error.is_some() && self.aborted.is_none() && self.failure.is_none();
        let root_id = self.plan.root().id.clone();
        let error =
            error.map(|e| e.located(&root_id, &self.context.execution_id).with_timestamp(now));
        // A run to a node succeeds with that node; the groups around it never finish.
        let target = self.run_to.as_ref().map_or(0, |(target, _)| *target);
        let success = error.is_none() && self.slots[target].status.state.is_done();
        let error = if success || error.is_some() {
            error
        } else {
            Some(ExecutionError::internal("The run ended with nodes left unfinished"))
        };
        // Only a failed run or a run to a node leaves groups open.
        // A parked run's groups stay open: they end when it goes on.
        let open_groups =
            if (success && self.run_to.is_none()) || parked { 0 } else { self.plan.nodes.len() };
        for ix in 0..open_groups {
            if !self.plan.nodes[ix].is_group()
                || self.slots[ix].status.state != NodeState::Executing
            {
                continue;
            }
            if success {
                // Around a run's target: started, never run as a whole.
                self.set_state(ix, NodeState::Pending, None);
                continue;
            }
            // Groups still open around the failure did not complete.
            self.set_state(ix, NodeState::Error, error.as_ref().map(|e| e.message.clone()));
            if let Some(e) = &error {
                self.record_span_error(ix, e.code, &e.message);
            }
            if self.history.is_some() {
                self.record_end(ix, NodeState::Error, None, error.clone(), false);
            }
        }
        let executed_nodes = self.executed_nodes(success);
        if let Some(view) = &self.view {
            view.finish(now, self.current_progress());
        }
        if self.events.is_some() {
            self.emit_progress();
        }
        if let Some(trace) = self.trace.as_mut() {
            let TraceSummary { total_weight, critical_path } = match &self.graph {
                Some(graph) => TraceSummary {
                    total_weight: graph.total_weight,
                    critical_path: graph.critical_path.clone(),
                },
                None => trace_summary(&self.plan),
            };
            if let Some(first) = trace.events.first_mut() {
                first.data = TraceData::Started {
                    total_nodes: self.plan.nodes.len(),
                    total_weight,
                    critical_path: Arc::from(critical_path),
                };
            }
            trace.complete(now);
        }
        let execution_id = self.context.execution_id.to_string();
        match &error {
            None => self.emit(EngineEvent::Completed {
                execution_id: execution_id.clone(),
                node_id: root_id.to_string(),
            }),
            Some(error) => self.emit(EngineEvent::Error {
                execution_id: execution_id.clone(),
                node_id: root_id.to_string(),
                error: error.clone(),
            }),
        }
        let root_is_group = self.plan.root().is_group();
        let context = (success || !root_is_group)
            .then(|| ExecutionContext { node_id: root_id.clone(), run: self.context.clone() });
        let output = if success { self.slots[target].output.take() } else { None };
        let trace = self.trace.take();
        let spans = self.spans();
        let duration = now - self.start_time;
        // Release every other reference to the output before unwrapping it.
        drop(std::mem::take(&mut self.slots));
        let data =
            output.map(|out| Arc::try_unwrap(out).unwrap_or_else(|shared| (*shared).clone()));
        ExecutionResult {
            success,
            data,
            error,
            duration,
            executed_nodes,
            warnings: self.context.take_warnings(),
            logs: self.context.take_logs(),
            context,
            trace,
            spans,
        }
    }

    /// Completed nodes in sequential order; on failure at `p`, those before `p` and then `p`.
    /// A node served from the cache counts as completed: the result is the one a run without
    /// the cache gives.
    pub(super) fn executed_nodes(&self, success: bool) -> Vec<Arc<str>> {
        let limit = match (&self.failure, success) {
            (Some((p, _)), false) if self.aborted.is_none() => *p,
            _ => self.plan.nodes.len(),
        };
        // A node whose failure its `onError` handled ran, and counts.
        let ran = |ix: usize| match self.slots[ix].status.state {
            NodeState::Completed | NodeState::Cached => true,
            NodeState::Error => self.slots[ix].fired != super::slots::Fired::Nothing,
            _ => false,
        };
        let mut executed: Vec<Arc<str>> =
            (0..limit).filter(|&ix| ran(ix)).map(|ix| self.plan.nodes[ix].id.clone()).collect();
        if let (Some((p, _)), false, None) = (&self.failure, success, self.aborted) {
            executed.push(self.plan.nodes[*p].id.clone());
        }
        executed
    }
}
