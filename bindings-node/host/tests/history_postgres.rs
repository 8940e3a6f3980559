//! The PostgreSQL history store against a real server (one per test file run, a database per
//! test, see `common/postgres_server.rs`): the store contract, two processes sharing runs,
//! durable runs' checkpoints (whole, damage detected, a run taken over fenced from the process
//! that lost it), and the versioned tables (a database a newer version migrated is refused).

mod common;

use std::sync::{Arc, OnceLock};

use atomiton_core::history::{Capture, HistoryStore, ListQuery, MemoryHistory, Prune, RunStatus};
use atomiton_core::storage::SortOrder;
use atomiton_core::testing::history_store::{check_history_store, CHECKED_MAX_VALUE_BYTES};
use atomiton_core::testing::wait;
use atomiton_native_host::history::postgres_schema_version;
use atomiton_native_host::PostgresHistory;
use common::durable_stores::{
    a_lost_run_is_interrupted_claimed_once_and_fenced,
    a_parked_run_keeps_its_checkpoints_and_one_of_two_wakes_wins, completed, large, sync,
};
use common::history::{ended, node, run, run_with};
use common::postgres_server::PostgresServer;

/// One server for the file's tests (each has a database of its own).
fn server() -> &'static PostgresServer {
    static SERVER: OnceLock<PostgresServer> = OnceLock::new();
    SERVER.get_or_init(PostgresServer::start)
}

fn open(database: &str, owner: &str) -> PostgresHistory {
    let capture = Capture::new(CHECKED_MAX_VALUE_BYTES, vec!["password".into(), "token".into()]);
    PostgresHistory::open(&server().database(database), capture, owner).expect("open")
}

#[test]
fn the_postgres_store_meets_the_store_contract() {
    check_history_store(&open("contract", "w-1"));
}

#[test]
fn two_stores_on_one_database_share_their_runs() {
    let (first, second) = (open("shared", "w-1"), open("shared", "w-2"));
    first.write(run("one", 1.0));
    first.write(ended("one", RunStatus::Success, 2.0));
    sync(&first);
    let seen = wait(second.get("one".into())).expect("get").expect("the other store's run");
    assert_eq!(seen.summary.status, RunStatus::Success);
    second.write(run("two", 3.0));
    sync(&second);
    assert_eq!(wait(first.list(ListQuery::default())).expect("list").total, 2);
}

/// Runs begun in the same millisecond, in one batch (written back to back), list in the order
/// they began, as in memory, whatever the order of their ids (the batch once numbered them in
/// whatever order its query plan gave).
#[test]
fn runs_begun_together_in_one_batch_list_in_the_order_they_began_as_in_memory() {
    let store = open("begun-together", "w-1");
    let memory = MemoryHistory::new(Capture::default());
    // Connected and migrated first: the runs then go in a batch or two, not one by one.
    sync(&store);
    // Neither in the order of their ids nor in the reverse of it.
    let ids: Vec<String> = (0..12).map(|i| format!("run-{:02}", i * 5 % 12)).collect();
    for target in [&store as &dyn HistoryStore, &memory] {
        for (i, id) in ids.iter().enumerate() {
            target.write(run(id, 5.0 + (i / 6) as f64));
        }
    }
    let listed = |target: &dyn HistoryStore, sort_order| {
        let query = ListQuery { sort_order, ..ListQuery::default() };
        let page = wait(target.list(query)).expect("list");
        page.executions.into_iter().map(|summary| summary.id).collect::<Vec<_>>()
    };
    for sort_order in [SortOrder::Asc, SortOrder::Desc] {
        assert_eq!(listed(&store, sort_order), listed(&memory, sort_order), "{sort_order:?}");
    }
    assert_eq!(listed(&store, SortOrder::Asc), ids, "in the order they began");
}

#[test]
fn a_lost_durable_run_is_interrupted_resumed_by_one_process_and_fenced_from_the_one_that_lost_it() {
    let (dead, taker, other) =
        (open("durable", "w-dead"), open("durable", "w-taker"), open("durable", "w-other"));
    a_lost_run_is_interrupted_claimed_once_and_fenced(&dead, &taker, &other);
}

#[test]
fn a_checkpoint_damaged_in_the_database_is_not_trusted() {
    let store = open("damaged", "w-1");
    store.write(run_with("exec_torn", 1.0, |begun| {
        begun.summary.durable = true;
        begun.summary.owner = Some("w-1".into());
    }));
    store.write(completed("exec_torn", "a", large()));
    sync(&store);
    let mut client =
        postgres::Client::connect(&server().database("damaged"), postgres::NoTls).expect("connect");
    client
        .execute("UPDATE atomiton_checkpoints SET value = left(value, 10) WHERE kind = 'done'", &[])
        .expect("cut");
    let checkpoints = wait(store.checkpoints("exec_torn".into())).expect("read").expect("kept");
    assert!(!checkpoints.outputs.contains_key("a"));
    assert_eq!(checkpoints.torn, 1);
    client
        .execute("UPDATE atomiton_checkpoints SET value = left(value, length(value) - 1) WHERE kind = 'input'", &[])
        .expect("cut");
    let error = wait(store.checkpoints("exec_torn".into())).expect_err("refused");
    assert!(error.message.contains("input checkpoint is damaged"), "{}", error.message);
}

