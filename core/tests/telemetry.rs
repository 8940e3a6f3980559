//! A traced run (`telemetry` in its options): its result lists each node that started with the
//! engine's times, its attempts (retries with the code of each failed attempt) and its error
//! code; `http-request` asks the host for its span's trace headers on every attempt (unless the
//! run does not propagate, or the flow set the header itself). An untraced run has no records
//! and never asks. Virtual time, so the times are exact.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use atomiton_core::engine::RunHandles;
use atomiton_core::host::effects::{EffectResult, HttpClient, HttpRequest, HttpResponse};
use atomiton_core::host::{BoxFuture, Capabilities, Host, SharedHost, TraceHeaders};
use atomiton_core::json;
use atomiton_core::nodes::{Embedder, Invocation};
use atomiton_core::telemetry::TelemetryOptions;
use atomiton_core::testing::VirtualHost;
use atomiton_core::{Engine, ErrorCode, ExecutionResult, NodeDefinition, RunOptions};

const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

/// A scripted HTTP client on virtual time that keeps each request's headers, and a host that
/// answers trace-header requests (recording which node and attempt asked).
struct TestHost {
    inner: VirtualHost,
    answers: Mutex<VecDeque<u16>>,
    requests: Mutex<Vec<Vec<(String, String)>>>,
    asked: Mutex<Vec<(usize, String, u32)>>,
    /// The spans each request had the embedder open first (its groups', its own), as JSON.
    lineages: Mutex<Vec<serde_json::Value>>,
}

impl HttpClient for TestHost {
    fn send(&self, request: HttpRequest) -> BoxFuture<'static, EffectResult<HttpResponse>> {
        self.requests.lock().unwrap().push(request.headers.clone());
        let status = self.answers.lock().unwrap().pop_front().unwrap_or(200);
        let headers = if status == 429 { vec![("retry-after".into(), "1".into())] } else { vec![] };
        Box::pin(async move {
            Ok(HttpResponse {
                status,
                status_text: "".into(),
                headers,
                body: b"{}".to_vec(),
                url: request.url,
            })
        })
    }
}

impl Host for TestHost {
    atomiton_core::forward_host_basics!(inner);
    fn capabilities(&self) -> Capabilities {
        Capabilities { http: true, ..Capabilities::NONE }
    }
    fn http(&self) -> Option<&dyn HttpClient> {
        Some(self)
    }
}

/// The test's embedder: it names every node's span with the same `traceparent`.
impl Embedder for TestHost {
    fn trace_headers(&self, invocation: &Invocation) -> BoxFuture<'static, TraceHeaders> {
        self.asked.lock().unwrap().push((
            invocation.node_index,
            invocation.node_id.to_string(),
            invocation.attempt,
        ));
        let lineage = invocation.run.telemetry.as_ref().map(|t| t.lineage(invocation.node_index));
        let lineage =
            lineage.map_or(serde_json::Value::Null, |l| serde_json::from_str(&l).unwrap());
        self.lineages.lock().unwrap().push(lineage);
        Box::pin(async { vec![("traceparent".to_owned(), TRACEPARENT.to_owned())] })
    }
}

fn host(answers: &[u16]) -> Arc<TestHost> {
    Arc::new(TestHost {
        inner: VirtualHost::new(),
        answers: Mutex::new(answers.iter().copied().collect()),
        requests: Mutex::default(),
        asked: Mutex::default(),
        lineages: Mutex::default(),
    })
}

fn run(
    host: &Arc<TestHost>,
    flow: NodeDefinition,
    telemetry: Option<TelemetryOptions>,
) -> ExecutionResult {
    let debug = json!({ "simulateError": { "nodeId": "broken", "errorType": "network" } });
    let options = RunOptions { telemetry, debug: Some(debug), ..RunOptions::default() };
    let shared: SharedHost = host.clone();
    let handles = RunHandles { embedder: host.clone(), ..RunHandles::default() };
    host.inner.block_on(Engine::default().run_with(flow, options, handles, shared))
}

/// A group: a fetch retried once (429, then 200), a nested group with one node, and a node that
/// fails (the run's `debug` makes it).
fn flow() -> NodeDefinition {
    let fetch = NodeDefinition::new("fetch", "http-request")
        .with_param("url", "https://api.example.com/items")
        .with_param("retries", json!(1));
    let deep = NodeDefinition::new("deep", "transform")
        .with_param("operation", "map")
        .with_param("transformFunction", "x => x");
    let inner = NodeDefinition::group("inner", vec![deep], vec![]);
    let broken = NodeDefinition::new("broken", "transform")
        .with_param("operation", "map")
        .with_param("transformFunction", "x => x");
    NodeDefinition::group("flow", vec![fetch, inner, broken], vec![]).with_name("Traced")
}

