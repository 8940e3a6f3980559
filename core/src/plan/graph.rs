//! The flow's graph metadata (levels, critical path, weights; see `graph`) computed from the
//! plan, sharing its ids.

use std::collections::VecDeque;
use std::sync::Arc;

use super::{NodeIx, Plan};
use crate::progress::{GraphEdge, ProgressGraph};

/// `ProgressGraphMetadata` of the root's direct children (or of the root alone when atomic):
/// the same numbers as [`crate::graph::analyze`], without re-parsing the definition.
pub(crate) fn progress_graph(plan: &Plan) -> ProgressGraph {
    let TraceSummary { total_weight, critical_path } = trace_summary(plan);
    let root = plan.root();
    if !root.is_group() {
        return ProgressGraph { execution_order: vec![vec![root.id.clone()]], critical_path, total_weight, max_parallelism: 1, edges: Vec::new() };
    }
    let mut execution_order: Vec<Vec<Arc<str>>> = Vec::new();
    let mut current_level = None;
    for &child in &root.children {
        let node = &plan.nodes[child];
        if current_level != Some(node.level) {
            execution_order.push(Vec::new());
            current_level = Some(node.level);
        }
        if let Some(level) = execution_order.last_mut() {
            level.push(node.id.clone());
        }
    }
    let by_definition = &plan.root_children_by_definition;
    let edges = by_definition
        .iter()
        .flat_map(|&child| {
            plan.nodes[child].inputs.iter().map(move |(source, _)| GraphEdge { from: plan.nodes[*source].id.clone(), to: plan.nodes[child].id.clone() })
        })
        .collect();
    ProgressGraph {
        critical_path,
        total_weight,
        max_parallelism: execution_order.iter().map(Vec::len).max().unwrap_or(0).max(1),
        execution_order,
        edges,
    }
}

/// The two graph numbers a trace records, from the same rules as [`progress_graph`].
pub(crate) struct TraceSummary {
    pub total_weight: u64,
    pub critical_path: Vec<Arc<str>>,
}

/// [`TraceSummary`] without building the rest of the graph: a run with no progress listener
/// needs only these, and the full graph (levels and edges as ids) cost a tenth of a large run.
pub(crate) fn trace_summary(plan: &Plan) -> TraceSummary {
    let root = plan.root();
    if !root.is_group() {
        return TraceSummary { total_weight: u64::from(root.weight), critical_path: vec![root.id.clone()] };
    }
    let by_definition = &plan.root_children_by_definition;
    TraceSummary {
        total_weight: by_definition.iter().map(|&c| u64::from(plan.nodes[c].weight)).sum(),
        critical_path: critical_path(plan, by_definition).into_iter().map(|ix| plan.nodes[ix].id.clone()).collect(),
    }
}

/// The heaviest path among siblings: each node starts at its own weight, nodes are relaxed in
/// Kahn queue order (queue seeded in definition order), a distance changes only when strictly
/// greater, and the path ends at the first node in definition order with the largest distance.
fn critical_path(plan: &Plan, by_definition: &[NodeIx]) -> Vec<NodeIx> {
    let base = by_definition.iter().copied().min().unwrap_or(0);
    let span = by_definition.iter().map(|&c| plan.nodes[c].subtree_end).max().unwrap_or(base) - base;
    let local = |ix: NodeIx| ix - base;
    let mut distance = vec![0u64; span];
    let mut previous: Vec<Option<NodeIx>> = vec![None; span];
    let mut in_degree = vec![0usize; span];
    for &child in by_definition {
        distance[local(child)] = u64::from(plan.nodes[child].weight);
        in_degree[local(child)] = plan.nodes[child].inputs.len();
    }
    let mut queue: VecDeque<NodeIx> = by_definition.iter().copied().filter(|&c| in_degree[local(c)] == 0).collect();
    while let Some(node) = queue.pop_front() {
        for &next in &plan.nodes[node].outputs {
            let candidate = distance[local(node)] + u64::from(plan.nodes[next].weight);
            if candidate > distance[local(next)] {
                distance[local(next)] = candidate;
                previous[local(next)] = Some(node);
            }
            in_degree[local(next)] -= 1;
            if in_degree[local(next)] == 0 {
                queue.push_back(next);
            }
        }
    }
    let Some(end) = by_definition.iter().copied().fold(None, |best: Option<NodeIx>, c| match best {
        Some(b) if distance[local(b)] >= distance[local(c)] => Some(b),
        _ => Some(c),
    }) else {
        return Vec::new();
    };
    let mut path = vec![end];
    let mut cursor = end;
    while let Some(prev) = previous[local(cursor)] {
        path.push(prev);
        cursor = prev;
    }
    path.reverse();
    path
}
