//! `group`: a container; with no children it passes its input through.

mod execute;
mod schema;

use crate::catalog::NodeDescriptor;
use crate::host::{BoxFuture, SharedHost};
use crate::nodes::schema::NodeSchema;
use crate::nodes::{Invocation, NodeResult, NodeType};

/// The `group` node type.
pub(crate) struct Group;

impl NodeType for Group {
    fn type_name(&self) -> &str {
        "group"
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
