//! The shared stores (Redis, PostgreSQL) when their server goes away and when a process sharing
//! them stops, against real servers: writes made while the server is away are held and stored
//! once it is back (none lost, none twice), runs whose owner stopped are taken for lost by the
//! others (durable ones `interrupted`, the rest `crashed`) and never stay `running`, and the
//! tables an earlier version made are migrated with their runs.
//!
//! The owner timeout is one second here (every test of this file sets it before opening a
//! store; it is the process's environment): a real fleet's is thirty.

mod common;

use std::sync::Once;
use std::time::{Duration, Instant};

use atomiton_core::history::{Capture, HistoryStore, ListQuery, RunStatus};
use atomiton_core::testing::wait;
use atomiton_native_host::history::OWNER_TIMEOUT_VARIABLE;
use atomiton_native_host::history::{postgres_migrate_to, postgres_schema_version};
use atomiton_native_host::{PostgresHistory, RedisHistory};
use common::durable_stores::sync;
use common::history::{ended, node, run, run_with};
use common::postgres_server::PostgresServer;
use common::redis_server::RedisServer;

fn short_owner_timeout() {
    static SET: Once = Once::new();
    SET.call_once(|| std::env::set_var(OWNER_TIMEOUT_VARIABLE, "1000"));
}

fn redis_store(server: &RedisServer, owner: &str) -> RedisHistory {
    short_owner_timeout();
    RedisHistory::open(&server.url(), "outages", Capture::default(), owner).expect("open")
}

fn postgres_store(url: &str, owner: &str) -> PostgresHistory {
    short_owner_timeout();
    PostgresHistory::open(url, Capture::default(), owner).expect("open")
}

fn status_of(store: &dyn HistoryStore, id: &str) -> RunStatus {
    wait(store.get(id.into())).expect("get").expect("recorded").summary.status
}

