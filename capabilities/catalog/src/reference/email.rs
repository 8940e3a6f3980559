//! What the node reference (`docs/nodes.md`) says of this type beyond its schema: its output and
//! its examples (run by the reference's test against a stand-in SMTP server on a loopback port,
//! credential `mailer`, plain and without a login; the npm suite sends to a real server with
//! STARTTLS, implicit TLS and a login).

use super::super::{NodeExample, OutputField};

pub(crate) const OUTPUT: &[OutputField] = &[
    OutputField::new(
        "messageId",
        "string",
        "The Message-ID header it was sent with: made from the idempotency key when there is one (the same on every attempt), else unique.",
    ),
    OutputField::new(
        "recipients",
        "string[]",
        "Every address it went to: to, cc and bcc.",
    ),
    OutputField::new("response", "string", "The server's reply once it accepted the message."),
    OutputField::new(
        "alreadySent",
        "boolean",
        "true when the idempotency key had been sent with before: nothing was sent, and the other fields are the first send's.",
    ),
];

pub(crate) const EXAMPLES: &[NodeExample] = &[
    NodeExample::new(
        "Send text and HTML with an attachment from the input, once per key",
        r#"{"credential": "mailer", "from": "Reports <reports@example.test>", "to": "{{ email }}", "subject": "Your report, {{ name }}", "text": "Hello {{ name }}, your report is attached.", "html": "<p>Hello {{ name }}, your report is attached.</p>", "attachments": [{"field": "report", "filename": "report.csv"}], "idempotencyKey": "report-ada-2026-11"}"#,
        r#"{"data": {"email": "ada@example.test", "name": "Ada", "report": "id,total\n1,42\n"}}"#,
    ),
    NodeExample::new(
        "Refuse a credential that is not an SMTP server's",
        r#"{"credential": "shop", "to": "ada@example.test", "text": "Hello"}"#,
        r#"{}"#,
    ),
];
