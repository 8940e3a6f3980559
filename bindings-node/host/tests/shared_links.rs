//! The stores a process keeps on one database URL share one link, counted on real servers: in
//! PostgreSQL the result cache, saved flows and triggers share one connection (the history keeps
//! its writer's own), and each store still names itself when the server is gone; in Redis every
//! store, the history's included, shares one; in SQLite the cache's table and the triggers' share
//! one connection to the file.

mod common;

use std::time::{Duration, Instant};

use atomiton_cache::{CacheLimits, CacheStore};
use atomiton_core::history::{Capture, HistoryStore, ListQuery};
use atomiton_core::storage::StorageBackend;
use atomiton_core::testing::wait;
use atomiton_native_host::cache::{sqlite_cache_backend, PostgresCache, RedisCache};
use atomiton_native_host::triggers::{sqlite_triggers, PostgresTriggers, RedisTriggers};
use atomiton_native_host::{PostgresStorage, RedisHistory, RedisStorage};
use atomiton_triggers::TriggerStore;
use common::postgres_server::PostgresServer;
use common::redis_server::RedisServer;
use common::TempDir;

/// The connections other clients hold to the database of `url`.
fn connections(url: &str) -> i64 {
    let mut client = postgres::Client::connect(url, postgres::NoTls).expect("connects");
    client
        .query_one(
            "SELECT count(*) FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .expect("counts")
        .get(0)
}

/// Waits until the database of `url` has `expected` other connections (a server notices a
/// closed connection a moment after the client closes it).
fn until_connections(url: &str, expected: i64) {
    // Far more than a closed connection's backend takes to end, even on a busy machine.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let now = connections(url);
        if now == expected {
            return;
        }
        assert!(Instant::now() < deadline, "{now} connections, not {expected}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn limits() -> CacheLimits {
    CacheLimits { max_entries: 100, max_bytes: 1 << 20 }
}

#[test]
fn the_cache_flows_and_triggers_of_one_database_share_one_connection() {
    let server = PostgresServer::start();
    let url = server.database("shared_link");
    let flows = PostgresStorage::open(&url).expect("flow storage opens");
    let cache = PostgresCache::open(&url, limits()).expect("the cache opens");
    let triggers = PostgresTriggers::open(&url).expect("the trigger store opens");

    // Each store answers (so each has the connection it uses open).
    wait(flows.write("a.flow.yaml", "id: a\n".to_owned())).expect("writes a flow");
    assert_eq!(wait(flows.read("a.flow.yaml")).expect("reads").as_deref(), Some("id: a\n"));
    assert_eq!(wait(cache.stats()).expect("cache stats").entries, 0);
    assert!(wait(triggers.list()).expect("lists triggers").is_empty());
    // One each would be 3.
    assert_eq!(connections(&url), 1);

    // The link goes with the last store that uses it, and a store opened later makes a new one.
    drop((flows, cache));
    assert_eq!(connections(&url), 1, "the trigger store still holds it");
    drop(triggers);
    until_connections(&url, 0);
    let flows = PostgresStorage::open(&url).expect("opens again");
    assert_eq!(wait(flows.read("a.flow.yaml")).expect("reads").as_deref(), Some("id: a\n"));
    assert_eq!(connections(&url), 1);
}

#[test]
fn stores_sharing_a_link_each_name_themselves_when_the_server_is_gone() {
    let mut server = PostgresServer::start();
    let url = server.database("shared_link_gone");
    let flows = PostgresStorage::open(&url).expect("flow storage opens");
    let triggers = PostgresTriggers::open(&url).expect("the trigger store opens");
    assert!(wait(triggers.list()).expect("lists triggers").is_empty());
    server.stop();

    let error = wait(flows.read("a.flow.yaml")).expect_err("no server").to_string();
    assert!(error.contains("Flow storage: cannot reach PostgreSQL"), "{error}");
    let error = wait(triggers.list()).expect_err("no server").to_string();
    assert!(error.contains("Triggers: cannot reach PostgreSQL"), "{error}");

    // Back on its port with its data: the same link connects again, for both.
    server.start_again();
    let deadline = Instant::now() + Duration::from_secs(60);
    while wait(triggers.list()).is_err() {
        assert!(Instant::now() < deadline, "the link never connected again");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(wait(flows.read("a.flow.yaml")).expect("reads"), None);
}

/// The clients connected to the Redis server at `url`, besides the one asking.
fn redis_clients(url: &str) -> usize {
    let mut conn = redis::Client::open(url).expect("a URL").get_connection().expect("connects");
    let list: String = redis::cmd("CLIENT").arg("LIST").query(&mut conn).expect("lists clients");
    list.lines().filter(|line| !line.contains("cmd=client|list")).count()
}

#[test]
fn every_store_on_one_redis_url_shares_one_connection() {
    let server = RedisServer::start();
    let url = server.url();
    let history = RedisHistory::open(&url, "bull:q", Capture::new(1 << 20, Vec::new()), "owner")
        .expect("the history opens");
    let cache = RedisCache::open(&url, "bull:q", limits()).expect("the cache opens");
    let flows = RedisStorage::open(&url, "bull:q:flows").expect("flow storage opens");
    let triggers = RedisTriggers::open(&url, "bull:q").expect("the trigger store opens");

    wait(flows.write("a.flow.yaml", "id: a\n".to_owned())).expect("writes a flow");
    assert_eq!(wait(flows.read("a.flow.yaml")).expect("reads").as_deref(), Some("id: a\n"));
    assert_eq!(wait(cache.stats()).expect("cache stats").entries, 0);
    assert!(wait(triggers.list()).expect("lists triggers").is_empty());
    assert_eq!(wait(history.list(ListQuery::default())).expect("lists runs").total, 0);
    // One each would be 4.
    assert_eq!(redis_clients(&url), 1);

    drop((history, cache, flows, triggers));
    let deadline = Instant::now() + Duration::from_secs(60);
    while redis_clients(&url) != 0 {
        assert!(Instant::now() < deadline, "the connection outlived its stores");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The handles this process holds open on the file at `path` (each SQLite connection holds one).
#[cfg(target_os = "linux")]
fn handles_on(path: &std::path::Path) -> usize {
    let path = std::fs::canonicalize(path).expect("the file exists");
    std::fs::read_dir("/proc/self/fd")
        .expect("the process's handles")
        .filter_map(|entry| std::fs::read_link(entry.ok()?.path()).ok())
        .filter(|target| *target == path)
        .count()
}

#[cfg(target_os = "linux")]
#[test]
fn the_cache_and_triggers_of_one_sqlite_file_share_one_connection() {
    let dir = TempDir::new("shared-sqlite");
    let path = dir.path().join("history.db");
    let cache = sqlite_cache_backend(&path).expect("the cache's table opens");
    let triggers = sqlite_triggers(&path).expect("the trigger tables open");
    wait(cache.write("k", "v".to_owned())).expect("writes an entry");
    assert!(wait(triggers.list()).expect("lists triggers").is_empty(), "its tables were made");
    assert_eq!(wait(cache.read("k")).expect("reads").as_deref(), Some("v"));
    // One each would be 2.
    assert_eq!(handles_on(&path), 1);
    drop(cache);
    assert!(wait(triggers.list()).expect("lists triggers").is_empty());
    drop(triggers);
    // The thread closes the connection once it has taken the last job: a moment after the drop.
    let deadline = Instant::now() + Duration::from_secs(60);
    while handles_on(&path) != 0 {
        assert!(Instant::now() < deadline, "the connection outlived its stores");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn opening_a_store_never_waits_for_another_store_s_request_on_the_shared_connection() {
    let server = RedisServer::start();
    let url = server.url();
    let cache = std::sync::Arc::new(RedisCache::open(&url, "bull:q", limits()).expect("opens"));
    assert_eq!(wait(cache.stats()).expect("cache stats").entries, 0);

    // The server stops answering; the cache's next request holds the connection until it does.
    server.signal("STOP");
    let asking = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let held = {
        let (cache, asking) = (cache.clone(), asking.clone());
        std::thread::spawn(move || {
            asking.store(true, std::sync::atomic::Ordering::SeqCst);
            wait(cache.stats()).is_ok()
        })
    };
    while !asking.load(std::sync::atomic::Ordering::SeqCst) {
        std::thread::yield_now();
    }
    // Its request on the wire (it has nothing else to do before it sends).
    std::thread::sleep(Duration::from_millis(300));

    // Another store opens on the same URL meanwhile: it does not wait for that request (which
    // would end only at the request timeout, 30 s, or once the server answers).
    let flows = RedisStorage::open(&url, "bull:q:flows").expect("opens while the link is held");
    assert!(!held.is_finished(), "the other store's request ended first: opening waited for it");

    server.signal("CONT");
    assert!(held.join().expect("the request's thread"), "answered once the server went on");
    wait(flows.write("a.flow.yaml", "id: a\n".to_owned())).expect("writes a flow");
    assert_eq!(redis_clients(&url), 1);
}
