//! `file-system`: read, write, list and manage files through the host.

// Files through the host; in builds without them, the error saying so.
#[cfg_attr(not(feature = "host-effects"), path = "execute_off.rs")]
mod execute;
mod schema;

use crate::host::Capabilities;

builtin_node_type! {
    /// The `file-system` node type.
    FileSystemNode: "file-system",
    requires: |_| Capabilities { file_system: true, ..Capabilities::NONE },
    caching: |invocation| crate::nodes::Caching::OptIn {
        // The file it reads (or lists, or looks at): its size and modification time.
        files: invocation
            .param("path")
            .and_then(crate::value::Value::as_str)
            .filter(|path| !path.is_empty())
            .map(|path| vec![path.to_owned()])
            .unwrap_or_default(),
    },
    // Reading, listing and looking change nothing; any other operation (or one not known until
    // it runs) may.
    effects: |parameters| !matches!(
        parameters.get("operation").and_then(crate::value::Value::as_str),
        Some("read" | "list" | "exists") | None
    ),
    // `write` ends a stream of rows, in builds that have a file system at all.
    streaming: execute::stream::streaming,
}
