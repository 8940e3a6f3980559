//! What the node types that touch files and processes answer when no executor was provided for
//! them (see `crate::nodes::NodeExecutor`; the browser's builds have none): this one error.

use crate::error::ExecutionError;
use crate::nodes::Invocation;

/// The answer of a node type whose executor this build does not have. Validation refuses such
/// nodes first, so this is only reached by a host that claims capabilities the build cannot use.
pub(super) fn not_in_this_build(
    invocation: &Invocation,
    _host: crate::host::SharedHost,
    needs: &str,
) -> crate::host::BoxFuture<'static, crate::nodes::NodeResult> {
    let message = format!(
        "Node '{}' ({}) needs {needs}, which this environment does not provide",
        invocation.node_id, invocation.node_type
    );
    Box::pin(std::future::ready(Err(ExecutionError::new(
        crate::error::ErrorCode::IMPLEMENTATION_NOT_FOUND,
        message,
    ))))
}
