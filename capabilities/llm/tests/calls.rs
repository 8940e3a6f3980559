//! What the `llm` node sends and how it reads what comes back, under virtual time: the request
//! body its parameters and templates make, a JSON answer held to a schema and asked for again,
//! retries that wait what `Retry-After` says, a cut stream, the key kept out of errors, and the
//! node refused at validation, saying where it runs, by a build without this crate. The HTTP client here
//! answers from a script; the real model server answers the same calls in the npm suite
//! (`npm/test/llm.test.mjs`).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use atomiton_core::engine::FlowSource;
use atomiton_core::engine::RunHandles;
use atomiton_core::error::Result;
use atomiton_core::host::effects::{
    Credential, CredentialSource, EffectError, EffectErrorKind, EffectResult, HttpClient,
    HttpRequest, HttpResponse, StreamedBodies,
};
use atomiton_core::host::{BoxFuture, Capabilities, EngineEvent, Host};
use atomiton_core::session::SessionCapability;
use atomiton_core::testing::VirtualHost;
use atomiton_core::value::{Map, Str, Value};
use atomiton_core::{json, Engine, EngineConfig, ExecutionResult, NodeDefinition, RunOptions};

const KEY: &str = "sk-secret-0123456789";

/// One scripted answer: a status, its headers and body; `cut` streams the body and ends short.
#[derive(Clone)]
struct Scripted {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    /// The call fails this way once its body was streamed (a request that timed out mid-answer).
    fails: Option<EffectErrorKind>,
}

fn answer(text: &str) -> Scripted {
    let body = serde_json::json!({
        "model": "m",
        "choices": [{"message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13},
    });
    Scripted { status: 200, headers: json_type(), body: body.to_string(), fails: None }
}

fn stream(pieces: &[&str], done: bool) -> Scripted {
    let mut body = String::new();
    for piece in pieces {
        let chunk = serde_json::json!({"model": "m", "choices": [{"delta": {"content": piece}}]});
        body.push_str(&format!("data: {chunk}\n\n"));
    }
    if done {
        body.push_str(
            "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n",
        );
    }
    let headers = vec![("content-type".into(), "text/event-stream".into())];
    Scripted { status: 200, headers, body, fails: None }
}

fn status(status: u16, retry_after: Option<&str>) -> Scripted {
    let mut headers = json_type();
    if let Some(delay) = retry_after {
        headers.push(("retry-after".into(), delay.into()));
    }
    let body = format!("{{\"error\":{{\"message\":\"no ({KEY})\"}}}}");
    Scripted { status, headers, body, fails: None }
}

fn json_type() -> Vec<(String, String)> {
    vec![("content-type".into(), "application/json".into())]
}

/// A host whose HTTP client answers from a script, streaming bodies in pieces of 7 bytes, and
/// records what it was sent and when.
struct Scripting {
    inner: VirtualHost,
    script: Mutex<VecDeque<Scripted>>,
    sent: Arc<Mutex<Vec<Sent>>>,
}

/// One call as the client got it.
struct Sent {
    /// Virtual time it was sent at.
    at: f64,
    body: serde_json::Value,
    timeout_ms: Option<f64>,
}

impl Scripting {
    fn next(&self, request: &HttpRequest) -> Option<Scripted> {
        let body = serde_json::from_slice(request.body.as_deref().unwrap_or(b"null")).unwrap();
        self.sent.lock().unwrap().push(Sent {
            at: self.inner.now(),
            body,
            timeout_ms: request.timeout_ms,
        });
        assert_eq!(request.url, "http://127.0.0.1:9/v1/chat/completions");
        assert!(request.headers.contains(&("Authorization".into(), format!("Bearer {KEY}"))));
        self.script.lock().unwrap().pop_front()
    }
}

fn response(scripted: &Scripted, body: Vec<u8>) -> HttpResponse {
    HttpResponse {
        status: scripted.status,
        status_text: String::new(),
        headers: scripted.headers.clone(),
        body,
        url: String::new(),
    }
}

impl HttpClient for Scripting {
    fn send(&self, request: HttpRequest) -> BoxFuture<'static, EffectResult<HttpResponse>> {
        let next = self.next(&request);
        Box::pin(async move {
            let scripted =
                next.ok_or_else(|| EffectError::new(EffectErrorKind::Network, "refused"))?;
            Ok(response(&scripted, scripted.body.clone().into_bytes()))
        })
    }

    fn streams_bodies(&self) -> bool {
        true
    }

    fn send_streamed(
        &self,
        request: HttpRequest,
        bodies: StreamedBodies,
    ) -> BoxFuture<'static, EffectResult<HttpResponse>> {
        let next = self.next(&request);
        Box::pin(async move {
            let scripted =
                next.ok_or_else(|| EffectError::new(EffectErrorKind::Network, "refused"))?;
            let mut download = bodies.download.expect("a streamed call gives a sink");
            for piece in scripted.body.as_bytes().chunks(7) {
                download.write(piece.to_vec()).await?;
            }
            if let Some(kind) = scripted.fails {
                return Err(EffectError::new(kind, "the request took longer than 300000 ms"));
            }
            download.finish().await?;
            Ok(response(&scripted, Vec::new()))
        })
    }
}

