//! `image`: combine and convert image files. Declared here; run by the executor
//! `atomiton-effects` provides (see `crate::nodes::NodeExecutor`), or else it fails saying it
//! needs native image processing.

pub(super) mod schema;

use crate::host::Capabilities;

builtin_node_type! {
    /// The `image` node type.
    Image: "image",
    requires: |_| Capabilities { images: true, file_system: true, ..Capabilities::NONE },
    execute: |invocation, host| super::unavailable::not_in_this_build(&invocation, host, "native image processing"),
}
