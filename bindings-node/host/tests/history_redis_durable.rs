//! Durable runs in the Redis history queue mode shares, against a real `redis-server`: a run's
//! checkpoints are kept whole beside its record; a worker that took over a lost run marks it
//! interrupted (only while the dead worker still holds it), one worker claims it, and from then on
//! the worker that lost it writes nothing more to it; a checkpoint damaged in the server is not
//! trusted; checkpoints go when the run ends.

mod common;

use std::sync::Arc;

use atomiton_core::history::{
    Capture, HistoryStore, HistoryWrite, InFlight, ListQuery, NodeStarted, RunEnded, RunStatus,
};
use atomiton_core::json;
use atomiton_core::nodes::NodeInput;
use atomiton_core::progress::NodeState;
use atomiton_core::testing::history_store::node;
use atomiton_core::testing::wait;
use atomiton_core::value::Value;
use atomiton_native_host::history::mark_lost;
use atomiton_native_host::RedisHistory;
use common::history::{ended, run_with};
use common::redis_server::RedisServer;

/// Values over this many bytes of JSON are cut in the record (not in a checkpoint).
const CAP: usize = 64;

fn open(server: &RedisServer, owner: &str) -> RedisHistory {
    RedisHistory::open(&server.url(), "durable", Capture::new(CAP, vec!["token".into()]), owner)
        .expect("open")
}

fn large() -> Value {
    json!({"rows": (0..50).collect::<Vec<i32>>(), "token": "kept whole in a checkpoint"})
}

/// Worker `owner`'s durable run `id`: begun with a large input, node `a` completed with a large
/// output, node `b` (with effects) started and not ended.
fn durable_run(store: &RedisHistory, id: &str, owner: &str) {
    store.write(run_with(id, 1.0, |begun| {
        begun.summary.durable = true;
        begun.summary.owner = Some(owner.into());
        begun.input = NodeInput::from_value(json!({"default": large()}));
    }));
    store.write(completed(id, "a", large()));
    store.write(HistoryWrite::Started(Box::new(NodeStarted {
        execution_id: Arc::from(id),
        node_id: Arc::from("b"),
        node_type: Arc::from("http-request"),
        idempotent: false,
    })));
}

fn completed(id: &str, node_id: &str, output: Value) -> HistoryWrite {
    let HistoryWrite::Node(mut ended) = node(id, node_id, NodeState::Completed, None, None, 2.0)
    else {
        unreachable!("node() writes a node")
    };
    ended.output = Some(Arc::new(output));
    ended.checkpoint = true;
    HistoryWrite::Node(ended)
}

fn sync(store: &RedisHistory) {
    wait(store.list(ListQuery { limit: 0, ..ListQuery::default() })).expect("read");
}

fn redis(server: &RedisServer) -> redis::Connection {
    redis::Client::open(server.url()).expect("client").get_connection().expect("connection")
}

