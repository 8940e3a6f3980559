//! How a node type is bound to the runtime that runs it — the one place that decides.
//!
//! - **The embedder** (the app's JavaScript executors, `nodeExecutorFactory`): a type the run
//!   was told the embedder provides. It wins over a registered type of the same name, so an app
//!   can replace a built-in with its own executor.
//! - **The registry**: every other type it holds, each a [`NodeType`] run by the engine. The Rust
//!   built-ins compute in the engine; a type backed by another runtime reaches it through a host
//!   effect — `python` through [`crate::host::Host::python`] (the host's Python worker
//!   processes) — so the scheduler treats every registered type alike: validation, permissions,
//!   timeouts, retries, cancellation and checkpoints are the engine's, whatever runs the code.
//! - Otherwise the type is unknown, which validation refuses (`NODE_TYPE_NOT_FOUND`).
//!
//! The validator, the permission check, the stream planner, the durable-run checkpoints and the
//! scheduler all ask [`route`].

use std::collections::HashSet;
use std::sync::Arc;

use super::{NodeRegistry, NodeType};

/// What runs nodes of one type.
#[derive(Clone, Copy)]
pub enum Runtime<'r> {
    /// The embedder's executor, called through the run's [`super::Embedder`].
    Embedder,
    /// A registered node type.
    Registry(&'r Arc<dyn NodeType>),
}

/// The runtime of `node_type` in a run whose embedder provides `custom_types`; `None` for a type
/// nothing provides.
// Inlined: each caller needs only part of the answer, and the browser's module has no bytes to
// spare for the rest.
#[inline(always)]
pub fn route<'r>(
    node_type: &str,
    registry: &'r NodeRegistry,
    custom_types: &HashSet<String>,
) -> Option<Runtime<'r>> {
    if !custom_types.is_empty() && custom_types.contains(node_type) {
        return Some(Runtime::Embedder);
    }
    registry.get(node_type).map(Runtime::Registry)
}

impl<'r> Runtime<'r> {
    /// The registered type, when the engine runs it.
    #[inline(always)]
    pub fn registered(self) -> Option<&'r Arc<dyn NodeType>> {
        match self {
            Runtime::Registry(node_type) => Some(node_type),
            Runtime::Embedder => None,
        }
    }
}
