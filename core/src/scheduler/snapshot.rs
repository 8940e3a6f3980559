//! Building progress snapshots from the run state.

use std::sync::Arc;

use super::Scheduler;
use crate::progress::{NodeState, ProgressEvent, ProgressNode};

impl Scheduler {
    /// The current progress event. O(nodes); built only when an event is due.
    pub(super) fn snapshot(&mut self) -> ProgressEvent {
        let graph = self.graph();
        let plan = &self.plan;
        let range = if plan.root().is_group() { 1..plan.nodes.len() } else { 0..1 };
        let mut nodes = Vec::with_capacity(range.len());
        let mut executing: Vec<&str> = Vec::new();
        let mut first_executing: Option<Arc<str>> = None;
        for ix in range {
            let node = &plan.nodes[ix];
            let slot = &self.slots[ix];
            if slot.state == NodeState::Executing && !node.is_group() {
                if first_executing.is_none() {
                    first_executing = Some(node.id.clone());
                }
                executing.push(&node.name);
            }
            nodes.push(ProgressNode {
                id: node.id.clone(),
                name: node.name.clone(),
                node_type: node.node_type.clone(),
                weight: node.weight,
                dependencies: plan.dependencies(ix),
                dependents: plan.dependents(ix),
                level: node.level,
                state: slot.state,
                progress: slot.progress,
                message: slot.message.map(Arc::from),
                start_time: slot.start_time,
                end_time: slot.end_time,
                duration: slot.start_time.zip(slot.end_time).map(|(s, e)| e - s),
                error: slot.error.clone(),
                parent_id: node.parent.map(|p| plan.nodes[p].id.clone()),
                depth: node.depth,
            });
        }
        let progress = self.current_progress();
        let message = if !executing.is_empty() {
            format!("Executing: {}", executing.join(", "))
        } else if progress == 100 {
            "All nodes completed".to_owned()
        } else {
            "Waiting to start...".to_owned()
        };
        ProgressEvent {
            execution_id: self.context.execution_id.to_string(),
            node_id: first_executing.map(|id| id.to_string()).unwrap_or_default(),
            progress,
            message,
            nodes,
            graph,
            is_executing: self.finished_at.is_none(),
            start_time: self.start_time,
            end_time: self.finished_at,
        }
    }
}
