//! Virtual time with custom node types sent to the embedder as calls, as the bindings' hosts do.

use std::sync::Arc;

use crate::host::{BoxFuture, Host};
use crate::nodes::{Invocation, NodeResult};
use crate::session::ExecutorCalls;

use super::VirtualHost;

/// A [`VirtualHost`] whose custom node types go to `calls` (a session's executor calls), so a
/// test or a fuzz target can drive a session the way an embedder does.
pub struct CallingHost {
    pub inner: VirtualHost,
    pub calls: Arc<ExecutorCalls>,
}

impl Host for CallingHost {
    crate::forward_host_basics!(inner);

    fn execute_custom(&self, invocation: Invocation) -> BoxFuture<'static, NodeResult> {
        self.calls.execute(invocation)
    }
}
