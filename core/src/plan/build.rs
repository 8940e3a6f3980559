//! Flattening a validated `NodeDefinition` tree into a [`Plan`], iteratively.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::{NodeIx, Plan, PlanNode};
use crate::error::{ExecutionError, Result};
use crate::graph::sibling_graph::SiblingGraph;
use crate::model::{NodeDefinition, NodeEdge};
use crate::nodes::NodeRegistry;

struct Pending {
    definition: NodeDefinition,
    parent: Option<NodeIx>,
    depth: u32,
    level: u32,
    /// (wiring index, child position) to record this node's index in its group.
    slot: Option<(usize, usize)>,
}

/// A group's edges, resolved to plan indices once every child has one.
struct Wiring {
    group: NodeIx,
    child_ix: Vec<NodeIx>,
    /// Positions of children in sequential order.
    order: Vec<usize>,
    /// (source position, target position, input key) in edge order.
    edges: Vec<(usize, usize, Arc<str>)>,
}

/// Consumes a flow that passed validation. Fails (with `INTERNAL_ERROR`) only if it did not.
pub(crate) fn build_plan(root: NodeDefinition, registry: &NodeRegistry) -> Result<Plan> {
    let mut nodes: Vec<PlanNode> = Vec::new();
    let mut wirings: Vec<Wiring> = Vec::new();
    let mut stack = vec![Pending { definition: root, parent: None, depth: 0, level: 0, slot: None }];
    while let Some(Pending { mut definition, parent, depth, level, slot }) = stack.pop() {
        let ix = nodes.len();
        if let Some((wiring, position)) = slot {
            wirings[wiring].child_ix[position] = ix;
        }
        let children = definition.nodes.take().unwrap_or_default();
        let edges = definition.edges.take().unwrap_or_default();
        let node_type: Arc<str> = Arc::from(definition.type_str());
        let name: Arc<str> = Arc::from(definition.display_name());
        let parameters = definition.parameters.take().unwrap_or_default();
        let weight = registry.get(&node_type).map_or_else(|| crate::graph::default_weight(&node_type), |t| t.weight());
        nodes.push(PlanNode {
            id: Arc::from(definition.id_str()),
            node_type,
            name,
            parent,
            depth,
            level,
            weight,
            children: Vec::new(),
            subtree_end: ix + 1,
            leaf_weight: 0,
            inputs: Vec::new(),
            successors: Vec::new(),
            predecessor_count: 0,
            dependencies: Arc::from(Vec::new()),
            dependents: Arc::from(Vec::new()),
            enabled: parameters.get("enabled").and_then(Value::as_bool) != Some(false),
            timeout_ms: parameters.get("timeout").and_then(Value::as_f64).filter(|t| *t > 0.0),
            retries: parameters.get("retries").and_then(Value::as_f64).filter(|r| *r >= 0.0).map_or(0, |r| r.min(1e6) as u32),
            parameters: Arc::new(parameters),
        });
        if children.is_empty() {
            continue;
        }
        let graph = SiblingGraph::new(&children, &edges);
        let levels = graph.levels().ok_or_else(|| ExecutionError::internal("plan built from an unvalidated flow (cycle)"))?;
        let mut level_of = vec![0u32; children.len()];
        let mut order = Vec::with_capacity(children.len());
        for (l, members) in levels.iter().enumerate() {
            for &position in members.iter().filter(|&&p| p < children.len()) {
                level_of[position] = u32::try_from(l).unwrap_or(u32::MAX);
                order.push(position);
            }
        }
        let wiring = wirings.len();
        wirings.push(Wiring {
            group: ix,
            child_ix: vec![usize::MAX; children.len()],
            order: order.clone(),
            edges: resolve_edges(&children, &edges),
        });
        let mut slots: Vec<Option<NodeDefinition>> = children.into_iter().map(Some).collect();
        for &position in order.iter().rev() {
            if let Some(child) = slots[position].take() {
                stack.push(Pending { definition: child, parent: Some(ix), depth: depth + 1, level: level_of[position], slot: Some((wiring, position)) });
            }
        }
    }
    for wiring in wirings {
        wire(&mut nodes, wiring)?;
    }
    finish_subtrees(&mut nodes);
    Ok(Plan { nodes })
}

fn resolve_edges(children: &[NodeDefinition], edges: &[NodeEdge]) -> Vec<(usize, usize, Arc<str>)> {
    let position: HashMap<&str, usize> = children.iter().enumerate().map(|(i, c)| (c.id_str(), i)).rev().collect();
    edges
        .iter()
        .filter_map(|edge| {
            let source = *position.get(edge.source()?)?;
            let target = *position.get(edge.target()?)?;
            Some((source, target, Arc::from(edge.input_key())))
        })
        .collect()
}

fn wire(nodes: &mut [PlanNode], wiring: Wiring) -> Result<()> {
    let Wiring { group, child_ix, order, edges } = wiring;
    if child_ix.contains(&usize::MAX) {
        return Err(ExecutionError::internal("plan child left unplaced"));
    }
    nodes[group].children = order.iter().map(|&p| child_ix[p]).collect();
    let mut dependencies: HashMap<NodeIx, Vec<Arc<str>>> = HashMap::new();
    let mut dependents: HashMap<NodeIx, Vec<Arc<str>>> = HashMap::new();
    for (source_pos, target_pos, key) in edges {
        let (source, target) = (child_ix[source_pos], child_ix[target_pos]);
        nodes[target].inputs.push((source, key));
        if !nodes[source].successors.contains(&target) {
            nodes[source].successors.push(target);
            nodes[target].predecessor_count += 1;
        }
        dependencies.entry(target).or_default().push(nodes[source].id.clone());
        dependents.entry(source).or_default().push(nodes[target].id.clone());
    }
    for (ix, ids) in dependencies {
        nodes[ix].dependencies = Arc::from(ids);
    }
    for (ix, ids) in dependents {
        nodes[ix].dependents = Arc::from(ids);
    }
    Ok(())
}

/// Subtree extents and leaf weights, children before parents (reverse sequential order).
fn finish_subtrees(nodes: &mut [PlanNode]) {
    for ix in (0..nodes.len()).rev() {
        if nodes[ix].children.is_empty() {
            nodes[ix].leaf_weight = u64::from(nodes[ix].weight);
            continue;
        }
        let (end, weight) = nodes[ix]
            .children
            .iter()
            .fold((ix + 1, 0u64), |(end, weight), &c| (end.max(nodes[c].subtree_end), weight + nodes[c].leaf_weight));
        nodes[ix].subtree_end = end;
        nodes[ix].leaf_weight = weight;
    }
}
