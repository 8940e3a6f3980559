//! Execution history through a session: runs recorded as they go, read back, pruned, and
//! retried from the failed node without running again what already succeeded.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use atomiton_core::history::{HistoryConfig, MemoryHistory, Retention};
use atomiton_core::nodes::default_embedder;
use atomiton_core::session::{ExecutorCalls, Notifier, Session, SessionHistory};
use atomiton_core::storage::{FlowStore, MemoryBackend};
use atomiton_core::testing::VirtualHost;
use atomiton_core::{Engine, ErrorCode, ExecutionError};
use proptest::prelude::*;
use serde_json::{json, Value as Json};

/// A session on a virtual host with one custom node type, `add`: its output is the sum of the
/// numbers in its input plus its parameter `k`; it fails while its id is in `failing`.
struct Rig {
    session: Arc<Session>,
    calls: Arc<Mutex<HashMap<String, usize>>>,
    failing: Arc<Mutex<HashSet<String>>>,
    next_run: u32,
}

impl Rig {
    fn new() -> Self {
        Self::with_config(HistoryConfig::default())
    }

    fn with_config(config: HistoryConfig) -> Self {
        let host = VirtualHost::new();
        let calls: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let failing: Arc<Mutex<HashSet<String>>> = Arc::default();
        let (counted, broken) = (calls.clone(), failing.clone());
        host.register_sync("add", move |invocation| {
            *counted.lock().unwrap().entry(invocation.node_id.to_string()).or_default() += 1;
            if broken.lock().unwrap().contains(&*invocation.node_id) {
                return Err(ExecutionError::execution_failed(format!(
                    "{} is broken",
                    invocation.node_id
                )));
            }
            let inputs: f64 =
                invocation.input.entries().iter().filter_map(|(_, v)| v.as_f64()).sum();
            let k = invocation.parameters.get("k").and_then(|v| v.as_f64()).unwrap_or(0.0);
            Ok(Some(atomiton_core::json!(inputs + k)))
        });
        let notifier = Notifier::new();
        let history =
            SessionHistory::new(Arc::new(MemoryHistory::new(config.capture())), config, None);
        let session = Session::new(
            Engine::default(),
            host.shared(),
            FlowStore::new(Arc::new(MemoryBackend::new())),
            notifier.clone(),
            ExecutorCalls::new(notifier),
        )
        .with_embedder(Arc::new(host.clone()))
        .with_history(history);
        Rig { session: Arc::new(session), calls, failing, next_run: 1 }
    }

    /// Runs `flow` with `options` (plus `customTypes: ["add"]`) to its end: the result.
    fn run(&mut self, flow: &Json, mut options: Json) -> Json {
        options["customTypes"] = json!(["add"]);
        let id = self.next_run;
        self.next_run += 1;
        self.session.start_run(id, flow.to_string(), options.to_string(), vec![]);
        for _ in 0..1000 {
            if let Some(done) = self.session.take_completed().into_iter().next() {
                return serde_json::from_str(&done.result).unwrap();
            }
            self.session.drive(|| {});
        }
        panic!("the run never completed");
    }

    fn call(&self, future: atomiton_core::host::BoxFuture<'static, String>) -> Json {
        serde_json::from_str(&VirtualHost::new().block_on(future)).unwrap()
    }

    fn get(&self, id: &str) -> Json {
        let answer = self.call(self.session.executions_get(id.to_owned()));
        assert_eq!(answer["ok"], json!(true), "{answer}");
        answer["value"].clone()
    }

    fn list(&self, options: Json) -> Json {
        let answer = self.call(self.session.executions_list(options.to_string()));
        assert_eq!(answer["ok"], json!(true), "{answer}");
        answer["value"].clone()
    }

    fn calls_to(&self, node: &str) -> usize {
        self.calls.lock().unwrap().get(node).copied().unwrap_or(0)
    }
}

fn add(id: &str, k: i64) -> Json {
    json!({"id": id, "type": "add", "parameters": {"k": k}})
}

/// `a → b → c` and an independent `d`: `c` adds what `b` gave.
fn chain() -> Json {
    json!({"id": "flow", "type": "group", "nodes": [add("a", 1), add("b", 10), add("c", 100), add("d", 1000)],
        "edges": [{"id": "e1", "source": "a", "target": "b"}, {"id": "e2", "source": "b", "target": "c"}]})
}

