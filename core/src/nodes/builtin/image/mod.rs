//! `image` (reference §7).

#[cfg(feature = "image")]
mod blend;
mod execute;
#[cfg(feature = "image")]
mod process;
mod schema;

use serde_json::{Map, Value};

use crate::catalog::NodeDescriptor;
use crate::host::{BoxFuture, Capabilities, SharedHost};
use crate::nodes::schema::NodeSchema;
use crate::nodes::{Invocation, NodeResult, NodeType};

/// The `image` node type.
pub(crate) struct Image;

impl NodeType for Image {
    fn type_name(&self) -> &str {
        "image"
    }

    fn schema(&self) -> Option<&NodeSchema> {
        Some(&schema::SCHEMA)
    }

    fn descriptor(&self) -> Option<&NodeDescriptor> {
        Some(&schema::DESCRIPTOR)
    }

    fn requirements(&self, _parameters: &Map<String, Value>) -> Capabilities {
        Capabilities { images: true, file_system: true, ..Capabilities::NONE }
    }

    fn execute(&self, invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
        execute::execute(invocation, host)
    }
}
