//! The SQLite history store: the store contract every store meets, and what a file adds —
//! records outlive the store that wrote them, and two stores (two processes) share one file.

mod common;

use std::sync::Arc;

use atomiton_core::history::{Capture, HistoryStore, ListQuery, RunStatus};
use atomiton_core::testing::history_store::{check_history_store, CHECKED_MAX_VALUE_BYTES};
use atomiton_core::testing::wait;
use atomiton_native_host::SqliteHistory;
use common::history::{ended, run, run_with};
use common::TempDir;

fn open(dir: &TempDir) -> SqliteHistory {
    SqliteHistory::open(
        &dir.path().join("nested").join("history.sqlite"),
        Capture::new(CHECKED_MAX_VALUE_BYTES, vec!["password".into()]),
    )
    .expect("open")
}

#[test]
fn the_sqlite_store_meets_the_store_contract() {
    let dir = TempDir::new("history-contract");
    check_history_store(&open(&dir));
}

#[test]
fn a_database_of_the_version_before_gains_the_cache_columns_and_meets_the_contract() {
    let dir = TempDir::new("history-v2");
    let path = dir.path().join("nested").join("history.sqlite");
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    // The tables as version 2 made them (no `cache_key`, `cache_age`).
    let old = rusqlite::Connection::open(&path).expect("create");
    old.execute_batch(
        "CREATE TABLE runs (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
            flow_id TEXT NOT NULL, flow_hash TEXT NOT NULL, status TEXT NOT NULL,
            start_time REAL NOT NULL, end_time REAL, duration REAL, error TEXT, retry_of TEXT,
            owner TEXT, flow TEXT NOT NULL, input TEXT NOT NULL, variables TEXT NOT NULL);
        CREATE TABLE flows (hash TEXT PRIMARY KEY, flow TEXT NOT NULL);
        CREATE TABLE nodes (run_seq INTEGER NOT NULL REFERENCES runs (seq) ON DELETE CASCADE,
            node_id TEXT NOT NULL, node_type TEXT NOT NULL, state TEXT NOT NULL,
            attempts INTEGER NOT NULL, reused INTEGER NOT NULL, reusable INTEGER NOT NULL,
            input TEXT, output TEXT, error TEXT, start_time REAL, end_time REAL);
        PRAGMA user_version = 2;",
    )
    .expect("version 2's tables");
    drop(old);
    check_history_store(&open(&dir));
}