fn node<'a>(record: &'a Json, id: &str) -> &'a Json {
    record["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["nodeId"] == id)
        .unwrap_or_else(|| panic!("no record of {id}: {record}"))
}

#[test]
fn a_run_is_recorded_with_each_nodes_input_output_and_timings() {
    let mut rig = Rig::new();
    let result = rig.run(
        &chain(),
        json!({"executionId": "run-1", "input": {"default": 5}, "variables": {"v": 1}}),
    );
    assert_eq!(result["success"], json!(true), "{result}");
    let record = rig.get("run-1");
    assert_eq!(record["status"], "success");
    assert_eq!(record["flowId"], "flow");
    assert_eq!(record["flowHash"].as_str().map(str::len), Some(16));
    assert_eq!(record["input"], json!({"default": 5}));
    assert_eq!(record["variables"], json!({"v": 1}));
    assert_eq!(record["flow"]["nodes"][1]["id"], "b");
    assert!(record["endTime"].as_f64() >= record["startTime"].as_f64());
    // a gets the run's input; b and c what their source gave.
    assert_eq!(node(&record, "a")["input"], json!({"default": 5}));
    assert_eq!(node(&record, "a")["output"], json!(6));
    assert_eq!(node(&record, "b")["input"], json!({"default": 6}));
    assert_eq!(node(&record, "c")["output"], json!(116));
    assert_eq!(node(&record, "c")["output"], result["data"], "the record matches the result");
    for id in ["a", "b", "c", "d"] {
        let n = node(&record, id);
        assert_eq!(
            (n["state"].as_str(), n["attempts"].as_u64()),
            (Some("completed"), Some(1)),
            "{n}"
        );
        assert!(
            n["startTime"].as_f64().is_some() && n["endTime"].as_f64() >= n["startTime"].as_f64(),
            "{n}"
        );
    }
}

#[test]
fn a_failed_run_records_the_error_and_retrying_from_the_failed_node_reuses_upstream_outputs() {
    let mut rig = Rig::new();
    let clean = rig.run(&chain(), json!({"executionId": "clean", "input": {"default": 5}}));
    rig.calls.lock().unwrap().clear();
    rig.failing.lock().unwrap().insert("c".into());
    let failed = rig.run(&chain(), json!({"executionId": "broken", "input": {"default": 5}}));
    assert_eq!(failed["success"], json!(false));
    let record = rig.get("broken");
    assert_eq!(record["status"], "failed");
    assert_eq!(record["error"]["message"], "c is broken");
    assert_eq!(node(&record, "c")["state"], "error");
    assert_eq!(node(&record, "c")["error"]["code"], "EXECUTION_FAILED");
    assert_eq!(node(&record, "b")["state"], "completed");

    rig.failing.lock().unwrap().clear();
    rig.calls.lock().unwrap().clear();
    let retried = rig.run(&chain(), json!({"executionId": "again", "input": {"default": 5}, "retry": {"of": "broken", "from": "failed"}}));
    assert_eq!(retried["success"], json!(true), "{retried}");
    assert_eq!(retried["data"], clean["data"]);
    assert_eq!(retried["executedNodes"], clean["executedNodes"]);
    for upstream in ["a", "b", "d"] {
        assert_eq!(rig.calls_to(upstream), 0, "{upstream} ran again");
    }
    assert_eq!(rig.calls_to("c"), 1);
    let again = rig.get("again");
    assert_eq!(again["retryOf"], "broken");
    assert_eq!(node(&again, "b")["reused"], json!(true));
    assert_eq!(node(&again, "b")["attempts"], json!(0));
    assert!(node(&again, "c").get("reused").is_none());
}

