//! Durable runs in the SQLite history: checkpoints are kept whole (whatever the record's cap), in
//! the journal while the run's process lives and in the database once a later conductor finds
//! the run interrupted; read back verified, dropped when the run ends; a run whose process died is
//! interrupted, not crashed, and taken over by one conductor only; a journal or a row cut short is
//! not trusted past the cut.

mod common;

use std::sync::Arc;

use atomiton_core::history::{
    Capture, Checkpoints, HistoryStore, HistoryWrite, InFlight, ListQuery, NodeStarted, RunStatus,
};
use atomiton_core::json;
use atomiton_core::nodes::NodeInput;
use atomiton_core::progress::NodeState;
use atomiton_core::testing::history_store::node;
use atomiton_core::testing::wait;
use atomiton_core::value::Value;
use atomiton_native_host::SqliteHistory;
use common::history::{ended, run_with};
use common::TempDir;

/// Values over this many bytes of JSON are cut in the record (not in a checkpoint).
const CAP: usize = 64;

fn open(dir: &TempDir) -> SqliteHistory {
    SqliteHistory::open(&dir.path().join("history.sqlite"), Capture::new(CAP, vec!["token".into()]))
        .expect("open")
}

fn large() -> Value {
    json!({"rows": (0..50).collect::<Vec<i32>>(), "token": "kept whole in a checkpoint"})
}

/// Durable run `id` began with a large input, node `a` completed with a large output, node
/// `b` (with effects) started and had not ended.
fn interrupted_run(store: &SqliteHistory, id: &str) {
    store.write(run_with(id, 1.0, |begun| {
        begun.summary.durable = true;
        begun.summary.owner = Some("pid:dead".into());
        begun.input = NodeInput::from_value(json!({"default": large()}));
    }));
    let HistoryWrite::Node(mut a) = node(id, "a", NodeState::Completed, None, None, 2.0) else {
        unreachable!("node() writes a node")
    };
    a.output = Some(Arc::new(large()));
    a.checkpoint = true;
    store.write(HistoryWrite::Node(a));
    store.write(HistoryWrite::Started(Box::new(NodeStarted {
        execution_id: Arc::from(id),
        node_id: Arc::from("b"),
        node_type: Arc::from("http-request"),
        idempotent: false,
    })));
}

fn checkpoints(store: &SqliteHistory, id: &str) -> Option<Checkpoints> {
    wait(store.checkpoints(id.into())).expect("checkpoints")
}

/// What the next conductor does on opening the store when this process's runs are taken for
/// dead: marks them interrupted and takes their checkpoints from the journals.
fn recover_as_if_dead(store: &SqliteHistory) -> usize {
    wait(store.recover(Box::new(|_| false), 10.0)).expect("recover")
}

#[test]
fn checkpoints_are_whole_whatever_the_records_cap_and_go_when_the_run_ends() {
    let dir = TempDir::new("durable-whole");
    let store = open(&dir);
    assert!(store.keeps_checkpoints());
    interrupted_run(&store, "r1");
    assert!(checkpoints(&store, "r1").is_none(), "a live run's checkpoints are in its journal");

    let record = wait(store.get("r1".into())).expect("get").expect("recorded");
    let cut = record.nodes[0].output.as_ref().and_then(|o| o.get("$truncated")).is_some();
    assert!(cut, "the record's copy is cut at the cap");
    assert!(record.summary.durable);

    assert_eq!(recover_as_if_dead(&store), 1);
    let saved = checkpoints(&store, "r1").expect("the run has checkpoints");
    assert_eq!(saved.input, Some(json!({"default": large()})), "the input, whole and unredacted");
    assert_eq!(saved.outputs["a"].1.as_deref(), Some(&large()));
    assert_eq!(&*saved.outputs["a"].0, "transform");
    let in_flight =
        InFlight { node_id: "b".into(), node_type: "http-request".into(), idempotent: false };
    assert_eq!(saved.in_flight, vec![in_flight]);
    assert_eq!(saved.torn, 0);
    let journals = dir.path().join("history.checkpoints");
    assert_eq!(
        std::fs::read_dir(&journals).map(|d| d.count()).unwrap_or(0),
        0,
        "imported journals go"
    );

    store.write(ended("r1", RunStatus::Success, 3.0));
    assert!(checkpoints(&store, "r1").is_none(), "an ended run keeps no checkpoints");
}

