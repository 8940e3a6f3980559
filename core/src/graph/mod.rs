//! Graph analysis of flows: Kahn levels, critical path, weights, parallelism, cycles.

mod analysis;
pub(crate) mod critical_path;
pub(crate) mod cycles;
pub(crate) mod sibling_graph;
mod weights;

pub use analysis::{
    analyze, find_parallel_branches, topological_sort, ExecutionGraph, GraphNode, CYCLE_MESSAGE,
};
pub use weights::default_weight;