#[test]
fn a_request_in_a_group_has_its_groups_spans_opened_first_with_the_engines_times() {
    let host = host(&[503]);
    let fetch = NodeDefinition::new("fetch", "http-request")
        .with_param("url", "https://api.example.com/items");
    let inner = NodeDefinition::group("inner", vec![fetch], vec![]);
    let outer = NodeDefinition::group("outer", vec![inner], vec![]);
    let flow = NodeDefinition::group("flow", vec![outer], vec![]);
    let result = run(&host, flow, Some(TelemetryOptions::default()));
    let spans = result.spans.clone().expect("span records");
    let record = |id: &str| spans.iter().find(|s| &*s.id == id).expect("a record");
    let (outer, inner, fetch) = (record("outer"), record("inner"), record("fetch"));
    let lineages = host.lineages.lock().unwrap().clone();
    assert_eq!(lineages.len(), 1);
    // Outermost first, `[index, parent, id, type, start]`: the flow itself is the run's span
    // (parent 0), each the child of the one before, started when the engine started it (the
    // records' start).
    let opened: Vec<(f64, f64, String, String, f64)> = lineages[0]
        .as_array()
        .expect("a list")
        .iter()
        .map(|span| {
            let number = |i: usize| span[i].as_f64().expect("a number");
            let text = |i: usize| span[i].as_str().expect("a string").to_owned();
            (number(0), number(1), text(2), text(3), number(4))
        })
        .collect();
    let at = |ix: usize| ix as f64;
    assert_eq!(
        opened,
        vec![
            (at(outer.index), 0.0, "outer".into(), "group".into(), outer.start),
            (at(inner.index), at(outer.index), "inner".into(), "group".into(), inner.start),
            (at(fetch.index), at(inner.index), "fetch".into(), "http-request".into(), fetch.start),
        ]
    );
    // The response's status is on the node's record, and in the records' text as its last field.
    assert_eq!(fetch.http_status, Some(503));
    assert_eq!(inner.http_status, None);
    let text = serde_json::to_value(&result).unwrap()["spans"].as_str().unwrap().to_owned();
    let records: serde_json::Value = serde_json::from_str(&text).unwrap();
    let fetch_record = records[1]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[2] == "fetch")
        .expect("fetch's record")
        .clone();
    assert_eq!(fetch_record.as_array().unwrap().len(), 14, "{fetch_record}");
    assert_eq!(fetch_record[13], 503);
}

#[test]
fn a_traced_run_lists_its_nodes_with_attempts_and_error_codes() {
    let host = host(&[429, 200]);
    let result = run(&host, flow(), Some(TelemetryOptions::default()));
    assert!(!result.success);
    let spans = result.spans.expect("a traced run has span records");
    let by_path = |path: &str| {
        let path_of =
            |s: &&atomiton_core::telemetry::NodeSpan| s.path.clone().unwrap_or(s.id.clone());
        spans.iter().find(|s| &*path_of(s) == path).unwrap_or_else(|| panic!("no record of {path}"))
    };
    let root = by_path("flow");
    assert_eq!((root.index, root.parent, root.group), (0, None, true));
    assert_eq!(root.state, "error");

    let fetch = by_path("fetch");
    assert_eq!(fetch.parent, Some(0));
    assert_eq!(fetch.state, "completed");
    assert_eq!(fetch.attempts, 2);
    assert_eq!(fetch.retries.len(), 1);
    assert_eq!(fetch.retries[0].attempt, 1);
    assert_eq!(fetch.retries[0].code, ErrorCode::RATE_LIMIT_EXCEEDED);
    // The retry waited the server's second: the node ended a second (virtual) after it failed.
    let end = fetch.end.expect("ended");
    assert!(end - fetch.retries[0].at >= 1000.0, "{end} vs {}", fetch.retries[0].at);
    assert!(fetch.start <= fetch.retries[0].at);
    assert!(fetch.error.is_none());
    assert_eq!(fetch.http_status, Some(200), "the last attempt's response");

    let inner = by_path("inner");
    let deep = by_path("inner/deep");
    assert!(inner.group);
    assert_eq!(deep.parent, Some(inner.index));
    assert_eq!(&*deep.node_type, "transform");

    let broken = by_path("broken");
    assert_eq!(broken.state, "error");
    let error = broken.error.as_ref().expect("the failed node's error");
    assert_ne!(error.code, ErrorCode::INTERNAL_ERROR);
    assert_eq!(Some(error.code), result.error.as_ref().map(|e| e.code));
    assert_eq!(broken.attempts, 1);

    // Each attempt of the request asked for its span's headers and sent them.
    let asked = host.asked.lock().unwrap().clone();
    assert_eq!(
        asked,
        vec![(fetch.index, "fetch".to_owned(), 1), (fetch.index, "fetch".to_owned(), 2)]
    );
    for headers in host.requests.lock().unwrap().iter() {
        assert!(headers.contains(&("traceparent".to_owned(), TRACEPARENT.to_owned())));
    }
}

#[test]
fn an_untraced_run_has_no_records_and_never_asks_for_trace_headers() {
    let host = host(&[200]);
    let result = run(&host, flow(), None);
    assert!(result.spans.is_none());
    assert!(host.asked.lock().unwrap().is_empty());
    assert!(host.requests.lock().unwrap()[0].iter().all(|(k, _)| k != "traceparent"));
}

#[test]
fn a_run_that_does_not_propagate_sends_no_trace_headers() {
    let host = host(&[200]);
    let telemetry = TelemetryOptions { propagate: false, ..TelemetryOptions::default() };
    let result = run(&host, flow(), Some(telemetry));
    assert!(result.spans.is_some());
    assert!(host.asked.lock().unwrap().is_empty());
    assert!(host.requests.lock().unwrap()[0].iter().all(|(k, _)| k != "traceparent"));
}

#[test]
fn a_traceparent_the_flow_sets_itself_is_kept() {
    let host = host(&[200]);
    let own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    let fetch = NodeDefinition::new("fetch", "http-request")
        .with_param("url", "https://api.example.com/items")
        .with_param("headers", json!({ "TraceParent": own }));
    let result = run(&host, fetch, Some(TelemetryOptions::default()));
    assert!(result.success);
    let requests = host.requests.lock().unwrap();
    let sent: Vec<_> =
        requests[0].iter().filter(|(k, _)| k.eq_ignore_ascii_case("traceparent")).collect();
    assert_eq!(sent, vec![&("TraceParent".to_owned(), own.to_owned())]);
}
