//! `shell-command`: run a program through the host.

#[cfg(feature = "host-effects")]
mod execute;
mod schema;

use crate::host::Capabilities;

builtin_node_type! {
    /// The `shell-command` node type.
    ShellCommand: "shell-command",
    requires: |_| Capabilities { processes: true, ..Capabilities::NONE },
    needs_host_effects: "process spawning",
}
