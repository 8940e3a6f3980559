//! Durable waits through a session: a run parks at a `wait` node (status `waiting`, nothing
//! held), is woken by a signal, an approval or its time — once, whoever races — and resumes
//! with what woke it, in this session or one opened later on the same store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use atomiton_core::history::{BackedHistory, Capture, DurabilityConfig, HistoryConfig};
use atomiton_core::session::{ExecutorCalls, Notifier, Session, SessionHistory};
use atomiton_core::storage::{FlowStore, MemoryBackend};
use atomiton_core::testing::VirtualHost;
use atomiton_core::Engine;
use serde_json::{json, Value as Json};

/// A durable session on a virtual host and a store kept in `backend` (reopening one on the same
/// backend is a new process), with a custom node `count` that counts its calls and outputs the
/// value its one edge brings.
struct Rig {
    host: VirtualHost,
    backend: Arc<MemoryBackend>,
    session: Arc<Session>,
    calls: Arc<Mutex<HashMap<String, usize>>>,
    next_run: u32,
}

impl Rig {
    fn new() -> Self {
        Self::on(VirtualHost::new(), Arc::new(MemoryBackend::new()), true)
    }

    fn on(host: VirtualHost, backend: Arc<MemoryBackend>, durable: bool) -> Self {
        let calls: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let counted = calls.clone();
        host.register_sync("count", move |invocation| {
            *counted.lock().unwrap().entry(invocation.node_id.to_string()).or_default() += 1;
            // One edge in: its value (not `{default: value}`), to keep the tests' data plain.
            let input = invocation.input.to_value();
            Ok(Some(input.get("default").cloned().unwrap_or(input)))
        });
        let notifier = Notifier::new();
        let store = BackedHistory::open(backend.clone(), Capture::default(), host.shared());
        let history = SessionHistory::new(Arc::new(store), HistoryConfig::default(), None)
            .durable(durable.then(DurabilityConfig::default))
            .unwrap();
        let session = Session::new(
            Engine::default(),
            host.shared(),
            FlowStore::new(Arc::new(MemoryBackend::new())),
            notifier.clone(),
            ExecutorCalls::new(notifier),
        )
        .with_embedder(Arc::new(host.clone()))
        .with_history(history);
        Rig { host, backend, session: Arc::new(session), calls, next_run: 1 }
    }

    /// The same store opened by a new session (as a new process would).
    fn reopened(&self) -> Rig {
        Self::on(self.host.clone(), self.backend.clone(), true)
    }

    fn run(&mut self, flow: &Json, mut options: Json) -> Json {
        options["customTypes"] = json!(["count"]);
        let id = self.next_run;
        self.next_run += 1;
        self.session.start_run(id, flow.to_string(), options.to_string(), vec![]);
        for _ in 0..10_000 {
            if let Some(done) = self.session.take_completed().into_iter().next() {
                return serde_json::from_str(&done.result).unwrap();
            }
            self.session.drive(|| {});
            // Let timers and spawned store work go on, 10 ms of virtual time at a time.
            self.sleep(10.0);
        }
        panic!("the run never completed");
    }

    /// `executions.<op>(arg)`: `{ok, value | error}`.
    fn call(&self, op: &str, arg: Json) -> Json {
        let arg = match arg {
            Json::String(text) => text,
            other => other.to_string(),
        };
        let answer = self.host.block_on(self.session.executions(op, arg));
        serde_json::from_str(&answer).unwrap()
    }

    fn get(&self, id: &str) -> Json {
        let answer = self.call("get", json!(id));
        assert_eq!(answer["ok"], json!(true), "{answer}");
        answer["value"].clone()
    }

    /// `executions.resume(id)`: the run goes on from its checkpoints.
    fn resume(&mut self, id: &str) -> Json {
        let flow = self.get(id)["flow"].clone();
        self.run(&flow, json!({"executionId": id, "resume": {}}))
    }

    fn calls_to(&self, node: &str) -> usize {
        self.calls.lock().unwrap().get(node).copied().unwrap_or(0)
    }

    fn sleep(&self, ms: f64) {
        let host = self.host.clone();
        self.host.block_on(async move { atomiton_core::host::Host::sleep(&host, ms).await });
    }
}

/// `before` → `wait` (parameters `wait`) → `after`.
fn flow(wait: Json) -> Json {
    json!({"id": "flow", "type": "group", "nodes": [
        {"id": "before", "type": "count"},
        {"id": "w", "type": "wait", "parameters": wait},
        {"id": "after", "type": "count"},
    ], "edges": [
        {"id": "e1", "source": "before", "target": "w"},
        {"id": "e2", "source": "w", "target": "after"},
    ]})
}

