//! `node.store`'s source: the state of the run started last, read whenever the embedder asks
//! (not only when an event was due), and, for runs that ask, an event for every change.

use std::sync::Arc;

use atomiton_core::host::SharedHost;
use atomiton_core::session::{ExecutorCalls, Notifier, Session};
use atomiton_core::storage::{FlowStore, MemoryBackend};
use atomiton_core::testing::VirtualHost;
use atomiton_core::Engine;
use serde_json::{json, Value};

fn session() -> Arc<Session> {
    let notifier = Notifier::new();
    let calls = ExecutorCalls::new(notifier.clone());
    let host: SharedHost = VirtualHost::new().shared();
    Arc::new(Session::new(
        Engine::default(),
        host,
        FlowStore::new(Arc::new(MemoryBackend::new())),
        notifier,
        calls,
    ))
}

/// `a` (built-in) → `b` (answered by the embedder) → `c` (built-in).
fn flow() -> String {
    json!({
        "id": "g", "type": "group",
        "nodes": [
            {"id": "a", "type": "transform", "parameters": {"data": [1, 2]}},
            {"id": "b", "type": "wait"},
            {"id": "c", "type": "transform"}
        ],
        "edges": [{"id": "e1", "source": "a", "target": "b"}, {"id": "e2", "source": "b", "target": "c"}]
    })
    .to_string()
}

fn state(session: &Session) -> Value {
    serde_json::from_str(&session.run_state().expect("a run has started"))
        .expect("the state is JSON")
}

fn node_states(state: &Value) -> Vec<(String, String)> {
    state["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| {
            (
                n["id"].as_str().unwrap_or("").to_owned(),
                n["state"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

fn answer_waiting_call(session: &Session) {
    let calls: Value = serde_json::from_str(&session.take_calls()).expect("calls are JSON");
    let id = calls[0]["id"].clone();
    session.resolve_calls(&json!([[id, {"ok": true, "value": [3]}]]).to_string(), vec![]);
}

#[test]
fn the_state_of_a_run_is_there_while_it_runs_and_after_it_ends_with_no_listener() {
    let session = session();
    assert!(session.run_state().is_none(), "no run yet");
    session.start_run(
        1,
        flow(),
        json!({"customTypes": ["wait"], "executionId": "run-1"}).to_string(),
        vec![],
    );
    let during = state(&session);
    assert_eq!(during["executionId"], "run-1");
    assert_eq!(during["isExecuting"], true);
    let pairs = |s: &[(&str, &str)]| {
        s.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect::<Vec<_>>()
    };
    assert_eq!(
        node_states(&during),
        pairs(&[("a", "completed"), ("b", "executing"), ("c", "pending")])
    );
    // Weights: transform 50, the custom type 100 (the default); a completed = 50 of 200.
    assert_eq!(during["progress"], 25);
    assert_eq!(during["graph"]["executionOrder"], json!([["a"], ["b"], ["c"]]));
    assert_eq!(
        during["graph"]["edges"],
        json!([{"from": "a", "to": "b"}, {"from": "b", "to": "c"}])
    );
    answer_waiting_call(&session);
    let after = state(&session);
    assert_eq!(after["isExecuting"], false);
    assert_eq!(after["progress"], 100);
    assert_eq!(
        node_states(&after),
        pairs(&[("a", "completed"), ("b", "completed"), ("c", "completed")])
    );
    assert!(after["endTime"].as_f64() >= after["startTime"].as_f64());
    assert!(session.take_events() == "[]", "nothing was sent: the run had no listener");
}

#[test]
fn a_run_that_asks_for_state_events_reports_every_change_of_every_node() {
    let session = session();
    session.start_run(
        1,
        flow(),
        json!({"customTypes": ["wait"], "events": true, "stateEvents": true}).to_string(),
        vec![],
    );
    answer_waiting_call(&session);
    let events: Vec<Value> = serde_json::from_str(&session.take_events()).expect("events are JSON");
    let changes: Vec<(String, String, u64)> = events
        .iter()
        .filter(|e| e["type"] == "nodeChanged")
        .map(|e| {
            (
                e["node"]["id"].as_str().unwrap_or("").to_owned(),
                e["node"]["state"].as_str().unwrap_or("").to_owned(),
                e["cachedProgress"].as_u64().unwrap_or(999),
            )
        })
        .collect();
    let expected = [
        ("a", "executing", 0),
        ("a", "completed", 25),
        ("b", "executing", 25),
        ("b", "completed", 75),
        ("c", "executing", 75),
        ("c", "completed", 100),
    ];
    assert_eq!(
        changes,
        expected.iter().map(|(a, b, p)| ((*a).to_owned(), (*b).to_owned(), *p)).collect::<Vec<_>>()
    );
    // Snapshots stay throttled: the first and the last.
    assert_eq!(events.iter().filter(|e| e["type"] == "progress").count(), 2);
}

#[test]
fn the_state_follows_the_run_started_last() {
    let session = session();
    session.start_run(
        1,
        flow(),
        json!({"customTypes": ["wait"], "executionId": "first"}).to_string(),
        vec![],
    );
    session.start_run(
        2,
        json!({"id": "solo", "type": "transform", "parameters": {"data": [1]}}).to_string(),
        json!({"executionId": "second"}).to_string(),
        vec![],
    );
    let latest = state(&session);
    assert_eq!(latest["executionId"], "second");
    assert_eq!(node_states(&latest), vec![("solo".to_owned(), "completed".to_owned())]);
}
