//! What `http-request` does.

use crate::host::{BoxFuture, SharedHost};
use crate::nodes::{Invocation, NodeResult};

use super::super::common::node_error;

pub(super) fn execute(_invocation: Invocation, _host: SharedHost) -> BoxFuture<'static, NodeResult> {
    Box::pin(async { Err(node_error("http-request", "not implemented in this build yet")) })
}