fn refused(answer: &Json, code: &str, says: &str) {
    assert_eq!(answer["ok"], json!(false), "{answer}");
    assert_eq!(answer["error"]["code"], json!(code), "{answer}");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(message.contains(says), "{message:?} should say {says:?}");
}

fn node<'a>(record: &'a Json, id: &str) -> &'a Json {
    record["nodes"].as_array().unwrap().iter().find(|n| n["nodeId"] == json!(id)).unwrap()
}

#[test]
fn a_run_parks_at_a_signal_and_the_signal_s_payload_is_the_node_s_output() {
    let mut rig = Rig::new();
    let schema = json!({"type": "object", "required": ["amount"], "properties": {"amount": {"type": "number"}}});
    let parked = rig.run(
        &flow(json!({"mode": "signal", "signal": "paid", "payloadSchema": schema})),
        json!({"executionId": "run-1", "input": {"order": 7}}),
    );
    assert_eq!(parked["success"], json!(false));
    assert_eq!(parked["error"]["code"], json!("WAITING"), "{parked}");
    let waiting = &parked["error"]["context"];
    assert_eq!(
        (&waiting["nodeId"], &waiting["kind"], &waiting["signal"]),
        (&json!("w"), &json!("signal"), &json!("paid"))
    );
    let record = rig.get("run-1");
    assert_eq!(record["status"], json!("waiting"));
    assert_eq!(record["error"]["context"]["since"], waiting["since"]);
    let listed = rig.call("list", json!({"status": "waiting"}));
    assert_eq!(listed["value"]["total"], json!(1), "{listed}");
    assert_eq!(rig.calls_to("after"), 0);

    // Refused, changing nothing: a wrong name, a payload its schema refuses, an unknown run.
    refused(
        &rig.call("signal", json!({"executionId": "run-1", "name": "shipped"})),
        "VALIDATION_FAILED",
        "waits for signal 'paid', not 'shipped'",
    );
    refused(
        &rig.call(
            "signal",
            json!({"executionId": "run-1", "name": "paid", "payload": {"amount": "ten"}}),
        ),
        "VALIDATION_FAILED",
        "payload.amount must be number",
    );
    refused(
        &rig.call("signal", json!({"executionId": "nope", "name": "paid"})),
        "NODE_NOT_FOUND",
        "nope",
    );
    refused(
        &rig.call("approve", json!({"executionId": "run-1", "nodeId": "w", "approved": true})),
        "VALIDATION_FAILED",
        "not an approval",
    );
    refused(
        &rig.call("signal", json!({"executionId": "run-1", "name": "paid", "payloud": {}})),
        "VALIDATION_FAILED",
        "payloud",
    );
    assert_eq!(rig.get("run-1")["status"], json!("waiting"));

    let signalled = rig
        .call("signal", json!({"executionId": "run-1", "name": "paid", "payload": {"amount": 10}}));
    assert_eq!(signalled["ok"], json!(true), "{signalled}");
    // The wake is taken once: a second signal finds the run no longer waiting.
    refused(
        &rig.call(
            "signal",
            json!({"executionId": "run-1", "name": "paid", "payload": {"amount": 11}}),
        ),
        "VALIDATION_FAILED",
        "is not waiting (it is interrupted)",
    );

    let done = rig.resume("run-1");
    assert_eq!(done["success"], json!(true), "{done}");
    assert_eq!(done["data"], json!({"amount": 10}), "{done}");
    assert_eq!((rig.calls_to("before"), rig.calls_to("after")), (1, 1), "nothing ran twice");
    let record = rig.get("run-1");
    assert_eq!(record["status"], json!("success"));
    assert_eq!(node(&record, "w")["output"], json!({"amount": 10}));
    refused(
        &rig.call("signal", json!({"executionId": "run-1", "name": "paid"})),
        "VALIDATION_FAILED",
        "is not waiting (it is success)",
    );
}

#[test]
fn a_parked_run_outlives_its_session_and_a_new_one_wakes_it() {
    let mut rig = Rig::new();
    let parked = rig.run(
        &flow(json!({"mode": "signal", "signal": "go"})),
        json!({"executionId": "run-2", "input": 5}),
    );
    assert_eq!(parked["error"]["code"], json!("WAITING"));
    drop(rig.session.clone());
    let mut later = rig.reopened();
    assert_eq!(later.get("run-2")["status"], json!("waiting"), "still parked, not crashed");
    refused(&later.call("resume", json!("run-2")), "VALIDATION_FAILED", "executions");
    let answer =
        later.call("signal", json!({"executionId": "run-2", "name": "go", "payload": "ok"}));
    assert_eq!(answer["ok"], json!(true), "{answer}");
    let done = later.resume("run-2");
    assert_eq!(
        (done["success"].clone(), done["data"].clone()),
        (json!(true), json!("ok")),
        "{done}"
    );
    assert_eq!(rig.calls_to("before") + later.calls_to("before"), 1);
}

