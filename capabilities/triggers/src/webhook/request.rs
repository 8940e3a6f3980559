//! A delivery as the engine reads it: the HTTP request the protocol server received, and the
//! run input it becomes (`{trigger: {type: "webhook", ..., method, path, query, headers, body}}`).

use atomiton_core::format::iso_timestamp;
use atomiton_core::value::{BytesKind, Map};
use atomiton_core::Value;

use super::spec::{HookAuth, WebhookSpec};
use super::{HookRequest, Refusal};
use crate::store::TriggerId;

/// The run input's `trigger` for `request` to hook `id` with `spec`, received at `now`: its
/// body read by its content type (JSON parsed, text as text, a form as fields, anything else as
/// bytes, none as `null`); the header that carried a secret is left out.
pub fn fire_of(
    id: &TriggerId,
    spec: &WebhookSpec,
    request: &HookRequest,
    now: i64,
) -> Result<Value, Refusal> {
    let hidden = match &spec.auth {
        HookAuth::Header { header, .. } => Some(header.as_str()),
        HookAuth::Server => Some("authorization"),
        HookAuth::None | HookAuth::Hmac { .. } => None,
    };
    let mut headers = Map::default();
    for (name, value) in request.headers.iter().filter(|(name, _)| Some(name.as_str()) != hidden) {
        // Repeated headers join as HTTP says they may: with ", ".
        let joined = match headers.get(name).and_then(Value::as_str) {
            Some(known) => format!("{known}, {value}"),
            None => value.clone(),
        };
        headers.insert(name.clone(), Value::from(joined));
    }
    let received = iso_timestamp(now as f64);
    let mut fire = Map::default();
    fire.insert("type", Value::from(super::WEBHOOK_TYPE));
    fire.insert("flowId", Value::from(id.flow.as_str()));
    fire.insert("nodeId", Value::from(id.node.as_str()));
    fire.insert("receivedAt", Value::from(received));
    fire.insert("method", Value::from(request.method.as_str()));
    fire.insert("path", Value::from(request.path.as_str()));
    fire.insert("query", fields_of(request.query.as_bytes()));
    fire.insert("headers", Value::Object(headers));
    fire.insert("body", body_of(request)?);
    Ok(Value::Object(fire))
}

fn body_of(request: &HookRequest) -> Result<Value, Refusal> {
    if request.body.is_empty() {
        return Ok(Value::Null);
    }
    let content_type = request.header("content-type").unwrap_or_default().to_ascii_lowercase();
    let media = content_type.split(';').next().unwrap_or_default().trim();
    if media == "application/json" || media.ends_with("+json") {
        return serde_json::from_slice::<Value>(&request.body).map_err(|e| {
            Refusal::new(400, "DESERIALIZATION_FAILED", format!("The body is not valid JSON: {e}"))
        });
    }
    if media == "application/x-www-form-urlencoded" {
        return Ok(fields_of(&request.body));
    }
    if media.starts_with("text/") {
        return String::from_utf8(request.body.clone()).map(Value::from).map_err(|_| {
            Refusal::new(400, "DESERIALIZATION_FAILED", "The text body is not valid UTF-8".into())
        });
    }
    Ok(Value::bytes(BytesKind::Uint8Array, request.body.clone()))
}

/// URL-encoded fields as an object: a field given once is its text, more often a list.
fn fields_of(encoded: &[u8]) -> Value {
    let mut fields = Map::default();
    for (name, value) in form_urlencoded::parse(encoded) {
        let value = Value::from(value.into_owned());
        match fields.get_mut(name.as_ref()) {
            Some(Value::Array(values)) => values.push(value),
            Some(first) => *first = Value::Array(vec![first.clone(), value]),
            None => {
                fields.insert(name.into_owned(), value);
            }
        }
    }
    Value::Object(fields)
}