impl CredentialSource for Scripting {
    fn credential(&self, name: &str) -> BoxFuture<'static, Result<Option<Credential>>> {
        let mut fields = Map::new();
        for (field, value) in
            [("baseUrl", "http://127.0.0.1:9/v1/"), ("model", "m"), ("apiKey", KEY)]
        {
            fields.insert(Str::from(field), Value::String(value.into()));
        }
        let found = (name == "local").then(|| Credential { kind: "openai".into(), fields });
        Box::pin(async move { Ok(found) })
    }
}

impl Host for Scripting {
    atomiton_core::forward_host_basics!(inner);
    fn capabilities(&self) -> Capabilities {
        Capabilities::ALL
    }
    fn http(&self) -> Option<&dyn HttpClient> {
        Some(self)
    }
    fn credentials(&self) -> Option<&dyn CredentialSource> {
        Some(self)
    }
}

struct Outcome {
    result: ExecutionResult,
    sent: Vec<Sent>,
    /// The texts progress showed for the node, in order, each once.
    texts: Vec<String>,
}

fn run_with(parameters: Value, script: Vec<Scripted>, provided: bool) -> Outcome {
    run_calling(parameters, script, provided, Vec::new())
}

/// Saved flows, by id, for the runs' tools.
struct Flows(Vec<NodeDefinition>);

impl FlowSource for Flows {
    fn load(&self, id: &str) -> BoxFuture<'static, Result<Option<NodeDefinition>>> {
        let found = self.0.iter().find(|flow| flow.id_str() == id).cloned();
        Box::pin(async move { Ok(found) })
    }
}

/// [`run_with`], the run finding `flows` saved.
fn run_calling(
    parameters: Value,
    script: Vec<Scripted>,
    provided: bool,
    flows: Vec<NodeDefinition>,
) -> Outcome {
    let Value::Object(parameters) = parameters else { panic!("parameters are an object") };
    let mut node = NodeDefinition::new("ask", "llm");
    for (key, value) in parameters {
        node = node.with_param(&key, value);
    }
    let inner = VirtualHost::new();
    let sent = Arc::new(Mutex::new(Vec::new()));
    let host = Arc::new(Scripting {
        inner: inner.clone(),
        script: Mutex::new(script.into()),
        sent: sent.clone(),
    });
    let mut registry = atomiton_core::nodes::builtin_registry();
    if provided {
        atomiton_llm::Llm.provide(&mut registry);
    }
    // Traced, so the span records say what tokens the node used.
    // Every change of the node's state, so each text it showed is seen.
    let options = RunOptions {
        input: Some(json!({"data": {"review": "Loved it", "stars": 5}})),
        telemetry: Some(json!({})),
        state_events: true,
        ..Default::default()
    };
    let engine = Engine::with_registry(registry, EngineConfig::default())
        .with_tracing(Arc::new(atomiton_telemetry::Telemetry));
    let texts = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = texts.clone();
    let sink = move |event: EngineEvent| {
        if let EngineEvent::NodeChanged { node, .. } = event {
            let mut texts = seen.lock().unwrap();
            if let Some(text) = node
                .text
                .filter(|t| &*node.id == "ask" && texts.last().map(String::as_str) != Some(&**t))
            {
                texts.push(text.to_string());
            }
        }
    };
    let handles = RunHandles {
        flows: Some(Arc::new(Flows(flows))),
        event_sink: Some(Arc::new(sink)),
        ..RunHandles::default()
    };
    let result = inner.block_on(async move { engine.run_with(node, options, handles, host).await });
    let sent = std::mem::take(&mut *sent.lock().unwrap());
    let texts = std::mem::take(&mut *texts.lock().unwrap());
    Outcome { result, sent, texts }
}

