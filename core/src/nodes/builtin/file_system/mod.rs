//! `file-system`: read, write, list and manage files through the host.

#[cfg(feature = "host-effects")]
mod execute;
mod schema;

use crate::host::Capabilities;

builtin_node_type! {
    /// The `file-system` node type.
    FileSystemNode: "file-system",
    requires: |_| Capabilities { file_system: true, ..Capabilities::NONE },
    needs_host_effects: "a file system",
}