#[test]
fn a_durable_run_whose_process_died_is_interrupted_and_one_conductor_takes_it_over() {
    let dir = TempDir::new("durable-claim");
    let (first, second) = (open(&dir), open(&dir));
    interrupted_run(&first, "r1");
    first.write(run_with("plain", 1.0, |begun| begun.summary.owner = Some("pid:dead".into())));
    // Reads come after every write made before them: once answered, the writes are stored.
    wait(first.list(ListQuery::default())).expect("stored");
    assert_eq!(recover_as_if_dead(&second), 2);
    let status = |id: &str| wait(second.get(id.into())).expect("get").expect("run").summary.status;
    assert_eq!((status("r1"), status("plain")), (RunStatus::Interrupted, RunStatus::Crashed));
    assert!(checkpoints(&second, "r1").is_some_and(|c| c.outputs.contains_key("a")));

    // Two stores on one file (two processes) claim it at once: one gets it.
    let claims = [
        wait(first.claim("r1".into(), Some("pid:1".into()))).expect("claim"),
        wait(second.claim("r1".into(), Some("pid:2".into()))).expect("claim"),
    ];
    assert_eq!(claims, [true, false]);
    let record = wait(second.get("r1".into())).expect("get").expect("run");
    assert_eq!(
        (record.summary.status, record.summary.owner.as_deref(), record.summary.end_time),
        (RunStatus::Running, Some("pid:1"), None)
    );
    assert!(
        !wait(first.claim("plain".into(), None)).expect("claim"),
        "a crashed run is not taken over"
    );
}

/// The journal a store left behind when its process died.
fn left_journal(dir: &TempDir) -> std::path::PathBuf {
    let store = open(dir);
    interrupted_run(&store, "r1");
    wait(store.list(ListQuery::default())).expect("stored");
    // A store dropped with a run going on keeps its journal, as a killed process does.
    drop(store);
    let journals = dir.path().join("history.checkpoints");
    let mut files = std::fs::read_dir(&journals).expect("journals").flatten().map(|e| e.path());
    files.next().expect("a journal")
}

#[test]
fn a_journal_cut_at_any_byte_is_trusted_up_to_the_cut_only() {
    // The entries' bytes (the file goes on with zeros, where the next entry would go).
    let whole = std::fs::read(left_journal(&TempDir::new("durable-len"))).expect("journal");
    let used = whole.iter().rposition(|&b| b != 0).map_or(0, |last| last + 1);
    let (mut some_a, mut none) = (false, false);
    for cut in (0..used).step_by(7) {
        let dir = TempDir::new("durable-torn");
        let journal = left_journal(&dir);
        let bytes = std::fs::read(&journal).expect("read");
        std::fs::write(&journal, &bytes[..cut]).expect("cut");
        let store = open(&dir);
        recover_as_if_dead(&store);
        let Some(saved) = checkpoints(&store, "r1") else {
            none = true;
            continue;
        };
        if let Some((_, output)) = saved.outputs.get("a") {
            assert_eq!(
                output.as_deref(),
                Some(&large()),
                "cut at {cut}: a cut output read as whole"
            );
            some_a = true;
        } else {
            assert!(saved.in_flight.is_empty(), "cut at {cut}: b's start came after a's end");
        }
        assert!(saved.in_flight.len() <= 1);
    }
    assert!(some_a && none, "cuts before and after a's checkpoint were both tried");
}

#[test]
fn a_checkpoint_row_cut_at_any_byte_is_not_trusted() {
    let dir = TempDir::new("durable-row");
    let store = open(&dir);
    interrupted_run(&store, "r1");
    recover_as_if_dead(&store);
    assert!(checkpoints(&store, "r1").expect("checkpoints").outputs.contains_key("a"));
    drop(store);

    let path = dir.path().join("history.sqlite");
    let text: String = rusqlite::Connection::open(&path)
        .expect("open")
        .query_row("SELECT value FROM checkpoints WHERE node_id = 'a'", [], |row| row.get(0))
        .expect("a's checkpoint");
    for cut in [0, 1, text.len() / 2, text.len() - 1] {
        let file = rusqlite::Connection::open(&path).expect("open");
        file.execute(
            "UPDATE checkpoints SET value = substr(?1, 1, ?2) WHERE node_id = 'a'",
            rusqlite::params![text, cut],
        )
        .expect("cut");
        drop(file);
        let saved = checkpoints(&open(&dir), "r1").expect("checkpoints");
        assert!(!saved.outputs.contains_key("a"), "cut at {cut}: read as whole");
        assert_eq!(saved.torn, 1);
    }

    let file = rusqlite::Connection::open(&path).expect("open");
    file.execute("UPDATE checkpoints SET value = substr(value, 2) WHERE kind = 'input'", [])
        .expect("cut the input");
    drop(file);
    let error = wait(open(&dir).checkpoints("r1".into())).expect_err("a damaged input refuses");
    assert!(error.message.contains("input checkpoint is damaged"), "{}", error.message);
}

#[test]
fn a_parked_run_keeps_its_checkpoints_and_one_of_two_conductors_wakes_it() {
    let dir = TempDir::new("history-waits");
    let (first, second) = (open(&dir), open(&dir));
    common::durable_stores::a_parked_run_keeps_its_checkpoints_and_one_of_two_wakes_wins(
        &first, &second,
    );
}
