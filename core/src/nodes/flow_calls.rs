//! Nodes that call saved flows themselves, as an `llm` node calls its tools: the flows a node's
//! parameters name are pinned when the run starts, with its `sub-flow` nodes' (a missing one is
//! a validation error at its field, a cycle through them is refused), and the node's invocation
//! carries a [`FlowCalls`] that runs them nested in it, recorded and checkpointed below it.

use std::sync::Arc;

use super::NodeInput;
use crate::error::ExecutionError;
use crate::host::{BoxFuture, CancelToken, MaybeSend, MaybeSync};
use crate::model::NodeDefinition;
use crate::value::Value;

/// A flow a node's parameters name, and the parameter that names it (`tools.0.flowId`); or a
/// flow they hold (`inline`: an `llm` tool that is one node), pinned under `flow_id` as it is.
#[derive(Debug, Clone, PartialEq)]
pub struct CalledFlow {
    pub field: String,
    pub flow_id: String,
    pub inline: Option<NodeDefinition>,
}

/// Runs the flows a run pinned, nested in the node that calls them.
pub trait CallFlow: MaybeSend + MaybeSync {
    /// The pinned flow `id` (its name and description say what it does), when the run has it.
    fn flow(&self, id: &str) -> Option<Arc<NodeDefinition>>;

    /// Runs flow `id` with `input` as its root's input and resolves to its output. Its nodes are
    /// recorded under `key` below the calling node: a call made again with the same key after a
    /// resume reuses what it finished. `cancel` stops it.
    fn call(
        &self,
        id: &str,
        input: NodeInput,
        key: &str,
        cancel: CancelToken,
    ) -> BoxFuture<'static, Result<Option<Arc<Value>>, ExecutionError>>;
}

/// What an invocation calls flows through (given to the types that name flows, see
/// [`super::NodeType::called_flows`]).
#[derive(Clone)]
pub struct FlowCalls(pub Arc<dyn CallFlow>);

impl std::fmt::Debug for FlowCalls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FlowCalls")
    }
}
