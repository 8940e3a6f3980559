"""The graph part both folder-cycle checks share (rust-folder-cycles.py, ts-folder-cycles.py)."""

import sys
from collections import defaultdict


def strongly_connected(nodes, edges):
    """Tarjan's strongly connected components with more than one node, largest first."""
    successors = defaultdict(set)
    for a, b in edges:
        successors[a].add(b)
    index, low, on_stack, stack, components = {}, {}, set(), [], []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(successors[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            components.append(sorted(component))

    sys.setrecursionlimit(max(1000, 4 * len(nodes)))
    for v in nodes:
        if v not in index:
            visit(v)
    return sorted((c for c in components if len(c) > 1), key=lambda c: (-len(c), c))
