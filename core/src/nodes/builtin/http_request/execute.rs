//! What `http-request` does: one request through the host's HTTP client.
//! HTTP error statuses are results, not failures — except 429, which fails with
//! `RATE_LIMIT_EXCEEDED` so the engine retries it (within the node's `retries`) after the delay
//! the server's `Retry-After` asks for. Network failures are `TRANSPORT_ERROR` (retried by the
//! engine), and responses beyond the size cap fail with `MEMORY_LIMIT_EXCEEDED`. Bodies can come
//! from and go to files (`file_bodies.rs`).

use crate::json;
use crate::value::{Bytes, Map, Value};
use base64::Engine as _;

use super::super::common::{get_input, node_error, Config};
use super::super::common_effects::effect_error;
use super::file_bodies::{FileBodies, NoFiles};
use super::query::append_query;
use super::schema::SCHEMA;
use super::trace_headers::with_trace_headers;
use crate::error::{ErrorCode, ExecutionError};
use crate::format::retry_after_ms;
use crate::format::{js_string, json_stringify};
use crate::host::effects::{HttpRequest, HttpResponse};
use crate::host::{BoxFuture, SharedHost};
use crate::nodes::schema::check::is_url;
use crate::nodes::{Invocation, NodeResult};

use super::TYPE;
/// Default response size cap (configurable with `maxResponseBytes`).
const MAX_RESPONSE_BYTES: u64 = 50 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS: f64 = 30_000.0;
const TOO_MANY_REQUESTS: u16 = 429;

pub(super) fn execute(invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
    execute_with::<NoFiles>(invocation, host)
}

/// The node, with its bodies from and to files as `Files` keeps them (see `file_bodies.rs`).
pub fn execute_with<Files: FileBodies>(
    invocation: Invocation,
    host: SharedHost,
) -> BoxFuture<'static, NodeResult> {
    Box::pin(async move {
        let config = Config::new(&SCHEMA, &invocation);
        let Some(client) = host.http() else {
            return Err(ExecutionError::new(
                ErrorCode::IMPLEMENTATION_NOT_FOUND,
                format!("[{TYPE}] HTTP is not available in this environment"),
            ));
        };
        let request = build_request(&invocation, &config)?;
        // A node nested in another (a for-each's item, a called flow) has no span to name: the
        // one it records on is the other node's.
        let traced =
            invocation.run.telemetry.as_ref().filter(|t| t.propagate() && invocation.own_span);
        let request = match traced {
            Some(tracer) => with_trace_headers(request, &**tracer, &invocation).await,
            None => request,
        };
        // Bodies from and to files, in builds with files (elsewhere validation refuses a node
        // that names them: it needs a file system).
        let mut files = Files::open(&config, &host, &request)?;
        let started = host.now();
        let response = match files.as_mut() {
            Some(files) => files.send(client, request).await?,
            None => client.send(request).await.map_err(|e| effect_error(TYPE, &e, &e))?,
        };
        if let Some(telemetry) = invocation.run.telemetry.as_ref() {
            telemetry.http_status(invocation.node_index, response.status);
        }
        if response.status == TOO_MANY_REQUESTS {
            // A 429's body is not the answer: its file goes.
            if let Some(files) = files.as_mut() {
                files.discard().await;
            }
            return Err(rate_limited(&response, host.now()));
        }
        let saved = match files {
            Some(files) => files.keep().await?,
            None => None,
        };
        let ok = (200..300).contains(&response.status);
        let content_type = response
            .headers
            .iter()
            .find(|(k, _)| k == "content-type")
            .map(|(_, v)| v.to_ascii_lowercase())
            .unwrap_or_default();
        // `responseType: "buffer"` keeps the body as binary data; otherwise it is decoded by its
        // content type, as the TypeScript engine did.
        let body = if invocation.param("responseType").and_then(Value::as_str) == Some("buffer") {
            Value::from(Bytes::buffer(response.body))
        } else {
            decode_body(&content_type, response.body)
        };
        let mut headers = Map::new();
        for (name, value) in response.headers {
            match headers.get_mut(name.as_str()) {
                // Repeated headers are joined as the Fetch API's Headers object joins them.
                Some(Value::String(existing)) => {
                    existing.push_str(", ");
                    existing.push_str(&value);
                }
                _ => {
                    headers.insert(name, Value::from(value));
                }
            }
        }
        let output = json!({
            "result": body,
            "status": response.status,
            "statusText": response.status_text,
            "headers": headers,
            "success": ok,
            "duration": host.now() - started,
            "url": response.url,
            "ok": ok,
        });
        let output = saved_to(output, saved);
        Ok(Some(output))
    })
}

