//! The durable-run checks every store processes share (Redis, PostgreSQL) passes: a run whose
//! process was lost is marked interrupted with its checkpoints whole, one process claims it,
//! and from then on the process that lost it writes nothing to it.

use std::sync::Arc;

use atomiton_core::history::{
    HistoryStore, HistoryWrite, InFlight, ListQuery, NodeStarted, RunEnded, RunStatus,
};
use atomiton_core::json;
use atomiton_core::nodes::NodeInput;
use atomiton_core::progress::NodeState;
use atomiton_core::testing::history_store::node;
use atomiton_core::testing::wait;
use atomiton_core::value::Value;
use atomiton_native_host::history::mark_lost;

use super::history::{ended, run_with};

/// A value over the record's cap, kept whole in a checkpoint.
pub fn large() -> Value {
    json!({"rows": (0..50).collect::<Vec<i32>>(), "token": "kept whole in a checkpoint"})
}

/// Node `node_id` of run `id` completed with `output`, checkpointed.
pub fn completed(id: &str, node_id: &str, output: Value) -> HistoryWrite {
    let HistoryWrite::Node(mut done) = node(id, node_id, NodeState::Completed, None, None, 2.0)
    else {
        unreachable!("node() writes a node")
    };
    done.output = Some(Arc::new(output));
    done.checkpoint = true;
    HistoryWrite::Node(done)
}

/// Waits until every write `store` was given is stored.
pub fn sync(store: &dyn HistoryStore) {
    wait(store.list(ListQuery { limit: 0, ..ListQuery::default() })).expect("read");
}

/// Run `exec_lost` of `dead` (owner `w-dead`): begun with a large input, node `a` completed,
/// node `b` (with effects) started; then `taker` (`w-taker`) finds it lost and takes it over,
/// `other` (`w-other`) comes second, and `dead` writes on as if it still had it.
pub fn a_lost_run_is_interrupted_claimed_once_and_fenced(
    dead: &dyn HistoryStore,
    taker: &dyn HistoryStore,
    other: &dyn HistoryStore,
) {
    dead.write(run_with("exec_lost", 1.0, |begun| {
        begun.summary.durable = true;
        begun.summary.owner = Some("w-dead".into());
        begun.input = NodeInput::from_value(json!({"default": large()}));
    }));
    dead.write(completed("exec_lost", "a", large()));
    dead.write(HistoryWrite::Started(Box::new(NodeStarted {
        execution_id: Arc::from("exec_lost"),
        node_id: Arc::from("b"),
        node_type: Arc::from("http-request"),
        idempotent: false,
    })));
    wait(dead.stored().expect("a server's store says when writes are stored"));

    // The taker reads the whole checkpoints (not the record's cut copy) once it is interrupted.
    let status = wait(mark_lost(taker, "exec_lost", "worker lost", 5.0)).expect("mark");
    assert_eq!(status, Some(RunStatus::Interrupted));
    assert!(wait(taker.get("exec_lost".into())).expect("get").expect("kept").summary.durable);
    let checkpoints = wait(taker.checkpoints("exec_lost".into())).expect("read").expect("kept");
    assert_eq!(checkpoints.input, Some(json!({"default": large()})));
    assert_eq!(checkpoints.outputs["a"].1.as_deref(), Some(&large()));
    assert_eq!(
        checkpoints.in_flight,
        vec![InFlight { node_id: "b".into(), node_type: "http-request".into(), idempotent: false }]
    );
    assert_eq!(checkpoints.torn, 0);

    // Marking it lost again changes nothing; one of two processes claims it.
    assert_eq!(
        wait(mark_lost(other, "exec_lost", "again", 6.0)).expect("mark"),
        Some(RunStatus::Interrupted)
    );
    assert!(wait(taker.claim("exec_lost".into(), Some("w-taker".into()))).expect("claim"));
    assert!(!wait(other.claim("exec_lost".into(), Some("w-other".into()))).expect("claim"));

    // The process that lost it, alive after all, writes on: none of it lands.
    dead.write(completed("exec_lost", "b", json!("from the process that lost the run")));
    dead.write(ended("exec_lost", RunStatus::Cancelled, 7.0));
    sync(dead);
    // Nor does ending it as lost on the dead process's behalf, read before the claim (the race
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
    assert!(record.nodes.iter().all(|n| &*n.node_id != "b"), "{:?}", record.nodes);

    // The taker's own writes land; the run's end lets its checkpoints go.
    taker.write(completed("exec_lost", "b", json!(2)));
    taker.write(ended("exec_lost", RunStatus::Success, 9.0));
    sync(taker);
    let done = wait(taker.get("exec_lost".into())).expect("get").expect("kept");
    assert_eq!(done.summary.status, RunStatus::Success);
    assert!(wait(taker.checkpoints("exec_lost".into())).expect("read").is_none());
}