#[test]
fn retrying_from_a_node_runs_it_and_everything_downstream_again() {
    let mut rig = Rig::new();
    rig.run(&chain(), json!({"executionId": "first"}));
    rig.calls.lock().unwrap().clear();
    let result =
        rig.run(&chain(), json!({"executionId": "second", "retry": {"of": "first", "from": "b"}}));
    assert_eq!(result["success"], json!(true), "{result}");
    assert_eq!(
        (rig.calls_to("a"), rig.calls_to("b"), rig.calls_to("c"), rig.calls_to("d")),
        (0, 1, 1, 0)
    );
    rig.calls.lock().unwrap().clear();
    rig.run(&chain(), json!({"executionId": "third", "retry": {"of": "first", "from": "start"}}));
    assert_eq!(
        (rig.calls_to("a"), rig.calls_to("b"), rig.calls_to("c"), rig.calls_to("d")),
        (1, 1, 1, 1)
    );
    // A run that succeeded has no failed node; an unknown node is refused before anything runs.
    let refused = rig.run(&chain(), json!({"retry": {"of": "first", "from": "failed"}}));
    assert_eq!(refused["error"]["code"], "VALIDATION_FAILED", "{refused}");
    let unknown = rig.run(&chain(), json!({"retry": {"of": "first", "from": "nope"}}));
    assert_eq!(unknown["error"]["code"], "NODE_NOT_FOUND", "{unknown}");
    let missing = rig.run(&chain(), json!({"retry": {"of": "never-ran"}}));
    assert_eq!(missing["error"]["code"], "NODE_NOT_FOUND", "{missing}");
}

#[test]
fn nested_groups_are_recorded_by_path_and_reused_by_path() {
    let flow = json!({"id": "flow", "type": "group", "nodes": [
        {"id": "g", "type": "group", "nodes": [add("a", 1), add("b", 2)], "edges": [{"id": "e", "source": "a", "target": "b"}]},
        add("a", 7),
    ], "edges": [{"id": "e2", "source": "g", "target": "a"}]});
    let mut rig = Rig::new();
    rig.failing.lock().unwrap().insert("a".into());
    rig.run(&flow, json!({"executionId": "n1", "input": {"default": 0}}));
    let record = rig.get("n1");
    assert_eq!(node(&record, "g/a")["state"], "error");
    rig.failing.lock().unwrap().clear();
    let result = rig
        .run(&flow, json!({"executionId": "n2", "input": {"default": 0}, "retry": {"of": "n1"}}));
    assert_eq!(result["data"], json!(10), "{result}");
    let record = rig.get("n2");
    assert_eq!(node(&record, "g")["state"], "completed");
    assert_eq!(node(&record, "a")["output"], json!(10));
}