#[test]
fn a_database_a_newer_version_migrated_is_refused_and_an_unreachable_one_named_by_reads() {
    let url = server().database("newer");
    let migrated = open("newer", "w-1");
    wait(migrated.list(ListQuery::default())).expect("migrated on its thread");
    drop(migrated);
    let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
    client
        .execute("UPDATE atomiton_schema SET version = $1", &[&(postgres_schema_version() + 1)])
        .expect("bump");
    // Opened without waiting for the server (the host's JS thread never does): the first
    // request says why the store cannot be used.
    let newer = PostgresHistory::open(&url, Capture::default(), "w-1").expect("opened");
    let error = wait(newer.list(ListQuery::default())).expect_err("refused");
    assert!(error.message.contains("newer than this conductor's"), "{}", error.message);
    // A server that cannot be reached yet: opened all the same (it connects once the server is
    // up: history_shared_outages.rs), and reads name it, without its password.
    let store = PostgresHistory::open(
        "postgres://nobody:secret@127.0.0.1:1/none",
        Capture::default(),
        "w-1",
    )
    .expect("opened");
    let error = wait(store.list(ListQuery::default())).expect_err("a read fails meanwhile");
    assert!(
        error.message.contains("cannot reach PostgreSQL at postgres://nobody@127.0.0.1:1/none"),
        "{}",
        error.message
    );
    assert!(!error.message.contains("secret"));
}

#[test]
fn tls_connections_verify_the_server_against_sslrootcert() {
    let server = PostgresServer::start_tls();
    let url = server.database("tls");
    let ca = server.ca();
    let ca = ca.to_str().expect("a UTF-8 path");
    let works = |url: String| {
        let store = PostgresHistory::open(&url, Capture::default(), "w-tls").expect("opened");
        store.write(run("over-tls", 1.0));
        wait(store.list(ListQuery::default())).map(|page| page.total)
    };
    assert_eq!(works(format!("{url}?sslmode=verify-full&sslrootcert={ca}")), Ok(1));
    // Without TLS the server refuses; with TLS but not trusting its authority, the client does.
    let plain = works(format!("{url}?sslmode=disable")).expect_err("plain refused");
    assert!(plain.message.contains("no encryption"), "{}", plain.message);
    let untrusted = works(format!("{url}?sslmode=require")).expect_err("untrusted refused");
    assert!(untrusted.message.to_lowercase().contains("certificate"), "{}", untrusted.message);
}

#[test]
fn a_run_deleted_or_pruned_takes_its_nodes_and_its_count_with_it() {
    let store = open("forget", "w-1");
    for (id, start) in [("one", 1.0), ("two", 2.0), ("three", 3.0)] {
        store.write(run(id, start));
        store.write(node(id, "a", start));
        store.write(node(id, "b", start));
        store.write(ended(id, RunStatus::Success, start + 0.5));
    }
    sync(&store);
    let mut client =
        postgres::Client::connect(&server().database("forget"), postgres::NoTls).expect("connect");
    let mut count = |sql: &str| -> i64 { client.query_one(sql, &[]).expect("count").get(0) };
    assert_eq!(count("SELECT COUNT(*) FROM atomiton_nodes"), 6, "two nodes a run, in the view");
    let sets = "SELECT COUNT(DISTINCT run_seq) FROM atomiton_node_sets";
    assert_eq!(count(sets), 3, "a set a run and batch (one or two a run here)");
    assert!(wait(store.delete("one".into())).expect("delete"));
    let pruned = wait(store.prune(Prune { before: None, keep: Some(1) })).expect("prune");
    assert_eq!(pruned, 1);
    assert_eq!(count(sets), 1, "only the kept run's");
    let orphans = "SELECT COUNT(*) FROM atomiton_node_sets s WHERE NOT EXISTS (SELECT 1 FROM atomiton_runs r WHERE r.seq = s.run_seq)";
    assert_eq!(count(orphans), 0);
    let counted =
        "SELECT COALESCE(SUM(runs), 0)::BIGINT FROM atomiton_run_counts WHERE status = 'success'";
    assert_eq!(count(counted), 1, "counted once, by the batch, and uncounted by the triggers");
    let kept = wait(store.get("three".into())).expect("get").expect("kept");
    let nodes: Vec<_> = kept.nodes.iter().map(|n| &*n.node_id).collect();
    assert_eq!(nodes, ["a", "b"]);
}

