//! Node types: the executable contract, the registry, and (one folder each) the built-ins.

mod input;
mod invocation;
mod node_type;
mod registry;

pub use input::NodeInput;
pub use invocation::{ExecutorParams, Invocation, NodeResult, ParentContext};
pub use node_type::{FnNode, NodeType, ParameterIssue};
pub use registry::NodeRegistry;

/// The built-in node types (reference §7).
pub fn builtin_registry() -> NodeRegistry {
    NodeRegistry::empty()
}