fn run(parameters: Value, script: Vec<Scripted>) -> Outcome {
    run_with(parameters, script, true)
}

/// The tokens the run's span records give the node: `[input, output]`, the records' last field.
fn traced_tokens(outcome: &Outcome) -> Option<serde_json::Value> {
    let spans: serde_json::Value = serde_json::from_str(outcome.result.spans.as_deref()?).ok()?;
    let record = spans[1].as_array()?.iter().find(|r| r[2] == "ask")?.clone();
    record.as_array()?.get(14).cloned()
}

fn output(outcome: &Outcome) -> &Value {
    assert!(outcome.result.success, "{:?}", outcome.result.error);
    outcome.result.data.as_ref().expect("an output")
}

#[test]
fn messages_are_written_from_templates_and_sent_with_the_options() {
    let outcome = run(
        json!({
            "credential": "local",
            "system": "You rate reviews.",
            "messages": [{"role": "assistant", "content": "Ready."}],
            "prompt": "Rate: {{ review }} ({{ stars }} stars) {{ data }}",
            "model": "other",
            "temperature": 0,
            "maxTokens": 50,
            "stream": false,
            "requestTimeout": 1234
        }),
        vec![answer("Good")],
    );
    let out = output(&outcome);
    assert_eq!(out.get("text"), Some(&json!("Good")));
    assert_eq!(
        out.get("usage"),
        Some(&json!({"promptTokens": 10, "completionTokens": 3, "totalTokens": 13}))
    );
    let [sent] = outcome.sent.as_slice() else { panic!("one call") };
    assert_eq!(sent.timeout_ms, Some(1234.0), "requestTimeout bounds the call");
    assert_eq!(
        sent.body,
        serde_json::json!({
            "model": "other",
            "messages": [
                {"role": "system", "content": "You rate reviews."},
                {"role": "assistant", "content": "Ready."},
                {"role": "user", "content": "Rate: Loved it (5 stars) {\"review\":\"Loved it\",\"stars\":5}"}
            ],
            "temperature": 0.0,
            "max_tokens": 50
        })
    );
}

#[test]
fn a_streamed_answer_is_read_in_pieces() {
    let outcome = run(
        json!({"credential": "local", "prompt": "Hi"}),
        vec![stream(&["Hel", "lo", " there"], true)],
    );
    assert_eq!(output(&outcome).get("text"), Some(&json!("Hello there")));
    let body = &outcome.sent[0].body;
    assert_eq!(body["stream"], true);
    assert_eq!(body["stream_options"], serde_json::json!({"include_usage": true}));
}

#[test]
fn an_answer_off_the_schema_is_asked_for_again_with_what_was_wrong() {
    let schema = json!({"type": "object", "properties": {"stars": {"type": "integer", "maximum": 5}}, "required": ["stars"]});
    let outcome = run(
        json!({"credential": "local", "prompt": "Rate", "schema": schema, "stream": false}),
        vec![answer("{\"stars\": 9}"), answer("{\"stars\": 4}")],
    );
    let out = output(&outcome);
    assert_eq!(out.get("json"), Some(&json!({"stars": 4})));
    assert_eq!(out.get("answers"), Some(&json!(2)));
    assert_eq!(
        out.get("usage").and_then(|u| u.get("totalTokens")),
        Some(&json!(26)),
        "both answers' tokens"
    );
    assert_eq!(traced_tokens(&outcome), Some(serde_json::json!([20, 6])), "and the span's");
    let first = &outcome.sent[0].body;
    assert_eq!(first["response_format"]["type"], "json_schema");
    assert_eq!(
        first["response_format"]["json_schema"]["schema"]["required"],
        serde_json::json!(["stars"])
    );
    let again = outcome.sent[1].body["messages"].as_array().unwrap();
    assert_eq!(again[1]["content"], "{\"stars\": 9}");
    assert_eq!(
        again[2]["content"],
        "That answer is not valid: $.stars should be at most 5. Answer again with only JSON that matches the schema."
    );
}

