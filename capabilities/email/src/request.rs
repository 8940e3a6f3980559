//! The node's parameters read into the message the host sends: addresses, subject, text and
//! HTML written from `{{ path }}` templates over the input, attachments taken from the input's
//! data the parameters point at, and the idempotency key.

use atomiton_core::error::ExecutionError;
use atomiton_core::format::{render_template, value_at, TemplateStyle};
use atomiton_core::host::effects::{MailAttachment, MailMessage};
use atomiton_core::host::SharedHost;
use atomiton_core::nodes::sdk::{node_error, template_data, Config};
use atomiton_core::nodes::Invocation;
use atomiton_core::value::{Map, Value};
use sha2::{Digest, Sha256};

use crate::declaration::SCHEMA;
use crate::TYPE;

/// The longest a subject or body may be once written.
const MAX_TEXT_BYTES: usize = 10 * 1024 * 1024;
/// The attachments' bytes together at most: what common servers take (Gmail's and Outlook's
/// limit is 25 MB), so a flow learns it here rather than from a bounce.
pub const MAX_ATTACHMENT_BYTES: usize = 25 * 1024 * 1024;

/// What one run of the node sends.
pub struct Request {
    pub credential: String,
    /// Its `from` is empty when the node gives none (the credential's is used).
    pub message: MailMessage,
    /// The idempotency key, `auto` already made the run's and the node's ids.
    pub key: Option<String>,
    pub timeout_ms: f64,
}

