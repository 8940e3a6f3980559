//! `image`: combine and convert image files.

#[cfg(feature = "image")]
mod blend;
#[cfg(feature = "host-effects")]
mod execute;
#[cfg(feature = "image")]
mod process;
mod schema;

use crate::value::Map;

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

    fn requirements(&self, _parameters: &Map) -> Capabilities {
        Capabilities { images: true, file_system: true, ..Capabilities::NONE }
    }

    fn execute(&self, invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
        #[cfg(feature = "host-effects")]
        return execute::execute(invocation, host);
        #[cfg(not(feature = "host-effects"))]
        return super::common::not_in_this_build(&invocation, host, "native image processing");
    }
}
