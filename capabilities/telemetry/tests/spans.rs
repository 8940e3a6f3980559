//! A traced run (`telemetry` in its options): its result lists each node that started with the
//! engine's times, its attempts (retries with the code of each failed attempt) and its error
//! code; `http-request` asks the host for its span's trace headers on every attempt (unless the
//! run does not propagate, or the flow set the header itself). An untraced run has no records
//! and never asks. Virtual time, so the times are exact. The records are read from the JSON
//! text the result carries, as the TypeScript layer reads them.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use atomiton_core::engine::RunHandles;
use atomiton_core::host::effects::{EffectResult, HttpClient, HttpRequest, HttpResponse};
use atomiton_core::host::{BoxFuture, Capabilities, Host, SharedHost};
use atomiton_core::json;
use atomiton_core::nodes::Embedder;
use atomiton_core::testing::VirtualHost;
use atomiton_core::value::Value;
use atomiton_core::{Engine, ErrorCode, ExecutionResult, NodeDefinition, RunOptions};
use atomiton_telemetry::Telemetry;

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

/// The test's embedder: it answers every `"span"` question (as the session posts it to JS) with
/// the same `traceparent`, and an invalid `tracestate` that must not be sent.
impl Embedder for TestHost {
    fn ask(&self, kind: &'static str, fields: String) -> BoxFuture<'static, Option<Value>> {
        assert_eq!(kind, "span");
        let question: serde_json::Value =
            serde_json::from_str(&format!("{{{fields}}}")).expect("the question's fields are JSON");
        let node = question["node"].as_u64().expect("node") as usize;
        let node_id = question["nodeId"].as_str().expect("nodeId").to_owned();
        let attempt = question["attempt"].as_u64().expect("attempt") as u32;
        assert!(question["run"].as_str().is_some_and(|run| !run.is_empty()), "{question}");
        assert!(question["type"] == "http-request", "{question}");
        self.asked.lock().unwrap().push((node, node_id, attempt));
        let spans = question["spans"].as_str().expect("spans as JSON text");
        self.lineages.lock().unwrap().push(serde_json::from_str(spans).expect("spans are JSON"));
        Box::pin(async { Some(json!({ "traceparent": TRACEPARENT, "tracestate": "a\nb" })) })
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

/// Runs `flow` on an engine that traces (or not), with `telemetry` as the run's option.
fn run_on(
    engine: Engine,
    host: &Arc<TestHost>,
    flow: NodeDefinition,
    telemetry: Option<Value>,
) -> ExecutionResult {
    let debug = json!({ "simulateError": { "nodeId": "broken", "errorType": "network" } });
    let options = RunOptions { telemetry, debug: Some(debug), ..RunOptions::default() };
    let shared: SharedHost = host.clone();
    let handles = RunHandles { embedder: host.clone(), ..RunHandles::default() };
    host.inner.block_on(engine.run_with(flow, options, handles, shared))
}

fn run(host: &Arc<TestHost>, flow: NodeDefinition, telemetry: Option<Value>) -> ExecutionResult {
    run_on(Engine::default().with_tracing(Arc::new(Telemetry)), host, flow, telemetry)
}

/// One record of the result's `spans` text, its times back on the engine's clock.
#[derive(Debug, Clone)]
struct Record {
    index: usize,
    parent: Option<usize>,
    path: Option<String>,
    id: String,
    node_type: String,
    group: bool,
    start: f64,
    end: Option<f64>,
    state: String,
    attempts: u32,
    /// `(code, message)`.
    error: Option<(String, String)>,
    /// `(attempt, at, code)`.
    retries: Vec<(u32, f64, String)>,
    http_status: Option<u16>,
}

/// The records of a traced run's result (`None`: it has none): `[origin, [record, ...]]`, each
/// record `[index, parent, id, name, type, start, end, state, path?, group?, attempts?, error?,
/// retries?, httpStatus?]`.
fn records(result: &ExecutionResult) -> Option<Vec<Record>> {
    let text = result.spans.as_deref()?;
    let all: serde_json::Value = serde_json::from_str(text).expect("the records are JSON");
    let origin = all[0].as_f64().expect("an origin");
    let number = |v: &serde_json::Value| v.as_f64().expect("a number");
    let text = |v: &serde_json::Value| v.as_str().expect("a string").to_owned();
    let list = all[1].as_array().expect("a list of records");
    Some(
        list.iter()
            .map(|r| Record {
                index: number(&r[0]) as usize,
                parent: Some(number(&r[1])).filter(|p| *p >= 0.0).map(|p| p as usize),
                id: text(&r[2]),
                node_type: text(&r[4]),
                start: origin + number(&r[5]),
                end: r[6].as_f64().map(|end| origin + end),
                state: text(&r[7]),
                path: r.get(8).and_then(|p| p.as_str()).map(str::to_owned),
                group: r.get(9).and_then(|g| g.as_f64()) == Some(1.0),
                attempts: r.get(10).and_then(|a| a.as_f64()).map_or(1, |a| a as u32),
                error: r.get(11).filter(|e| !e.is_null()).map(|e| (text(&e[0]), text(&e[1]))),
                retries: r.get(12).and_then(|l| l.as_array()).map_or_else(Vec::new, |l| {
                    l.iter()
                        .map(|t| (number(&t[0]) as u32, origin + number(&t[1]), text(&t[2])))
                        .collect()
                }),
                http_status: r.get(13).and_then(|s| s.as_f64()).map(|s| s as u16),
            })
            .collect(),
    )
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
    let result = run(&host, flow, Some(json!({})));
    let spans = records(&result).expect("span records");
    let record = |id: &str| spans.iter().find(|s| s.id == id).expect("a record");
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
    let result = run(&host, flow(), Some(json!({})));
    assert!(!result.success);
    let spans = records(&result).expect("a traced run has span records");
    let by_path = |path: &str| {
        let path_of = |s: &&Record| s.path.clone().unwrap_or(s.id.clone());
        spans.iter().find(|s| path_of(s) == path).unwrap_or_else(|| panic!("no record of {path}"))
    };
    let root = by_path("flow");
    assert_eq!((root.index, root.parent, root.group), (0, None, true));
    assert_eq!(root.state, "error");

    let fetch = by_path("fetch");
    assert_eq!(fetch.parent, Some(0));
    assert_eq!(fetch.state, "completed");
    assert_eq!(fetch.attempts, 2);
    assert_eq!(fetch.retries.len(), 1);
    let (attempt, at, code) = fetch.retries[0].clone();
    assert_eq!(attempt, 1);
    assert_eq!(code, ErrorCode::RATE_LIMIT_EXCEEDED.as_str());
    // The retry waited the server's second: the node ended a second (virtual) after it failed.
    let end = fetch.end.expect("ended");
    assert!(end - at >= 1000.0, "{end} vs {at}");
    assert!(fetch.start <= at);
    assert!(fetch.error.is_none());
    assert_eq!(fetch.http_status, Some(200), "the last attempt's response");

    let inner = by_path("inner");
    let deep = by_path("inner/deep");
    assert!(inner.group);
    assert_eq!(deep.parent, Some(inner.index));
    assert_eq!(deep.node_type, "transform");

    let broken = by_path("broken");
    assert_eq!(broken.state, "error");
    let (code, _) = broken.error.as_ref().expect("the failed node's error");
    assert_ne!(code, ErrorCode::INTERNAL_ERROR.as_str());
    assert_eq!(Some(code.as_str()), result.error.as_ref().map(|e| e.code.as_str()));
    assert_eq!(broken.attempts, 1);

    // Each attempt of the request asked for its span's headers and sent them.
    let asked = host.asked.lock().unwrap().clone();
    assert_eq!(
        asked,
        vec![(fetch.index, "fetch".to_owned(), 1), (fetch.index, "fetch".to_owned(), 2)]
    );
    for headers in host.requests.lock().unwrap().iter() {
        assert!(headers.contains(&("traceparent".to_owned(), TRACEPARENT.to_owned())));
        // A header value with a line break is not sent.
        assert!(headers.iter().all(|(name, _)| name != "tracestate"), "{headers:?}");
    }
}

#[test]
fn an_untraced_run_has_no_records_and_never_asks_for_trace_headers() {
    let host = host(&[200]);
    let result = run(&host, flow(), None);
    assert!(records(&result).is_none());
    assert!(host.asked.lock().unwrap().is_empty());
    assert!(host.requests.lock().unwrap()[0].iter().all(|(k, _)| k != "traceparent"));
}

#[test]
fn a_run_that_does_not_propagate_sends_no_trace_headers() {
    let host = host(&[200]);
    let result = run(&host, flow(), Some(json!({ "propagate": false })));
    assert!(records(&result).is_some());
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
    let result = run(&host, fetch, Some(json!({})));
    assert!(result.success);
    let requests = host.requests.lock().unwrap();
    let sent: Vec<_> =
        requests[0].iter().filter(|(k, _)| k.eq_ignore_ascii_case("traceparent")).collect();
    assert_eq!(sent, vec![&("TraceParent".to_owned(), own.to_owned())]);
}

#[test]
fn a_misspelt_telemetry_option_fails_the_run_before_anything_runs() {
    let host = host(&[200]);
    let result = run(&host, flow(), Some(json!({ "propgate": false })));
    let error = result.error.expect("refused");
    assert_eq!(error.code, ErrorCode::VALIDATION_FAILED);
    assert!(
        error.message.contains("unknown option 'propgate' (did you mean 'propagate'?)"),
        "{}",
        error.message
    );
    assert!(host.requests.lock().unwrap().is_empty(), "nothing ran");
}

#[test]
fn an_engine_without_the_capability_leaves_the_option_unused() {
    let host = host(&[200]);
    let result = run_on(Engine::default(), &host, flow(), Some(json!({ "propgate": false })));
    assert!(records(&result).is_none());
    assert_eq!(host.requests.lock().unwrap().len(), 1, "the run went ahead, untraced");
    assert!(host.asked.lock().unwrap().is_empty());
}

#[test]
fn a_request_in_a_for_each_records_on_the_for_each_and_names_no_span() {
    let host = host(&[201, 202]);
    let fetch = NodeDefinition::new("fetch", "http-request")
        .with_param("url", "https://api.example.com/items");
    let mut each =
        NodeDefinition::group("each", vec![fetch], vec![]).with_param("items", json!([1, 2]));
    each.node_type = Some("for-each".into());
    let each = each.with_param("concurrency", json!(1));
    let flow = NodeDefinition::group("flow", vec![each], vec![]);
    let result = run(&host, flow, Some(json!({})));
    assert!(result.success, "{:?}", result.error);
    let records = records(&result).expect("records");
    let each = records.iter().find(|r| r.id == "each").expect("the for-each's record");
    assert_eq!(each.http_status, Some(202), "the last item's request, on the for-each's span");
    assert!(records.iter().all(|r| r.id != "fetch"), "its items' nodes have no spans");
    assert!(host.asked.lock().unwrap().is_empty(), "no span was asked for");
    let requests = host.requests.lock().unwrap();
    assert_eq!(requests.len(), 2);
    assert!(requests.iter().flatten().all(|(k, _)| k != "traceparent"));
}