/// Run `exec_wait` of `first` (owner `w-1`) parks at wait node `w` (a signal) after node `a`
/// completed: `second` sees it waiting with what it waits for and its checkpoints kept; a wake
/// naming another wait is refused; of two wakes racing from the two stores, one wins; the run is
/// then interrupted with the winner's delivery, to be claimed once.
pub fn a_parked_run_keeps_its_checkpoints_and_one_of_two_wakes_wins(
    first: &dyn HistoryStore,
    second: &dyn HistoryStore,
) {
    use atomiton_core::history::{WaitKind, Waiting, Wake};
    first.write(run_with("exec_wait", 1.0, |begun| {
        begun.summary.durable = true;
        begun.summary.owner = Some("w-1".into());
        begun.input = NodeInput::from_value(json!({"default": 1}));
    }));
    first.write(completed("exec_wait", "a", large()));
    let waiting = Waiting {
        node_id: "g/w".into(),
        kind: WaitKind::Signal,
        since: 1_704_067_200_123.5,
        wake_at: None,
        signal: Some("go".into()),
        payload_schema: Some(json!({"type": "object"})),
        permissions: None,
    };
    first.write(HistoryWrite::Ended(Box::new(RunEnded {
        execution_id: Arc::from("exec_wait"),
        status: RunStatus::Waiting,
        end_time: 3.0,
        error: Some(waiting.error()),
    })));
    sync(first);
    let record = wait(second.get("exec_wait".into())).expect("get").expect("kept");
    assert_eq!(record.summary.status, RunStatus::Waiting);
    assert_eq!(Waiting::of(&record.summary), Some(waiting.clone()), "what it waits for is kept");
    let kept = wait(second.checkpoints("exec_wait".into())).expect("read").expect("kept");
    assert_eq!(
        kept.outputs["a"].1.as_deref(),
        Some(&large()),
        "a parked run keeps its checkpoints"
    );
    let listed =
        wait(second.list(ListQuery { status: Some(RunStatus::Waiting), ..ListQuery::default() }));
    assert_eq!(listed.expect("list").total, 1);

    let wake = |since: f64, payload: i32| Wake {
        execution_id: "exec_wait".into(),
        node_id: "g/w".into(),
        since,
        delivery: json!({"kind": "signal", "name": "go", "payload": payload}),
    };
    assert!(!wait(second.wake(wake(1.0, 0))).expect("wake"), "another wait of the node: refused");
    assert!(wait(first.wake(wake(waiting.since, 1))).expect("wake"));
    assert!(!wait(second.wake(wake(waiting.since, 2))).expect("wake"), "woken once");
    let record = wait(second.get("exec_wait".into())).expect("get").expect("kept");
    assert_eq!((record.summary.status, record.summary.error), (RunStatus::Interrupted, None));
    let woken = wait(second.checkpoints("exec_wait".into())).expect("read").expect("kept");
    assert_eq!(woken.deliveries["g/w"]["payload"], json!(1), "the winner's delivery");
    assert_eq!(woken.outputs["a"].1.as_deref(), Some(&large()));
    assert!(wait(second.claim("exec_wait".into(), Some("w-2".into()))).expect("claim"));
    assert!(!wait(first.claim("exec_wait".into(), Some("w-1".into()))).expect("claim"));
}
