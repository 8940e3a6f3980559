//! A traced run's telemetry as the run goes: what the embedder needs to open spans early (an
//! `http-request` node naming its span in a request), and the span records at the end. Its twin,
//! `telemetry_off.rs`, is the build without node spans.

use super::Scheduler;
use crate::error::ErrorCode;
use crate::plan::NodeIx;
use crate::plan::Plan;
use crate::progress::NodeState;
use crate::telemetry::{NodeSpan, RunTelemetry, SpanError};

/// The node type whose requests carry trace context.
const HTTP_REQUEST: &str = "http-request";

/// A traced run's node errors with their codes, by index (what its spans report); `None`
/// when the run is not traced.
#[derive(Default)]
pub(super) struct SpanErrors(Option<Vec<Option<SpanError>>>);

impl SpanErrors {
    /// Keeps a traced run's node error, code and all, for its span.
    pub(super) fn record(&mut self, ix: NodeIx, code: ErrorCode, message: &str) {
        if let Some(errors) = self.0.as_mut() {
            errors[ix] = Some(SpanError { code, message: message.to_owned() });
        }
    }
}

impl Scheduler {
    /// A traced run is ready to record its nodes' errors.
    pub(super) fn with_telemetry(mut self) -> Self {
        if self.context.telemetry.is_some() {
            self.span_errors = SpanErrors(Some(vec![None; self.plan.nodes.len()]));
        }
        self
    }

    /// A traced run's span records, from its nodes' states and times.
    pub(super) fn spans(&mut self) -> Option<Vec<crate::telemetry::NodeSpan>> {
        let telemetry = self.context.telemetry.clone()?;
        let mut errors = self.span_errors.0.take().unwrap_or_default();
        errors.resize(self.slots.len(), None);
        let ends = self
            .slots
            .iter()
            .zip(errors)
            .map(|(slot, error)| NodeEnd {
                start: slot.status.start_time,
                end: slot.status.end_time,
                state: slot.status.state,
                error,
            })
            .collect();
        Some(spans(&self.plan, &telemetry, ends))
    }

    /// Node `ix` started in a traced run that propagates context: when it is an
    /// `http-request`, notes the spans its request's trace headers need open — each group it is
    /// in (below the flow, which is the run's span) and its own, with the engine's start times.
    pub(super) fn note_span_lineage(&self, ix: NodeIx) {
        {
            let Some(telemetry) = self.context.telemetry.as_ref().filter(|t| t.propagate) else {
                return;
            };
            if &*self.plan.nodes[ix].node_type != HTTP_REQUEST {
                return;
            }
            let mut lineage = Vec::new();
            let mut at = Some(ix);
            while let Some(node_ix) = at.filter(|&i| i != 0 || !self.plan.nodes[i].is_group()) {
                let node = &self.plan.nodes[node_ix];
                lineage.push(crate::telemetry::OpenSpan {
                    index: node_ix,
                    parent: node.parent.unwrap_or(0),
                    id: node.id.clone(),
                    node_type: node.node_type.clone(),
                    start: self.slots[node_ix].status.start_time.unwrap_or_else(|| self.host.now()),
                });
                at = node.parent;
            }
            lineage.reverse();
            telemetry.set_lineage(ix, &lineage);
        }
    }
}

/// What the scheduler knows of each node when a traced run ends.
pub(super) struct NodeEnd {
    pub start: Option<f64>,
    pub end: Option<f64>,
    pub state: NodeState,
    pub error: Option<SpanError>,
}

/// The run's span records: every node that started (or was skipped or pinned), in plan order.
fn spans(plan: &Plan, telemetry: &RunTelemetry, ends: Vec<NodeEnd>) -> Vec<NodeSpan> {
    let mut retries = telemetry.take_retries();
    retries.sort_by_key(|(ix, r)| (*ix, r.attempt));
    let mut retries = retries.into_iter().peekable();
    let statuses = telemetry.take_statuses();
    let mut spans = Vec::with_capacity(ends.len());
    for (ix, end) in ends.into_iter().enumerate() {
        let mut node_retries = Vec::new();
        while let Some((_, retry)) = retries.next_if(|(at, _)| *at <= ix) {
            node_retries.push(retry);
        }
        let Some(start) = end.start.or(match end.state {
            NodeState::Skipped | NodeState::Pinned | NodeState::Cached => end.end,
            _ => None,
        }) else {
            continue;
        };
        let node = &plan.nodes[ix];
        spans.push(NodeSpan {
            index: ix,
            parent: node.parent,
            // A top-level node's path is its id: only nested ones need theirs.
            path: node.parent.filter(|&p| p != 0).map(|_| plan.path(ix)),
            id: node.id.clone(),
            name: node.name.clone(),
            node_type: node.node_type.clone(),
            group: node.is_group(),
            start,
            end: end.end,
            state: end.state.as_str(),
            attempts: u32::try_from(node_retries.len()).unwrap_or(u32::MAX).saturating_add(1),
            error: end.error,
            retries: node_retries,
            http_status: statuses.iter().find(|(at, _)| *at == ix).map(|(_, s)| *s),
        });
    }
    spans
}