impl Request {
    pub fn read(invocation: &Invocation, _host: &SharedHost) -> Result<Request, ExecutionError> {
        let config = Config::new(&SCHEMA, invocation);
        let data = template_data(invocation);
        let write = |name: &str| -> Result<Option<String>, ExecutionError> {
            config
                .str(name)
                .filter(|t| !t.is_empty())
                .map(|template| written(name, template, &data))
                .transpose()
        };
        let addresses = |name: &str| -> Result<Vec<String>, ExecutionError> {
            let listed: Vec<&str> = match config.get(name) {
                Some(Value::String(text)) => split_addresses(text),
                Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            let mut out = Vec::new();
            for template in listed {
                let address = written(name, template, &data)?;
                // A template may name a list (`{{ team }}` holding "a@x, b@y").
                out.extend(split_addresses(&address).into_iter().map(str::to_owned));
            }
            Ok(out)
        };
        let to = addresses("to")?;
        let cc = addresses("cc")?;
        let bcc = addresses("bcc")?;
        if to.is_empty() && cc.is_empty() && bcc.is_empty() {
            return Err(node_error(TYPE, "No recipient: 'to' (or cc, bcc) is empty once written"));
        }
        let message = MailMessage {
            from: write("from")?.unwrap_or_default(),
            to,
            cc,
            bcc,
            reply_to: write("replyTo")?,
            subject: write("subject")?.unwrap_or_default(),
            text: write("text")?,
            html: write("html")?,
            attachments: attachments(&config, &data)?,
            message_id: String::new(),
        };
        let key = config.str("idempotencyKey").filter(|k| !k.is_empty()).map(|key| {
            if key == "auto" {
                // The node runs once per item of a for-each and per call of a sub-flow under
                // the same ids: the message's own digest tells their mails apart, and is the
                // same again on a retry or a resume (the same input writes the same message).
                format!(
                    "{}:{}:{}",
                    invocation.run.execution_id,
                    invocation.node_id,
                    digest(&message)
                )
            } else {
                key.to_owned()
            }
        });
        Ok(Request {
            credential: config.str("credential").unwrap_or_default().to_owned(),
            message,
            key,
            timeout_ms: config.get("sendTimeout").and_then(Value::as_f64).unwrap_or(60_000.0),
        })
    }
}

/// The SHA-256 of what a message says (addresses, subject, bodies, attachments), hex.
fn digest(message: &MailMessage) -> String {
    let mut hasher = Sha256::new();
    let lists = [&message.to, &message.cc, &message.bcc];
    for part in lists.iter().flat_map(|list| list.iter()).map(String::as_bytes).chain([
        message.from.as_bytes(),
        message.reply_to.as_deref().unwrap_or("").as_bytes(),
        message.subject.as_bytes(),
        message.text.as_deref().unwrap_or("").as_bytes(),
        message.html.as_deref().unwrap_or("").as_bytes(),
    ]) {
        // Each part with its length, so no two messages make the same stream of bytes.
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    for attachment in &message.attachments {
        for part in
            [attachment.filename.as_bytes(), attachment.content_type.as_bytes(), &attachment.data]
        {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
    }
    hasher.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
}

fn written(name: &str, template: &str, data: &Map) -> Result<String, ExecutionError> {
    render_template(template, data, TemplateStyle::Text, MAX_TEXT_BYTES, &mut |_| {}).map_err(
        |len| {
            node_error(TYPE, format!("'{name}' would be {len} bytes long, over {MAX_TEXT_BYTES}"))
        },
    )
}

/// `a@x, b@y` as two addresses; a display name with a comma is kept whole when quoted
/// (`"Doe, Jane" <jane@x>`).
fn split_addresses(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (at, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(&text[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out.into_iter().map(str::trim).filter(|a| !a.is_empty()).collect()
}

/// Each `{field, filename?, contentType?}`: the bytes at `field` in the input (binary data
/// as it is, text as UTF-8; a file-system read's `{content, path}` gives both).
fn attachments(config: &Config, data: &Map) -> Result<Vec<MailAttachment>, ExecutionError> {
    let mut out = Vec::new();
    let mut total = 0usize;
    let listed = config.get("attachments").and_then(Value::as_array).cloned().unwrap_or_default();
    for (i, entry) in listed.iter().enumerate() {
        let field = entry.get("field").and_then(Value::as_str).unwrap_or_default();
        let value = value_at(field, data).filter(|v| !v.is_null()).ok_or_else(|| {
            node_error(TYPE, format!("attachments[{i}]: the input has nothing at '{field}'"))
        })?;
        let (content, path) = match value {
            Value::Object(file) => (
                file.get("content").or_else(|| file.get("data")).unwrap_or(value),
                file.get("path").or_else(|| file.get("filename")).and_then(Value::as_str),
            ),
            other => (other, None),
        };
        let bytes: std::sync::Arc<[u8]> = match (content.as_bytes(), content) {
            (Some(bytes), _) => bytes.as_slice().into(),
            (None, Value::String(text)) => text.as_bytes().into(),
            _ => {
                return Err(node_error(
                    TYPE,
                    format!("attachments[{i}]: '{field}' holds neither binary data nor text"),
                ))
            }
        };
        total = total.saturating_add(bytes.len());
        if total > MAX_ATTACHMENT_BYTES {
            return Err(node_error(
                TYPE,
                format!("The attachments come to more than {MAX_ATTACHMENT_BYTES} bytes, which mail servers refuse"),
            ));
        }
        let filename = entry
            .get("filename")
            .and_then(Value::as_str)
            .filter(|f| !f.is_empty())
            .map(|template| written("filename", template, data))
            .transpose()?
            .or_else(|| path.map(|p| p.rsplit(['/', '\\']).next().unwrap_or(p).to_owned()))
            .unwrap_or_else(|| format!("attachment-{}", i + 1));
        let content_type = entry
            .get("contentType")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map_or_else(|| guessed_type(&filename).to_owned(), str::to_owned);
        out.push(MailAttachment { filename, content_type, data: bytes });
    }
    Ok(out)
}

/// The MIME type of the common file kinds by their extension; anything else is bytes.
fn guessed_type(filename: &str) -> &'static str {
    let extension = filename.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match extension.as_deref() {
        Some("txt") => "text/plain",
        Some("csv") => "text/csv",
        Some("html" | "htm") => "text/html",
        Some("json") => "application/json",
        Some("pdf") => "application/pdf",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("svg") => "image/svg+xml",
        Some("zip") => "application/zip",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

/// `<id@domain>`: for a key, its SHA-256 (the same on every attempt and resume, so a receiving
/// system that keeps one message per Message-ID sees one); otherwise the run's and node's ids
/// with a random part. The domain is the sender's.
pub fn message_id(
    key: Option<&str>,
    from: &str,
    invocation: &Invocation,
    host: &SharedHost,
) -> String {
    let seed = match key {
        Some(key) => format!("key:{key}"),
        None => format!(
            "{}/{}/{}/{}",
            invocation.run.execution_id,
            invocation.node_id,
            invocation.attempt,
            host.random()
        ),
    };
    let digest = Sha256::digest(seed.as_bytes());
    let local: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let domain = from
        .rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches(['>', ' ']).trim())
        .filter(|d| {
            !d.is_empty() && d.chars().all(|c| c.is_ascii_alphanumeric() || ".-".contains(c))
        })
        .unwrap_or("atomiton.local");
    format!("<{local}@{domain}>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_split_on_commas_outside_quotes() {
        assert_eq!(split_addresses(" a@x ,b@y,, "), ["a@x", "b@y"]);
        assert_eq!(split_addresses(r#""Doe, Jane" <j@x>, k@y"#), [r#""Doe, Jane" <j@x>"#, "k@y"]);
    }

    #[test]
    fn types_by_extension() {
        assert_eq!(guessed_type("Report.PDF"), "application/pdf");
        assert_eq!(guessed_type("noext"), "application/octet-stream");
    }
}