#[test]
fn a_json_answer_without_a_schema_is_parsed() {
    let outcome = run(
        json!({"credential": "local", "prompt": "List", "responseFormat": "json", "stream": false}),
        vec![answer("Sure: [1, 2]"), answer("[1, 2]")],
    );
    assert_eq!(output(&outcome).get("json"), Some(&json!([1, 2])));
    assert_eq!(
        output(&outcome).get("answers"),
        Some(&json!(2)),
        "an answer that is not JSON is asked for again"
    );
    let again = outcome.sent[1].body["messages"].as_array().unwrap();
    assert!(
        again[2]["content"].as_str().unwrap().ends_with("Answer again with only JSON."),
        "{}",
        again[2]
    );
    assert_eq!(outcome.sent[0].body["response_format"], serde_json::json!({"type": "json_object"}));
    let text = run(
        json!({"credential": "local", "prompt": "List", "stream": false}),
        vec![answer("[1, 2]")],
    );
    assert_eq!(output(&text).get("json"), None, "text by default");
    assert_eq!(text.sent[0].body.get("response_format"), None);
}

#[test]
fn answers_that_never_match_fail_after_the_attempts_given() {
    let outcome = run(
        json!({"credential": "local", "prompt": "Rate", "schema": {"type": "object"}, "schemaAttempts": 2, "stream": false}),
        vec![answer("nope"), answer("[1]")],
    );
    let error = outcome.result.error.clone().expect("failed");
    assert_eq!(error.code.as_str(), "VALIDATION_FAILED");
    assert!(
        error.message.contains("in 2 answers; the last: $ should be object but is array"),
        "{}",
        error.message
    );
    assert_eq!(outcome.sent.len(), 2);
    assert_eq!(traced_tokens(&outcome), Some(serde_json::json!([20, 6])), "a failed node paid too");
}

#[test]
fn rate_limits_and_server_errors_wait_what_retry_after_says() {
    let outcome = run(
        json!({"credential": "local", "prompt": "Hi"}),
        vec![
            status(429, Some("7")),
            status(503, None),
            stream(&["ok"], false),
            stream(&["ok"], true),
        ],
    );
    assert_eq!(output(&outcome).get("calls"), Some(&json!(4)));
    let times: Vec<f64> = outcome.sent.iter().map(|sent| sent.at).collect();
    assert!(times[1] - times[0] >= 7000.0, "Retry-After: 7 waited ({times:?})");
    assert!(times[2] > times[1] && times[3] > times[2], "backoff between the others ({times:?})");
}

#[test]
fn each_request_starts_the_progress_text_again() {
    // A cut stream, tried again: the cut answer's text is gone before the next one's comes.
    let outcome = run(
        json!({"credential": "local", "prompt": "Hi", "retryDelay": 10}),
        vec![stream(&["Hel", "lo the"], false), stream(&["Bye"], true)],
    );
    assert_eq!(output(&outcome).get("text"), Some(&json!("Bye")));
    assert_eq!(outcome.texts.last().map(String::as_str), Some("Bye"), "{:?}", outcome.texts);
    let cut = outcome.texts.iter().position(|t| t == "Hello the").expect("the cut text shown");
    assert_eq!(outcome.texts[cut + 1], "", "{:?}", outcome.texts);
    // A request that showed nothing (a refusal) starts no empty text.
    let outcome = run(
        json!({"credential": "local", "prompt": "Hi", "retryDelay": 10}),
        vec![status(503, None), stream(&["Bye"], true)],
    );
    assert_eq!(outcome.texts, ["Bye"]);
}

#[test]
fn retries_wait_the_node_s_retry_delay() {
    let outcome = run(
        json!({"credential": "local", "prompt": "Hi", "retryDelay": 10}),
        vec![status(503, None), status(503, None), stream(&["ok"], true)],
    );
    assert_eq!(output(&outcome).get("calls"), Some(&json!(3)));
    let times: Vec<f64> = outcome.sent.iter().map(|sent| sent.at).collect();
    // 10 ms then 20 ms, each with half of it random (the conductor's default would be 1 s, 2 s).
    let waits = [times[1] - times[0], times[2] - times[1]];
    assert!((5.0..=10.0).contains(&waits[0]) && (10.0..=20.0).contains(&waits[1]), "{waits:?}");
}

