//! One chat completion through the host's HTTP client: the request's body, the call, and its
//! retries. A 429 or 5xx answer, a connection that fails or a stream cut before its end is
//! tried again (`maxRetries` times; not a stream whose request timed out after the answer began:
//! that answer takes longer than the node allows, and would again) after the wait the engine's retry policy gives the node (its
//! `retryDelay`, else the conductor's, up to the conductor's `maxRetryDelay`), never shorter
//! than the server's `Retry-After`; a server asking for longer than the policy's
//! longest wait is not retried (the node fails with its code, which the engine's own `retries`
//! may take up).

use std::sync::{Arc, Mutex};

use atomiton_core::error::{ErrorCode, ExecutionError};
use atomiton_core::format::retry_after_ms;
use atomiton_core::host::effects::{
    EffectErrorKind, HttpClient, HttpRequest, HttpResponse, StreamedBodies,
};
use atomiton_core::host::SharedHost;
use atomiton_core::json;
use atomiton_core::nodes::sdk::effect_error;
use atomiton_core::nodes::Invocation;
use serde_json::Value as Json;

use crate::endpoint::{Endpoint, SchemaFormat};
use crate::request::{Format, Message, Request};
use crate::sse::{error_text, Answer, Shown, Sink, TokenUsage, ToolCall};
use crate::TYPE;

/// The largest answer body read (a completion is text; this is far beyond any).
const MAX_RESPONSE_BYTES: u64 = 32 << 20;

/// What a completed call gave.
pub struct Reply {
    pub text: String,
    /// The tools the model asked to call.
    pub tool_calls: Vec<ToolCall>,
    pub finish_reason: Option<String>,
    pub model: String,
    pub usage: Option<TokenUsage>,
    /// Calls it took (1 when the first was answered).
    pub calls: u32,
}

/// One message as the wire carries it.
fn message(message: &Message) -> Json {
    let mut json = serde_json::json!({"role": message.role, "content": message.content});
    let Some(fields) = json.as_object_mut() else { return json };
    if !message.tool_calls.is_empty() {
        let calls: Vec<Json> = message
            .tool_calls
            .iter()
            .map(|call| {
                serde_json::json!({
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments},
                })
            })
            .collect();
        fields.insert("tool_calls".into(), calls.into());
    }
    if let Some(id) = &message.tool_call_id {
        fields.insert("tool_call_id".into(), id.clone().into());
    }
    json
}

/// The request body: the model, the messages, the options the node sets, the tools offered
/// (`tools`: their definitions and this answer's `tool_choice`), and for a JSON answer the
/// response format (the schema, when there is one, for servers that constrain their output to
/// it).
pub fn body(request: &Request, endpoint: &Endpoint, tools: Option<(&Json, Json)>) -> Json {
    let messages: Vec<Json> = request.messages.iter().map(message).collect();
    let mut body = serde_json::json!({"model": endpoint.model, "messages": messages});
    let fields = body.as_object_mut();
    let Some(fields) = fields else { return body };
    if let Some((definitions, choice)) = tools {
        fields.insert("tools".into(), definitions.clone());
        fields.insert("tool_choice".into(), choice);
    }
    if let Some(temperature) = request.temperature {
        fields.insert("temperature".into(), temperature.into());
    }
    if let Some(max_tokens) = request.max_tokens {
        fields.insert("max_tokens".into(), max_tokens.into());
    }
    if request.stream {
        fields.insert("stream".into(), true.into());
        fields.insert("stream_options".into(), serde_json::json!({"include_usage": true}));
    }
    if request.format == Format::Json {
        let format = match (&request.schema, endpoint.schema_format) {
            (Some(schema), SchemaFormat::JsonSchema) => serde_json::json!({
                "type": "json_schema",
                // Not strict: OpenAI's strict mode refuses any schema not written for it (every
                // property required, no others allowed); the answer is checked here either way.
                "json_schema": {"name": "answer", "schema": schema, "strict": false},
            }),
            (Some(schema), SchemaFormat::JsonObject) => {
                serde_json::json!({"type": "json_object", "schema": schema})
            }
            (None, _) => serde_json::json!({"type": "json_object"}),
        };
        fields.insert("response_format".into(), format);
    }
    body
}

