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
/// name no child (the TypeScript engine let those through; the validator reports them).
pub(crate) struct SiblingGraph<'a> {
    pub ids: Vec<&'a str>,
    /// Number of real children (phantoms come after them).
    pub real: usize,
    /// Edges with both `source` and `target` set, in edge order. Each edge field is looked up
    /// once here, so later passes need not hash into the edge objects again.
    pub edges: Vec<ResolvedEdge>,
    /// Successors of position `p` are `successor_list[successor_start[p]..successor_start[p + 1]]`,
    /// in edge order, duplicates kept (Kahn counts every edge). One flat list instead of a list
    /// per node: validating a large flow allocated little else.
    successor_start: Vec<usize>,
    successor_list: Vec<usize>,
    /// Incoming edge count, including edges whose source names no child: such a target can never
    /// start, which the TypeScript engine reported as a cycle.
    pub in_degree: Vec<usize>,
}

impl<'a> SiblingGraph<'a> {
    pub fn new(children: &'a [NodeDefinition], edges: &'a [NodeEdge]) -> Self {
        let mut ids: Vec<&str> = children.iter().map(NodeDefinition::id_str).collect();
        let real = ids.len();
        let mut index: HashMap<&str, usize> =
            HashMap::with_capacity_and_hasher(real, Default::default());
        for (i, id) in ids.iter().enumerate() {
            index.entry(id).or_insert(i);
        }
        let mut in_degree = vec![0usize; real];
        let mut resolved = Vec::with_capacity(edges.len());
        for (edge_index, edge) in edges.iter().enumerate() {
            let (Some(source), Some(target)) = (edge.source(), edge.target()) else { continue };
            let target_ix = *index.entry(target).or_insert_with(|| {
                ids.push(target);
                in_degree.push(0);
                ids.len() - 1
            });
            in_degree[target_ix] += 1;
            let source_ix = index.get(source).copied();
            resolved.push(ResolvedEdge { index: edge_index, source: source_ix, target: target_ix });
        }
        let (successor_start, successor_list) = successor_lists(ids.len(), &resolved);
        SiblingGraph { ids, real, edges: resolved, successor_start, successor_list, in_degree }
    }

    /// Successors of a position, in edge order.
    pub fn successors(&self, position: usize) -> &[usize] {
        match (self.successor_start.get(position), self.successor_start.get(position + 1)) {
            (Some(&start), Some(&end)) => &self.successor_list[start..end],
            _ => &[],
        }
    }

    /// Predecessors of every position, in edge order, duplicates kept (only graph analysis
    /// needs them, so they are not built for every run).
    pub fn predecessors(&self) -> Vec<Vec<usize>> {
        let mut predecessors = vec![Vec::new(); self.ids.len()];
        for edge in &self.edges {
            if let Some(source) = edge.source {
                predecessors[edge.target].push(source);
            }
        }
        predecessors
    }

    /// Kahn's algorithm by levels: level `k+1` holds the positions whose in-degree reached zero
    /// while level `k` was removed, in definition order. This equals the TypeScript engine's round-based
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
                for &succ in self.successors(node) {
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

/// Edges with a known source, grouped by source (a stable counting sort, so each group keeps
/// edge order): `(start offsets, one more than there are positions; flat successor list)`.
fn successor_lists(positions: usize, edges: &[ResolvedEdge]) -> (Vec<usize>, Vec<usize>) {
    let mut start = vec![0usize; positions + 1];
    for edge in edges {
        if let Some(source) = edge.source {
            start[source + 1] += 1;
        }
    }
    for p in 0..positions {
        start[p + 1] += start[p];
    }
    let mut list = vec![0usize; start[positions]];
    let mut fill = start.clone();
    for edge in edges {
        if let Some(source) = edge.source {
            list[fill[source]] = edge.target;
            fill[source] += 1;
        }
    }
    (start, list)
}

/// What validation learned about one group, handed to the plan builder so a run does not
/// resolve the same edges and levels twice.
pub(crate) struct GroupLayout {
    pub levels: Vec<Vec<usize>>,
    pub edges: Vec<ResolvedEdge>,
    pub real: usize,
}

/// What validation learned for the planner: each valid group's layout, keyed by the address of
/// its children buffer, which stays put between validation and planning (the `Vec` is moved,
/// its heap buffer is not), and the number of nodes, so the plan is allocated once.
#[derive(Default)]
pub(crate) struct LayoutCache {
    groups: HashMap<usize, GroupLayout>,
    pub node_count: usize,
}

impl LayoutCache {
    pub fn insert(&mut self, children: &[NodeDefinition], layout: GroupLayout) {
        self.groups.insert(children.as_ptr() as usize, layout);
    }

    /// The layout of this children list, if validation made one.
    pub fn take(&mut self, children: &[NodeDefinition]) -> Option<GroupLayout> {
        self.groups.remove(&(children.as_ptr() as usize))
    }
}
