//! `http-request`: one HTTP request through the host.

mod execute;
// Bodies from and to files: what the node asks of them (their code is in `atomiton-effects`).
mod file_bodies;
mod query;
mod schema;
// Trace headers for traced runs that propagate context.
mod trace_headers;

use crate::host::Capabilities;
use crate::value::Value;

pub use execute::{execute_with, sends_body};
pub use file_bodies::FileBodies;

/// The node type's name, in its error messages.
pub const TYPE: &str = "http-request";

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
    // With an Idempotency-Key the server sees a request sent twice as one.
    repeatable: |parameters| {
        parameters.get("idempotencyKey").and_then(Value::as_str).is_some_and(|k| !k.is_empty())
    },
}
