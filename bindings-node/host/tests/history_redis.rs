//! The Redis history store against a real `redis-server` (one per test, see
//! `common/redis_server.rs`): the store contract, what sharing one server adds (two processes see
//! each other's runs, recover and prune act for all), and `mark_crashed` on every store.

mod common;

use std::sync::Arc;

use atomiton_core::error::ErrorCode;
use atomiton_core::history::{Capture, HistoryStore, ListQuery, MemoryHistory, Prune, RunStatus};
use atomiton_core::storage::SortOrder;
use atomiton_core::testing::history_store::{check_history_store, CHECKED_MAX_VALUE_BYTES};
use atomiton_core::testing::wait;
use atomiton_native_host::history::mark_crashed;
use atomiton_native_host::{RedisHistory, SqliteHistory};
use common::history::{ended, node, run, run_with};
use common::redis_server::RedisServer;
use common::TempDir;

fn capture() -> Capture {
    Capture::new(CHECKED_MAX_VALUE_BYTES, vec!["password".into()])
}

fn open(server: &RedisServer, prefix: &str) -> RedisHistory {
    RedisHistory::open(&server.url(), prefix, capture(), "test-owner").expect("open")
}

fn ids(store: &dyn HistoryStore, query: ListQuery) -> (Vec<String>, usize) {
    let page = wait(store.list(query)).expect("list");
    (page.executions.into_iter().map(|s| s.id).collect(), page.total)
}

fn status_of(store: &dyn HistoryStore, id: &str) -> RunStatus {
    wait(store.get(id.into())).expect("get").expect("recorded").summary.status
}

/// Keys under `pattern`, read with a connection of the test's own.
fn keys(server: &RedisServer, pattern: &str) -> Vec<String> {
    let mut conn =
        redis::Client::open(server.url()).expect("client").get_connection().expect("connection");
    redis::cmd("KEYS").arg(pattern).query(&mut conn).expect("keys")
}

#[test]
fn the_redis_store_meets_the_store_contract() {
    let server = RedisServer::start();
    check_history_store(&open(&server, "contract:history"));
}

#[test]
fn two_stores_on_one_prefix_share_their_runs_and_another_prefix_is_apart() {
    let server = RedisServer::start();
    let (first, second, apart) =
        (open(&server, "shared"), open(&server, "shared"), open(&server, "apart"));
    first.write(run("one", 1.0));
    first.write(ended("one", RunStatus::Success, 2.0));
    second.write(run("two", 3.0));
    // Each store's reads come after its own writes only: once the first store's read has
    // returned, its writes are on the server for the second's to see.
    ids(&first, ListQuery::default());
    assert_eq!(
        ids(&second, ListQuery::default()),
        (vec!["two".to_owned(), "one".to_owned()], 2),
        "the second store sees the first one's run"
    );
    assert_eq!(ids(&first, ListQuery::default()).1, 2, "and the first the second's");
    let one = wait(second.get("one".into())).expect("get").expect("kept");
    assert_eq!(
        (one.summary.status, one.summary.duration, one.flow["id"].clone()),
        (RunStatus::Success, Some(1.0), atomiton_core::json!("f"))
    );
    assert_eq!(ids(&apart, ListQuery::default()).1, 0, "another prefix is another history");
    assert!(wait(first.delete("two".into())).expect("delete"), "a run the other store wrote");
    assert_eq!(ids(&second, ListQuery::default()).1, 1);
}

