//! `shell-command`: run a program through the host.

// Running programs; in builds without them, the error saying so.
#[cfg_attr(not(feature = "host-effects"), path = "execute_off.rs")]
mod execute;
mod schema;

use crate::host::Capabilities;

builtin_node_type! {
    /// The `shell-command` node type.
    ShellCommand: "shell-command",
    requires: |_| Capabilities { processes: true, ..Capabilities::NONE },
}
