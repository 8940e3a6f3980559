//! `file-system`: read, write, list and manage files through the host. Declared here; run by
//! the executor `atomiton-effects` provides (see `crate::nodes::NodeExecutor`), or else it fails
//! saying it needs a file system.

pub(super) mod schema;

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
    execute: |invocation, host| super::unavailable::not_in_this_build(&invocation, host, "a file system"),
}
