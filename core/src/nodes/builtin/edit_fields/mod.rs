//! `edit-fields`: set fields on the input object.

mod execute;
mod schema;
mod template;

use crate::catalog::NodeDescriptor;
use crate::host::{BoxFuture, SharedHost};
use crate::nodes::schema::NodeSchema;
use crate::nodes::{Invocation, NodeResult, NodeType};

/// The `edit-fields` node type.
pub(crate) struct EditFields;

impl NodeType for EditFields {
    fn type_name(&self) -> &str {
        "edit-fields"
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
