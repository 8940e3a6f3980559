//! `shell-command`: run a program through the host. Declared here; run by the executor
//! `atomiton-effects` provides (see `crate::nodes::NodeExecutor`), or else it fails saying it
//! needs process spawning.

pub(super) mod schema;

use crate::host::Capabilities;

builtin_node_type! {
    /// The `shell-command` node type.
    ShellCommand: "shell-command",
    requires: |_| Capabilities { processes: true, ..Capabilities::NONE },
    execute: |invocation, host| super::unavailable::not_in_this_build(&invocation, host, "process spawning"),
}
