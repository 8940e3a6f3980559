//! Limits that keep parsing of untrusted text bounded.

/// Bounds applied while reading JSON or YAML text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseLimits {
    /// Deepest bracket nesting accepted. A flow nested `n` groups deep needs about `2n + 8`.
    pub max_depth: usize,
    /// Most values a YAML document may expand to (aliases included): stops "billion laughs".
    pub max_values: usize,
}

impl Default for ParseLimits {
    fn default() -> Self {
        // Room for the 10,000-deep nesting a flow may have without crashing us, while keeping the
        // recursive drop/serialise of plain JSON values well inside an 8 MiB stack.
        ParseLimits { max_depth: 25_000, max_values: 10_000_000 }
    }
}