#[test]
fn listing_filters_pages_and_hostile_ids_are_refused() {
    let mut rig = Rig::new();
    for i in 0..5 {
        rig.run(&chain(), json!({"executionId": format!("ok-{i}")}));
    }
    rig.failing.lock().unwrap().insert("a".into());
    rig.run(&chain(), json!({"executionId": "bad"}));
    rig.run(
        &json!({"id": "other", "type": "add"}),
        json!({"executionId": "solo", "history": true}),
    );
    rig.run(&chain(), json!({"executionId": "unrecorded", "history": false}));
    let all = rig.list(json!({}));
    assert_eq!(all["total"], json!(7), "a run with history: false is not recorded");
    assert_eq!(all["executions"][0]["id"], "solo", "newest first");
    assert!(all["executions"][0].get("nodes").is_none(), "listing leaves the nodes out");
    assert_eq!(rig.list(json!({"status": "failed"}))["executions"][0]["id"], "bad");
    assert_eq!(rig.list(json!({"flowId": "other"}))["total"], json!(1));
    let page = rig.list(json!({"limit": 2, "offset": 1, "sortOrder": "asc"}));
    assert_eq!(
        page["executions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["ok-1", "ok-2"]
    );
    for hostile in ["../etc/passwd", "", "a/b", "x'; DROP TABLE runs;--", "nul\0"] {
        let answer = rig.call(rig.session.executions_get(hostile.to_owned()));
        assert_eq!(answer["error"]["code"], "VALIDATION_FAILED", "{hostile:?}: {answer}");
        let answer = rig.call(rig.session.executions_delete(hostile.to_owned()));
        assert_eq!(answer["error"]["code"], "VALIDATION_FAILED", "{hostile:?}: {answer}");
    }
    let missing = rig.call(rig.session.executions_get("nope".into()));
    assert_eq!(
        (missing["error"]["code"].as_str(), missing["error"]["message"].as_str()),
        (Some("NODE_NOT_FOUND"), Some("Execution nope not found"))
    );
    assert_eq!(rig.call(rig.session.executions_delete("bad".into()))["ok"], json!(true));
    assert_eq!(rig.list(json!({}))["total"], json!(6));
    // A misspelt field is refused, naming the one meant, and prunes nothing: read as absent,
    // `olderthan` would have left `keep` alone to delete runs meant to stay.
    let misspelt =
        rig.call(rig.session.executions_prune(json!({"keep": 2, "olderthan": 1}).to_string()));
    assert_eq!(
        (misspelt["error"]["code"].as_str(), misspelt["error"]["message"].as_str()),
        (
            Some("VALIDATION_FAILED"),
            Some("Invalid prune options: unknown option 'olderthan' (did you mean 'olderThan'?)")
        )
    );
    assert_eq!(rig.list(json!({}))["total"], json!(6));
    let pruned = rig.call(rig.session.executions_prune(json!({"keep": 2}).to_string()));
    assert_eq!(pruned["value"]["deleted"], json!(4), "{pruned}");
    assert_eq!(
        rig.list(json!({}))["executions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["solo", "ok-4"]
    );
}

#[test]
fn retention_bounds_the_number_of_runs_kept() {
    let config = HistoryConfig {
        retention: Retention { max_runs: Some(10), max_age: None },
        ..Default::default()
    };
    let mut rig = Rig::with_config(config);
    for i in 0..200 {
        rig.run(&chain(), json!({"executionId": format!("r{i}")}));
    }
    let total = rig.list(json!({}))["total"].as_u64().unwrap();
    assert!(total <= 10 + 64, "retention prunes as runs end: {total} kept");
    assert_eq!(rig.list(json!({}))["executions"][0]["id"], "r199");
}

#[test]
fn large_values_are_capped_and_redacted_keys_never_stored() {
    let config = HistoryConfig {
        max_value_bytes: Some(64),
        redact_keys: vec!["token".into()],
        ..Default::default()
    };
    let mut rig = Rig::with_config(config);
    let big = "x".repeat(500);
    rig.run(&chain(), json!({"executionId": "big", "input": {"default": 1, "note": big}, "variables": {"token": "s3cret"}}));
    let record = rig.get("big");
    assert_eq!(record["variables"], json!({"token": "[REDACTED]"}));
    assert_eq!(record["input"]["$truncated"], json!(true), "{}", record["input"]);
    assert_eq!(record["input"]["limitBytes"], json!(64));
}

#[test]
fn history_off_is_refused_by_the_executions_calls() {
    let notifier = Notifier::new();
    let session = Session::new(
        Engine::default(),
        VirtualHost::new().shared(),
        FlowStore::new(Arc::new(MemoryBackend::new())),
        notifier.clone(),
        ExecutorCalls::new(notifier),
    );
    let answer: Json =
        serde_json::from_str(&VirtualHost::new().block_on(session.executions_list("{}".into())))
            .unwrap();
    assert_eq!(answer["error"]["code"], "VALIDATION_FAILED");
    let _ = ErrorCode::VALIDATION_FAILED;
}

/// A random DAG over `n` `add` nodes: edge `i → j` (i < j) where `edges` says so.
fn random_flow(n: usize, edges: &[bool]) -> Json {
    let nodes: Vec<Json> = (0..n).map(|i| add(&format!("n{i}"), i as i64 + 1)).collect();
    let mut list = Vec::new();
    let mut bit = 0;
    for j in 1..n {
        for i in 0..j {
            if edges.get(bit).copied().unwrap_or(false) {
                list.push(json!({"id": format!("e{i}-{j}"), "source": format!("n{i}"), "target": format!("n{j}"), "targetHandle": format!("from{i}")}));
            }
            bit += 1;
        }
    }
    json!({"id": "dag", "type": "group", "nodes": nodes, "edges": list})
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Retrying from the failed node, once the failure is fixed, gives exactly what a clean run
    /// gives, and runs only the nodes that had not completed.
    #[test]
    fn retry_from_the_failed_node_equals_a_clean_run(n in 2usize..9, edges in proptest::collection::vec(any::<bool>(), 36), failing in 0usize..8) {
        let failing = format!("n{}", failing % n);
        let flow = random_flow(n, &edges);
        let mut rig = Rig::new();
        let clean = rig.run(&flow, json!({"executionId": "clean", "input": {"default": 1}}));
        prop_assert_eq!(&clean["success"], &json!(true));
        rig.failing.lock().unwrap().insert(failing.clone());
        let failed = rig.run(&flow, json!({"executionId": "failed", "input": {"default": 1}}));
        prop_assert_eq!(&failed["success"], &json!(false));
        let record = rig.get("failed");
        let completed: HashSet<String> = record["nodes"].as_array().unwrap().iter().filter(|n| n["state"] == "completed").map(|n| n["nodeId"].as_str().unwrap().to_owned()).collect();
        prop_assert!(!completed.contains(&failing));
        rig.failing.lock().unwrap().clear();
        rig.calls.lock().unwrap().clear();
        let retried = rig.run(&flow, json!({"executionId": "retried", "input": {"default": 1}, "retry": {"of": "failed", "from": "failed"}}));
        prop_assert_eq!(&retried["success"], &json!(true));
        prop_assert_eq!(&retried["data"], &clean["data"]);
        prop_assert_eq!(&retried["executedNodes"], &clean["executedNodes"]);
        for i in 0..n {
            let id = format!("n{i}");
            let expected = usize::from(!completed.contains(&id));
            prop_assert_eq!(rig.calls_to(&id), expected, "calls to {}", id);
        }
        let clean_record = rig.get("clean");
        let retried_record = rig.get("retried");
        for i in 0..n {
            let id = format!("n{i}");
            prop_assert_eq!(&node(&retried_record, &id)["output"], &node(&clean_record, &id)["output"], "output of {}", id);
        }
    }
}

#[test]
fn the_memory_store_meets_the_store_contract() {
    let capture = atomiton_core::history::Capture::new(
        atomiton_core::testing::history_store::CHECKED_MAX_VALUE_BYTES,
        vec!["password".into()],
    );
    atomiton_core::testing::history_store::check_history_store(&MemoryHistory::new(capture));
}

#[test]
fn the_backed_store_meets_the_store_contract_and_keeps_runs_in_its_backend() {
    use atomiton_core::history::{
        BackedHistory, Capture, HistoryStore, HistoryWrite, NodeEnded, RunBegun, RunEnded,
        RunStatus, RunSummary,
    };
    use atomiton_core::storage::{MemoryBackend, StorageBackend};
    let capture = || {
        Capture::new(
            atomiton_core::testing::history_store::CHECKED_MAX_VALUE_BYTES,
            vec!["password".into()],
        )
    };
    let host = VirtualHost::new();
    atomiton_core::testing::history_store::check_history_store(&BackedHistory::open(
        Arc::new(MemoryBackend::new()),
        capture(),
        host.shared(),
    ));

    let backend = Arc::new(MemoryBackend::new());
    let store = BackedHistory::open(backend.clone(), capture(), host.shared());
    let summary = |id: &str, start: f64| RunSummary::running(id, "f", start);
    let begun = |id: &str, start: f64| {
        HistoryWrite::Begun(Box::new(RunBegun {
            summary: summary(id, start),
            flow_json: Arc::from(r#"{"id":"f"}"#),
            flow_buffers: Vec::new(),
            input: atomiton_core::nodes::NodeInput::empty(),
            variables: Arc::new(atomiton_core::json!({"k": [1, 2]})),
            values_pending: false,
        }))
    };
    store.write(begun("done", 1.0));
    store.write(HistoryWrite::Node(Box::new(NodeEnded {
        execution_id: Arc::from("done"),
        node_id: Arc::from("a"),
        node_type: Arc::from("transform"),
        state: atomiton_core::progress::NodeState::Completed,
        attempts: 1,
        reused: false,
        input: None,
        output: Some(Arc::new(atomiton_core::json!({"bytes": "x"}))),
        output_captured: None,
        summarized: false,
        error: None,
        start_time: Some(1.0),
        end_time: Some(2.0),
        cache: None,
        checkpoint: false,
    })));
    store.write(HistoryWrite::Ended(Box::new(RunEnded {
        execution_id: Arc::from("done"),
        status: RunStatus::Success,
        end_time: 3.0,
        error: None,
    })));
    store.write(begun("left-running", 4.0));
    // The writes to the backend run as tasks on the host.
    host.block_on(async {});
    let mut keys = host.block_on(backend.keys()).unwrap();
    keys.sort();
    assert_eq!(keys, ["done.run.json", "left-running.run.json"]);

    let reopened = BackedHistory::open(backend.clone(), capture(), host.shared());
    let done = host.block_on(reopened.get("done".into())).unwrap().expect("kept");
    assert_eq!(
        (done.summary.status, done.nodes.len(), done.variables.clone()),
        (RunStatus::Success, 1, atomiton_core::json!({"k": [1, 2]}))
    );
    assert_eq!(done.nodes[0].output, Some(atomiton_core::json!({"bytes": "x"})));
    let left = host.block_on(reopened.get("left-running".into())).unwrap().expect("kept");
    assert_eq!(
        left.summary.status,
        RunStatus::Crashed,
        "a run its session left running is marked crashed when it loads"
    );
    assert!(host.block_on(reopened.delete("done".into())).unwrap());
    host.block_on(async {});
    assert_eq!(host.block_on(backend.keys()).unwrap(), ["left-running.run.json"]);
}

/// A store that keeps what it is given, as a store with a queue holds writes until its thread
/// takes them.
struct Holding {
    capture: atomiton_core::history::Capture,
    writes: Mutex<Vec<atomiton_core::history::HistoryWrite>>,
}

impl atomiton_core::history::HistoryStore for Holding {
    fn write(&self, write: atomiton_core::history::HistoryWrite) {
        self.writes.lock().unwrap().push(write);
    }
    fn capture(&self) -> Option<&atomiton_core::history::Capture> {
        Some(&self.capture)
    }
    fn list(
        &self,
        _: atomiton_core::history::ListQuery,
    ) -> atomiton_core::host::BoxFuture<
        'static,
        atomiton_core::error::Result<atomiton_core::history::ExecutionPage>,
    > {
        unreachable!("not read")
    }
    fn get(
        &self,
        _: String,
    ) -> atomiton_core::host::BoxFuture<
        'static,
        atomiton_core::error::Result<Option<atomiton_core::history::RunRecord>>,
    > {
        unreachable!("not read")
    }
    fn delete(
        &self,
        _: String,
    ) -> atomiton_core::host::BoxFuture<'static, atomiton_core::error::Result<bool>> {
        unreachable!("not read")
    }
    fn prune(
        &self,
        _: atomiton_core::history::Prune,
    ) -> atomiton_core::host::BoxFuture<'static, atomiton_core::error::Result<usize>> {
        unreachable!("not read")
    }
    fn recover(
        &self,
        _: atomiton_core::history::OwnerAlive,
        _: f64,
    ) -> atomiton_core::host::BoxFuture<'static, atomiton_core::error::Result<usize>> {
        unreachable!("not read")
    }
}

