//! Naming the nodes that form a cycle, for the validator's message.
//!
//! Everything here is iterative: a flow may hold a million nodes in one cycle (the flow size
//! limit), and a recursive depth-first search that deep overflows any thread's stack.

use std::collections::VecDeque;

use super::sibling_graph::SiblingGraph;

/// One cycle among real children, as positions, starting and ending at the same node
/// (`[a, b, a]`), or `None` when the graph has none. The cycle goes through the lowest position
/// that lies on any cycle, so the message is the same whatever order edges were given in.
pub(crate) fn find_cycle(graph: &SiblingGraph<'_>) -> Option<Vec<usize>> {
    let components = strongly_connected(graph);
    let cyclic = |members: &[usize]| {
        members.len() > 1 || members.first().is_some_and(|&n| graph.successors(n).contains(&n))
    };
    let members = components
        .iter()
        .filter(|c| cyclic(c))
        .min_by_key(|c| c.iter().min().copied().unwrap_or(usize::MAX))?;
    let start = *members.iter().min()?;
    let mut inside = vec![false; graph.real];
    for &member in members {
        inside[member] = true;
    }
    shortest_cycle_through(graph, start, &inside)
}

/// Tarjan's strongly connected components of the real children, with an explicit stack of
/// (node, next successor to look at) instead of recursion.
fn strongly_connected(graph: &SiblingGraph<'_>) -> Vec<Vec<usize>> {
    const UNVISITED: usize = usize::MAX;
    let n = graph.real;
    let mut index = vec![UNVISITED; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut components = Vec::new();
    let mut next_index = 0;
    let mut work: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if index[root] != UNVISITED {
            continue;
        }
        work.push((root, 0));
        while let Some(&(node, cursor)) = work.last() {
            if cursor == 0 && index[node] == UNVISITED {
                index[node] = next_index;
                low[node] = next_index;
                next_index += 1;
                stack.push(node);
                on_stack[node] = true;
            }
            if let Some(&next) = graph.successors(node).get(cursor) {
                if let Some(top) = work.last_mut() {
                    top.1 += 1;
                }
                if next >= n {
                    continue; // a phantom: an edge to a node that does not exist
                }
                if index[next] == UNVISITED {
                    work.push((next, 0));
                } else if on_stack[next] {
                    low[node] = low[node].min(index[next]);
                }
                continue;
            }
            // Every successor done: close the node, and hand its low link to its parent.
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == index[node] {
                let mut component = Vec::new();
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component.push(member);
                    if member == node {
                        break;
                    }
                }
                components.push(component);
            }
        }
    }
    components
}

/// Breadth-first search inside the strongly connected component for the shortest way back to
/// `start`, so the message names a real cycle and not the whole component.
fn shortest_cycle_through(
    graph: &SiblingGraph<'_>,
    start: usize,
    inside: &[bool],
) -> Option<Vec<usize>> {
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
            if next < graph.real && !seen[next] && inside[next] {
                seen[next] = true;
                parent[next] = Some(node);
                queue.push_back(next);
            }
        }
    }
    None
}
