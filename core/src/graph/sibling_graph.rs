//! The dependency graph among the direct children of one group, by child position.

use rustc_hash::FxHashMap as HashMap;

use crate::model::{NodeDefinition, NodeEdge};

/// One edge with its endpoints resolved to child positions.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ResolvedEdge {
    /// Index of the edge in the group's `edges`.
    pub index: usize,
    /// `None` when the source names no child.
    pub source: Option<usize>,
    /// A phantom position (≥ `real`) when the target names no child.
    pub target: usize,
}

/// Children of a group as positions `0..real`, plus "phantom" positions for edge targets that
/// name no child (the original engine let those through; the validator reports them).
pub(crate) struct SiblingGraph<'a> {
    pub ids: Vec<&'a str>,
    /// Number of real children (phantoms come after them).
    pub real: usize,
    /// Edges with both `source` and `target` set, in edge order. Each edge field is looked up
    /// once here, so later passes need not hash into the edge objects again.
    pub edges: Vec<ResolvedEdge>,
    /// Successors in edge order, duplicates kept (Kahn counts every edge).
    pub successors: Vec<Vec<usize>>,
    /// Predecessors in edge order, duplicates kept.
    pub predecessors: Vec<Vec<usize>>,
    /// Incoming edge count, including edges whose source names no child: such a target can never
    /// start, which the original engine reported as a cycle.
    pub in_degree: Vec<usize>,
}

impl<'a> SiblingGraph<'a> {
    pub fn new(children: &'a [NodeDefinition], edges: &'a [NodeEdge]) -> Self {
        let mut ids: Vec<&str> = children.iter().map(NodeDefinition::id_str).collect();
        let real = ids.len();
        let mut index: HashMap<&str, usize> = HashMap::with_capacity_and_hasher(real, Default::default());
        for (i, id) in ids.iter().enumerate() {
            index.entry(id).or_insert(i);
        }
        let mut successors = vec![Vec::new(); real];
        let mut predecessors = vec![Vec::new(); real];
        let mut in_degree = vec![0usize; real];
        let mut resolved = Vec::with_capacity(edges.len());
        for (edge_index, edge) in edges.iter().enumerate() {
            let (Some(source), Some(target)) = (edge.source(), edge.target()) else { continue };
            let target_ix = *index.entry(target).or_insert_with(|| {
                ids.push(target);
                successors.push(Vec::new());
                predecessors.push(Vec::new());
                in_degree.push(0);
                ids.len() - 1
            });
            in_degree[target_ix] += 1;
            let source_ix = index.get(source).copied();
            if let Some(source_ix) = source_ix {
                successors[source_ix].push(target_ix);
                predecessors[target_ix].push(source_ix);
            }
            resolved.push(ResolvedEdge { index: edge_index, source: source_ix, target: target_ix });
        }
        SiblingGraph { ids, real, edges: resolved, successors, predecessors, in_degree }
    }

    /// Kahn's algorithm by levels: level `k+1` holds the positions whose in-degree reached zero
    /// while level `k` was removed, in definition order. This equals the original round-based
    /// loop (which rescanned every id each round) in O(V + E log V) instead of O(V · levels).
    /// Returns `None` when some real child can never start (a cycle, or an edge from a
    /// non-child source).
    pub fn levels(&self) -> Option<Vec<Vec<usize>>> {
        let mut in_degree = self.in_degree.clone();
        let mut current: Vec<usize> = (0..self.ids.len()).filter(|&i| in_degree[i] == 0).collect();
        let mut levels = Vec::new();
        let mut processed = 0usize;
        while !current.is_empty() {
            processed += current.len();
            let mut next = Vec::new();
            for &node in &current {
                for &succ in &self.successors[node] {
                    in_degree[succ] -= 1;
                    if in_degree[succ] == 0 {
                        next.push(succ);
                    }
                }
            }
            next.sort_unstable();
            levels.push(std::mem::replace(&mut current, next));
        }
        (processed == self.ids.len()).then_some(levels)
    }
}

/// What validation learned about one group, handed to the plan builder so a run does not
/// resolve the same edges and levels twice.
pub(crate) struct GroupLayout {
    pub levels: Vec<Vec<usize>>,
    pub edges: Vec<ResolvedEdge>,
    pub real: usize,
}

/// Layouts keyed by the address of a group's children buffer, which stays put between
/// validation and planning (the `Vec` is moved, its heap buffer is not).
pub(crate) type LayoutCache = HashMap<usize, GroupLayout>;

/// The key of a group's children in a [`LayoutCache`].
pub(crate) fn layout_key(children: &[NodeDefinition]) -> usize {
    children.as_ptr() as usize
}
