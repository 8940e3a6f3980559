//! `transform`: map, filter, reduce, sort and other operations over an array.

mod execute;
mod operations;
mod parts;
mod schema;

use crate::catalog::NodeDescriptor;
use crate::host::{BoxFuture, SharedHost};
use crate::nodes::schema::NodeSchema;
use crate::nodes::{Invocation, NodeResult, NodeType};

/// The `transform` node type.
pub(crate) struct Transform;

impl NodeType for Transform {
    fn type_name(&self) -> &str {
        "transform"
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
