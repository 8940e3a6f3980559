//! `analyzeExecutionGraph`, with the TypeScript engine's numbers: levels, critical path, weights and
//! parallelism of a flow's direct children.

use serde::{Deserialize, Serialize};

use super::critical_path::heaviest_path;
use super::sibling_graph::SiblingGraph;
use super::weights::default_weight;
use crate::error::{ErrorCode, ExecutionError, Result};
use crate::model::{NodeDefinition, NodeEdge};

/// The message the TypeScript engine used for every unsortable graph.
pub const CYCLE_MESSAGE: &str = "Cycle detected in node graph";

/// One analysed node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphNode {
    pub id: String,
    /// `name || type`.
    pub name: String,
    #[serde(rename = "type")]
    pub node_type: String,
    pub weight: u32,
    /// Sources of incoming edges, in edge order, duplicates kept.
    pub dependencies: Vec<String>,
    /// Targets of outgoing edges, in edge order, duplicates kept.
    pub dependents: Vec<String>,
    /// Index of the execution level holding the node.
    pub level: usize,
}

/// The analysed graph of a flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionGraph {
    /// Nodes in definition order.
    pub nodes: Vec<GraphNode>,
    pub total_weight: u64,
    pub critical_path: Vec<String>,
    pub critical_path_weight: u64,
    pub max_parallelism: usize,
    pub execution_order: Vec<Vec<String>>,
}

impl ExecutionGraph {
    /// `{from, to}` pairs: for each node in order, one per dependency (the store's `edges`).
    pub fn edge_pairs(&self) -> Vec<(String, String)> {
        self.nodes
            .iter()
            .flat_map(|node| {
                node.dependencies.iter().map(move |dep| (dep.clone(), node.id.clone()))
            })
            .collect()
    }
}

/// Analyses a flow. An atomic node is a one-node graph; a group analyses its direct children
/// only. Fails with `CIRCULAR_DEPENDENCY` / "Cycle detected in node graph" when the children
/// cannot be ordered.
pub fn analyze(flow: &NodeDefinition) -> Result<ExecutionGraph> {
    if !flow.is_group() {
        let weight = default_weight(flow.type_str());
        let id = flow.id_str().to_owned();
        return Ok(ExecutionGraph {
            nodes: vec![GraphNode {
                id: id.clone(),
                name: flow.display_name().to_owned(),
                node_type: flow.type_str().to_owned(),
                weight,
                dependencies: vec![],
                dependents: vec![],
                level: 0,
            }],
            total_weight: u64::from(weight),
            critical_path: vec![id.clone()],
            critical_path_weight: u64::from(weight),
            max_parallelism: 1,
            execution_order: vec![vec![id]],
        });
    }
    let children = flow.children();
    let graph = SiblingGraph::new(children, flow.edge_list());
    let levels = graph
        .levels()
        .ok_or_else(|| ExecutionError::new(ErrorCode::CIRCULAR_DEPENDENCY, CYCLE_MESSAGE))?;
    let mut level_of = vec![0usize; graph.ids.len()];
    for (l, level) in levels.iter().enumerate() {
        for &node in level {
            level_of[node] = l;
        }
    }
    let weights: Vec<u32> = children.iter().map(|c| default_weight(c.type_str())).collect();
    let predecessors = graph.predecessors();
    let nodes: Vec<GraphNode> = children
        .iter()
        .enumerate()
        .map(|(i, child)| GraphNode {
            id: child.id_str().to_owned(),
            name: child.display_name().to_owned(),
            node_type: child.type_str().to_owned(),
            weight: weights[i],
            dependencies: predecessors[i].iter().map(|&p| graph.ids[p].to_owned()).collect(),
            dependents: graph.successors(i).iter().map(|&s| graph.ids[s].to_owned()).collect(),
            level: level_of[i],
        })
        .collect();
    let (path, path_weight) = critical_path(&graph, &weights);
    Ok(ExecutionGraph {
        total_weight: weights.iter().map(|&w| u64::from(w)).sum(),
        critical_path: path.iter().map(|&i| graph.ids[i].to_owned()).collect(),
        critical_path_weight: path_weight,
        max_parallelism: levels.iter().map(Vec::len).max().unwrap_or(0).max(1),
        execution_order: levels
            .iter()
            .map(|level| level.iter().map(|&i| graph.ids[i].to_owned()).collect())
            .collect(),
        nodes,
    })
}

/// `topologicalSort(nodes, edges)`: Kahn levels of ids.
pub fn topological_sort(nodes: &[NodeDefinition], edges: &[NodeEdge]) -> Result<Vec<Vec<String>>> {
    let graph = SiblingGraph::new(nodes, edges);
    let levels = graph
        .levels()
        .ok_or_else(|| ExecutionError::new(ErrorCode::CIRCULAR_DEPENDENCY, CYCLE_MESSAGE))?;
    Ok(levels
        .iter()
        .map(|level| level.iter().map(|&i| graph.ids[i].to_owned()).collect())
        .collect())
}

/// `findParallelBranches(order)`: the widest level, at least 1.
pub fn find_parallel_branches(order: &[Vec<String>]) -> usize {
    order.iter().map(Vec::len).max().unwrap_or(0).max(1)
}

/// `findCriticalPath`: the heaviest path among the real siblings.
fn critical_path(graph: &SiblingGraph<'_>, weights: &[u32]) -> (Vec<usize>, u64) {
    let in_degree = graph.in_degree.iter().take(graph.real).copied().collect();
    heaviest_path(weights, in_degree, |node| graph.successors(node).iter().copied())
}
