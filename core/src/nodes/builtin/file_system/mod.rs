//! `file-system`: read, write, list and manage files through the host.

#[cfg(feature = "host-effects")]
mod execute;
#[cfg(feature = "host-effects")]
mod layout;
mod schema;
#[cfg(all(feature = "host-effects", feature = "streams"))]
mod stream;

use crate::host::Capabilities;
#[cfg(feature = "streams")]
use crate::nodes::stream::Streaming;
#[cfg(feature = "streams")]
use crate::value::Map;

/// The node type's name, in its error messages.
#[cfg(feature = "host-effects")]
const TYPE: &str = "file-system";

builtin_node_type! {
    /// The `file-system` node type.
    FileSystemNode: "file-system",
    requires: |_| Capabilities { file_system: true, ..Capabilities::NONE },
    needs_host_effects: "a file system",
    caching: |invocation| crate::nodes::Caching::OptIn {
        // The file it reads (or lists, or looks at): its size and modification time.
        files: invocation
            .param("path")
            .and_then(crate::value::Value::as_str)
            .filter(|path| !path.is_empty())
            .map(|path| vec![path.to_owned()])
            .unwrap_or_default(),
    },
    streaming: streaming,
}

/// `write` ends a stream of rows, in builds that have a file system at all.
#[cfg(feature = "streams")]
fn streaming(parameters: &Map) -> Option<Streaming> {
    #[cfg(feature = "host-effects")]
    return stream::streaming(parameters);
    #[cfg(not(feature = "host-effects"))]
    {
        let _ = parameters;
        None
    }
}