/// Waits (ten times longer than a busy debug build needs) until run `id` is `status`.
fn becomes(store: &dyn HistoryStore, id: &str, status: RunStatus) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let now = wait(store.get(id.into())).ok().flatten().map(|r| r.summary.status);
        if now == Some(status) {
            return;
        }
        assert!(Instant::now() < deadline, "{id} is {now:?}, never {status:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Writes a run and its node and end while the server is away (`away`), brings it back
/// (`back`), and checks they were all stored once.
fn writes_while_away_are_stored_once_back(
    store: &dyn HistoryStore,
    away: impl FnOnce(),
    back: impl FnOnce(),
) {
    away();
    store.write(run("during", 2.0));
    store.write(node("during", "n1", 2.5));
    store.write(ended("during", RunStatus::Success, 3.0));
    assert!(wait(store.list(ListQuery::default())).is_err(), "a read fails while it is away");
    back();
    wait(store.stored().expect("a shared store says when its writes are stored"));
    let during = wait(store.get("during".into())).expect("get").expect("stored once back");
    assert_eq!(during.summary.status, RunStatus::Success);
    assert_eq!(during.nodes.len(), 1, "its node once");
}

#[test]
fn redis_writes_made_while_the_server_is_away_are_stored_once_it_is_back() {
    let mut server = RedisServer::start();
    let store = redis_store(&server, "w-away");
    store.write(run("before", 1.0));
    sync(&store);
    let server = std::cell::RefCell::new(&mut server);
    writes_while_away_are_stored_once_back(
        &store,
        || server.borrow_mut().stop(),
        || server.borrow_mut().restart(),
    );
}

#[test]
fn postgres_writes_made_while_the_server_is_away_are_stored_once_it_is_back() {
    let mut server = PostgresServer::start();
    let url = server.database("away");
    let store = postgres_store(&url, "w-away");
    store.write(run("before", 1.0));
    sync(&store);
    let server = std::cell::RefCell::new(&mut server);
    writes_while_away_are_stored_once_back(
        &store,
        || server.borrow_mut().stop(),
        || server.borrow_mut().start_again(),
    );
    assert_eq!(status_of(&store, "before"), RunStatus::Running, "kept by the server");
    assert_eq!(wait(store.list(ListQuery::default())).expect("list").total, 2);
    // Restarted while the store was idle: its next write meets a connection the server closed,
    // and statements that connection had prepared.
    server.borrow_mut().stop();
    server.borrow_mut().start_again();
    store.write(ended("before", RunStatus::Success, 4.0));
    wait(store.stored().expect("says when its writes are stored"));
    assert_eq!(status_of(&store, "before"), RunStatus::Success, "the write after the restart");
    // And a read, the first request after a restart, is answered (on a new connection).
    server.borrow_mut().stop();
    server.borrow_mut().start_again();
    assert_eq!(wait(store.list(ListQuery::default())).expect("the first read").total, 2);
}

#[test]
fn a_postgres_batch_sent_again_after_its_answer_was_lost_is_applied_once() {
    let server = PostgresServer::start();
    let url = server.database("twice");
    let store = postgres_store(&url, "w-1");
    store.write(run("r", 1.0));
    sync(&store);
    let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
    let batch = r#"[{"op":"node","id":"r","node":"n","type":"t","state":"\"completed\"","attempts":1,"reused":false,"reusable":true,"input":null,"output":null,"error":null,"start":1,"end":2,"cacheKey":null,"cacheAge":null}]"#;
    let call = "SELECT atomiton_write('w-1', 'w-1#test', 7, $1::TEXT::JSONB, FALSE)";
    let first: i32 = client.query_one(call, &[&batch]).expect("first").get(0);
    let again: i32 = client.query_one(call, &[&batch]).expect("again").get(0);
    assert_eq!((first, again), (0, -1), "the second call says it was applied already");
    let nodes: i64 =
        client.query_one("SELECT COUNT(*) FROM atomiton_nodes", &[]).expect("count").get(0);
    assert_eq!(nodes, 1);
}

/// Runs owned by processes that stopped (one never heard from, one that stopped saying it is
/// alive) are taken for lost by the store's rounds, a live process's run is not, and a process
/// that comes back ends its own run.
fn runs_of_stopped_owners_are_taken_for_lost(open: &dyn Fn(&str) -> Box<dyn HistoryStore>) {
    let live = open("w-live");
    let owned = |owner: &'static str, durable: bool| {
        move |b: &mut atomiton_core::history::RunBegun| {
            b.summary.owner = Some(owner.into());
            b.summary.durable = durable;
        }
    };
    live.write(run_with("r-live", 1.0, owned("w-live", true)));
    live.write(run_with("r-gone", 2.0, owned("w-gone", false)));
    live.write(run_with("r-gone-durable", 3.0, owned("w-gone", true)));
    {
        let late = open("w-late");
        late.write(run_with("r-late", 4.0, owned("w-late", true)));
        sync(&*late);
    }
    // Nobody calls `recover`: the live store's own rounds find them.
    becomes(&*live, "r-gone", RunStatus::Crashed);
    becomes(&*live, "r-gone-durable", RunStatus::Interrupted);
    becomes(&*live, "r-late", RunStatus::Interrupted);
    assert_eq!(status_of(&*live, "r-live"), RunStatus::Running, "its owner is alive");
    // The process that was cut off comes back and ends its run: nobody took it over.
    let late = open("w-late");
    late.write(ended("r-late", RunStatus::Success, 9.0));
    sync(&*late);
    assert_eq!(status_of(&*live, "r-late"), RunStatus::Success);
    let page =
        wait(live.list(ListQuery { status: Some(RunStatus::Running), ..Default::default() }))
            .expect("list");
    assert_eq!(page.total, 1, "only the live process's run is running");
}

#[test]
fn redis_runs_of_stopped_owners_are_taken_for_lost() {
    let server = RedisServer::start();
    runs_of_stopped_owners_are_taken_for_lost(&|owner| Box::new(redis_store(&server, owner)));
}

#[test]
fn postgres_runs_of_stopped_owners_are_taken_for_lost() {
    let server = PostgresServer::start();
    let url = server.database("stopped");
    runs_of_stopped_owners_are_taken_for_lost(&|owner| Box::new(postgres_store(&url, owner)));
}

