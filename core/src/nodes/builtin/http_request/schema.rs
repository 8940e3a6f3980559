//! `http-request` parameters, UI fields, ports and catalog entry.

use std::sync::LazyLock;

use crate::json;
use crate::value::Map;

use crate::nodes::descriptor::{Environment, NodeDescriptor, PortSpec};
use crate::nodes::schema::{FieldOverrides, NodeSchema, ParamKind, ParamSpec, TextFormat};

pub(super) static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| {
    NodeSchema::new(vec![
        // The TypeScript engine's schema had the first four; PATCH, HEAD and OPTIONS are the
        // other methods REST APIs use (a widening: every flow it took is still taken).
        ParamSpec::new(
            "method",
            ParamKind::Enum(&["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]),
        )
        .default(|| json!("GET"))
        .describe("HTTP method to use")
        .ui(FieldOverrides::NONE.options(&[
            ("GET", "GET"),
            ("POST", "POST"),
            ("PUT", "PUT"),
            ("DELETE", "DELETE"),
            ("PATCH", "PATCH"),
            ("HEAD", "HEAD"),
            ("OPTIONS", "OPTIONS"),
        ])),
        ParamSpec::new("url", ParamKind::Text { min_len: 0, format: TextFormat::Url })
            .describe("Request URL"),
        ParamSpec::new("headers", ParamKind::StringRecordOrJson)
            .default(|| json!({}))
            .describe("Request headers as key-value pairs")
            .ui(FieldOverrides::NONE
                .control("textarea")
                .placeholder(
                    "{\"Content-Type\": \"application/json\", \"Authorization\": \"Bearer token\"}",
                )
                .rows(3)),
        // A JSON body stays a string; objects are rejected.
        ParamSpec::new("body", ParamKind::text())
            .optional()
            .describe("Request body content (for POST, PUT, PATCH)")
            .ui(FieldOverrides::NONE
                .control("textarea")
                .placeholder("{\"key\": \"value\"}")
                .rows(5)),
        // Bodies from and to files: where there are files (elsewhere a node naming them is
        // refused at validation, for it needs a file system).
        ParamSpec::new("bodyFile", ParamKind::text())
            .optional()
            .describe("Send this file as the body"),
        ParamSpec::new("responseFile", ParamKind::text())
            .optional()
            .describe("Save the response body to this file"),
        ParamSpec::new("idempotencyKey", ParamKind::text())
            .optional()
            .describe("Sent as the Idempotency-Key header (`auto`: the run's and the node's ids and where it runs nested, so each for-each item and flow call has its own)")
            .ui(FieldOverrides::NONE.hidden()),
        ParamSpec::new("followRedirects", ParamKind::Boolean)
            .default(|| json!(true))
            .describe("Follow redirects (3xx) to their target; false returns the 3xx response itself")
            .ui(FieldOverrides::NONE.hidden()),
        ParamSpec::new("validateSSL", ParamKind::Only {
            json: "true",
            why: "certificates are always verified: a server whose certificate does not verify fails the request",
        })
        .optional(),
        ParamSpec::new("auth", ParamKind::Any)
            .optional()
            .describe(
                "`{type: \"basic\", username, password}` or `{type: \"bearer\", token}`: sets \
                 the Authorization header (also an input)",
            )
            .ui(FieldOverrides::NONE.hidden()),
        ParamSpec::new("params", ParamKind::Any)
            .optional()
            .describe("Query parameters appended to the URL, as an object (also an input)")
            .ui(FieldOverrides::NONE.hidden()),
        ParamSpec::new(
            "maxResponseBytes",
            ParamKind::Number { min: Some(1.0), max: None, exclusive_min: false, integer: true },
        )
        .optional()
        .describe("Largest response body read, in bytes (default 50 MiB); larger fails with MEMORY_LIMIT_EXCEEDED")
        .ui(FieldOverrides::NONE.hidden()),
        ParamSpec::new("responseType", ParamKind::Enum(&["auto", "buffer"]))
            .default(|| json!("auto"))
            .describe("`auto`: the body decoded by its content type (JSON, text, else base64); `buffer`: its bytes")
            .ui(FieldOverrides::NONE.hidden()),
    ])
    .reads_inputs(&["url", "method", "headers", "auth", "body", "params"])
});

/// The TypeScript engine's definition defaults (`retries: 0` replaces the base default of 1;
/// `retryDelay` is an engine parameter every node may carry).
fn parameters() -> Map {
    Map::from_iter([
        ("method".to_owned(), json!("GET")),
        ("url".to_owned(), json!("https://api.example.com")),
        ("headers".to_owned(), json!({})),
        ("followRedirects".to_owned(), json!(true)),
        ("validateSSL".to_owned(), json!(true)),
        ("timeout".to_owned(), json!(30000)),
        ("retries".to_owned(), json!(0)),
        ("retryDelay".to_owned(), json!(1000)),
    ])
}

pub(super) static DESCRIPTOR: NodeDescriptor = NodeDescriptor {
    node_type: "http-request",
    name: "HTTP Request",
    description: "Send an HTTP request (GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS) and return the response",
    category: "io",
    icon: "globe-2",
    keywords: &[
        "http", "request", "api", "rest", "get", "post", "put", "delete", "fetch", "web", "network",
    ],
    environment: Environment::Everywhere,
    parameters,
    input_ports: &[
        PortSpec::input("url", "URL", "string"),
        PortSpec::input("body", "Body", "any")
            .describe("Sent with POST, PUT and PATCH: objects as JSON")
            .main(),
        PortSpec::input("headers", "Headers", "object")
            .describe("Merged over the headers parameter"),
        PortSpec::input("params", "Query", "object").describe("Query parameters"),
    ],
    output_ports: &[PortSpec::output("result", "Result", "any").of_field("result")],
};
