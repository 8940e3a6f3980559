//! `http-request` parameters, UI fields, ports and catalog entry.

use std::sync::LazyLock;

use crate::json;
use crate::value::Map;

use crate::catalog::{Environment, NodeDescriptor, PortSpec};
use crate::nodes::schema::{FieldOverrides, NodeSchema, ParamKind, ParamSpec, TextFormat};

pub(super) static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| {
    NodeSchema::new(vec![
        // The schema's methods; the behaviour would also send a PATCH body, but PATCH never
        // passes the schema (as in the TypeScript engine).
        ParamSpec::new("method", ParamKind::Enum(&["GET", "POST", "PUT", "DELETE"]))
            .default(|| json!("GET"))
            .describe("HTTP method to use")
            .ui(FieldOverrides::NONE.options(&[
                ("GET", "GET"),
                ("POST", "POST"),
                ("PUT", "PUT"),
                ("DELETE", "DELETE"),
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
            .describe("Request body content (for POST, PUT)")
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
    ])
});

/// The TypeScript engine's definition defaults; `followRedirects`, `validateSSL` and `retryDelay` are
/// not schema parameters, and `retries: 0` replaces the base default of 1.
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
    description: "Send an HTTP request (GET, POST, PUT, DELETE) and return the response",
    category: "io",
    icon: "globe-2",
    keywords: &[
        "http", "request", "api", "rest", "get", "post", "put", "delete", "fetch", "web", "network",
    ],
    environment: Environment::Everywhere,
    parameters,
    input_ports: &[PortSpec::input("url", "URL", "string")],
    output_ports: &[PortSpec::output("result", "Result", "any")],
};
