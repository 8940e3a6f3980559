//! A traced run's telemetry as the run goes: what the embedder needs to open spans early (an
//! `http-request` node naming its span in a request), and what the scheduler knows of each node
//! at the end, which the run's tracer writes as its span records (see [`crate::telemetry`]).

use super::Scheduler;
use crate::error::ErrorCode;
use crate::plan::NodeIx;
use crate::progress::NodeState;
use crate::telemetry::{SpanError, TracedNode};

/// The node type whose requests carry trace context.
const HTTP_REQUEST: &str = "http-request";

impl Scheduler {
    /// Keeps a traced run's node error, code and all, for its span.
    pub(super) fn record_span_error(&self, ix: NodeIx, code: ErrorCode, message: &str) {
        if let Some(tracer) = &self.context.telemetry {
            tracer.failed(ix, SpanError { code, message: message.to_owned() });
        }
    }

    /// A traced run's span records (JSON text), from its nodes' states and times.
    pub(super) fn spans(&mut self) -> Option<String> {
        let tracer = self.context.telemetry.clone()?;
        let mut nodes = Vec::with_capacity(self.slots.len());
        for (ix, slot) in self.slots.iter().enumerate() {
            let status = &slot.status;
            let Some(start) = status.start_time.or(match status.state {
                NodeState::Skipped | NodeState::Pinned | NodeState::Cached => status.end_time,
                _ => None,
            }) else {
                continue;
            };
            let node = &self.plan.nodes[ix];
            nodes.push(TracedNode {
                index: ix,
                parent: node.parent,
                // A top-level node's path is its id: only nested ones need theirs.
                path: node.parent.filter(|&p| p != 0).map(|_| self.plan.path(ix)),
                id: node.id.clone(),
                name: node.name.clone(),
                node_type: node.node_type.clone(),
                group: node.is_group(),
                start,
                end: status.end_time,
                state: status.state.as_str(),
            });
        }
        Some(tracer.records(&nodes))
    }

    /// Node `ix` started in a traced run that propagates context: when it is an
    /// `http-request`, notes the spans its request's trace headers need open — each group it is
    /// in (below the flow, which is the run's span) and its own, with the engine's start times.
    pub(super) fn note_span_lineage(&self, ix: NodeIx) {
        let Some(tracer) = self.context.telemetry.as_ref().filter(|t| t.propagate()) else {
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
        tracer.set_lineage(ix, &lineage);
    }
}
