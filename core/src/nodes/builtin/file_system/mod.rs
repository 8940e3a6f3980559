//! `file-system`: read, write, list and manage files through the host.

#[cfg(feature = "host-effects")]
mod execute;
mod schema;

use crate::value::Map;

use crate::catalog::NodeDescriptor;
use crate::host::{BoxFuture, Capabilities, SharedHost};
use crate::nodes::schema::NodeSchema;
use crate::nodes::{Invocation, NodeResult, NodeType};

/// The `file-system` node type.
pub(crate) struct FileSystemNode;

impl NodeType for FileSystemNode {
    fn type_name(&self) -> &str {
        "file-system"
    }

    fn schema(&self) -> Option<&NodeSchema> {
        Some(&schema::SCHEMA)
    }

    fn descriptor(&self) -> Option<&NodeDescriptor> {
        Some(&schema::DESCRIPTOR)
    }

    fn requirements(&self, _parameters: &Map) -> Capabilities {
        Capabilities { file_system: true, ..Capabilities::NONE }
    }

    fn execute(&self, invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
        #[cfg(feature = "host-effects")]
        return execute::execute(invocation, host);
        #[cfg(not(feature = "host-effects"))]
        return super::common::not_in_this_build(&invocation, host, "a file system");
    }
}
