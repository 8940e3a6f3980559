//! The dependency graph among the direct children of one group, by child position.

use std::collections::HashMap;

use crate::model::{NodeDefinition, NodeEdge};

/// Children of a group as positions `0..real`, plus "phantom" positions for edge targets that
/// name no child (the original engine let those through; the validator reports them).
pub(crate) struct SiblingGraph<'a> {
    pub ids: Vec<&'a str>,
    /// Number of real children (phantoms come after them).
    pub real: usize,
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
        let mut index: HashMap<&str, usize> = HashMap::with_capacity(real);
        for (i, id) in ids.iter().enumerate() {
            index.entry(id).or_insert(i);
        }
        let mut successors = vec![Vec::new(); real];
        let mut predecessors = vec![Vec::new(); real];
        let mut in_degree = vec![0usize; real];
        for edge in edges {
            let (Some(source), Some(target)) = (edge.source(), edge.target()) else { continue };
            let target_ix = *index.entry(target).or_insert_with(|| {
                ids.push(target);
                successors.push(Vec::new());
                predecessors.push(Vec::new());
                in_degree.push(0);
                ids.len() - 1
            });
            in_degree[target_ix] += 1;
            if let Some(&source_ix) = index.get(source) {
                successors[source_ix].push(target_ix);
                predecessors[target_ix].push(source_ix);
            }
        }
        SiblingGraph { ids, real, successors, predecessors, in_degree }
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
