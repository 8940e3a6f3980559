//! What the node reference (`docs/nodes.md`) says of this type beyond its schema: its output's
//! fields and its examples (run by the reference's test).

use super::super::{NodeExample, OutputField};

pub(crate) const OUTPUT: &[OutputField] = &[
    OutputField::new("result", "unknown", "The response body: JSON parsed, text as text, anything else base64 (bytes with responseType buffer)."),
    OutputField::new("status", "number", "The HTTP status (an error status does not fail the node)."),
    OutputField::new("statusText", "string", "Its reason phrase."),
    OutputField::new("headers", "object", "Response headers, names in lower case."),
    OutputField::new("success", "boolean", "A 2xx status."),
    OutputField::new("ok", "boolean", "The same as success."),
    OutputField::new("duration", "number", "Milliseconds the request took."),
    OutputField::new("url", "string", "The URL requested (with its query)."),
];

pub(crate) const EXAMPLES: &[NodeExample] = &[
    NodeExample::new("GET JSON", r#"{"url": "{server}/users/1"}"#, r#"{}"#),
    NodeExample::new(
        "POST a JSON body from an edge",
        r#"{"method": "POST", "url": "{server}/orders"}"#,
        r#"{"body": {"name": "Grace"}}"#,
    ),
];