#[test]
fn an_output_the_store_would_cut_is_not_held_while_its_record_waits() {
    use atomiton_core::history::{node_record, Capture, HistoryWrite, NodeEnded, RunRecorder};
    use atomiton_core::value::Value;
    let capture = Capture::new(1024, vec!["secret".into()]);
    let store = Arc::new(Holding { capture: capture.clone(), writes: Mutex::default() });
    let recorder = RunRecorder::new(store.clone(), default_embedder(), Arc::from("run"));
    let node = |id: &str, output: &Arc<Value>| NodeEnded {
        execution_id: Arc::from("run"),
        node_id: Arc::from(id),
        node_type: Arc::from("transform"),
        state: atomiton_core::progress::NodeState::Completed,
        attempts: 1,
        reused: false,
        input: None,
        output: Some(output.clone()),
        output_captured: None,
        summarized: false,
        error: None,
        start_time: Some(1.0),
        end_time: Some(2.0),
        cache: None,
        checkpoint: false,
    };
    let large = Arc::new(Value::Array((0..100_000).map(|i| Value::from(f64::from(i))).collect()));
    let small = Arc::new(atomiton_core::json!({"id": 1, "secret": "s3cret"}));
    recorder.node(node("large", &large), false);
    recorder.node(node("small", &small), false);
    // The large output is let go of (only the caller holds it); the small one waits with its record.
    assert_eq!(Arc::strong_count(&large), 1);
    assert_eq!(Arc::strong_count(&small), 2);
    let writes = std::mem::take(&mut *store.writes.lock().unwrap());
    let records: Vec<_> = writes
        .iter()
        .map(|write| match write {
            HistoryWrite::Node(node) => node_record(node, &capture),
            _ => panic!("only nodes were written"),
        })
        .collect();
    // Stored as the store would have stored them from the values themselves.
    assert_eq!(records[0].output, Some(capture.value(&large).to_value()));
    assert_eq!(
        records[0].output.as_ref().map(|o| o["$truncated"].clone()),
        Some(atomiton_core::json!(true))
    );
    assert!(!records[0].reusable);
    assert_eq!(records[1].output, Some(atomiton_core::json!({"id": 1, "secret": "[REDACTED]"})));
}

