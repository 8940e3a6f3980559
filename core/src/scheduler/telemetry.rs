//! A traced run's telemetry as the run goes: what the embedder needs to open spans early (an
//! `http-request` node naming its span in a request), and the span records at the end.

use super::Scheduler;
use crate::plan::NodeIx;

/// The node type whose requests carry trace context.
#[cfg(feature = "telemetry")]
const HTTP_REQUEST: &str = "http-request";

impl Scheduler {
    /// A traced run is ready to record its nodes' errors.
    #[cfg_attr(not(feature = "telemetry"), allow(unused_mut))]
    pub(super) fn with_telemetry(mut self) -> Self {
        #[cfg(feature = "telemetry")]
        if self.context.telemetry.is_some() {
            self.span_errors = Some(vec![None; self.plan.nodes.len()]);
        }
        self
    }

    /// A traced run's span records, from its nodes' states and times.
    #[cfg(feature = "telemetry")]
    pub(super) fn spans(&mut self) -> Option<Vec<crate::telemetry::NodeSpan>> {
        let telemetry = self.context.telemetry.clone()?;
        let mut errors = self.span_errors.take().unwrap_or_default();
        errors.resize(self.slots.len(), None);
        let ends = self
            .slots
            .iter()
            .zip(errors)
            .map(|(slot, error)| crate::telemetry::NodeEnd {
                start: slot.status.start_time,
                end: slot.status.end_time,
                state: slot.status.state,
                error,
            })
            .collect();
        Some(crate::telemetry::spans(&self.plan, &telemetry, ends))
    }

    /// Node `ix` started in a traced run that propagates context: when it is an
    /// `http-request`, notes the spans its request's trace headers need open — each group it is
    /// in (below the flow, which is the run's span) and its own, with the engine's start times.
    #[cfg_attr(not(feature = "telemetry"), allow(unused_variables))]
    pub(super) fn note_span_lineage(&self, ix: NodeIx) {
        #[cfg(feature = "telemetry")]
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
