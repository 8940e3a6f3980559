//! Naming the nodes that form a cycle, for the validator's message.

use std::collections::VecDeque;

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use super::sibling_graph::SiblingGraph;

/// One cycle among real children, as positions, starting and ending at the same node
/// (`[a, b, a]`), or `None` when the graph has none.
pub(crate) fn find_cycle(graph: &SiblingGraph<'_>) -> Option<Vec<usize>> {
    let mut g: DiGraph<(), ()> = DiGraph::with_capacity(graph.real, 0);
    for _ in 0..graph.real {
        g.add_node(());
    }
    for source in 0..graph.real {
        for &target in graph.successors(source) {
            if target < graph.real {
                g.add_edge(NodeIndex::new(source), NodeIndex::new(target), ());
            }
        }
    }
    let component = tarjan_scc(&g)
        .into_iter()
        .filter(|scc| scc.len() > 1 || scc.first().is_some_and(|n| graph.successors(n.index()).contains(&n.index())))
        .min_by_key(|scc| scc.iter().map(|n| n.index()).min().unwrap_or(usize::MAX))?;
    let members: Vec<usize> = component.iter().map(|n| n.index()).collect();
    let start = *members.iter().min()?;
    shortest_cycle_through(graph, start, &members)
}

/// Breadth-first search inside the strongly connected component for the shortest way back to
/// `start`, so the message names a real cycle and not the whole component.
fn shortest_cycle_through(graph: &SiblingGraph<'_>, start: usize, members: &[usize]) -> Option<Vec<usize>> {
    let mut parent: Vec<Option<usize>> = vec![None; graph.real];
    let mut queue = VecDeque::from([start]);
    let mut seen = vec![false; graph.real];
    seen[start] = true;
    while let Some(node) = queue.pop_front() {
        for &next in graph.successors(node) {
            if next == start {
                let mut path = vec![start];
                let mut cursor = node;
                while cursor != start {
                    path.push(cursor);
                    cursor = parent[cursor]?;
                }
                path.push(start);
                path.reverse();
                return Some(path);
            }
            if next < graph.real && !seen[next] && members.contains(&next) {
                seen[next] = true;
                parent[next] = Some(node);
                queue.push_back(next);
            }
        }
    }
    None
}
