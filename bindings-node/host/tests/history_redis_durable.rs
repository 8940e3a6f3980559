//! Durable runs in the Redis history queue mode shares, against a real `redis-server`: a run's
//! checkpoints are kept whole beside its record; a worker that took over a lost run marks it
//! interrupted (only while the dead worker still holds it), one worker claims it, and from then on
//! the worker that lost it writes nothing more to it; a checkpoint damaged in the server is not
//! trusted; checkpoints go when the run ends.

mod common;

use atomiton_core::history::{Capture, HistoryStore, RunStatus};
use atomiton_core::json;
use atomiton_core::nodes::NodeInput;
use atomiton_core::testing::wait;
use atomiton_native_host::history::mark_lost;
use atomiton_native_host::RedisHistory;
use common::durable_stores::{
    a_lost_run_is_interrupted_claimed_once_and_fenced,
    a_parked_run_keeps_its_checkpoints_and_one_of_two_wakes_wins, completed, large, sync,
};
use common::history::run_with;
use common::redis_server::RedisServer;

/// Values over this many bytes of JSON are cut in the record (not in a checkpoint).
const CAP: usize = 64;

fn open(server: &RedisServer, owner: &str) -> RedisHistory {
    RedisHistory::open(&server.url(), "durable", Capture::new(CAP, vec!["token".into()]), owner)
        .expect("open")
}

/// Worker `owner`'s durable run `id`: begun, node `a` completed, node `b` started.
fn durable_run(store: &RedisHistory, id: &str, owner: &str) {
    store.write(run_with(id, 1.0, |begun| {
        begun.summary.durable = true;
        begun.summary.owner = Some(owner.into());
        begun.input = NodeInput::from_value(json!({"default": large()}));
    }));
    store.write(completed(id, "a", large()));
}

fn redis(server: &RedisServer) -> redis::Connection {
    redis::Client::open(server.url()).expect("client").get_connection().expect("connection")
}

#[test]
fn a_lost_durable_run_is_interrupted_resumed_by_one_worker_and_fenced_from_the_one_that_lost_it() {
    let server = RedisServer::start();
    let (dead, taker, other) =
        (open(&server, "w-dead"), open(&server, "w-taker"), open(&server, "w-other"));
    a_lost_run_is_interrupted_claimed_once_and_fenced(&dead, &taker, &other);
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

#[test]
fn a_parked_run_is_shared_kept_and_woken_once() {
    let server = RedisServer::start();
    let (first, second) = (open(&server, "w-1"), open(&server, "w-2"));
    a_parked_run_keeps_its_checkpoints_and_one_of_two_wakes_wins(&first, &second);
}