/// The node's output for a response saved to a file: its `result` is the file's path, and
/// `path` and `size` say where and how large.
fn saved_to(mut output: Value, saved: Option<(String, u64)>) -> Value {
    if let (Some((path, size)), Value::Object(fields)) = (saved, &mut output) {
        fields.insert("result", json!(path.clone()));
        fields.insert("path", json!(path));
        fields.insert("size", json!(size));
    }
    output
}

/// A 429 answer as a retryable failure that says when the server will take the next request.
fn rate_limited(response: &HttpResponse, now: f64) -> ExecutionError {
    let delay = response
        .headers
        .iter()
        .find(|(name, _)| name == "retry-after")
        .and_then(|(_, value)| retry_after_ms(value, now));
    let wait = delay.map(|ms| format!("; retry after {ms} ms")).unwrap_or_default();
    let message = format!(
        "[{TYPE}] Rate limit exceeded: {} {} from {}{wait}",
        response.status, response.status_text, response.url
    );
    let error = ExecutionError::new(ErrorCode::RATE_LIMIT_EXCEEDED, message)
        .with_context("status", json!(response.status))
        .with_context("url", json!(response.url));
    match delay {
        Some(ms) => error.with_retry_after(ms),
        None => error,
    }
}

/// The `Idempotency-Key` header's value (a structured-field string, as the IETF draft has it):
/// the parameter's text, or for `auto` the run's id and the node's, which a retry and a resumed
/// run share, with where the node runs nested (each item of a for-each, each call of a flow has
/// its own key: one key for all would have a server answer every item with the first's
/// response). Ids are letters, digits and a few signs; a given key with a quote or a backslash
/// has them escaped.
fn idempotency_key(invocation: &Invocation) -> Option<String> {
    let key =
        invocation.param("idempotencyKey").and_then(Value::as_str).filter(|k| !k.is_empty())?;
    Some(if key == "auto" {
        let nested_in = invocation.nested_in.as_deref().unwrap_or("");
        format!("\"{}:{nested_in}{}\"", invocation.run.execution_id, invocation.node_id)
    } else {
        format!("\"{}\"", key.replace('\\', "\\\\").replace('"', "\\\""))
    })
}