#[test]
fn failures_keep_their_codes_and_never_show_the_key() {
    let cases = [
        (status(401, None), "AUTHENTICATION_FAILED", 1),
        (status(400, None), "EXECUTION_FAILED", 1),
        (status(429, Some("3600")), "RATE_LIMIT_EXCEEDED", 1),
    ];
    for (scripted, code, calls) in cases {
        let outcome = run(json!({"credential": "local", "prompt": "Hi"}), vec![scripted]);
        let error = outcome.result.error.expect("failed");
        assert_eq!(error.code.as_str(), code, "{}", error.message);
        assert!(!error.message.contains(KEY), "{}", error.message);
        assert_eq!(outcome.sent.len(), calls);
    }
    let cut = run(
        json!({"credential": "local", "prompt": "Hi", "maxRetries": 1}),
        vec![stream(&["a"], false); 2],
    );
    let error = cut.result.error.expect("failed");
    assert_eq!(error.code.as_str(), "TRANSPORT_ERROR");
    assert_eq!(cut.sent.len(), 2, "one retry");
    // The request's time ran out while the answer came: another call would take as long (and
    // be paid for again), so there is none. One that timed out before an answer began is tried
    // again.
    let slow = Scripted { fails: Some(EffectErrorKind::TimedOut), ..stream(&["a", "b"], false) };
    let timed_out =
        run(json!({"credential": "local", "prompt": "Hi", "maxRetries": 2}), vec![slow; 3]);
    let error = timed_out.result.error.expect("failed");
    assert_eq!(error.code.as_str(), "TIMEOUT", "{}", error.message);
    assert!(error.message.contains("raise it"), "{}", error.message);
    assert_eq!(timed_out.sent.len(), 1, "not tried again");
    let silent = Scripted { fails: Some(EffectErrorKind::TimedOut), ..stream(&[], false) };
    let retried =
        run(json!({"credential": "local", "prompt": "Hi", "maxRetries": 2}), vec![silent; 3]);
    assert_eq!(retried.result.error.expect("failed").code.as_str(), "TIMEOUT");
    assert_eq!(retried.sent.len(), 3, "tried again, twice");
}

#[test]
fn a_build_without_the_crate_says_where_the_node_runs() {
    let outcome =
        run_with(json!({"credential": "local", "prompt": "Hi"}), vec![answer("x")], false);
    let error = outcome.result.error.expect("refused");
    assert_eq!(error.code.as_str(), "IMPLEMENTATION_NOT_FOUND");
    assert!(error.message.contains("needs a language-model client"), "{}", error.message);
    assert!(outcome.sent.is_empty());
}

/// An answer that calls tools: `(id, name, arguments)` each.
fn calling(calls: &[(&str, &str, &str)]) -> Scripted {
    let calls: Vec<serde_json::Value> = calls
        .iter()
        .map(|(id, name, arguments)| {
            serde_json::json!({"id": id, "type": "function", "function": {"name": name, "arguments": arguments}})
        })
        .collect();
    let body = serde_json::json!({
        "model": "m",
        "choices": [{"message": {"role": "assistant", "content": null, "tool_calls": calls}, "finish_reason": "tool_calls"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13},
    });
    Scripted { status: 200, headers: json_type(), body: body.to_string(), fails: None }
}

/// The same, streamed: the call's id and name first, its arguments in two pieces.
fn calling_streamed(id: &str, name: &str, arguments: &str) -> Scripted {
    let (first, rest) = arguments.split_at(arguments.len() / 2);
    let chunks = [
        serde_json::json!({"choices": [{"delta": {"role": "assistant", "tool_calls": [{"index": 0, "id": id, "type": "function", "function": {"name": name, "arguments": ""}}]}}]}),
        serde_json::json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"arguments": first}}]}}]}),
        serde_json::json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"arguments": rest}}]}, "finish_reason": "tool_calls"}]}),
    ];
    let mut body: String = chunks.iter().map(|chunk| format!("data: {chunk}\n\n")).collect();
    body.push_str("data: [DONE]\n\n");
    let headers = vec![("content-type".into(), "text/event-stream".into())];
    Scripted { status: 200, headers, body, fails: None }
}

