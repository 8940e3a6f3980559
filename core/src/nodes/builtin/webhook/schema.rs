//! `webhook` parameters, UI fields, ports and catalog entry. Their types and allowed values are
//! checked here; the rules between them (a secret's variable for `header` and `hmac`, a
//! response node for `respond: "node"`) and the path's form are checked by the trigger
//! capability (`atomiton-triggers`).

use std::sync::LazyLock;

use crate::json;
use crate::nodes::descriptor::{Environment, NodeDescriptor, PortSpec};
use crate::nodes::schema::{NodeSchema, ParamKind, ParamSpec};
use crate::value::Map;

pub(super) static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| {
    NodeSchema::new(vec![
        ParamSpec::new("path", ParamKind::text_min(1))
            .describe("Where it listens: the server answers it at /hooks/<path> (e.g. \"github/push\")")
            .note("Segments of letters, digits and -._~; one active webhook per path on a store"),
        ParamSpec::new("methods", ParamKind::Any)
            .optional()
            .describe("The HTTP methods it accepts (default [\"POST\"]): GET, POST, PUT, PATCH, DELETE"),
        ParamSpec::new("auth", ParamKind::Enum(&["none", "header", "hmac", "server"]))
            .describe("Who may call it: none (anyone with the URL), header (a shared secret), hmac (a signed body), server (the server's own login)")
            .note(
                "header: the secret in `header` (default X-Webhook-Secret); hmac: hex \
                 HMAC-SHA256 of `<timestamp>.<body>` in `header` (default X-Signature, \
                 `sha256=` prefix allowed) with Unix seconds in `timestampHeader` (default \
                 X-Signature-Timestamp), within `tolerance`, each signature accepted once",
            ),
        ParamSpec::new("secretEnv", ParamKind::text_min(1))
            .optional()
            .describe("With auth header or hmac: the environment variable of the serving process that holds the secret (never the secret itself)"),
        ParamSpec::new("header", ParamKind::text_min(1))
            .optional()
            .describe("With auth header or hmac: the header carrying the secret or the signature"),
        ParamSpec::new("timestampHeader", ParamKind::text_min(1))
            .optional()
            .describe("With auth hmac: the header carrying the delivery's time, in Unix seconds"),
        ParamSpec::new("tolerance", ParamKind::whole_range(1.0, 86_400.0))
            .optional()
            .describe("With auth hmac: how far the delivery's time may be from the server's, in seconds (default 300)"),
        ParamSpec::new("respond", ParamKind::Enum(&["accepted", "result", "node"]))
            .default(|| json!("accepted"))
            .describe("What the caller gets: accepted (202 at once, with the execution id), result (the run's output when it ends), node (the output of responseNode)"),
        ParamSpec::new("responseNode", ParamKind::text_min(1))
            .optional()
            .describe("With respond node: the node whose output answers"),
        ParamSpec::new("responseTimeout", ParamKind::whole_range(1.0, 600_000.0))
            .optional()
            .describe("With respond result or node: how long the caller waits, in ms (default 30000); past it, 202 with the execution id"),
        ParamSpec::new("maxBytes", ParamKind::whole_range(1.0, 67_108_864.0))
            .optional()
            .describe("The largest body it accepts, in bytes (default 1 MiB): a larger one is refused with 413"),
        ParamSpec::new("runsPerMinute", ParamKind::whole_range(1.0, 1_000_000.0))
            .optional()
            .describe("Runs it starts per rolling minute at most (default: the server's limits); more are refused with 429"),
        ParamSpec::new("concurrentRuns", ParamKind::whole_range(1.0, 1_000_000.0))
            .optional()
            .describe("Runs of it at once at most (default: the server's limits); more are refused with 429"),
    ])
    // A run a request started has the request as its input's `trigger`.
    .reads_inputs(&["trigger"])
});

fn parameters() -> Map {
    Map::from_iter([
        ("path".to_owned(), json!("orders/created")),
        ("auth".to_owned(), json!("hmac")),
        ("secretEnv".to_owned(), json!("ORDERS_HOOK_SECRET")),
    ])
}

pub(super) static DESCRIPTOR: NodeDescriptor = NodeDescriptor {
    node_type: super::WEBHOOK_TYPE,
    name: "Webhook",
    description: "Start the flow when an HTTP request reaches /hooks/<path> on the server: the request (method, path, query, headers, body) is the run's input",
    category: "system",
    icon: "zap",
    keywords: &["webhook", "http", "hook", "trigger", "endpoint", "callback"],
    // What answers it is the protocol server of a native conductor.
    environment: Environment::NativeOnly,
    parameters,
    input_ports: &[PortSpec::input("trigger", "Request", "object")
        .describe("The request that started the run (a run's input `trigger`): its output")],
    output_ports: &[PortSpec::output("request", "Request", "object")
        .describe("The request: method, path, query, headers (its secret left out), body (JSON parsed, text, form fields or bytes)")],
};
