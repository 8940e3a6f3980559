//! `http-request` and HTTP 429: a retryable `RATE_LIMIT_EXCEEDED` failure whose retries wait for
//! the server's `Retry-After`. Against a scripted HTTP client on virtual time, so waits are exact
//! and cost nothing.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use atomiton_core::host::effects::{EffectResult, HttpClient, HttpRequest, HttpResponse};
use atomiton_core::host::{BoxFuture, Capabilities, Host, SharedHost};
use atomiton_core::json;
use atomiton_core::testing::VirtualHost;
use atomiton_core::{Engine, ErrorCode, ExecutionResult, NodeDefinition, RunOptions};

/// Answers requests from a script, recording when (virtual ms) each arrived.
struct ScriptedHttp {
    clock: VirtualHost,
    answers: Mutex<VecDeque<HttpResponse>>,
    arrivals: Mutex<Vec<f64>>,
}

impl HttpClient for ScriptedHttp {
    fn send(&self, request: HttpRequest) -> BoxFuture<'static, EffectResult<HttpResponse>> {
        self.arrivals.lock().unwrap().push(self.clock.elapsed());
        let answer = self
            .answers
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or_else(|| response(200, &[], &request.url));
        Box::pin(async move { Ok(answer) })
    }
}

/// The virtual host with the scripted client as its HTTP.
struct TestHost {
    inner: VirtualHost,
    http: ScriptedHttp,
}

impl Host for TestHost {
    atomiton_core::forward_host_basics!(inner);
    fn capabilities(&self) -> Capabilities {
        Capabilities { http: true, ..Capabilities::NONE }
    }
    fn http(&self) -> Option<&dyn HttpClient> {
        Some(&self.http)
    }
}

fn response(status: u16, headers: &[(&str, &str)], url: &str) -> HttpResponse {
    HttpResponse {
        status,
        status_text: if status == 429 { "Too Many Requests".into() } else { "OK".into() },
        headers: headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        body: b"{\"ok\":true}".to_vec(),
        url: url.to_owned(),
    }
}

const URL: &str = "https://api.example.com/items";

/// Runs one `http-request` node with `retries` against `answers`; the result and the virtual
/// times at which requests arrived.
fn run(retries: u32, answers: Vec<HttpResponse>) -> (ExecutionResult, Vec<f64>) {
    let inner = VirtualHost::new();
    let host = Arc::new(TestHost {
        inner: inner.clone(),
        http: ScriptedHttp {
            clock: inner.clone(),
            answers: Mutex::new(answers.into()),
            arrivals: Mutex::new(Vec::new()),
        },
    });
    let flow = NodeDefinition::new("fetch", "http-request")
        .with_param("url", URL)
        .with_param("retries", json!(retries));
    let shared: SharedHost = host.clone();
    let result = inner.block_on(Engine::default().run(flow, RunOptions::default(), shared));
    let arrivals = host.http.arrivals.lock().unwrap().clone();
    (result, arrivals)
}

fn too_many(retry_after: Option<&str>) -> HttpResponse {
    match retry_after {
        Some(value) => response(429, &[("retry-after", value)], URL),
        None => response(429, &[], URL),
    }
}

#[test]
fn a_429_fails_the_node_with_rate_limit_exceeded_saying_when_to_retry() {
    let (result, arrivals) = run(0, vec![too_many(Some("2"))]);
    assert_eq!(arrivals.len(), 1);
    let error = result.error.expect("a 429 is a failure");
    assert_eq!(error.code, ErrorCode::RATE_LIMIT_EXCEEDED);
    assert_eq!(error.message, format!("[http-request] Rate limit exceeded: 429 Too Many Requests from {URL}; retry after 2000 ms"));
    assert_eq!(error.node_id.as_deref(), Some("fetch"));
    let recovery = error.recovery.as_deref().expect("recovery advice");
    assert!(recovery.retryable);
    assert_eq!(recovery.retry_delay_ms, Some(2000), "the advice is the server's delay");
    let context = error.context.as_deref().expect("context");
    assert_eq!(context["retryAfterMs"], json!(2000));
    assert_eq!(context["status"], json!(429));
}

#[test]
fn retries_wait_for_retry_after_then_succeed() {
    let (result, arrivals) = run(
        2,
        vec![too_many(Some("2")), response(200, &[("content-type", "application/json")], URL)],
    );
    assert!(result.success, "{:?}", result.error);
    assert_eq!(result.data.as_ref().map(|d| d["status"].clone()), Some(json!(200)));
    assert_eq!(arrivals.len(), 2);
    // The engine's own first backoff is at most 1 s (retryDelay 1000): the 2 s are the server's.
    assert_eq!(arrivals[1] - arrivals[0], 2000.0);
}

#[test]
fn an_http_date_retry_after_counts_from_now() {
    // The virtual clock starts at 2024-01-01T00:00:00Z.
    let (result, arrivals) =
        run(1, vec![too_many(Some("Mon, 01 Jan 2024 00:00:05 GMT")), response(200, &[], URL)]);
    assert!(result.success, "{:?}", result.error);
    assert_eq!(arrivals, vec![0.0, 5000.0]);
}

#[test]
fn a_retry_after_beyond_the_longest_backoff_is_not_retried_early() {
    let (result, arrivals) = run(3, vec![too_many(Some("3600")), response(200, &[], URL)]);
    assert_eq!(arrivals.len(), 1, "retrying before the hour is up would ignore the server");
    let error = result.error.expect("failed");
    assert_eq!(error.code, ErrorCode::RATE_LIMIT_EXCEEDED);
    assert!(error.message.ends_with("; retry after 3600000 ms"), "{}", error.message);
}

#[test]
fn without_retry_after_the_engine_backoff_applies_until_retries_run_out() {
    let (result, arrivals) =
        run(2, vec![too_many(None), too_many(None), too_many(None), response(200, &[], URL)]);
    assert_eq!(arrivals.len(), 3);
    let error = result.error.expect("three 429s with two retries fail");
    assert_eq!(error.code, ErrorCode::RATE_LIMIT_EXCEEDED);
    assert_eq!(
        error.message,
        format!("[http-request] Rate limit exceeded: 429 Too Many Requests from {URL}")
    );
    assert_eq!(
        error.recovery.as_deref().and_then(|r| r.retry_delay_ms),
        Some(5000),
        "the table's advice when the server gave none"
    );
    assert!(error.context.as_deref().is_some_and(|c| !c.contains_key("retryAfterMs")));
}

#[test]
fn other_error_statuses_stay_results() {
    let (result, arrivals) = run(2, vec![response(503, &[("retry-after", "1")], URL)]);
    assert!(result.success, "{:?}", result.error);
    assert_eq!(arrivals.len(), 1);
    let data = result.data.expect("data");
    assert_eq!((data["status"].clone(), data["success"].clone()), (json!(503), json!(false)));
}
