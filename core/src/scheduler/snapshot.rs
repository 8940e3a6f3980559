//! Building progress snapshots from the run state.

use std::sync::Arc;

use super::Scheduler;
use crate::plan::{listed_nodes, progress_node};
use crate::progress::{NodeState, ProgressEvent};

impl Scheduler {
    /// The current progress event. O(nodes); built only when an event is due.
    pub(super) fn snapshot(&mut self) -> ProgressEvent {
        let graph = self.graph();
        let plan = &self.plan;
        let range = listed_nodes(plan);
        let mut nodes = Vec::with_capacity(range.len());
        let mut executing: Vec<&str> = Vec::new();
        let mut first_executing: Option<Arc<str>> = None;
        for ix in range {
            let node = &plan.nodes[ix];
            let status = &self.slots[ix].status;
            if status.state == NodeState::Executing && !node.is_group() {
                if first_executing.is_none() {
                    first_executing = Some(node.id.clone());
                }
                // Its name, or its id when it has none: the type (what the plan's `name` falls
                // back to) does not tell two nodes of one type apart.
                let unnamed = Arc::ptr_eq(&node.name, &node.node_type);
                executing.push(if unnamed { &node.id } else { &node.name });
            }
            nodes.push(progress_node(plan, ix, status));
        }
        let progress = self.current_progress();
        let message = if !executing.is_empty() {
            format!("Executing: {}", executing.join(", "))
        } else if let Some(parked) = self.parked_error() {
            // "The run waits at node 'w' for an approval".
            parked.message.clone()
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
