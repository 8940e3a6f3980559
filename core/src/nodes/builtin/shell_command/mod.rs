//! `shell-command`: run a program through the host.

#[cfg(feature = "host-effects")]
mod execute;
mod schema;

use crate::value::Map;

use crate::catalog::NodeDescriptor;
use crate::host::{BoxFuture, Capabilities, SharedHost};
use crate::nodes::schema::NodeSchema;
use crate::nodes::{Invocation, NodeResult, NodeType};

/// The `shell-command` node type.
pub(crate) struct ShellCommand;

impl NodeType for ShellCommand {
    fn type_name(&self) -> &str {
        "shell-command"
    }

    fn schema(&self) -> Option<&NodeSchema> {
        Some(&schema::SCHEMA)
    }

    fn descriptor(&self) -> Option<&NodeDescriptor> {
        Some(&schema::DESCRIPTOR)
    }

    fn requirements(&self, _parameters: &Map) -> Capabilities {
        Capabilities { processes: true, ..Capabilities::NONE }
    }

    fn execute(&self, invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
        #[cfg(feature = "host-effects")]
        return execute::execute(invocation, host);
        #[cfg(not(feature = "host-effects"))]
        return super::common::not_in_this_build(&invocation, host, "process spawning");
    }
}
