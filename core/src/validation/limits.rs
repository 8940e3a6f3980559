//! Size limits a flow must respect before the engine touches it.

/// Limits on a flow's size and shape. Each is configurable; exceeding one is a
/// `VALIDATION_FAILED` with a message naming the limit, never a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowLimits {
    /// Deepest group nesting (the root is depth 0).
    pub max_depth: usize,
    /// Most nodes in the whole tree.
    pub max_nodes: usize,
    /// Largest flow document (its text and the binary data beside it) a session reads: reading
    /// costs memory in proportion, several times the text (a value is larger than its JSON).
    pub max_bytes: usize,
}

impl Default for FlowLimits {
    fn default() -> Self {
        FlowLimits { max_depth: 10_000, max_nodes: 1_000_000, max_bytes: 64 * 1024 * 1024 }
    }
}

impl FlowLimits {
    /// The error of a flow document of `bytes` bytes, when it is over [`max_bytes`](Self::max_bytes).
    pub fn check_bytes(&self, bytes: usize) -> crate::error::Result<()> {
        if bytes <= self.max_bytes {
            return Ok(());
        }
        Err(crate::error::ExecutionError::validation(format!(
            "The flow is {bytes} bytes, over the conductor's limit of {} (limits.maxFlowBytes raises it; large data is better read by a node from a file or a request than written into the flow)",
            self.max_bytes
        )))
    }
}
