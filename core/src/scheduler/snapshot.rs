//! Building progress snapshots from the run state.

use std::sync::Arc;

use super::Scheduler;
use crate::plan::{NodeIx, Plan};
use crate::progress::{NodeState, NodeStatus, ProgressEvent, ProgressNode};

/// The nodes a snapshot lists: every node below the root, or the root alone when it is atomic.
pub(super) fn listed_nodes(plan: &Plan) -> std::ops::Range<NodeIx> {
    if plan.root().is_group() {
        1..plan.nodes.len()
    } else {
        0..1
    }
}

/// Node `ix` of `plan` as a snapshot lists it, with `status`.
pub(super) fn progress_node(plan: &Plan, ix: NodeIx, status: &NodeStatus) -> ProgressNode {
    let node = &plan.nodes[ix];
    ProgressNode {
        id: node.id.clone(),
        name: node.name.clone(),
        node_type: node.node_type.clone(),
        weight: node.weight,
        dependencies: plan.dependencies(ix),
        dependents: plan.dependents(ix),
        level: node.level,
        state: status.state,
        progress: status.progress,
        message: status.message.map(Arc::from),
        start_time: status.start_time,
        end_time: status.end_time,
        duration: status.duration(),
        error: status.error.clone(),
        parent_id: node.parent.map(|p| plan.nodes[p].id.clone()),
        depth: node.depth,
    }
}

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
                executing.push(&node.name);
            }
            nodes.push(progress_node(plan, ix, status));
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