/// The same writes to the memory store and to Redis give the same answers: runs begun in the
/// same millisecond, both filters at once, pages both ways, and pruning.
#[test]
fn runs_begun_together_list_page_and_prune_as_in_memory() {
    let server = RedisServer::start();
    let redis = open(&server, "order");
    let memory = MemoryHistory::new(capture());
    let starts = [1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 3.0, 4.0];
    let statuses = [RunStatus::Success, RunStatus::Failed, RunStatus::Success];
    for store in [&redis as &dyn HistoryStore, &memory] {
        for (i, start) in starts.into_iter().enumerate() {
            let id = format!("r{i}");
            store.write(run_with(&id, start, |b| {
                b.summary.flow_id = if i % 2 == 0 { "even" } else { "odd" }.into()
            }));
            // Every fourth run is left running.
            if i % 4 != 3 {
                store.write(ended(&id, statuses[i % 3], start + 0.5));
            }
        }
    }
    let mut queries = Vec::new();
    for flow_id in [None, Some("even"), Some("odd"), Some("none")] {
        for status in [None, Some(RunStatus::Success), Some(RunStatus::Running)] {
            for sort_order in [SortOrder::Desc, SortOrder::Asc] {
                for (offset, limit) in [(0, 50), (1, 2), (3, 0), (9, 5)] {
                    // Whole, and a range cutting through runs begun together.
                    for (since, until) in [(None, None), (Some(2.0), Some(3.0)), (None, Some(3.0))]
                    {
                        queries.push(ListQuery {
                            flow_id: flow_id.map(str::to_owned),
                            status,
                            since,
                            until,
                            limit,
                            offset,
                            sort_order,
                        });
                    }
                }
            }
        }
    }
    for query in queries {
        assert_eq!(ids(&redis, query.clone()), ids(&memory, query.clone()), "{query:?}");
    }
    for prune in [Prune { before: None, keep: Some(4) }, Prune { before: Some(3.0), keep: None }] {
        assert_eq!(
            wait(redis.prune(prune)).expect("prune"),
            wait(memory.prune(prune)).expect("prune"),
            "{prune:?}"
        );
        assert_eq!(
            ids(&redis, ListQuery::default()),
            ids(&memory, ListQuery::default()),
            "after {prune:?}"
        );
    }
}

/// Pruning many runs takes several steps (each script call removes a few hundred at most), and
/// runs still running stay and are not counted wherever they are: the same as in memory.
#[test]
fn a_large_prune_goes_in_steps_around_running_runs_as_in_memory() {
    let server = RedisServer::start();
    let redis = open(&server, "prune");
    let memory = MemoryHistory::new(capture());
    for store in [&redis as &dyn HistoryStore, &memory] {
        for i in 0..900 {
            let (id, start) = (format!("r{i}"), f64::from(i / 3));
            store.write(run(&id, start));
            // Every seventh run is left running.
            if i % 7 != 3 {
                store.write(ended(&id, RunStatus::Success, start + 0.5));
            }
        }
    }
    let all = ListQuery { limit: 1000, ..ListQuery::default() };
    let prunes = [
        Prune { before: None, keep: Some(900) },
        Prune { before: Some(20.0), keep: Some(800) },
        Prune { before: Some(100.0), keep: None },
        Prune { before: None, keep: Some(5) },
        Prune { before: Some(f64::INFINITY), keep: None },
    ];
    for prune in prunes {
        let pruned = wait(redis.prune(prune)).expect("prune");
        assert_eq!(pruned, wait(memory.prune(prune)).expect("prune"), "{prune:?}");
        assert_eq!(ids(&redis, all.clone()), ids(&memory, all.clone()), "after {prune:?}");
    }
    assert_eq!(ids(&redis, all).1, 129, "the running runs are left");
}

/// A batch's writes go to the server together, but one the server fails (a key of another type
/// in its way) is dropped alone.
#[test]
fn a_write_the_server_fails_leaves_the_others_of_its_batch() {
    let server = RedisServer::start();
    let store = open(&server, "failing");
    let mut conn =
        redis::Client::open(server.url()).expect("client").get_connection().expect("connection");
    let () = redis::cmd("SET")
        .arg("failing:flow:blocked")
        .arg("in the way")
        .query(&mut conn)
        .expect("set");
    store.write(run("before", 1.0));
    store.write(run_with("blocked", 2.0, |b| b.summary.flow_id = "blocked".into()));
    store.write(node("before", "n1", 3.0));
    store.write(node("never-begun", "n1", 3.0));
    store.write(node("before", "n2", 4.0));
    store.write(ended("before", RunStatus::Success, 5.0));
    store.write(run("after", 6.0));
    let before = wait(store.get("before".into())).expect("get").expect("kept");
    assert_eq!(
        (
            before.summary.status,
            before.nodes.iter().map(|n| n.node_id.as_str()).collect::<Vec<_>>()
        ),
        (RunStatus::Success, vec!["n1", "n2"])
    );
    assert_eq!(status_of(&store, "after"), RunStatus::Running);
    assert!(
        keys(&server, "failing:nodes:never-begun").is_empty(),
        "no nodes kept for a run never begun"
    );
}

/// Scripts are called by their SHA1: a server that lost them (flushed, or another server behind
/// the same address) is given them again.
#[test]
fn a_server_that_lost_the_scripts_is_given_them_again() {
    let server = RedisServer::start();
    let store = open(&server, "flushed");
    store.write(run("one", 1.0));
    assert_eq!(ids(&store, ListQuery::default()).1, 1);
    let mut conn =
        redis::Client::open(server.url()).expect("client").get_connection().expect("connection");
    let () = redis::cmd("SCRIPT").arg("FLUSH").query(&mut conn).expect("flush");
    store.write(run("two", 2.0));
    assert_eq!(ids(&store, ListQuery::default()), (vec!["two".to_owned(), "one".to_owned()], 2));
}

