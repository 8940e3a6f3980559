//! The critical path: the heaviest chain of siblings. Graph analysis (`analyze`) and a run's
//! progress and trace (over the plan) both report it, and both get it from here.

use std::collections::VecDeque;

/// The heaviest path through `weights.len()` siblings numbered in definition order, given
/// each one's count of incoming edges and its successors: each node starts at its own weight,
/// nodes are relaxed in Kahn queue order (the queue seeded in definition order), a distance
/// changes only when strictly greater, and the path ends at the first node with the largest
/// distance. Returns the positions along the path and its weight; a sibling on a cycle never
/// leaves the queue's reach, so it only counts with its own weight.
pub(crate) fn heaviest_path<I: IntoIterator<Item = usize>>(
    weights: &[u32],
    mut in_degree: Vec<usize>,
    successors: impl Fn(usize) -> I,
) -> (Vec<usize>, u64) {
    let count = weights.len();
    let mut distance: Vec<u64> = weights.iter().map(|&w| u64::from(w)).collect();
    let mut previous: Vec<Option<usize>> = vec![None; count];
    let mut queue: VecDeque<usize> = (0..count).filter(|&i| in_degree[i] == 0).collect();
    while let Some(node) = queue.pop_front() {
        for next in successors(node) {
            // Successors outside the siblings (edges to unknown ids) carry no weight.
            if next >= count {
                continue;
            }
            let candidate = distance[node] + u64::from(weights[next]);
            if candidate > distance[next] {
                distance[next] = candidate;
                previous[next] = Some(node);
            }
            in_degree[next] -= 1;
            if in_degree[next] == 0 {
                queue.push_back(next);
            }
        }
    }
    let Some(end) = (0..count).fold(None, |best: Option<usize>, i| match best {
        Some(b) if distance[b] >= distance[i] => Some(b),
        _ => Some(i),
    }) else {
        return (Vec::new(), 0);
    };
    let mut path = vec![end];
    let mut cursor = end;
    while let Some(prev) = previous[cursor] {
        path.push(prev);
        cursor = prev;
    }
    path.reverse();
    (path, distance[end])
}
