//! `image`: combine and convert image files.

// Image files through the host; in builds without them, the error saying so.
#[cfg_attr(not(feature = "host-effects"), path = "execute_off.rs")]
mod execute;
mod schema;

use crate::host::Capabilities;

builtin_node_type! {
    /// The `image` node type.
    Image: "image",
    requires: |_| Capabilities { images: true, file_system: true, ..Capabilities::NONE },
}