#[test]
fn tables_an_earlier_version_made_are_migrated_with_their_runs() {
    let server = PostgresServer::start();
    let url = server.database("earlier");
    // Version 3's tables, and a run written by version 3's function.
    postgres_migrate_to(&url, 3).expect("version 3");
    let node = r#"{"op":"node","id":"old","node":"a","type":"transform","state":"\"completed\"","attempts":1,"reused":false,"reusable":true,"input":null,"output":"{\"b\":1,\"a\":[1, 2]}","error":null,"start":1,"end":1.5,"cacheKey":null,"cacheAge":null}"#;
    let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
    let begin = format!(
        r#"[{{"op":"begin","id":"old","flowId":"f","hash":"h","status":"running","start":1,"end":null,"duration":null,"error":null,"retryOf":null,"owner":"w-old","durable":false,"input":"{{}}","variables":"{{}}","flow":"{{\"id\":\"f\"}}"}},{node},{{"op":"ended","id":"old","status":"{}","end":2,"error":null}}]"#,
        RunStatus::Success.as_str()
    );
    client
        .execute("SELECT atomiton_write('w-old', $1::TEXT::JSONB, FALSE)", &[&begin])
        .expect("written as version 3 wrote");
    let version: i32 =
        client.query_one("SELECT version FROM atomiton_schema", &[]).expect("version").get(0);
    assert_eq!(version, 3);
    let store = postgres_store(&url, "w-new");
    // Migrated on the store's thread once it opened (never on the caller's): its first answer
    // comes after.
    wait(store.list(Default::default())).expect("answers once migrated");
    let version: i32 =
        client.query_one("SELECT version FROM atomiton_schema", &[]).expect("version").get(0);
    assert_eq!(version, postgres_schema_version(), "migrated once opened");
    let old = wait(store.get("old".into())).expect("get").expect("kept");
    assert_eq!((old.summary.status, old.summary.duration), (RunStatus::Success, Some(1.0)));
    let kept: Vec<_> = old.nodes.iter().map(|n| (&*n.node_id, n.output.clone())).collect();
    let output = atomiton_core::json!({"b": 1, "a": [1, 2]});
    assert_eq!(kept, [("a", Some(output.clone()))], "its nodes moved to node sets (migration 8)");
    // A process of the version before, still running while its fleet is upgraded, writes its
    // JSON batches on.
    let batch = begin.replace("\"old\"", "\"older\"");
    let applied: i32 = client
        .query_one(
            "SELECT atomiton_write('w-old', 'w-old-1', 1, $1::TEXT::JSONB, FALSE)",
            &[&batch],
        )
        .expect("written as version 7 wrote")
        .get(0);
    assert_eq!(applied, 0);
    let older = wait(store.get("older".into())).expect("get").expect("stored");
    assert_eq!(older.summary.status, RunStatus::Success);
    assert_eq!(older.nodes.len(), 1);
    assert_eq!(older.nodes[0].output, Some(output));
    // Sent again write by write (`careful`, after a batch failed whole), a write the server
    // refuses (a run without a flow id) is dropped and counted; the others are stored.
    let bad = begin.replace("\"old\"", "\"eldest\"").replace("\"flowId\":\"f\"", "\"flowId\":null");
    let careful = format!("{},{}", batch.trim_end_matches(']'), bad.trim_start_matches('['))
        .replace("\"older\"", "\"oldest\"");
    let dropped: i32 = client
        .query_one(
            "SELECT atomiton_write('w-old', 'w-old-1', 2, $1::TEXT::JSONB, TRUE)",
            &[&careful],
        )
        .expect("written write by write")
        .get(0);
    assert_eq!(dropped, 1, "the eldest run's begin refused");
    let oldest = wait(store.get("oldest".into())).expect("get").expect("stored");
    assert_eq!((oldest.summary.status, oldest.nodes.len()), (RunStatus::Success, 1));
    assert!(wait(store.get("eldest".into())).expect("get").is_none());
    store.write(run("new", 3.0));
    store.write(ended("new", RunStatus::Success, 4.0));
    sync(&store);
    let page = wait(store.list(ListQuery::default())).expect("list");
    assert_eq!(page.total, 4, "the counts kept by version 2's triggers go on");
}

#[test]
fn a_store_opened_before_its_server_connects_once_it_is_up() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let store = RedisHistory::open(
        &format!("redis://127.0.0.1:{port}"),
        "late",
        Capture::default(),
        "w-late",
    )
    .expect("opened before its server");
    store.write(run("early", 1.0));
    store.write(ended("early", RunStatus::Success, 2.0));
    let _server = RedisServer::start_on(port);
    wait(store.stored().expect("says when its writes are stored"));
    assert_eq!(status_of(&store, "early"), RunStatus::Success);

    let mut server = PostgresServer::start();
    let url = server.database("late");
    server.stop();
    let store = postgres_store(&url, "w-late");
    store.write(run("early", 1.0));
    store.write(ended("early", RunStatus::Success, 2.0));
    server.start_again();
    wait(store.stored().expect("says when its writes are stored"));
    assert_eq!(status_of(&store, "early"), RunStatus::Success, "its tables made on connecting");
}
