//! The execution plan: a validated flow flattened into an arena.
//!
//! Nodes are laid out in *sequential order* — pre-order over each group's children in Kahn
//! level order, definition order within a level — which is exactly the order the TypeScript
//! engine ran them in. So a node's index is its position in that order, and "the result the
//! sequential engine would give" can be computed from indices alone, whatever order nodes
//! actually finish in.

mod build;
mod graph;
mod paths;
mod progress;
#[cfg(feature = "streams")]
pub(crate) mod segments;

use std::sync::Arc;

use crate::value::Map;

pub(crate) use build::build_plan;
pub(crate) use graph::{progress_graph, trace_summary, TraceSummary};
pub(crate) use paths::PathIndex;
pub(crate) use progress::{listed_nodes, progress_node};

/// Index of a node in the plan (its sequential position).
pub(crate) type NodeIx = usize;

/// One node of the plan.
pub(crate) struct PlanNode {
    pub id: Arc<str>,
    pub node_type: Arc<str>,
    /// `name || type`.
    pub name: Arc<str>,
    pub parent: Option<NodeIx>,
    pub depth: u32,
    /// Kahn level within the parent group.
    pub level: u32,
    pub weight: u32,
    /// Children in sequential order; empty for an atomic node.
    pub children: Vec<NodeIx>,
    /// One past the last node of this node's subtree.
    pub subtree_end: NodeIx,
    /// Sum of the weights of the atomic nodes in the subtree (the node itself if atomic).
    pub leaf_weight: u64,
    /// Incoming edges in edge order: (source, input key). A node waits for all of them.
    pub inputs: Vec<(NodeIx, Arc<str>)>,
    /// Targets of outgoing edges in edge order, duplicates kept (one release per edge).
    pub outputs: Vec<NodeIx>,
    pub parameters: Arc<Map>,
    /// `parameters.enabled !== false`.
    pub enabled: bool,
    /// `parameters.timeout` in ms, when a positive number.
    pub timeout_ms: Option<f64>,
    /// `parameters.retries`, when a non-negative number.
    pub retries: u32,
    /// `parameters.retryDelay` in ms: the base of this node's retry backoff, instead of the
    /// conductor's `retryDelay`.
    pub retry_delay_ms: Option<f64>,
    /// A group whose `parameters.parallel` is `false`: its children run one at a time, in
    /// sequential order.
    pub sequential: bool,
}

impl PlanNode {
    pub fn is_group(&self) -> bool {
        !self.children.is_empty()
    }
}

/// A flow ready to execute.
pub(crate) struct Plan {
    pub nodes: Vec<PlanNode>,
    /// The root's children in definition order (graph metadata is defined over that order).
    pub root_children_by_definition: Vec<NodeIx>,
    /// Whether the plan carries much data (large parameters, or many nodes): then it is freed
    /// off the run's thread once the run ends, not before the result is handed over.
    pub bulky: bool,
}

impl Plan {
    /// Whether the plan is freed off the run's thread once the run ends (see `bulky`): never on
    /// a host with one thread (wasm), which would free it there either way.
    pub fn frees_later(&self) -> bool {
        cfg!(not(target_arch = "wasm32")) && self.bulky
    }

    pub fn root(&self) -> &PlanNode {
        &self.nodes[0]
    }

    /// Every atomic node, in sequential order.
    pub fn leaves(&self) -> impl Iterator<Item = NodeIx> + '_ {
        self.nodes.iter().enumerate().filter(|(_, n)| !n.is_group()).map(|(i, _)| i)
    }

    /// Ids of the sources of a node's incoming edges (edge order, duplicates kept).
    pub fn dependencies(&self, ix: NodeIx) -> Arc<[Arc<str>]> {
        self.nodes[ix].inputs.iter().map(|(source, _)| self.nodes[*source].id.clone()).collect()
    }

    /// Ids of the targets of a node's outgoing edges (edge order, duplicates kept).
    pub fn dependents(&self, ix: NodeIx) -> Arc<[Arc<str>]> {
        self.nodes[ix].outputs.iter().map(|target| self.nodes[*target].id.clone()).collect()
    }
}
