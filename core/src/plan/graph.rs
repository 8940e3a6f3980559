//! The flow's graph metadata (levels, critical path, weights; see `graph`) computed from the
//! plan, sharing its ids.

use std::sync::Arc;

use super::{NodeIx, Plan};
use crate::graph::critical_path::heaviest_path;
use crate::progress::{GraphEdge, ProgressGraph};

/// `ProgressGraphMetadata` of the root's direct children (or of the root alone when atomic):
/// the same numbers as [`crate::graph::analyze`], without re-parsing the definition.
pub(crate) fn progress_graph(plan: &Plan) -> ProgressGraph {
    let TraceSummary { total_weight, critical_path } = trace_summary(plan);
    let root = plan.root();
    if !root.is_group() {
        return ProgressGraph {
            execution_order: vec![vec![root.id.clone()]],
            critical_path,
            total_weight,
            max_parallelism: 1,
            edges: Vec::new(),
        };
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
            plan.nodes[child].inputs.iter().map(move |input| GraphEdge {
                from: plan.nodes[input.source].id.clone(),
                to: plan.nodes[child].id.clone(),
            })
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
/// needs only these, and the full graph (levels and edges as ids) was a measurable share of a
/// large run (docs/PERFORMANCE.md, "Engine internals").
pub(crate) fn trace_summary(plan: &Plan) -> TraceSummary {
    let root = plan.root();
    if !root.is_group() {
        return TraceSummary {
            total_weight: u64::from(root.weight),
            critical_path: vec![root.id.clone()],
        };
    }
    let by_definition = &plan.root_children_by_definition;
    TraceSummary {
        total_weight: by_definition.iter().map(|&c| u64::from(plan.nodes[c].weight)).sum(),
        critical_path: critical_path(plan, by_definition)
            .into_iter()
            .map(|ix| plan.nodes[ix].id.clone())
            .collect(),
    }
}

/// The heaviest path among the siblings `by_definition` (see [`heaviest_path`]).
fn critical_path(plan: &Plan, by_definition: &[NodeIx]) -> Vec<NodeIx> {
    // Siblings are numbered by definition order; a plan index maps to that number through
    // `position` (siblings and their subtrees span `base..base + span` in the plan).
    let base = by_definition.iter().copied().min().unwrap_or(0);
    let span =
        by_definition.iter().map(|&c| plan.nodes[c].subtree_end).max().unwrap_or(base) - base;
    let mut position = vec![usize::MAX; span];
    for (k, &child) in by_definition.iter().enumerate() {
        position[child - base] = k;
    }
    let weights: Vec<u32> = by_definition.iter().map(|&c| plan.nodes[c].weight).collect();
    let in_degree = by_definition.iter().map(|&c| plan.nodes[c].inputs.len()).collect();
    let (path, _) = heaviest_path(&weights, in_degree, |k| {
        plan.nodes[by_definition[k]].outputs.iter().map(|&(next, _)| position[next - base])
    });
    path.into_iter().map(|k| by_definition[k]).collect()
}