/// Makes the call, retrying as the module says.
pub async fn complete(
    http: &dyn HttpClient,
    endpoint: &Endpoint,
    request: &Request,
    body: Json,
    invocation: &Invocation,
    shown: Option<&Shown>,
    host: &SharedHost,
) -> Result<Reply, ExecutionError> {
    let body = serde_json::to_vec(&body)
        .map_err(|e| ExecutionError::internal(format!("[{TYPE}] The request is not JSON: {e}")))?;
    let mut call = 1;
    loop {
        let error = match once(http, endpoint, request, &body, invocation, shown, host).await {
            Ok(mut reply) => {
                reply.calls = call;
                return Ok(reply);
            }
            Err(Failure::Final(error)) => return Err(error),
            Err(Failure::Again(error)) => error,
        };
        let delay = (call <= request.max_retries)
            .then(|| invocation.retry.delay_after(call, &error, host.random()))
            .flatten();
        let Some(delay) = delay else { return Err(error) };
        let wait = host.sleep(delay);
        let cancelled = invocation.signal.cancelled();
        futures::pin_mut!(wait, cancelled);
        if let futures::future::Either::Right(_) = futures::future::select(wait, cancelled).await {
            return Err(ExecutionError::new(ErrorCode::CANCELLED, format!("[{TYPE}] Cancelled")));
        }
        call += 1;
    }
}

/// Why a call failed: worth another call, or not.
enum Failure {
    Again(ExecutionError),
    Final(ExecutionError),
}

