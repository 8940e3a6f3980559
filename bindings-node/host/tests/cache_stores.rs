//! Where the native addon keeps the node result cache outside its memory, against the real thing:
//! the SQLite history database (entries outlive the process, beside the history's own tables) and
//! a real `redis-server` (one per test: the store contract, and two processes sharing results and
//! bounds, as the workers of a queue do).

mod common;

use std::sync::Arc;

use atomiton_cache::contract::{cache_entry, check_cache_store, CHECKED_LIMITS};
use atomiton_cache::PersistedCache;
use atomiton_cache::{CacheHandle, CacheKey, CacheLimits, CacheScope, CacheStore};
use atomiton_core::engine::RunHandles;
use atomiton_core::json;
use atomiton_core::testing::wait;
use atomiton_core::{Engine, ExecutionResult, NodeDefinition, RunOptions};
use atomiton_native_host::cache::{sqlite_cache_backend, PostgresCache, RedisCache};
use atomiton_native_host::{NativeHost, SqliteHistory};
use common::postgres_server::PostgresServer;
use common::redis_server::RedisServer;
use common::{runtime, TempDir};

/// Flushes a store's writes: `invalidate` of nothing answers after every change before it.
fn settled(store: &dyn CacheStore) {
    let nothing = CacheScope { flow_id: Some("no such flow".into()), node_id: None };
    assert_eq!(wait(store.invalidate(nothing)).expect("invalidate"), 0);
}

#[test]
fn the_sqlite_store_meets_the_store_contract_and_its_entries_outlive_the_process() {
    let rt = runtime();
    let dir = TempDir::new("cache-sqlite");
    let path = dir.path().join("history.sqlite");
    // The history's own tables and the cache's share the file.
    let history = SqliteHistory::open(&path, atomiton_core::history::Capture::default())
        .expect("the history opens");
    let host = NativeHost::new(rt.handle().clone()).into_shared();
    let open = |limits| {
        let backend = sqlite_cache_backend(&path).expect("the cache's table opens");
        PersistedCache::open(backend, limits, &host)
    };
    let store = open(CHECKED_LIMITS);
    rt.block_on(check_cache_store(&store, || async {}));
    drop(store);

    let limits = CacheLimits::default();
    let store = open(limits);
    let output = json!({"rows": [1, 2, 3], "zero": -0.0, "text": "é"});
    store.put(CacheKey(7), cache_entry("flow", "group/node", output.clone(), 64));
    settled(&store);
    drop(store);

    let reopened = open(limits);
    let hit = rt.block_on(reopened.get(CacheKey(7), 20.0)).expect("the entry outlived its store");
    assert_eq!(hit.output.as_deref(), Some(&output));
    let zero = hit.output.as_deref().and_then(|o| o["zero"].as_f64());
    assert!(zero.is_some_and(f64::is_sign_negative), "bit-exact: -0 stays -0");
    assert_eq!((&*hit.flow_id, &*hit.node_path, hit.bytes), ("flow", "group/node", 64));
    let scope = CacheScope { flow_id: None, node_id: Some("node".into()) };
    assert_eq!(rt.block_on(reopened.invalidate(scope)).expect("invalidate"), 1);
    drop(reopened);
    let again = open(limits);
    assert!(rt.block_on(again.get(CacheKey(7), 20.0)).is_none(), "invalidated for good");
    drop(history);
}

fn redis(server: &RedisServer, prefix: &str, limits: CacheLimits) -> RedisCache {
    RedisCache::open(&server.url(), prefix, limits).expect("connects")
}

#[test]
fn the_redis_store_meets_the_store_contract() {
    let server = RedisServer::start();
    let store = redis(&server, "contract:history", CHECKED_LIMITS);
    wait(check_cache_store(&store, || async {}));
}

#[test]
fn two_processes_on_one_prefix_share_entries_and_bounds_and_another_prefix_is_apart() {
    let server = RedisServer::start();
    let limits = CacheLimits { max_entries: 2, max_bytes: 1000 };
    let (first, second) = (redis(&server, "shared", limits), redis(&server, "shared", limits));
    shared_by_two(&first, &second);
    let apart = redis(&server, "apart", limits);
    first.put(CacheKey(1), cache_entry("flow", "a", json!("made by the first"), 10));
    settled(&first);
    assert!(wait(apart.get(CacheKey(1), 20.0)).is_none(), "another prefix is another cache");
}

/// Two processes' stores on one cache (bounded to 2 entries): each sees the other's entries, the
/// bounds hold for both together, and either one invalidates for both.
fn shared_by_two(first: &dyn CacheStore, second: &dyn CacheStore) {
    first.put(CacheKey(1), cache_entry("flow", "a", json!("made by the first"), 10));
    settled(first);
    let hit = wait(second.get(CacheKey(1), 20.0)).expect("the second sees the first's entry");
    assert_eq!(hit.output.as_deref(), Some(&json!("made by the first")));
    // The least recently used goes, whoever made it.
    second.put(CacheKey(2), cache_entry("flow", "b", json!(2), 10));
    settled(second);
    assert!(wait(first.get(CacheKey(1), 20.0)).is_some());
    first.put(CacheKey(3), cache_entry("flow", "c", json!(3), 10));
    settled(first);
    assert!(wait(second.get(CacheKey(2), 20.0)).is_none(), "2 was used least recently");
    let stats = wait(second.stats()).expect("stats");
    assert_eq!((stats.entries, stats.bytes, stats.evictions), (2, 20, 1));
    assert_eq!(wait(second.invalidate(CacheScope::default())).expect("clear"), 2);
    assert!(wait(first.get(CacheKey(3), 20.0)).is_none());
}

#[test]
fn the_postgres_store_meets_the_store_contract_and_two_processes_share_it() {
    let server = PostgresServer::start();
    let store = PostgresCache::open(&server.database("contract"), CHECKED_LIMITS).expect("opens");
    wait(check_cache_store(&store, || async {}));

    let url = server.database("shared");
    let limits = CacheLimits { max_entries: 2, max_bytes: 1000 };
    let open = || PostgresCache::open(&url, limits).expect("opens");
    shared_by_two(&open(), &open());
}

/// Runs `flow` on a native host with `store` as its cache.
fn run(store: Arc<dyn CacheStore>, flow: &NodeDefinition) -> ExecutionResult {
    let rt = runtime();
    let host = NativeHost::new(rt.handle().clone()).into_shared();
    let handles =
        RunHandles { cache: Some(CacheHandle::shared(store, None)), ..RunHandles::default() };
    rt.block_on(
        Engine::with_registry(atomiton_effects::registry(), atomiton_core::EngineConfig::default())
            .run_with(flow.clone(), RunOptions::default(), handles, host),
    )
}

#[test]
fn a_result_one_worker_made_is_a_hit_on_another() {
    let server = RedisServer::start();
    let limits = CacheLimits::default();
    let flow = NodeDefinition::group(
        "flow",
        vec![NodeDefinition::new("double", "transform")
            .with_param("transformFunction", "x => x * 2")
            .with_param("data", json!([1, 2, 3]))],
        vec![],
    );
    let first: Arc<dyn CacheStore> = Arc::new(redis(&server, "queue", limits));
    let made = run(first.clone(), &flow);
    assert!(made.success, "{:?}", made.error);
    settled(&*first);
    let second: Arc<dyn CacheStore> = Arc::new(redis(&server, "queue", limits));
    let served = run(second.clone(), &flow);
    assert_eq!(served.data, made.data, "the same result");
    let stats = wait(second.stats()).expect("stats");
    assert_eq!((stats.hits, stats.entries), (1, 1), "served from the first worker's entry");
}