#[test]
fn an_approval_goes_on_a_rejection_fails_or_goes_on_as_the_node_says_and_one_of_two_racing_wins() {
    let mut rig = Rig::new();
    rig.run(&flow(json!({"mode": "approval"})), json!({"executionId": "yes"}));
    refused(
        &rig.call("approve", json!({"executionId": "yes", "nodeId": "other", "approved": true})),
        "VALIDATION_FAILED",
        "at node 'w', not 'other'",
    );
    refused(
        &rig.call("approve", json!({"executionId": "yes", "nodeId": "w"})),
        "VALIDATION_FAILED",
        "approved",
    );
    let first = rig.call("approve", json!({"executionId": "yes", "nodeId": "w", "approved": true, "by": "ana", "comment": "fine"}));
    let second = rig.call(
        "approve",
        json!({"executionId": "yes", "nodeId": "w", "approved": false, "by": "bo"}),
    );
    assert_eq!(first["ok"], json!(true), "{first}");
    refused(&second, "VALIDATION_FAILED", "not waiting");
    let done = rig.resume("yes");
    assert_eq!(done["success"], json!(true), "{done}");
    let data = &done["data"];
    assert_eq!(
        (&data["approved"], &data["by"], &data["comment"]),
        (&json!(true), &json!("ana"), &json!("fine"))
    );

    rig.run(&flow(json!({"mode": "approval"})), json!({"executionId": "no"}));
    rig.call("approve", json!({"executionId": "no", "nodeId": "w", "approved": false, "by": "bo", "comment": "too much"}));
    let failed = rig.resume("no");
    assert_eq!(failed["success"], json!(false));
    assert_eq!(failed["error"]["code"], json!("EXECUTION_FAILED"), "{failed}");
    assert_eq!(failed["error"]["message"], json!("Node 'w' was rejected by bo: too much"));
    assert_eq!(rig.get("no")["status"], json!("failed"));
    assert_eq!(rig.calls_to("after"), 1, "only the approved run went on");

    rig.run(
        &flow(json!({"mode": "approval", "onReject": "continue"})),
        json!({"executionId": "no-but"}),
    );
    rig.call("approve", json!({"executionId": "no-but", "nodeId": "w", "approved": false}));
    let went_on = rig.resume("no-but");
    assert_eq!(
        (went_on["success"].clone(), went_on["data"]["approved"].clone()),
        (json!(true), json!(false)),
        "{went_on}"
    );
}

#[test]
fn a_timed_wait_fires_once_when_its_time_comes_and_a_timeout_takes_its_declared_outcome() {
    let mut rig = Rig::new();
    let parked = rig.run(
        &flow(json!({"mode": "duration", "duration": 2000})),
        json!({"executionId": "t", "input": {"n": 1}}),
    );
    let since = parked["error"]["context"]["since"].as_f64().unwrap();
    assert_eq!(parked["error"]["context"]["wakeAt"].as_f64(), Some(since + 2000.0));
    let early = rig.call("due", json!(""));
    assert_eq!(early["value"]["woken"], json!([]), "{early}");
    assert_eq!(early["value"]["next"].as_f64(), Some(since + 2000.0), "{early}");
    rig.sleep(2000.0 - (rig.host.elapsed() + 1_704_067_200_000.0 - since));
    let other = rig.call("due", json!({"executionId": "other"}));
    assert_eq!(other["value"]["woken"], json!([]), "only the run named: {other}");
    let due = rig.call("due", json!({"executionId": "t"}));
    assert_eq!(due["value"], json!({"woken": ["t"], "next": null}), "{due}");
    assert_eq!(rig.call("due", json!(""))["value"]["woken"], json!([]), "woken once");
    let done = rig.resume("t");
    assert_eq!(
        (done["success"].clone(), done["data"].clone()),
        (json!(true), json!({"n": 1})),
        "what its one edge brought passes on: {done}"
    );

    for (on_timeout, id) in [("continue", "go-on"), ("fail", "give-up")] {
        rig.run(&flow(json!({"mode": "signal", "signal": "s", "waitTimeout": 500, "onTimeout": on_timeout})), json!({"executionId": id}));
    }
    rig.sleep(500.0);
    let due = rig.call("due", json!(""));
    let mut woken: Vec<String> = serde_json::from_value(due["value"]["woken"].clone()).unwrap();
    woken.sort();
    assert_eq!(woken, ["give-up", "go-on"]);
    let went_on = rig.resume("go-on");
    assert_eq!(went_on["data"], json!({"timedOut": true}), "{went_on}");
    let gave_up = rig.resume("give-up");
    assert_eq!(gave_up["error"]["code"], json!("TIMEOUT"), "{gave_up}");
    assert!(gave_up["error"]["message"].as_str().unwrap().contains("signal 's'"));
}

