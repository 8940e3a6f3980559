//! `http-request`: one HTTP request through the host.

mod execute;
#[cfg(feature = "host-effects")]
mod files;
mod query;
mod retry_after;
mod schema;

use crate::host::Capabilities;
use crate::value::Value;

/// The node type's name, in its error messages.
const TYPE: &str = "http-request";

builtin_node_type! {
    /// The `http-request` node type.
    HttpRequest: "http-request",
    // A body from a file, or the response saved to one, needs files too.
    requires: |parameters| {
        let set = |key: &str| parameters.get(key).and_then(Value::as_str).is_some_and(|p| !p.is_empty());
        Capabilities {
            http: true,
            file_system: set("bodyFile") || set("responseFile"),
            ..Capabilities::NONE
        }
    },
}
