//! What validation checks a flow against.

use std::collections::HashSet;

use super::FlowLimits;
use crate::host::Capabilities;
use crate::nodes::NodeRegistry;

/// The environment a flow is validated for.
pub struct ValidationContext<'a> {
    /// Built-in and Rust-registered node types.
    pub registry: &'a NodeRegistry,
    /// Types the host provides (JS executors); they take precedence over built-ins and their
    /// parameters are not schema-checked.
    pub custom_types: &'a HashSet<String>,
    /// What the host can do; built-ins needing more fail with `IMPLEMENTATION_NOT_FOUND`.
    pub capabilities: Capabilities,
    pub limits: FlowLimits,
    /// Whether a parameter or port the type does not know is an error (`true`) or a warning
    /// (`ConductorConfig.strictParameters: false`).
    pub strict: bool,
    /// The flows the flow's `sub-flow` nodes call, when they were looked for (a run, or a
    /// conductor's `validate`): a node calling one not found is an issue, and so is a cycle.
    pub flows: Option<&'a crate::plan::PinnedFlows>,
}