#[test]
fn a_definition_is_stored_once_and_goes_with_its_last_run() {
    let server = RedisServer::start();
    let (first, second) = (open(&server, "defs"), open(&server, "defs"));
    let data: Vec<String> = (0..5_000).map(|i| i.to_string()).collect();
    let big = Arc::<str>::from(format!(
        r#"{{"id":"f","type":"transform","parameters":{{"data":[{}]}}}}"#,
        data.join(",")
    ));
    let of_big = |id: &str, start: f64| run_with(id, start, |b| b.flow_json = big.clone());
    first.write(of_big("a", 1.0));
    second.write(of_big("b", 2.0));
    first.write(of_big("c", 3.0));
    // A store's read comes after its own writes only: read through both, the second last (by
    // then the first's writes are on the server too).
    ids(&first, ListQuery::default());
    assert_eq!(ids(&second, ListQuery::default()).1, 3);
    assert_eq!(keys(&server, "defs:def:*").len(), 1, "one copy for three runs from two processes");
    // The other process removes every run of it (and so the definition) while this one still
    // takes it as stored: its next run of it stores it again.
    for id in ["a", "b", "c"] {
        assert!(wait(second.delete(id.into())).expect("delete"));
    }
    assert!(keys(&server, "defs:def:*").is_empty(), "gone with its last run");
    first.write(of_big("d", 4.0));
    let d = wait(first.get("d".into())).expect("get").expect("kept");
    assert_eq!(
        d.flow["parameters"]["data"].as_array().map(Vec::len),
        Some(5_000),
        "stored again for the run that needed it"
    );
    assert_eq!(keys(&server, "defs:def:*").len(), 1);
    assert!(wait(first.delete("d".into())).expect("delete"));
    // What the store keeps about its writers (see liveness.rs) is not about runs.
    let left: Vec<String> = keys(&server, "defs:*")
        .into_iter()
        .filter(|k| k != "defs:seq" && k != "defs:alive" && !k.starts_with("defs:writer:"))
        .collect();
    assert!(left.is_empty(), "nothing left behind: {left:?}");
}

#[test]
fn a_definition_with_another_ones_hash_keeps_its_own_copy() {
    let server = RedisServer::start();
    let store = open(&server, "collision");
    let crafted = |id: &str, node: &str| {
        run_with(id, 1.0, |b| {
            b.flow_json = Arc::from(format!(
                r#"{{"id":"f","type":"group","nodes":[{{"id":"{node}","type":"transform"}}]}}"#
            ));
            // As if a caller had crafted a flow whose 64-bit hash is another flow's.
            b.summary.flow_hash = "0123456789abcdef".into();
        })
    };
    store.write(crafted("victim", "safe"));
    store.write(crafted("crafted", "evil"));
    store.write(crafted("victim-again", "safe"));
    let first_node = |id: &str| {
        wait(store.get(id.into())).expect("get").expect("kept").flow["nodes"][0]["id"].clone()
    };
    assert_eq!(
        (first_node("victim"), first_node("crafted"), first_node("victim-again")),
        ("safe".into(), "evil".into(), "safe".into())
    );
}

#[test]
fn many_writes_in_a_burst_all_land() {
    let server = RedisServer::start();
    let store = open(&server, "burst");
    for i in 0..2000 {
        store.write(run(&format!("r{i}"), f64::from(i)));
    }
    let page = wait(store.list(ListQuery { limit: 1, ..ListQuery::default() })).expect("list");
    assert_eq!((page.total, page.executions[0].id.as_str()), (2000, "r1999"));
}

#[test]
fn a_server_that_cannot_be_reached_yet_is_named_by_reads_without_its_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let url = format!("redis://:secret@127.0.0.1:{port}");
    // Opened all the same: it connects once the server is up (history_shared_outages.rs).
    let store = RedisHistory::open(&url, "x", Capture::default(), "test-owner").expect("opened");
    let error = wait(store.list(ListQuery::default())).expect_err("a read fails meanwhile");
    assert!(
        error.message.contains(&format!("127.0.0.1:{port}")) && !error.message.contains("secret"),
        "{}",
        error.message
    );
    let error = RedisHistory::open("http://127.0.0.1:1", "x", Capture::default(), "test-owner")
        .err()
        .expect("a URL that is not Redis's is refused at once");
    assert!(error.message.contains("http://127.0.0.1:1"), "{}", error.message);
}

