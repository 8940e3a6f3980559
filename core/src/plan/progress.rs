//! The plan's nodes as progress reports list them (the scheduler's snapshots and events, a
//! run's live view).

use std::sync::Arc;

use super::{NodeIx, Plan};
use crate::progress::{CacheHit, NodeStatus, ProgressNode};

/// The nodes a snapshot lists: every node below the root, or the root alone when it is atomic.
pub(crate) fn listed_nodes(plan: &Plan) -> std::ops::Range<NodeIx> {
    if plan.root().is_group() {
        1..plan.nodes.len()
    } else {
        0..1
    }
}

/// Node `ix` of `plan` as a snapshot lists it, with `status`.
pub(crate) fn progress_node(plan: &Plan, ix: NodeIx, status: &NodeStatus) -> ProgressNode {
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
        rows: status.streamed.rows(),
        bytes: status.streamed.bytes_read(),
        total_bytes: status.streamed.bytes_total(),
        cache_key: CacheHit::key_of(status.cache),
        cache_age: CacheHit::age_of(status.cache),
        text: status.text.clone(),
    }
}