/// The saved flow `weather`: says each city in its input's `cities` is sunny.
fn weather_flow() -> NodeDefinition {
    let mut flow = NodeDefinition::group(
        "weather",
        vec![NodeDefinition::new("say", "transform")
            .with_param("dataPath", json!("cities"))
            .with_param("transformFunction", json!("c => c + ' is sunny'"))],
        Vec::new(),
    );
    flow.name = Some("The weather in some cities".into());
    flow
}

/// The saved flow `broken`: fails (its transform is given no list).
fn broken_flow() -> NodeDefinition {
    NodeDefinition::group(
        "broken",
        vec![NodeDefinition::new("fail", "transform").with_param("dataPath", json!("nothing"))],
        Vec::new(),
    )
}

fn with_tools(parameters: serde_json::Value) -> Value {
    let mut all = serde_json::json!({
        "credential": "local",
        "prompt": "What is the weather in Oslo?",
        "stream": false,
        "tools": [{
            "flowId": "weather",
            "parameters": {"type": "object", "properties": {"cities": {"type": "array", "items": {"type": "string"}}}}
        }]
    });
    for (key, value) in parameters.as_object().unwrap() {
        all[key] = value.clone();
    }
    atomiton_core::value::to_value(&all).unwrap()
}

#[test]
fn a_tool_call_runs_its_flow_and_the_model_reads_what_it_gave() {
    let outcome = run_calling(
        with_tools(serde_json::json!({})),
        vec![calling(&[("c1", "weather", r#"{"cities":["Oslo"]}"#)]), answer("Sunny in Oslo.")],
        true,
        vec![weather_flow()],
    );
    let out = output(&outcome);
    assert_eq!(out.get("text"), Some(&json!("Sunny in Oslo.")));
    let [first, second] = outcome.sent.as_slice() else { panic!("two answers asked for") };
    assert_eq!(
        first.body["tools"],
        serde_json::json!([{"type": "function", "function": {
            "name": "weather",
            "description": "The weather in some cities",
            "parameters": {"type": "object", "properties": {"cities": {"type": "array", "items": {"type": "string"}}}}
        }}]),
        "the flow is offered, described by its name"
    );
    assert_eq!(first.body["tool_choice"], "auto");
    let messages = second.body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 3);
    assert_eq!(
        messages[1],
        serde_json::json!({"role": "assistant", "content": "", "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "weather", "arguments": "{\"cities\":[\"Oslo\"]}"}}
        ]})
    );
    assert_eq!(messages[2]["role"], "tool");
    assert_eq!(messages[2]["tool_call_id"], "c1");
    let told: serde_json::Value =
        serde_json::from_str(messages[2]["content"].as_str().unwrap()).unwrap();
    assert_eq!(told["result"], serde_json::json!(["Oslo is sunny"]), "the flow's output");
    let calls = out.get("toolCalls").and_then(Value::as_array).expect("toolCalls");
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].get("flowId"), Some(&json!("weather")));
    assert_eq!(calls[0].get("arguments"), Some(&json!({"cities": ["Oslo"]})));
    assert_eq!(
        calls[0].get("output").and_then(|o| o.get("result")),
        Some(&json!(["Oslo is sunny"]))
    );
    assert_eq!(
        out.get("usage").and_then(|u| u.get("totalTokens")),
        Some(&json!(26)),
        "both answers' tokens"
    );
}