#[test]
fn a_lost_durable_run_is_interrupted_resumed_by_one_worker_and_fenced_from_the_one_that_lost_it() {
    let server = RedisServer::start();
    let (dead, taker, other) =
        (open(&server, "w-dead"), open(&server, "w-taker"), open(&server, "w-other"));
    durable_run(&dead, "exec_lost", "w-dead");
    // The start of a node with effects is on the server once `stored` resolves.
    wait(dead.stored().expect("a server's store says when writes are stored"));

    // The taker reads the whole checkpoints (not the record's cut copy) once the run is interrupted.
    let status = wait(mark_lost(&taker, "exec_lost", "worker lost", 5.0)).expect("mark");
    assert_eq!(status, Some(RunStatus::Interrupted));
    let record = wait(taker.get("exec_lost".into())).expect("get").expect("kept");
    assert!(record.summary.durable);
    let checkpoints = wait(taker.checkpoints("exec_lost".into())).expect("read").expect("kept");
    assert_eq!(checkpoints.input, Some(json!({"default": large()})));
    assert_eq!(checkpoints.outputs["a"].1.as_deref(), Some(&large()));
    assert_eq!(
        checkpoints.in_flight,
        vec![InFlight { node_id: "b".into(), node_type: "http-request".into(), idempotent: false }]
    );
    assert_eq!(checkpoints.torn, 0);

    // Marking it lost again changes nothing; one of two workers claims it.
    assert_eq!(
        wait(mark_lost(&other, "exec_lost", "again", 6.0)).expect("mark"),
        Some(RunStatus::Interrupted)
    );
    assert!(wait(taker.claim("exec_lost".into(), Some("w-taker".into()))).expect("claim"));
    assert!(!wait(other.claim("exec_lost".into(), Some("w-other".into()))).expect("claim"));

    // The worker that lost it, alive after all, writes on: none of it lands.
    dead.write(completed("exec_lost", "b", json!("from the worker that lost the run")));
    dead.write(ended("exec_lost", RunStatus::Cancelled, 7.0));
    sync(&dead);
    // Nor does ending it as lost on the dead worker's behalf, read before the claim (the race
    // `mark_lost` guards against).
    let late = RunEnded {
        execution_id: Arc::from("exec_lost"),
        status: RunStatus::Crashed,
        end_time: 8.0,
        error: None,
    };
    assert!(!wait(other.end_lost(late, Some("w-dead".into()))).expect("end"));
    let record = wait(taker.get("exec_lost".into())).expect("get").expect("kept");
    assert_eq!(record.summary.status, RunStatus::Running);
    assert_eq!(record.summary.owner.as_deref(), Some("w-taker"));
    assert!(record.nodes.iter().all(|n| n.node_id.as_ref() as &str != "b"), "{:?}", record.nodes);

    // The taker's own writes land; the run's end lets its checkpoints go.
    taker.write(completed("exec_lost", "b", json!(2)));
    taker.write(ended("exec_lost", RunStatus::Success, 9.0));
    sync(&taker);
    assert_eq!(
        wait(taker.get("exec_lost".into())).expect("get").expect("kept").summary.status,
        RunStatus::Success
    );
    assert_eq!(
        wait(taker.checkpoints("exec_lost".into())).expect("read").map(|c| c.outputs.len()),
        None
    );
    let keys: Vec<String> =
        redis::cmd("KEYS").arg("durable:ckpt:*").query(&mut redis(&server)).expect("keys");
    assert!(keys.is_empty(), "{keys:?}");
}

#[test]
fn a_checkpoint_damaged_in_the_server_is_not_trusted_and_a_damaged_input_refuses() {
    let server = RedisServer::start();
    let store = open(&server, "w-1");
    durable_run(&store, "exec_torn", "w-1");
    sync(&store);
    let mut conn = redis(&server);
    let key = "durable:ckpt:exec_torn";
    let output: String = redis::cmd("HGET").arg(key).arg("d:a").query(&mut conn).expect("hget");
    // Cut at every byte: never read as whole.
    for cut in (0..output.len()).step_by(7) {
        let _: () = redis::cmd("HSET")
            .arg(key)
            .arg("d:a")
            .arg(&output[..cut])
            .query(&mut conn)
            .expect("hset");
        let checkpoints = wait(store.checkpoints("exec_torn".into())).expect("read").expect("kept");
        assert!(!checkpoints.outputs.contains_key("a"), "cut at {cut}");
        assert_eq!(checkpoints.torn, 1, "cut at {cut}");
    }
    let input: String = redis::cmd("HGET").arg(key).arg("input").query(&mut conn).expect("hget");
    let _: () = redis::cmd("HSET")
        .arg(key)
        .arg("input")
        .arg(&input[..input.len() - 3])
        .query(&mut conn)
        .expect("hset");
    let error = wait(store.checkpoints("exec_torn".into())).expect_err("refused");
    assert!(error.message.contains("input checkpoint is damaged"), "{}", error.message);
}

#[test]
fn a_run_that_is_not_durable_is_crashed_when_lost_and_an_unknown_one_is_none() {
    let server = RedisServer::start();
    let store = open(&server, "w-1");
    store.write(run_with("exec_plain", 1.0, |begun| begun.summary.owner = Some("w-1".into())));
    sync(&store);
    assert_eq!(
        wait(mark_lost(&store, "exec_plain", "lost", 2.0)).expect("mark"),
        Some(RunStatus::Crashed)
    );
    assert_eq!(wait(mark_lost(&store, "exec_nowhere", "lost", 2.0)).expect("mark"), None);
    assert_eq!(wait(mark_lost(&store, "not an id!", "lost", 2.0)).expect("mark"), None);
    assert!(wait(store.checkpoints("exec_plain".into())).expect("read").is_none());
}