/// A CSV read into two transforms: a chain that runs as a stream of rows.
fn streamed_chain() -> Json {
    let transform = |id: &str, operation: &str, function: &str| {
        json!({"id": id, "type": "transform",
            "parameters": {"operation": operation, "transformFunction": function}})
    };
    json!({"id": "flow", "type": "group", "nodes": [
            {"id": "sheet", "type": "spreadsheet", "parameters": {"data": "n\n1\n2\n3\n4\n"}},
            transform("double", "map", "r => Number(r.n) * 2"),
            transform("big", "filter", "n => n > 4")],
        "edges": [{"id": "e1", "source": "sheet", "target": "double", "targetHandle": "data"},
            {"id": "e2", "source": "double", "target": "big", "targetHandle": "data"}]})
}

#[test]
fn streamed_nodes_record_a_summary_of_their_rows_which_a_retry_does_not_reuse() {
    let mut rig = Rig::new();
    let clean = rig.run(&streamed_chain(), json!({"executionId": "streamed"}));
    assert_eq!(clean["data"]["result"], json!([6, 8]), "{clean}");
    let record = rig.get("streamed");
    let sheet = node(&record, "sheet");
    assert_eq!(sheet["output"]["records"]["$streamed"], json!(4), "{sheet}");
    assert_eq!(sheet["output"]["rowCount"], json!(4));
    assert!(sheet.get("reusable").is_none(), "a summary is not the output: {sheet}");
    assert!(node(&record, "double").get("reusable").is_none());
    assert_eq!(node(&record, "big")["reusable"], json!(true), "the chain's end holds its rows");

    let retried = rig.run(
        &streamed_chain(),
        json!({"executionId": "again", "retry": {"of": "streamed", "from": "big"}}),
    );
    assert_eq!(retried["data"], clean["data"], "{retried}");
    let again = rig.get("again");
    for id in ["sheet", "double", "big"] {
        assert!(node(&again, id).get("reused").is_none(), "{id} ran again");
    }
}