#[test]
fn a_forced_tool_streams_its_call_and_later_answers_are_free() {
    let outcome = run_calling(
        with_tools(serde_json::json!({"stream": true, "toolChoice": "weather"})),
        vec![
            calling_streamed("c9", "weather", r#"{"cities":["Oslo","Rome"]}"#),
            stream(&["Both ", "sunny."], true),
        ],
        true,
        vec![weather_flow()],
    );
    let out = output(&outcome);
    assert_eq!(out.get("text"), Some(&json!("Both sunny.")));
    assert_eq!(
        outcome.sent[0].body["tool_choice"],
        serde_json::json!({"type": "function", "function": {"name": "weather"}})
    );
    assert_eq!(outcome.sent[1].body["tool_choice"], "auto", "a forced call is forced once");
    let calls = out.get("toolCalls").and_then(Value::as_array).expect("toolCalls");
    assert_eq!(
        calls[0].get("output").and_then(|o| o.get("result")),
        Some(&json!(["Oslo is sunny", "Rome is sunny"]))
    );
}

#[test]
fn a_failing_tool_tells_the_model_and_rounds_are_bounded() {
    let outcome = run_calling(
        with_tools(serde_json::json!({
            "tools": [{"flowId": "weather"}, {"flowId": "broken", "name": "forecast"}],
            "maxToolSteps": 2
        })),
        vec![
            calling(&[
                ("a", "forecast", "{}"),
                ("b", "nowhere", "{}"),
                ("c", "weather", "{not json"),
            ]),
            calling(&[("d", "weather", r#"{"cities":[]}"#)]),
            answer("I could not find out."),
        ],
        true,
        vec![weather_flow(), broken_flow()],
    );
    let out = output(&outcome);
    assert_eq!(out.get("text"), Some(&json!("I could not find out.")));
    let choices: Vec<&serde_json::Value> =
        outcome.sent.iter().map(|sent| &sent.body["tool_choice"]).collect();
    assert_eq!(choices, ["auto", "auto", "none"], "after the last round, no tools");
    let told = &outcome.sent[1].body["messages"].as_array().unwrap()[2..5];
    let error = |i: usize| -> String {
        let content: serde_json::Value =
            serde_json::from_str(told[i]["content"].as_str().unwrap()).unwrap();
        content["error"].as_str().unwrap().to_owned()
    };
    assert!(
        error(0).contains("Flow 'broken' failed at 'fail'")
            && error(0).contains("must be an array"),
        "{}",
        error(0)
    );
    assert_eq!(error(1), "There is no tool 'nowhere'; the tools are: weather, forecast");
    assert!(error(2).starts_with("The arguments are not JSON"), "{}", error(2));
    let calls = out.get("toolCalls").and_then(Value::as_array).expect("toolCalls");
    assert_eq!(calls.len(), 4);
    assert!(calls[0].get("error").is_some() && calls[3].get("output").is_some());

    let stubborn = run_calling(
        with_tools(serde_json::json!({"maxToolSteps": 1})),
        vec![calling(&[("a", "weather", "{}")]), calling(&[("b", "weather", "{}")])],
        true,
        vec![weather_flow()],
    );
    let error = stubborn.result.error.expect("failed");
    assert_eq!(error.code.as_str(), "EXECUTION_FAILED");
    assert!(error.message.contains("still called tools after 1 rounds"), "{}", error.message);
}

#[test]
fn the_token_budget_stops_asking() {
    let outcome = run_calling(
        with_tools(serde_json::json!({"tokenBudget": 20})),
        vec![
            calling(&[("a", "weather", "{}")]),
            calling(&[("b", "weather", "{}")]),
            answer("never asked"),
        ],
        true,
        vec![weather_flow()],
    );
    let error = outcome.result.error.expect("failed");
    assert_eq!(error.code.as_str(), "EXECUTION_FAILED");
    assert!(
        error.message.contains("used 26 tokens, its whole tokenBudget of 20"),
        "{}",
        error.message
    );
    assert_eq!(outcome.sent.len(), 2);
}

#[test]
fn tools_are_checked_before_the_run() {
    let missing =
        run_calling(with_tools(serde_json::json!({})), vec![answer("x")], true, Vec::new());
    let error = missing.result.error.expect("refused");
    assert!(
        error.message.contains("llm (tools.0.flowId) calls flow 'weather', which is neither a saved flow nor a template"),
        "{}",
        error.message
    );
    assert!(missing.sent.is_empty());
    let mut registry = atomiton_core::nodes::builtin_registry();
    atomiton_llm::Llm.provide(&mut registry);
    let llm = registry.get("llm").unwrap();
    let Value::Object(parameters) = json!({
        "credential": "local",
        "prompt": "Hi",
        "tools": [{"flowId": "a b"}, {"flowId": "a-b", "name": "a_b"}, {"name": "x"}, {"flowId": "c", "name": "bad name", "parameters": 3}, {"node": {"id": "n"}}, {"flowId": "d", "node": {"type": "transform"}}],
        "toolChoice": "other"
    }) else {
        unreachable!()
    };
    let issues: Vec<String> = llm
        .check_parameters(&parameters)
        .iter()
        .map(|i| format!("{}: {}", i.field, i.message))
        .collect();
    assert_eq!(
        issues,
        [
            "tools.2.flowId: a tool is a saved flow (flowId) or one node (node): one of them is required",
            "tools.3.parameters: a tool's parameters are a JSON schema: an object",
            "tools.4.node: a tool's node is a node of a flow: {type, parameters?, id?}",
            "tools.5.node: a tool is a saved flow (flowId) or one node (node), not both",
            "tools.1.name: two tools are named 'a_b': give one a name of its own",
            "tools.3.name: a tool's name is 1 to 64 letters, digits, _ or -",
            "toolChoice: 'toolChoice' is auto, required, none or a tool's name, not 'other'",
        ]
    );
    assert_eq!(
        llm.called_flows(&parameters)
            .iter()
            .map(|c| (c.field.as_str(), c.flow_id.as_str()))
            .collect::<Vec<_>>(),
        [("tools.0.flowId", "a b"), ("tools.1.flowId", "a-b"), ("tools.3.flowId", "c")],
        "a tool with both is read as neither"
    );
}

#[test]
fn a_tool_can_be_one_node_run_as_a_flow_of_its_own() {
    let say = serde_json::json!({
        "id": "say",
        "type": "transform",
        "name": "Says each city is sunny",
        "parameters": {"dataPath": "cities", "transformFunction": "c => c + ' is sunny'"}
    });
    let outcome = run_calling(
        with_tools(serde_json::json!({"tools": [{"node": say}]})),
        vec![calling(&[("c1", "say", r#"{"cities":["Oslo"]}"#)]), answer("Sunny.")],
        true,
        Vec::new(),
    );
    let out = output(&outcome);
    let function = &outcome.sent[0].body["tools"][0]["function"];
    assert_eq!(function["name"], "say", "named by the node's id");
    assert_eq!(function["description"], "Says each city is sunny", "described by its name");
    let calls = out.get("toolCalls").and_then(Value::as_array).expect("toolCalls");
    assert_eq!(calls[0].get("nodeType"), Some(&json!("transform")));
    assert_eq!(
        calls[0].get("output").and_then(|o| o.get("result")),
        Some(&json!(["Oslo is sunny"]))
    );
    let broken = run_calling(
        with_tools(
            serde_json::json!({"tools": [{"node": {"type": "transform", "parameters": {"operation": "explode"}}}]}),
        ),
        vec![answer("x")],
        true,
        Vec::new(),
    );
    let error = broken.result.error.expect("refused");
    assert!(
        error.message.contains("In flow 'tool tool #") && error.message.contains("operation"),
        "the node is checked with the flow: {}",
        error.message
    );
    assert!(broken.sent.is_empty());
}

#[test]
fn tokens_a_tool_spends_count_on_the_span_of_the_node_that_called_it() {
    // The tool's flow asks a model too: nested runs keep no spans, so its tokens are the
    // calling node's.
    let inner = NodeDefinition::group(
        "inner",
        vec![NodeDefinition::new("deep", "llm")
            .with_param("credential", json!("local"))
            .with_param("prompt", json!("Say more"))
            .with_param("stream", json!(false))],
        Vec::new(),
    );
    let outcome = run_calling(
        with_tools(serde_json::json!({"tools": [{"flowId": "inner"}]})),
        vec![calling(&[("c1", "inner", "{}")]), answer("deep answer"), answer("Done.")],
        true,
        vec![inner],
    );
    let out = output(&outcome);
    let calls = out.get("toolCalls").and_then(Value::as_array).expect("toolCalls");
    assert_eq!(
        calls[0].get("output").and_then(|o| o.get("text")),
        Some(&json!("deep answer")),
        "the inner node answered"
    );
    assert_eq!(
        traced_tokens(&outcome),
        Some(serde_json::json!([30, 9])),
        "two answers of the node's own and one of its tool's"
    );
}
