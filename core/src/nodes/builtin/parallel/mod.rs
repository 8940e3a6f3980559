//! `parallel`: process a list of operations with a bounded concurrency.

mod execute;
mod schema;

use crate::catalog::NodeDescriptor;
use crate::host::{BoxFuture, SharedHost};
use crate::nodes::schema::NodeSchema;
use crate::nodes::{Invocation, NodeResult, NodeType};

/// The `parallel` node type.
pub(crate) struct Parallel;

impl NodeType for Parallel {
    fn type_name(&self) -> &str {
        "parallel"
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