#[test]
fn the_backed_store_keeps_a_durable_runs_checkpoints_whole_and_a_later_session_finds_it_interrupted(
) {
    use atomiton_core::history::{
        BackedHistory, Capture, HistoryStore, HistoryWrite, InFlight, NodeStarted, RunBegun,
        RunEnded, RunStatus, RunSummary,
    };
    use atomiton_core::storage::{MemoryBackend, StorageBackend};
    let host = VirtualHost::new();
    let backend = Arc::new(MemoryBackend::new());
    // Values over 16 bytes are cut in the record, never in a checkpoint.
    let store = BackedHistory::open(backend.clone(), Capture::new(16, Vec::new()), host.shared());
    let large = atomiton_core::json!({"rows": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]});
    let begun = |id: &str| {
        HistoryWrite::Begun(Box::new(RunBegun {
            summary: RunSummary { durable: true, ..RunSummary::running(id, "f", 1.0) },
            flow_json: Arc::from(r#"{"id":"f"}"#),
            flow_buffers: Vec::new(),
            input: atomiton_core::nodes::NodeInput::from_value(
                atomiton_core::json!({"default": large.clone()}),
            ),
            variables: Arc::new(atomiton_core::json!({})),
            values_pending: false,
        }))
    };
    let ended_node = |id: &str, node: &str| {
        let state = atomiton_core::progress::NodeState::Completed;
        let output = Some(large.clone());
        let write = atomiton_core::testing::history_store::node(id, node, state, output, None, 1.0);
        let HistoryWrite::Node(mut ended) = write else { unreachable!("node() writes a node") };
        ended.node_type = Arc::from("effect");
        ended.checkpoint = true;
        HistoryWrite::Node(ended)
    };
    let started = |id: &str, node: &str| {
        HistoryWrite::Started(Box::new(NodeStarted {
            execution_id: Arc::from(id),
            node_id: Arc::from(node),
            node_type: Arc::from("effect"),
            idempotent: false,
        }))
    };
    // Run "left": node "a/b" (any id makes a key) started and ended, node "c" started.
    store.write(begun("left"));
    store.write(started("left", "a/b"));
    store.write(ended_node("left", "a/b"));
    store.write(started("left", "c"));
    let stored = store.stored().expect("a start waits for its write");
    host.block_on(stored);
    // Run "done" ends: its checkpoints go.
    store.write(begun("done"));
    store.write(ended_node("done", "x"));
    store.write(HistoryWrite::Ended(Box::new(RunEnded {
        execution_id: Arc::from("done"),
        status: RunStatus::Success,
        end_time: 3.0,
        error: None,
    })));
    host.block_on(async {});
    let mut keys = host.block_on(backend.keys()).unwrap();
    keys.sort();
    assert_eq!(
        keys,
        [
            "done.run.json",
            "left.ckpt.d.612f62",
            "left.ckpt.input",
            "left.ckpt.s.63",
            "left.ckpt.variables",
            "left.run.json"
        ],
        "an end replaces its start; a run that ended keeps no checkpoints"
    );

    // The next session: interrupted (durable, its input kept), its checkpoints whole.
    let reopened =
        BackedHistory::open(backend.clone(), Capture::new(16, Vec::new()), host.shared());
    let left = host.block_on(reopened.get("left".into())).unwrap().expect("kept");
    assert_eq!((left.summary.status, left.summary.durable), (RunStatus::Interrupted, true));
    let checkpoints = host.block_on(reopened.checkpoints("left".into())).unwrap().expect("kept");
    assert_eq!(checkpoints.input, Some(atomiton_core::json!({"default": large.clone()})));
    assert_eq!(checkpoints.outputs["a/b"].1.as_deref(), Some(&large));
    assert_eq!(
        checkpoints.in_flight,
        [InFlight { node_id: "c".into(), node_type: "effect".into(), idempotent: false }]
    );
    assert!(host.block_on(reopened.claim("left".into(), None)).unwrap());
    assert!(!host.block_on(reopened.claim("left".into(), None)).unwrap(), "claimed once");

    // A checkpoint cut short in the backend is not trusted; a cut input refuses.
    let output = host.block_on(backend.read("left.ckpt.d.612f62")).unwrap().unwrap();
    host.block_on(backend.write("left.ckpt.d.612f62", output[..output.len() - 2].to_owned()))
        .unwrap();
    let checkpoints = host.block_on(reopened.checkpoints("left".into())).unwrap().expect("kept");
    assert!(!checkpoints.outputs.contains_key("a/b"));
    assert_eq!(checkpoints.torn, 1);
    let input = host.block_on(backend.read("left.ckpt.input")).unwrap().unwrap();
    host.block_on(backend.write("left.ckpt.input", input[..input.len() / 2].to_owned())).unwrap();
    let error = host.block_on(reopened.checkpoints("left".into())).unwrap_err();
    assert!(error.message.contains("input checkpoint is damaged"), "{}", error.message);

    // A run left running without its input kept had no node with effects start: crashed, and
    // what it kept goes.
    let backend = Arc::new(MemoryBackend::new());
    let plain = BackedHistory::open(backend.clone(), Capture::default(), host.shared());
    plain.write(begun("early"));
    host.block_on(async {});
    assert!(host.block_on(backend.remove("early.ckpt.input")).unwrap());
    let reopened = BackedHistory::open(backend.clone(), Capture::default(), host.shared());
    let early = host.block_on(reopened.get("early".into())).unwrap().expect("kept");
    assert_eq!(early.summary.status, RunStatus::Crashed);
    host.block_on(async {});
    assert_eq!(host.block_on(backend.keys()).unwrap(), ["early.run.json"]);
}
