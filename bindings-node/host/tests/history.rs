//! The SQLite history store: the store contract every store meets, and what a file adds —
//! records outlive the store that wrote them, and two stores (two processes) share one file.

mod common;

use std::sync::Arc;

use atomiton_core::history::{Capture, HistoryStore, HistoryWrite, ListQuery, RunBegun, RunEnded, RunStatus, RunSummary};
use atomiton_core::nodes::NodeInput;
use atomiton_core::testing::{check_history_store, wait, CHECKED_MAX_VALUE_BYTES};
use atomiton_native_host::SqliteHistory;
use common::TempDir;

fn open(dir: &TempDir) -> SqliteHistory {
    SqliteHistory::open(&dir.path().join("nested").join("history.sqlite"), Capture::new(CHECKED_MAX_VALUE_BYTES, vec!["password".into()])).expect("open")
}

fn run(id: &str, start: f64) -> HistoryWrite {
    HistoryWrite::Begun(Box::new(RunBegun {
        summary: RunSummary { id: id.into(), flow_id: "f".into(), flow_hash: String::new(), status: RunStatus::Running, start_time: start, end_time: None, duration: None, error: None, retry_of: None, owner: None },
        flow_json: Arc::from(r#"{"id":"f"}"#),
        input: NodeInput::empty(),
        variables: Arc::new(atomiton_core::json!({})),
    }))
}

#[test]
fn the_sqlite_store_meets_the_store_contract() {
    let dir = TempDir::new("history-contract");
    check_history_store(&open(&dir));
}

#[test]
fn records_outlive_the_store_and_two_stores_share_a_file() {
    let dir = TempDir::new("history-file");
    let first = open(&dir);
    first.write(run("one", 1.0));
    first.write(HistoryWrite::Ended(Box::new(RunEnded { execution_id: Arc::from("one"), status: RunStatus::Success, end_time: 2.0, error: None })));
    // Reads come after every write made before them.
    assert_eq!(wait(first.list(ListQuery::default())).expect("list").total, 1);

    let second = open(&dir);
    second.write(run("two", 3.0));
    assert_eq!(wait(second.list(ListQuery::default())).expect("list").total, 2, "the second store sees the first one's run");
    assert_eq!(wait(first.list(ListQuery::default())).expect("list").total, 2, "and the first the second's");
    drop((first, second));

    let reopened = open(&dir);
    let one = wait(reopened.get("one".into())).expect("get").expect("kept");
    assert_eq!((one.summary.status, one.summary.duration), (RunStatus::Success, Some(1.0)));
}

#[test]
fn many_writes_in_a_burst_all_land() {
    let dir = TempDir::new("history-burst");
    let store = open(&dir);
    for i in 0..2000 {
        store.write(run(&format!("r{i}"), f64::from(i)));
    }
    let page = wait(store.list(ListQuery { limit: 1, ..ListQuery::default() })).expect("list");
    assert_eq!((page.total, page.executions[0].id.as_str()), (2000, "r1999"));
}

#[test]
fn a_file_that_is_not_a_database_is_a_clear_error() {
    let dir = TempDir::new("history-garbage");
    let path = dir.path().join("history.sqlite");
    std::fs::write(&path, b"this is not a database, it is a text file long enough to have a header").expect("write");
    let error = SqliteHistory::open(&path, Capture::default()).err().expect("refused");
    assert!(error.message.contains("history.sqlite"), "{}", error.message);
}
