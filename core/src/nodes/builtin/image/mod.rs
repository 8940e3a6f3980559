//! `image`: combine and convert image files.

#[cfg(feature = "image")]
mod blend;
#[cfg(feature = "host-effects")]
mod execute;
#[cfg(feature = "image")]
mod process;
mod schema;

use crate::host::Capabilities;

builtin_node_type! {
    /// The `image` node type.
    Image: "image",
    requires: |_| Capabilities { images: true, file_system: true, ..Capabilities::NONE },
    needs_host_effects: "native image processing",
}
