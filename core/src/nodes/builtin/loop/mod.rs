//! `loop`: forEach, times and while loops.

mod execute;
mod schema;

use crate::catalog::NodeDescriptor;
use crate::host::{BoxFuture, SharedHost};
use crate::nodes::schema::NodeSchema;
use crate::nodes::{Invocation, NodeResult, NodeType};

/// The `loop` node type.
pub(crate) struct Loop;

impl NodeType for Loop {
    fn type_name(&self) -> &str {
        "loop"
    }

    fn schema(&self) -> Option<&NodeSchema> {
        Some(&schema::SCHEMA)
    }

    fn descriptor(&self) -> Option<&NodeDescriptor> {
        Some(&schema::DESCRIPTOR)
    }

    fn execute(&self, invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
        execute::execute(invocation, host)
    }
}