async fn once(
    http: &dyn HttpClient,
    endpoint: &Endpoint,
    request: &Request,
    body: &[u8],
    invocation: &Invocation,
    shown: Option<&Shown>,
    host: &SharedHost,
) -> Result<Reply, Failure> {
    if let Some(shown) = shown {
        shown.restart();
    }
    let mut headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    if let Some(key) = &endpoint.api_key {
        headers.push(("Authorization".to_owned(), format!("Bearer {key}")));
    }
    if request.stream {
        headers.push(("Accept".to_owned(), "text/event-stream".to_owned()));
    }
    let call = HttpRequest {
        method: "POST".to_owned(),
        url: endpoint.url.clone(),
        headers,
        body: Some(body.to_vec()),
        follow_redirects: true,
        timeout_ms: Some(request.timeout_ms),
        max_response_bytes: MAX_RESPONSE_BYTES,
        signal: invocation.signal.clone(),
    };
    // A host that streams bodies hands the answer over as it arrives; one that does not (a
    // browser's fetch here) gives it whole, read the same way at its end.
    let (sent, answer) = if request.stream && http.streams_bodies() {
        let answer = Arc::new(Mutex::new(Answer::default()));
        let sink = Sink::new(answer.clone(), shown.cloned());
        let bodies = StreamedBodies { upload: None, download: Some(Box::new(sink)) };
        let sent = http.send_streamed(call, bodies).await;
        let answer =
            std::mem::take(&mut *answer.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        (sent, Some(answer))
    } else {
        (http.send(call).await, None)
    };
    let response = sent.map_err(|error| {
        // A stream that began and then failed says how far it came.
        let began = answer.as_ref().filter(|answer| !answer.raw.is_empty());
        let what = match began {
            Some(answer) => format!(
                "The answer ended before it was complete ({} characters came)",
                answer.text.chars().count()
            ),
            None => "The model server did not answer".to_owned(),
        };
        let failure = effect_error(TYPE, endpoint.redact(&format!("{what}: {error}")), &error);
        match (error.kind, began.is_some()) {
            // The answer was coming when the request's time ran out: it takes longer than the
            // node allows, and asking again would take as long, and be paid for again.
            (EffectErrorKind::TimedOut, true) => {
                let mut failure = failure;
                failure
                    .message
                    .push_str(" (the answer takes longer than 'requestTimeout' allows: raise it)");
                Failure::Final(failure)
            }
            (EffectErrorKind::Network | EffectErrorKind::TimedOut, _) => Failure::Again(failure),
            _ => Failure::Final(failure),
        }
    })?;
    // A streamed call the server answered with one JSON object (an error, or a server that
    // does not stream) is read whole.
    let events = response
        .headers
        .iter()
        .any(|(name, value)| name == "content-type" && value.contains("event-stream"));
    let answer = match answer {
        Some(answer) if events || answer.complete() || !answer.text.is_empty() => answer,
        Some(answer) => Answer::whole(&answer.raw),
        None => {
            let answer = Answer::whole(&response.body);
            // Read whole (a host that cannot stream): progress shows the text once, at its end.
            if let Some(shown) = shown.filter(|_| !answer.text.is_empty()) {
                shown.text(Arc::from(answer.text.as_str()));
            }
            answer
        }
    };
    if !(200..300).contains(&response.status) {
        return Err(refused(&response, &answer, endpoint, host.now()));
    }
    if let Some(error) = &answer.error {
        let message =
            endpoint.redact(&format!("[{TYPE}] The model server failed mid-answer: {error}"));
        return Err(Failure::Again(ExecutionError::new(ErrorCode::TRANSPORT_ERROR, message)));
    }
    if !answer.complete() {
        let message = format!(
            "[{TYPE}] The answer ended before it was complete ({} characters came)",
            answer.text.chars().count()
        );
        return Err(Failure::Again(ExecutionError::new(ErrorCode::TRANSPORT_ERROR, message)));
    }
    Ok(Reply {
        model: answer.model.clone().unwrap_or_else(|| endpoint.model.clone()),
        text: answer.text,
        tool_calls: answer.tool_calls,
        finish_reason: answer.finish_reason,
        usage: answer.usage,
        calls: 1,
    })
}

/// A server's answer that is not a completion, by who can fix it: a 429 or 5xx is worth
/// another call (after its `Retry-After`), a refused key is `AUTHENTICATION_FAILED`, the rest
/// the node's failure with the server's own words.
fn refused(response: &HttpResponse, answer: &Answer, endpoint: &Endpoint, now: f64) -> Failure {
    let said = serde_json::from_slice::<Json>(&answer.raw)
        .ok()
        .and_then(|json| {
            json.get("error").map(error_text).or_else(|| json.get("detail").map(|d| d.to_string()))
        })
        .unwrap_or_else(|| {
            String::from_utf8_lossy(&answer.raw[..answer.raw.len().min(500)]).into_owned()
        });
    let message = endpoint.redact(&format!(
        "[{TYPE}] The model server answered {} {}: {said}",
        response.status, response.status_text
    ));
    let delay = response
        .headers
        .iter()
        .find(|(name, _)| name == "retry-after")
        .and_then(|(_, value)| retry_after_ms(value, now));
    let with_delay = |error: ExecutionError| {
        let error = error.with_context("status", json!(response.status));
        match delay {
            Some(ms) => error.with_retry_after(ms),
            None => error,
        }
    };
    match response.status {
        429 => {
            Failure::Again(with_delay(ExecutionError::new(ErrorCode::RATE_LIMIT_EXCEEDED, message)))
        }
        500..=599 => {
            Failure::Again(with_delay(ExecutionError::new(ErrorCode::TRANSPORT_ERROR, message)))
        }
        401 | 403 => Failure::Final(with_delay(ExecutionError::new(
            ErrorCode::AUTHENTICATION_FAILED,
            message,
        ))),
        _ => Failure::Final(with_delay(ExecutionError::new(ErrorCode::EXECUTION_FAILED, message))),
    }
}
