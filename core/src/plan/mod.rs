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
mod ports;
mod progress;
#[cfg(feature = "streams")]
pub(crate) mod segments;
mod sub_flows;

use std::sync::Arc;

use crate::value::Map;

pub(crate) use build::build_plan;
pub(crate) use graph::{progress_graph, trace_summary, TraceSummary};
pub(crate) use paths::PathIndex;
pub(crate) use ports::{input_key, port_of, OnError, PlanInput, Port, ERROR_PORT};
pub(crate) use progress::{listed_nodes, progress_node};
pub use sub_flows::{content_hash, pin_key, pin_value, FlowSource, Pinned, PinnedFlows};
pub(crate) use sub_flows::{flows_called_by, pin};

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
    /// Incoming edges in edge order: source, input key and port. A node waits for all of them.
    pub inputs: Vec<PlanInput>,
    /// Outgoing edges in edge order: (target, the edge's index among the target's `inputs`).
    pub outputs: Vec<(NodeIx, u32)>,
    /// What a node with children is, and how a leaf's output leaves it.
    pub kind: NodeKind,
    /// `parameters.onError`.
    pub on_error: OnError,
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
    /// Its type reports what it has made so far ([`crate::nodes::NodeType::reports`]).
    pub reports: bool,
    /// Its type calls flows its parameters name ([`crate::nodes::NodeType::called_flows`]):
    /// the node is given a way to run them. Both read once here, so a run does not look the
    /// type up again for every node.
    pub calls_flows: bool,
}

/// What a node is to the scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NodeKind {
    /// An atomic node: its type's executable runs.
    Leaf,
    /// A leaf of a routing type (`if`, `switch`): its value leaves some of its ports.
    Routing,
    /// A `merge` with `mode: "first"`: it runs when its first input arrives.
    FirstInput,
    /// A node with children: they run, and its output is its last child's.
    Group,
    /// A `for-each`: its children are a body run once per item, not nodes of this run.
    ForEach,
    /// A `sub-flow`: a saved flow runs in its place.
    SubFlow,
}

impl PlanNode {
    pub fn is_group(&self) -> bool {
        self.kind == NodeKind::Group
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

    /// Every atomic node this run runs (a `for-each` is one), in sequential order.
    pub fn leaves(&self) -> impl Iterator<Item = NodeIx> + '_ {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(i, n)| !n.is_group() && !self.in_body(*i))
            .map(|(i, _)| i)
    }

    /// Ids of the sources of a node's incoming edges (edge order, duplicates kept).
    pub fn dependencies(&self, ix: NodeIx) -> Arc<[Arc<str>]> {
        self.nodes[ix].inputs.iter().map(|input| self.nodes[input.source].id.clone()).collect()
    }

    /// Ids of the targets of a node's outgoing edges (edge order, duplicates kept).
    pub fn dependents(&self, ix: NodeIx) -> Arc<[Arc<str>]> {
        self.nodes[ix].outputs.iter().map(|(target, _)| self.nodes[*target].id.clone()).collect()
    }

    /// Whether node `ix` is in the body of a `for-each` (run per item, not by this run).
    pub fn in_body(&self, ix: NodeIx) -> bool {
        let mut parent = self.nodes[ix].parent;
        while let Some(p) = parent {
            if self.nodes[p].kind == NodeKind::ForEach {
                return true;
            }
            parent = self.nodes[p].parent;
        }
        false
    }
}