#[test]
fn a_store_whose_server_went_away_fails_reads_holds_writes_then_connects_again() {
    let mut server = RedisServer::start();
    let store = open(&server, "lost");
    store.write(run("before", 1.0));
    assert_eq!(ids(&store, ListQuery::default()).1, 1);
    server.stop();
    store.write(run("while-down", 2.0));
    assert!(
        wait(store.list(ListQuery::default())).is_err(),
        "a read fails while the server is gone"
    );
    server.restart();
    // Attempts to connect are spaced out after a failed one: the store comes back within seconds.
    let start = std::time::Instant::now();
    let total = loop {
        match wait(store.list(ListQuery::default())) {
            Ok(page) => break page.total,
            Err(e) => assert!(
                start.elapsed() < std::time::Duration::from_secs(30),
                "never reconnected: {}",
                e.message
            ),
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(total <= 1, "the new server starts empty, but for the write held meanwhile");
    wait(store.stored().expect("says when its writes are stored"));
    store.write(run("after", 3.0));
    assert_eq!(
        ids(&store, ListQuery::default()).0,
        ["after", "while-down"],
        "the write made while it was away was held, and stored once it was back"
    );
}

/// The rule behind `markCrashed`, on every store the addon opens.
fn check_mark_crashed(store: &dyn HistoryStore) {
    store.write(run("live", 1.0));
    store.write(run("done", 2.0));
    store.write(ended("done", RunStatus::Success, 3.0));
    assert!(wait(mark_crashed(store, "live", "worker lost", 10.0)).expect("mark"));
    let live = wait(store.get("live".into())).expect("get").expect("kept");
    assert_eq!(
        (live.summary.status, live.summary.end_time, live.summary.duration),
        (RunStatus::Crashed, Some(10.0), Some(9.0))
    );
    let error = live.summary.error.expect("an error");
    assert_eq!((error.code, error.message.as_str()), (ErrorCode::INTERNAL_ERROR, "worker lost"));
    assert!(!wait(mark_crashed(store, "live", "again", 11.0)).expect("mark"), "crashed already");
    assert!(
        !wait(mark_crashed(store, "done", "worker lost", 10.0)).expect("mark"),
        "a completed run"
    );
    let done = wait(store.get("done".into())).expect("get").expect("kept");
    assert_eq!(
        (done.summary.status, done.summary.end_time, done.summary.error),
        (RunStatus::Success, Some(3.0), None),
        "untouched"
    );
    assert!(!wait(mark_crashed(store, "ghost", "worker lost", 10.0)).expect("mark"), "no such run");
    assert!(
        !wait(mark_crashed(store, "not an id!", "worker lost", 10.0)).expect("mark"),
        "no run has that id"
    );
}

#[test]
fn a_run_marked_crashed_stays_crashed_when_its_worker_ends_it_later() {
    let server = RedisServer::start();
    let store = open(&server, "late-end");
    store.write(run("lost", 1.0));
    assert!(wait(mark_crashed(&store, "lost", "worker lost", 10.0)).expect("mark"));
    store.write(ended("lost", RunStatus::Success, 12.0));
    let lost = wait(store.get("lost".into())).expect("get").expect("kept");
    assert_eq!((lost.summary.status, lost.summary.end_time), (RunStatus::Crashed, Some(10.0)));
}

#[test]
fn mark_crashed_ends_a_running_run_and_nothing_else_on_every_store() {
    check_mark_crashed(&MemoryHistory::new(capture()));
    let dir = TempDir::new("mark-crashed");
    check_mark_crashed(
        &SqliteHistory::open(&dir.path().join("history.sqlite"), capture()).expect("open"),
    );
    let server = RedisServer::start();
    check_mark_crashed(&open(&server, "crashed"));
}

#[test]
fn the_first_write_after_the_server_restarted_is_not_lost() {
    let mut server = RedisServer::start();
    let store = open(&server, "restarted");
    store.write(run("before", 1.0));
    assert_eq!(status_of(&store, "before"), RunStatus::Running);
    // The store's connection is now to a server that is gone (nothing was persisted).
    server.restart();
    store.write(run("after", 2.0));
    store.write(ended("after", RunStatus::Success, 3.0));
    wait(store.stored().expect("says when its writes are stored"));
    assert_eq!(
        status_of(&store, "after"),
        RunStatus::Success,
        "written once the connection was opened again"
    );
}
