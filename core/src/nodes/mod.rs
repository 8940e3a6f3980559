//! Node types: the executable contract, the registry, and (one folder each) the built-ins.

pub(crate) mod builtin;
mod context;
pub mod descriptor;
mod embedder;
mod executor;
mod flow_calls;
mod input;
mod invocation;
mod node_type;
mod registry;
pub mod runtime;
pub mod schema;
pub mod stream;

pub use builtin::file_watch;
pub(crate) use builtin::for_each::FOR_EACH_TYPE;
pub(crate) use builtin::merge::MERGE_TYPE;
#[doc(hidden)]
pub use builtin::schedule;
pub use builtin::sdk;
pub(crate) use builtin::sub_flow::SUB_FLOW_TYPE;
pub use builtin::trigger_node::TriggerNodeType;
pub use builtin::webhook;
pub use builtin::{builtin_registry, BUILTIN_TYPES, ELSEWHERE, OUR_TYPES};
pub use context::NodeLog;
pub use context::{write_context, ContextKind, RunContext, RunWarning};
pub use embedder::{default_embedder, written, Embedder, SharedEmbedder};
pub use executor::NodeExecutor;
pub use flow_calls::{CallFlow, CalledFlow, FlowCalls};
pub use input::NodeInput;
pub use invocation::{ExecutorParams, Invocation, NodeReport, NodeResult, ParentContext};
pub use node_type::{Caching, FnNode, NodeType, ParameterIssue};
pub use registry::NodeRegistry;
pub use runtime::{route, Runtime};