#[test]
fn reads_run_side_by_side_on_connections_of_their_own_and_never_hold_up_writes() {
    // Two reading connections (and the writer's): `connection_limit=3`.
    let url = format!("{}?connection_limit=3", server().database("pool"));
    let store = Arc::new(PostgresHistory::open(&url, Capture::default(), "w-1").expect("open"));
    store.write(run("one", 1.0));
    store.write(node("one", "a", 1.0));
    store.write(ended("one", RunStatus::Success, 2.0));
    sync(&*store);

    // Reading a run's nodes now waits for this lock; writing a run without nodes does not.
    let mut locker =
        postgres::Client::connect(&url.replace("?connection_limit=3", ""), postgres::NoTls)
            .expect("connect");
    let mut lock = locker.transaction().expect("begin");
    lock.batch_execute("LOCK TABLE atomiton_node_sets IN ACCESS EXCLUSIVE MODE").expect("lock");
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let store = store.clone();
            std::thread::spawn(move || wait(store.get("one".into())))
        })
        .collect();
    let mut watcher =
        postgres::Client::connect(&url.replace("?connection_limit=3", ""), postgres::NoTls)
            .expect("connect");
    let waiting = |watcher: &mut postgres::Client| -> (i64, i64) {
        let row = watcher
            .query_one(
                "SELECT COUNT(*) FILTER (WHERE wait_event_type = 'Lock'), COUNT(*)
                 FROM pg_stat_activity WHERE datname = 'pool' AND application_name = 'atomiton'",
                &[],
            )
            .expect("activity");
        (row.get(0), row.get(1))
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while waiting(&mut watcher).0 < 2 {
        assert!(std::time::Instant::now() < deadline, "two reads waiting on the lock");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // A write is stored while both readers wait (it used to queue behind the first read).
    store.write(run("two", 3.0));
    store.write(ended("two", RunStatus::Failed, 4.0));
    wait(store.stored().expect("says when its writes are stored"));
    let stored = watcher
        .query_one("SELECT status FROM atomiton_runs WHERE id = 'two'", &[])
        .expect("stored");
    assert_eq!(stored.get::<_, String>(0), "failed");
    let (locked, connections) = waiting(&mut watcher);
    assert_eq!(locked, 2, "the other two reads wait in the pool, not on the server");
    assert_eq!(connections, 3, "the writer's connection and two readers'");
    lock.commit().expect("release");
    for reader in readers {
        let read = reader.join().expect("reader thread").expect("read").expect("found");
        assert_eq!(read.nodes.len(), 1);
    }
}

#[test]
fn an_end_waiting_on_a_run_another_process_just_took_for_lost_leaves_it_so_and_counts_stay_true() {
    let url = server().database("racing");
    let store = open("racing", "w-1");
    store.write(run_with("r", 1.0, |begun| begun.summary.owner = Some("w-1".into())));
    sync(&store);
    // Another process takes the run for lost, and holds its row while it does.
    let mut other = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
    let mut taking = other.transaction().expect("begin");
    taking
        .execute("UPDATE atomiton_runs SET status = 'crashed', end_time = 9 WHERE id = 'r'", &[])
        .expect("taken for lost");
    // The owner's end meets the row locked, and waits.
    store.write(ended("r", RunStatus::Success, 2.0));
    let mut watcher = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let waiting: i64 = watcher
            .query_one(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = 'racing' AND application_name = 'atomiton' AND wait_event_type = 'Lock'",
                &[],
            )
            .expect("activity")
            .get(0);
        if waiting == 1 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the end waits on the row");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    taking.commit().expect("taken");
    sync(&store);
    let record = wait(store.get("r".into())).expect("get").expect("kept");
    assert_eq!(record.summary.status, RunStatus::Crashed, "a run taken for lost stays so");
    let counts = wait(store.counts(ListQuery::default())).expect("counts");
    assert_eq!((counts.total, counts.crashed, counts.running, counts.success), (1, 1, 0, 0));
}

#[test]
fn a_parked_run_is_shared_kept_and_woken_once() {
    let (first, second) = (open("waits", "w-1"), open("waits", "w-2"));
    a_parked_run_keeps_its_checkpoints_and_one_of_two_wakes_wins(&first, &second);
}

#[test]
fn a_server_that_stops_answering_is_a_retryable_error_at_the_deadline_and_loses_no_write() {
    // A server of its own: stopping it must not hold up the other tests.
    let paused = PostgresServer::start();
    let store = PostgresHistory::open(&paused.database("stalls"), Capture::default(), "w-1")
        .expect("opened");
    store.write(run("exec_before", 1.0));
    wait(store.stored().expect("a server's store says when its writes are stored"));
    paused.signal_all("STOP");
    // Written while it does not answer: queued, never lost.
    store.write(run("exec_during", 2.0));
    let error = wait(store.list(ListQuery::default())).expect_err("no answer");
    paused.signal_all("CONT");
    assert_eq!(error.code, atomiton_core::ErrorCode::TRANSPORT_ERROR, "{}", error.message);
    assert!(error.message.contains("did not answer within 30 s"), "{}", error.message);
    assert!(error.code.is_retryable_by_engine());
    wait(store.stored().expect("stored"));
    let ids: Vec<String> = wait(store.list(ListQuery::default()))
        .expect("answers again")
        .executions
        .into_iter()
        .map(|run| run.id)
        .collect();
    assert!(
        ids.contains(&"exec_before".to_owned()) && ids.contains(&"exec_during".to_owned()),
        "{ids:?}"
    );
}
