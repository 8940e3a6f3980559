//! Size limits a flow must respect before the engine touches it.

/// Limits on a flow's shape. Both are configurable; exceeding one is a `VALIDATION_FAILED` with a
/// message naming the limit, never a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowLimits {
    /// Deepest group nesting (the root is depth 0).
    pub max_depth: usize,
    /// Most nodes in the whole tree.
    pub max_nodes: usize,
}

impl Default for FlowLimits {
    fn default() -> Self {
        FlowLimits { max_depth: 10_000, max_nodes: 1_000_000 }
    }
}