#[test]
fn a_wait_until_a_date_wakes_at_that_date() {
    let mut rig = Rig::new();
    // The virtual clock starts at 2024-01-01T00:00:00Z; this is 90 s later, in another offset.
    let parked = rig.run(
        &flow(json!({"mode": "until", "until": "2024-01-01T02:01:30+02:00"})),
        json!({"executionId": "d"}),
    );
    assert_eq!(
        parked["error"]["context"]["wakeAt"].as_f64(),
        Some(1_704_067_290_000.0),
        "{parked}"
    );
    rig.sleep(60_000.0);
    assert_eq!(rig.call("due", json!(""))["value"]["woken"], json!([]));
    rig.sleep(30_000.0);
    assert_eq!(rig.call("due", json!(""))["value"]["woken"], json!(["d"]));
    assert_eq!(rig.resume("d")["success"], json!(true));
    // A date already past goes on at the first look.
    rig.run(&flow(json!({"mode": "until", "until": 0})), json!({"executionId": "past"}));
    assert_eq!(rig.call("due", json!(""))["value"]["woken"], json!(["past"]));
}

#[test]
fn a_run_that_is_not_durable_holds_a_time_wait_and_cannot_wait_for_a_signal() {
    let mut rig = Rig::on(VirtualHost::new(), Arc::new(MemoryBackend::new()), false);
    let held = rig.run(&flow(json!({"mode": "duration", "duration": 300})), json!({"input": 3}));
    assert_eq!((held["success"].clone(), held["data"].clone()), (json!(true), json!(3)), "{held}");
    assert!(rig.host.elapsed() >= 300.0, "it waited on the host's clock");
    let refused_run = rig.run(&flow(json!({"mode": "signal", "signal": "go"})), json!({}));
    assert_eq!(refused_run["error"]["code"], json!("VALIDATION_FAILED"), "{refused_run}");
    assert!(refused_run["error"]["message"].as_str().unwrap().contains("durability"));
}

#[test]
fn wait_parameters_are_checked_for_their_mode() {
    let mut rig = Rig::new();
    for (parameters, says) in [
        (json!({"mode": "signal"}), "needs 'signal'"),
        (json!({"mode": "duration"}), "needs 'duration'"),
        (
            json!({"mode": "duration", "duration": 5, "signal": "x"}),
            "'signal' is not read by a wait in mode 'duration'",
        ),
        (
            json!({"mode": "approval", "payloadSchema": {"type": "object"}}),
            "'payloadSchema' is not read",
        ),
        (json!({"mode": "until", "until": "tomorrow"}), "not an ISO 8601 date"),
        (
            json!({"mode": "signal", "signal": "x", "payloadSchema": {"type": "object", "minProperties": 1}}),
            "'minProperties'",
        ),
        (json!({"mode": "signal", "signal": "x", "waitTimeout": -1}), "waitTimeout"),
        (json!({"mode": "sometime"}), "mode"),
    ] {
        let result = rig.run(&flow(parameters.clone()), json!({}));
        assert_eq!(result["success"], json!(false), "{parameters}");
        let message = result["error"]["message"].to_string();
        assert!(message.contains(says), "{parameters}: {message}");
    }
    assert_eq!(rig.calls_to("before"), 0, "refused before anything ran");
}

#[test]
fn a_durable_run_keeps_who_started_it_through_a_resume_by_someone_else() {
    let mut rig = Rig::new();
    let parked = rig.run(
        &flow(json!({"mode": "signal", "signal": "go"})),
        json!({"executionId": "run-audit", "caller": "user:alice"}),
    );
    assert_eq!(parked["error"]["code"], json!("WAITING"));
    let entry = node(&rig.get("run-audit"), "$permissions")["output"].clone();
    assert_eq!(entry, json!({"caller": "user:alice"}), "no permissions: the caller alone");
    let mut later = rig.reopened();
    let answer = later.call("signal", json!({"executionId": "run-audit", "name": "go"}));
    assert_eq!(answer["ok"], json!(true), "{answer}");
    let flow = later.get("run-audit")["flow"].clone();
    let done =
        later.run(&flow, json!({"executionId": "run-audit", "resume": {}, "caller": "user:bob"}));
    assert_eq!(done["success"], json!(true), "{done}");
    let record = later.get("run-audit");
    assert_eq!(record["status"], json!("success"));
    assert_eq!(node(&record, "$permissions")["output"]["caller"], json!("user:alice"));
}
