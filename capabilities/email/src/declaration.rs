//! The `email` node type: its parameters, UI fields, ports and catalog entry, and what it is
//! to a durable run (an effect; repeatable with an idempotency key). Declared here rather than
//! in the core, so that a build without an SMTP client carries none of it beyond its catalog
//! entry: its validation names the type as one that runs elsewhere.

use std::sync::{Arc, LazyLock};

use atomiton_core::host::{BoxFuture, SharedHost};
use atomiton_core::json;
use atomiton_core::nodes::descriptor::{Environment, NodeDescriptor, PortSpec};
use atomiton_core::nodes::schema::{FieldOverrides, NodeSchema, ParamKind, ParamSpec};
use atomiton_core::nodes::{Invocation, NodeResult, NodeType, ParameterIssue};
use atomiton_core::value::{Map, Value};

use crate::TYPE;

/// The `email` node type.
pub struct EmailType;

impl NodeType for EmailType {
    fn type_name(&self) -> &str {
        TYPE
    }

    /// Sending mail changes the world: a durable run records its start before calling it.
    fn effects(&self, _parameters: &Map) -> bool {
        true
    }

    /// With an idempotency key the ledger keeps a second send from happening.
    fn repeatable(&self, parameters: &Map) -> bool {
        parameters.get("idempotencyKey").and_then(Value::as_str).is_some_and(|k| !k.is_empty())
    }

    fn schema(&self) -> Option<&NodeSchema> {
        Some(&SCHEMA)
    }

    fn descriptor(&self) -> Option<&NodeDescriptor> {
        Some(&DESCRIPTOR)
    }

    fn check_parameters(&self, parameters: &Map) -> Vec<ParameterIssue> {
        SCHEMA.check_then(parameters, issues)
    }

    fn execute(&self, invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
        Box::pin(crate::execute(invocation, host))
    }
}

/// The type, for a registry.
pub fn node_type() -> Arc<dyn NodeType> {
    Arc::new(EmailType)
}

pub static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| {
    NodeSchema::new(vec![
        ParamSpec::new("credential", ParamKind::text_min(1))
            .required_message("'credential' is required: a credential's name")
            .describe("The credential naming the SMTP server (type smtp: host, port, security, username, password, from)")
            .note("security: starttls (the default, port 587), tls (port 465) or none (no password then). Its values never appear in the flow, the run history or errors"),
        ParamSpec::new("from", ParamKind::text())
            .optional()
            .describe("The sender, `Name <address>` or an address; default: the credential's from"),
        ParamSpec::new("to", ParamKind::Any)
            .optional()
            .describe("Recipients: an address, a comma-separated list or an array, each a template: {{ path }} is the input's value there"),
        ParamSpec::new("cc", ParamKind::Any).optional().describe("Copy recipients, as 'to'"),
        ParamSpec::new("bcc", ParamKind::Any)
            .optional()
            .describe("Blind copy recipients, as 'to': in the envelope, not in the message"),
        ParamSpec::new("replyTo", ParamKind::text()).optional().describe("The Reply-To address"),
        ParamSpec::new("subject", ParamKind::text())
            .optional()
            .describe("The subject, a template: {{ path }} is the input's value there"),
        ParamSpec::new("text", ParamKind::text())
            .optional()
            .describe("The plain-text body, a template: {{ path }} is the input's value there")
            .ui(FieldOverrides::NONE.control("textarea").rows(6)),
        ParamSpec::new("html", ParamKind::text())
            .optional()
            .describe("The HTML body, a template (values are not escaped); with text, readers choose")
            .ui(FieldOverrides::NONE.control("textarea").rows(6)),
        ParamSpec::new("attachments", ParamKind::Array)
            .optional()
            .describe("[{field, filename?, contentType?}]: the input's data at field (binary or text; a file-system read's output gives its path's name)")
            .note("25 MB together at most; contentType defaults by the file name's extension"),
        ParamSpec::new("idempotencyKey", ParamKind::text())
            .optional()
            .describe("Sends once per key and credential (`auto`: the run's and the node's ids and the message's digest): a resumed or retried run, or another run with the key, is answered from the record of sent mail")
            .note("The key also makes the Message-ID, the same on every attempt"),
        ParamSpec::new("sendTimeout", ParamKind::whole_range(1.0, 3_600_000.0))
            .default(|| json!(60_000))
            .describe("Milliseconds the conversation with the server may take"),
    ])
    .reads_inputs(&["data"])
});

/// What is wrong beyond the schema: recipients of the right shape, attachments that point
/// somewhere.
fn issues(parameters: &Map) -> Vec<ParameterIssue> {
    let mut issues = Vec::new();
    for name in ["to", "cc", "bcc"] {
        match parameters.get(name) {
            None | Some(Value::Null | Value::String(_)) => {}
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => {}
            Some(_) => issues.push(ParameterIssue::new(
                name,
                format!("'{name}' is an address, a comma-separated list or an array of addresses"),
            )),
        }
    }
    let has = |name: &str| match parameters.get(name) {
        Some(Value::String(text)) => !text.trim().is_empty(),
        Some(Value::Array(items)) => !items.is_empty(),
        _ => false,
    };
    if !(has("to") || has("cc") || has("bcc")) {
        issues.push(ParameterIssue::new("to", "'to' is required: who the mail goes to"));
    }
    if !(has("text") || has("html") || has("subject")) {
        issues.push(ParameterIssue::new("text", "A mail needs a subject, text or html"));
    }
    for (i, entry) in
        parameters.get("attachments").and_then(Value::as_array).into_iter().flatten().enumerate()
    {
        if entry.get("field").and_then(Value::as_str).is_none_or(str::is_empty) {
            issues.push(ParameterIssue::new(
                format!("attachments.{i}.field"),
                "an attachment names the input's field holding its data",
            ));
        }
    }
    issues
}

fn parameters() -> Map {
    Map::from_iter([
        ("credential".to_owned(), json!("smtp")),
        ("to".to_owned(), json!("{{ email }}")),
        ("subject".to_owned(), json!("Your report")),
        ("text".to_owned(), json!("Hello {{ name }}, your report is attached.")),
    ])
}

pub static DESCRIPTOR: NodeDescriptor = NodeDescriptor {
    node_type: "email",
    name: "Email",
    description: "Send an email through SMTP (STARTTLS or TLS): text, HTML, attachments from the flow's data, once per idempotency key",
    category: "io",
    icon: "mail",
    keywords: &["email", "mail", "smtp", "send", "notify", "attachment"],
    environment: Environment::NativeOnly,
    parameters,
    input_ports: &[PortSpec::input("data", "Data", "any").describe("What the templates and attachments read")],
    output_ports: &[PortSpec::output("result", "Result", "object")
        .describe("{messageId, recipients, response, alreadySent}")],
};