#[test]
fn records_outlive_the_store_and_two_stores_share_a_file() {
    let dir = TempDir::new("history-file");
    let first = open(&dir);
    first.write(run("one", 1.0));
    first.write(ended("one", RunStatus::Success, 2.0));
    // Reads come after every write made before them.
    assert_eq!(wait(first.list(ListQuery::default())).expect("list").total, 1);

    let second = open(&dir);
    second.write(run("two", 3.0));
    assert_eq!(
        wait(second.list(ListQuery::default())).expect("list").total,
        2,
        "the second store sees the first one's run"
    );
    assert_eq!(
        wait(first.list(ListQuery::default())).expect("list").total,
        2,
        "and the first the second's"
    );
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
fn a_run_begun_while_another_store_writes_the_file_is_kept() {
    // The triggers' and the cache's tables live in the same file, written by threads of their
    // own. A batch that read (a new definition is looked up first) and then found the file
    // written by another connection since could not write: SQLite refuses to upgrade a stale
    // read snapshot, at once and whatever the busy timeout, and the run's record was dropped.
    let dir = TempDir::new("history-shared-writer");
    let store = open(&dir);
    assert_eq!(wait(store.list(ListQuery::default())).expect("list").total, 0);
    let other = rusqlite::Connection::open(dir.path().join("nested").join("history.sqlite"))
        .expect("another connection");
    other.busy_timeout(std::time::Duration::from_secs(5)).expect("busy timeout");
    other
        .execute_batch("CREATE TABLE IF NOT EXISTS elsewhere (n INTEGER); BEGIN IMMEDIATE; INSERT INTO elsewhere VALUES (1);")
        .expect("the other writer holds the file");
    // A definition the store has not seen: the batch reads before it writes.
    store.write(run_with("kept", 1.0, |begun| begun.flow_json = Arc::from(r#"{"id":"new"}"#)));
    // Long enough for the store's thread to have begun its batch on any machine that is not
    // frozen; were it slower, the test would pass without showing anything, never fail wrongly.
    std::thread::sleep(std::time::Duration::from_millis(500));
    other.execute_batch("COMMIT").expect("the other writer commits");
    let kept = wait(store.get("kept".into())).expect("get");
    assert!(kept.is_some(), "the run's record was dropped");
}

#[test]
fn a_file_that_is_not_a_database_is_a_clear_error() {
    let dir = TempDir::new("history-garbage");
    let path = dir.path().join("history.sqlite");
    std::fs::write(
        &path,
        b"this is not a database, it is a text file long enough to have a header",
    )
    .expect("write");
    let error = SqliteHistory::open(&path, Capture::default()).err().expect("refused");
    assert!(error.message.contains("history.sqlite"), "{}", error.message);
}

#[test]
fn a_definition_is_stored_once_however_many_runs_ran_it_and_dropped_with_its_last_run() {
    let dir = TempDir::new("history-flows");
    let store = open(&dir);
    let big = format!(
        r#"{{"id":"f","type":"transform","parameters":{{"data":[{}]}}}}"#,
        (0..10_000).map(|i| i.to_string()).collect::<Vec<_>>().join(",")
    );
    let begun =
        |id: &str, flow: &str, start: f64| run_with(id, start, |b| b.flow_json = Arc::from(flow));
    for i in 0..5 {
        store.write(begun(&format!("big{i}"), &big, f64::from(i)));
    }
    store.write(begun("small", r#"{"id":"f","type":"transform"}"#, 10.0));
    let record = wait(store.get("big3".into())).expect("get").expect("kept");
    assert_eq!(
        record.flow["parameters"]["data"].as_array().map(Vec::len),
        Some(10_000),
        "each run reads its definition back"
    );
    let path = dir.path().join("nested").join("history.sqlite");
    let count = |sql: &str| -> i64 {
        rusqlite::Connection::open(&path)
            .expect("open")
            .query_row(sql, [], |row| row.get(0))
            .expect("count")
    };
    assert_eq!(count("SELECT COUNT(*) FROM flows"), 2, "two distinct definitions");
    assert!(
        count("SELECT SUM(LENGTH(flow)) FROM flows") < 2 * big.len() as i64,
        "the big one once"
    );
    for i in 0..5 {
        assert!(wait(store.delete(format!("big{i}"))).expect("delete"));
    }
    assert_eq!(count("SELECT COUNT(*) FROM flows"), 1, "the big definition went with its last run");
}

#[test]
fn a_run_written_before_definitions_were_shared_reads_its_own_copy() {
    let dir = TempDir::new("history-v1-row");
    let store = open(&dir);
    store.write(run("new", 1.0));
    assert!(wait(store.get("new".into())).expect("get").is_some());
    // A version-1 row keeps its definition in `runs.flow`.
    let path = dir.path().join("nested").join("history.sqlite");
    rusqlite::Connection::open(&path)
        .expect("open")
        .execute(
            "INSERT INTO runs (id, flow_id, flow_hash, status, start_time, flow, input, variables) VALUES ('old', 'f', 'abc', 'success', 0, '{\"id\":\"f\",\"type\":\"group\"}', 'null', '{}')",
            [],
        )
        .expect("insert");
    let old = wait(store.get("old".into())).expect("get").expect("kept");
    assert_eq!(old.flow["type"], "group");
}

#[test]
fn a_definition_with_another_ones_hash_keeps_its_own_copy() {
    let dir = TempDir::new("history-collision");
    let store = open(&dir);
    let begun = |id: &str, flow: &str| {
        run_with(id, 1.0, |b| {
            b.flow_json = Arc::from(flow);
            // As if a caller had crafted a flow whose 64-bit hash is another flow's.
            b.summary.flow_hash = "0123456789abcdef".into();
        })
    };
    store.write(begun(
        "victim",
        r#"{"id":"f","type":"group","nodes":[{"id":"safe","type":"transform"}]}"#,
    ));
    store.write(begun(
        "crafted",
        r#"{"id":"f","type":"group","nodes":[{"id":"evil","type":"shell-command"}]}"#,
    ));
    store.write(begun(
        "victim-again",
        r#"{"id":"f","type":"group","nodes":[{"id":"safe","type":"transform"}]}"#,
    ));
    let flow_of = |id: &str| {
        wait(store.get(id.into())).expect("get").expect("kept").flow["nodes"][0]["id"].clone()
    };
    assert_eq!(flow_of("victim"), "safe");
    assert_eq!(flow_of("crafted"), "evil", "its own definition, not the stored one");
    assert_eq!(flow_of("victim-again"), "safe");
}
