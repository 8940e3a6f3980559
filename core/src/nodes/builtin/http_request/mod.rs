//! `http-request`: one HTTP request through the host.

mod execute;
mod query;
mod retry_after;
mod schema;

use crate::host::Capabilities;

builtin_node_type! {
    /// The `http-request` node type.
    HttpRequest: "http-request",
    requires: |_| Capabilities { http: true, ..Capabilities::NONE },
}
