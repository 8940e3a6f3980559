//! What every [`HistoryStore`] must do, as one check any store runs through: the memory store in
//! core's tests, SQLite in the native host's, and any store added later (a shared one for queue
//! mode). The store must be made with `Capture::new(64, vec!["password".into()])`.

use std::sync::Arc;

use super::wait;

use crate::error::ExecutionError;
use crate::history::{
    HistoryStore, HistoryWrite, ListQuery, NodeEnded, Prune, RunBegun, RunCounts, RunEnded,
    RunStatus, RunSummary, TRUNCATED_KEY,
};
use crate::nodes::NodeInput;
use crate::progress::NodeState;
use crate::storage::SortOrder;
use crate::{json, Value};

/// The capture policy [`check_history_store`] expects its store to have.
pub const CHECKED_MAX_VALUE_BYTES: usize = 64;

fn begun(id: &str, flow_id: &str, start: f64, owner: Option<&str>, input: Value) -> HistoryWrite {
    HistoryWrite::Begun(Box::new(RunBegun {
        summary: RunSummary {
            owner: owner.map(str::to_owned),
            ..RunSummary::running(id, flow_id, start)
        },
        flow_json: Arc::from(format!(r#"{{"id":"{flow_id}","type":"group","nodes":[]}}"#)),
        flow_buffers: Vec::new(),
        input: NodeInput::from_value(input),
        variables: Arc::new(json!({"region": "eu"})),
        values_pending: false,
    }))
}

/// Node `id` of run `run` ends in `state` (with `output` or `error`) at `at + 5`, begun at `at`,
/// its input `{"x": 1}`; a `cached` node names its entry (key `"00…0c"`, age 250 ms).
pub fn node(
    run: &str,
    id: &str,
    state: NodeState,
    output: Option<Value>,
    error: Option<ExecutionError>,
    at: f64,
) -> HistoryWrite {
    HistoryWrite::Node(Box::new(NodeEnded {
        execution_id: Arc::from(run),
        node_id: Arc::from(id),
        node_type: Arc::from("transform"),
        state,
        attempts: 1,
        reused: false,
        input: Some(NodeInput::from_value(json!({"x": 1}))),
        output: output.map(Arc::new),
        output_captured: None,
        summarized: false,
        error,
        start_time: Some(at),
        end_time: Some(at + 5.0),
        cache: (state == NodeState::Cached).then(|| (format!("{:032x}", 12), 250.0)),
        checkpoint: false,
    }))
}

fn ended(run: &str, status: RunStatus, at: f64) -> HistoryWrite {
    let error = (status == RunStatus::Failed).then(|| ExecutionError::execution_failed("b broke"));
    HistoryWrite::Ended(Box::new(RunEnded {
        execution_id: Arc::from(run),
        status,
        end_time: at,
        error,
    }))
}

fn ids(store: &dyn HistoryStore, query: ListQuery) -> (Vec<String>, usize) {
    let page = wait(store.list(query)).expect("list");
    (page.executions.into_iter().map(|s| s.id).collect(), page.total)
}

/// Runs every check on an empty `store`; panics naming the first that fails.
pub fn check_history_store(store: &dyn HistoryStore) {
    // A run that fails at its third node; its input carries a secret.
    store.write(begun("run-a", "flow-1", 1000.0, None, json!({"password": "hunter2"})));
    store.write(node("run-a", "a", NodeState::Completed, Some(json!({"n": 1})), None, 1001.0));
    store.write(node(
        "run-a",
        "big",
        NodeState::Completed,
        Some(json!("y".repeat(200))),
        None,
        1002.0,
    ));
    store.write(node(
        "run-a",
        "b",
        NodeState::Error,
        None,
        Some(ExecutionError::execution_failed("b broke")),
        1003.0,
    ));
    // Written last, ended first (its values were written out by the embedder meanwhile).
    store.write(node("run-a", "early", NodeState::Completed, None, None, 995.0));
    // Served from the result cache: the record names the entry.
    store.write(node("run-a", "hit", NodeState::Cached, Some(json!(7)), None, 1004.0));
    store.write(ended("run-a", RunStatus::Failed, 1010.0));
    // A node of a run the store never saw begin is dropped, not an error.
    store.write(node("ghost", "a", NodeState::Completed, None, None, 1.0));

    let a = wait(store.get("run-a".into())).expect("get").expect("run-a recorded");
    assert_eq!(a.summary.status, RunStatus::Failed);
    assert_eq!(
        (a.summary.start_time, a.summary.end_time, a.summary.duration),
        (1000.0, Some(1010.0), Some(10.0))
    );
    assert_eq!(a.summary.flow_id, "flow-1");
    assert_eq!(a.summary.flow_hash.len(), 16, "the flow's hash is filled in");
    assert_eq!(a.summary.error.as_ref().map(|e| e.message.as_str()), Some("b broke"));
    assert_eq!(a.flow["id"], json!("flow-1"), "the definition as it ran");
    assert_eq!(
        a.input["password"],
        json!(crate::history::REDACTED),
        "redacted keys are never stored"
    );
    assert_eq!(a.variables, json!({"region": "eu"}));
    let nodes: Vec<(&str, NodeState, bool)> =
        a.nodes.iter().map(|n| (n.node_id.as_str(), n.state, n.reusable)).collect();
    assert_eq!(
        nodes,
        [
            ("early", NodeState::Completed, true),
            ("a", NodeState::Completed, true),
            ("big", NodeState::Completed, false),
            ("b", NodeState::Error, false),
            ("hit", NodeState::Cached, true)
        ],
        "nodes in the order they ended; a cut output is not reusable"
    );
    let hit = &a.nodes[4];
    assert_eq!(
        (hit.cache_key.as_deref(), hit.cache_age, hit.output.clone()),
        (Some("0000000000000000000000000000000c"), Some(250.0), Some(json!(7))),
        "a cached node keeps its entry's key and age"
    );
    assert!(a.nodes[1].cache_key.is_none() && a.nodes[1].cache_age.is_none());
    let a_nodes = &a.nodes[1..];
    assert_eq!(a_nodes[0].output, Some(json!({"n": 1})));
    assert_eq!(a_nodes[0].input, Some(json!({"x": 1})));
    assert_eq!(
        (a_nodes[0].start_time, a_nodes[0].end_time, a_nodes[0].attempts),
        (Some(1001.0), Some(1006.0), 1)
    );
    assert_eq!(a_nodes[2].error.as_ref().map(|e| e.message.as_str()), Some("b broke"));
    assert!(wait(store.get("ghost".into())).expect("get").is_none());

    // A second `Begun` amends input and variables only.
    store.write(begun("run-a", "flow-other", 5.0, None, json!({"late": true})));
    let a = wait(store.get("run-a".into())).expect("get").expect("run-a");
    assert_eq!(
        (a.input["late"].clone(), a.summary.flow_id.as_str(), a.summary.status),
        (json!(true), "flow-1", RunStatus::Failed)
    );

    store.write(begun("run-b", "flow-2", 2000.0, None, json!({"note": "x".repeat(200)})));
    store.write(ended("run-b", RunStatus::Success, 2001.0));
    store.write(begun("run-c", "flow-1", 3000.0, None, json!({})));
    store.write(ended("run-c", RunStatus::Cancelled, 3001.0));
    let b = wait(store.get("run-b".into())).expect("get").expect("run-b");
    assert_eq!(
        b.input[TRUNCATED_KEY],
        json!(true),
        "values over the cap are cut with a marker: {:?}",
        b.input
    );
    let all = |query: ListQuery| ids(store, query);
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(all(ListQuery::default()), (s(&["run-c", "run-b", "run-a"]), 3), "newest first");
    assert_eq!(
        all(ListQuery { sort_order: SortOrder::Asc, ..ListQuery::default() }).0,
        s(&["run-a", "run-b", "run-c"])
    );
    assert_eq!(
        all(ListQuery { flow_id: Some("flow-1".into()), ..ListQuery::default() }),
        (s(&["run-c", "run-a"]), 2)
    );
    assert_eq!(
        all(ListQuery { status: Some(RunStatus::Success), ..ListQuery::default() }),
        (s(&["run-b"]), 1)
    );
    assert_eq!(
        all(ListQuery { limit: 1, offset: 1, ..ListQuery::default() }),
        (s(&["run-b"]), 3),
        "a page, and the total"
    );
    assert_eq!(all(ListQuery { offset: 10, ..ListQuery::default() }), (s(&[]), 3));
    // A time range: from `since`, before `until` (runs began at 1000, 2000 and 3000).
    let range = |since, until| ListQuery { since, until, ..ListQuery::default() };
    assert_eq!(all(range(Some(2000.0), None)), (s(&["run-c", "run-b"]), 2), "since: included");
    assert_eq!(all(range(None, Some(3000.0))), (s(&["run-b", "run-a"]), 2), "until: excluded");
    assert_eq!(all(range(Some(1500.0), Some(2500.0))), (s(&["run-b"]), 1));
    assert_eq!(
        all(ListQuery { flow_id: Some("flow-1".into()), ..range(Some(1000.0), Some(3000.0)) }),
        (s(&["run-a"]), 1),
        "with a flow"
    );
    assert_eq!(
        all(ListQuery {
            flow_id: Some("flow-1".into()),
            status: Some(RunStatus::Cancelled),
            ..range(Some(2000.0), None)
        }),
        (s(&["run-c"]), 1),
        "with a flow and a status"
    );
    assert_eq!(
        all(ListQuery {
            sort_order: SortOrder::Asc,
            limit: 1,
            offset: 1,
            ..range(Some(1000.0), Some(3001.0))
        }),
        (s(&["run-b"]), 3),
        "a page of a range, oldest first"
    );

    // Runs left running: the one whose owner is gone is marked crashed, at `now`.
    store.write(begun("run-d", "flow-1", 4000.0, Some("gone"), json!({})));
    store.write(node("run-d", "a", NodeState::Completed, Some(json!(1)), None, 4001.0));
    store.write(begun("run-e", "flow-1", 5000.0, Some("alive"), json!({})));
    store.write(begun("run-f", "flow-1", 5001.0, None, json!({})));
    let crashed = wait(store.recover(Box::new(|owner| owner == "alive"), 9000.0)).expect("recover");
    assert_eq!(crashed, 2, "run-d (owner gone) and run-f (no owner)");
    let d = wait(store.get("run-d".into())).expect("get").expect("run-d");
    assert_eq!((d.summary.status, d.summary.end_time), (RunStatus::Crashed, Some(9000.0)));
    assert_eq!(d.nodes.len(), 1, "a crashed run keeps the nodes it finished");
    // Counts in each status: a, c, d, e, f are flow-1's (begun at 1000, 3000, 4000, 5000, 5001).
    let counts = |query: ListQuery| wait(store.counts(query)).expect("counts");
    let tally = |running, success, failed, cancelled, crashed| RunCounts {
        total: running + success + failed + cancelled + crashed,
        running,
        success,
        failed,
        cancelled,
        crashed,
        interrupted: 0,
        waiting: 0,
    };
    assert_eq!(counts(ListQuery::default()), tally(1, 1, 1, 1, 2));
    let flow_1 = ListQuery { flow_id: Some("flow-1".into()), ..ListQuery::default() };
    assert_eq!(counts(flow_1.clone()), tally(1, 0, 1, 1, 2), "of a flow");
    assert_eq!(
        counts(ListQuery { since: Some(3000.0), until: Some(5001.0), ..flow_1 }),
        tally(1, 0, 0, 1, 1),
        "of a flow, in a time range"
    );
    assert_eq!(
        counts(ListQuery { status: Some(RunStatus::Failed), limit: 1, ..ListQuery::default() }),
        tally(1, 1, 1, 1, 2),
        "a status filter and a page are not counts' filters"
    );
    assert_eq!(
        wait(store.get("run-e".into())).expect("get").expect("run-e").summary.status,
        RunStatus::Running
    );

    // Pruning keeps the newest and never touches a running run.
    let deleted = wait(store.prune(Prune { before: None, keep: Some(2) })).expect("prune");
    assert_eq!(
        deleted, 3,
        "of run-f, run-d, run-c, run-b, run-a (run-e is running), all but two go"
    );
    assert_eq!(all(ListQuery::default()).0, s(&["run-f", "run-e", "run-d"]));
    // A time that is not a number is before nothing.
    let deleted = wait(store.prune(Prune { before: Some(f64::NAN), keep: None })).expect("prune");
    assert_eq!(deleted, 0, "NaN prunes nothing");
    let deleted = wait(store.prune(Prune { before: Some(4500.0), keep: None })).expect("prune");
    assert_eq!(deleted, 1, "run-d began before 4500");
    assert!(
        wait(store.get("run-d".into())).expect("get").is_none(),
        "a pruned run's nodes go with it"
    );

    assert!(wait(store.delete("run-f".into())).expect("delete"));
    assert!(!wait(store.delete("run-f".into())).expect("delete again"));
    assert_eq!(all(ListQuery::default()), (s(&["run-e"]), 1));

    // A run parked at a wait is never pruned, however old (it may be woken); it can be deleted.
    store.write(begun("run-g", "flow-2", 500.0, None, json!({})));
    store.write(HistoryWrite::Ended(Box::new(RunEnded {
        execution_id: Arc::from("run-g"),
        status: RunStatus::Waiting,
        end_time: 600.0,
        error: None,
    })));
    let deleted =
        wait(store.prune(Prune { before: Some(10_000.0), keep: Some(0) })).expect("prune");
    assert_eq!(deleted, 0, "run-e is running and run-g waits: neither goes");
    assert_eq!(counts(ListQuery::default()).waiting, 1);
    assert!(wait(store.delete("run-g".into())).expect("delete"));
}
