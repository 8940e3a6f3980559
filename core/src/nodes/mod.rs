//! Node types: the executable contract, the registry, and (one folder each) the built-ins.

pub(crate) mod builtin;
mod input;
mod invocation;
mod node_type;
mod registry;
pub mod schema;
pub mod stream;

pub use builtin::{builtin_registry, BUILTIN_TYPES};
pub use input::NodeInput;
pub use invocation::{ExecutorParams, Invocation, NodeResult, ParentContext};
pub use node_type::{Caching, FnNode, NodeType, ParameterIssue};
pub use registry::NodeRegistry;