fn build_request(invocation: &Invocation, config: &Config) -> Result<HttpRequest, ExecutionError> {
    let url = get_input(invocation, config, "url").and_then(Value::as_str).unwrap_or_default();
    if url.is_empty() {
        return Err(node_error(TYPE, "URL is required for HTTP requests"));
    }
    if !is_url(url) {
        return Err(node_error(TYPE, format!("Invalid URL: {url}")));
    }
    let method = get_input(invocation, config, "method")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
        .unwrap_or("GET")
        .to_ascii_uppercase();
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut set_header = |name: &str, value: String| match headers
        .iter_mut()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
    {
        Some(slot) => slot.1 = value,
        None => headers.push((name.to_owned(), value)),
    };
    for source in [config.get("headers"), invocation.input_value("headers")] {
        for (name, value) in header_map(source) {
            set_header(&name, value);
        }
    }
    if let Some(key) = idempotency_key(invocation) {
        set_header("Idempotency-Key", key);
    }
    match get_input(invocation, config, "auth") {
        Some(Value::Object(auth)) if auth.get("type").and_then(Value::as_str) == Some("basic") => {
            let user = auth.get("username").map(js_string).unwrap_or_default();
            let pass = auth.get("password").map(js_string).unwrap_or_default();
            let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
            set_header("Authorization", format!("Basic {token}"));
        }
        Some(Value::Object(auth)) if auth.get("type").and_then(Value::as_str) == Some("bearer") => {
            set_header(
                "Authorization",
                format!("Bearer {}", auth.get("token").map(js_string).unwrap_or_default()),
            );
        }
        _ => {}
    }
    if let Some(body) = get_input(invocation, config, "body").filter(|b| !b.is_null()) {
        if !sends_body(&method) && !body.as_str().is_some_and(str::is_empty) {
            return Err(node_error(
                TYPE,
                format!("A {method} request sends no body (a body goes with POST, PUT and PATCH): remove it, or change the method"),
            ));
        }
    }
    let body = match (sends_body(&method), get_input(invocation, config, "body")) {
        (true, Some(value)) if !value.is_null() => Some(match value {
            Value::String(text) => text.as_bytes().to_vec(),
            Value::Object(_) | Value::Array(_) => {
                if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
                    headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
                }
                // JSON as `JSON.stringify` writes it (dates as ISO text, NaN as null...).
                json_stringify(value)
                    .map_err(|e| node_error(TYPE, e))?
                    .unwrap_or_default()
                    .into_bytes()
            }
            // Binary data is sent as it is.
            other => match other.as_bytes() {
                Some(bytes) => bytes.as_slice().to_vec(),
                None => js_string(other).into_bytes(),
            },
        }),
        _ => None,
    };
    let url = match get_input(invocation, config, "params") {
        Some(Value::Object(params)) => append_query(url, params),
        _ => url.to_owned(),
    };
    Ok(HttpRequest {
        method,
        url,
        headers,
        body,
        follow_redirects: config.bool("followRedirects").unwrap_or(true),
        timeout_ms: Some(
            invocation
                .param("timeout")
                .and_then(Value::as_f64)
                .filter(|t| *t > 0.0)
                .unwrap_or(DEFAULT_TIMEOUT_MS),
        ),
        max_response_bytes: config
            .get("maxResponseBytes")
            .and_then(Value::as_u64)
            .unwrap_or(MAX_RESPONSE_BYTES),
        signal: invocation.signal.clone(),
    })
}

/// Whether a request of `method` carries a body (as fetch sends one).
pub fn sends_body(method: &str) -> bool {
    matches!(method, "POST" | "PUT" | "PATCH")
}

/// Headers from an object, or the JSON text of one; values as strings.
fn header_map(value: Option<&Value>) -> Vec<(String, String)> {
    let parsed;
    let map = match value {
        Some(Value::Object(map)) => map,
        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => {
                parsed = map;
                &parsed
            }
            _ => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    map.iter().map(|(k, v)| (k.to_string(), js_string(v))).collect()
}

/// JSON for `application/json`, text for `text/*` and XML, base64 otherwise; a JSON body that
/// does not parse is returned as text, and undecodable text as `null`.
fn decode_body(content_type: &str, bytes: Vec<u8>) -> Value {
    if content_type.contains("application/json") {
        // Read as text (JSON is UTF-8): the engine's one JSON reader is over text, and a second
        // one over bytes cost the browser's module kilobytes.
        return match String::from_utf8(bytes) {
            Ok(text) => serde_json::from_str::<Value>(&text).unwrap_or_else(|_| Value::from(text)),
            Err(_) => Value::Null,
        };
    }
    if content_type.starts_with("text/")
        || content_type.contains("application/xml")
        || content_type.contains("application/xhtml")
    {
        return String::from_utf8(bytes).map_or(Value::Null, Value::from);
    }
    if bytes.is_empty() {
        return Value::from(String::new());
    }
    Value::from(base64::engine::general_purpose::STANDARD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::decode_body;
    use crate::json;
    use crate::value::Value;

    #[test]
    fn a_json_body_is_parsed_else_kept_as_text_and_undecodable_text_is_null() {
        let json = "application/json; charset=utf-8";
        assert_eq!(
            decode_body(json, r#"{"a": [1, "é"]}"#.as_bytes().to_vec()),
            json!({"a": [1, "é"]})
        );
        assert_eq!(decode_body(json, b"{not json".to_vec()), json!("{not json"));
        assert_eq!(decode_body(json, vec![b'"', 0xff, b'"']), Value::Null);
        assert_eq!(decode_body("text/plain", b"hi".to_vec()), json!("hi"));
        assert_eq!(decode_body("application/octet-stream", vec![0, 1]), json!("AAE="));
    }
}
