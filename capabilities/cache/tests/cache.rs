//! The node result cache: a second run serves what did not change, an edit re-runs the edited
//! node and what depends on it, effects are cached only when opted in, and a run with the cache
//! gives exactly what a run without it gives (a differential property test).

// The core's own test harness: the cache is tested through whole runs, as the core tests run.
#[path = "../../../core/tests/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use atomiton_cache::{CacheHandle, CacheLimits, CacheScope, CacheStore, MemoryCache};
use atomiton_core::cache::RunCache;
use atomiton_core::engine::RunHandles;
use atomiton_core::host::{EngineEvent, Host, RunPermissions};
use atomiton_core::json;
use atomiton_core::nodes::{builtin_registry, NodeRegistry};
use atomiton_core::progress::NodeState;
use atomiton_core::value::Value;
use atomiton_core::{EngineConfig, ErrorCode, ExecutionResult, NodeDefinition, RunOptions};
use common::{edge, edge_to, group, node, outcome, Harness};
use futures::FutureExt;
use proptest::prelude::*;

/// An engine with the built-ins and a cache in memory.
struct Cached {
    harness: Harness,
    store: Arc<MemoryCache>,
}

impl Cached {
    fn new() -> Self {
        Self::with_limits(CacheLimits::default())
    }

    fn with_limits(limits: CacheLimits) -> Self {
        let harness = Harness::with_registry(builtin_registry(), EngineConfig::default());
        Cached { harness, store: Arc::new(MemoryCache::new(limits)) }
    }

    fn handles(&self, ttl_ms: Option<f64>) -> RunHandles {
        RunHandles {
            cache: Some(CacheHandle::shared(self.store.clone(), ttl_ms)),
            ..self.harness.handles()
        }
    }

    fn run(&self, flow: &NodeDefinition) -> ExecutionResult {
        self.run_with(flow, self.harness.options())
    }

    fn run_with(&self, flow: &NodeDefinition, options: RunOptions) -> ExecutionResult {
        self.harness.events.lock().unwrap().clear();
        self.harness.run_handled(flow.clone(), options, self.handles(None))
    }

    /// Each node's state in the run's last progress snapshot, by id.
    fn states(&self) -> HashMap<String, NodeState> {
        let events = self.harness.events.lock().unwrap();
        let last = events.iter().rev().find_map(|event| match event {
            EngineEvent::Progress(progress) => Some(progress.clone()),
            _ => None,
        });
        last.map(|p| p.nodes.iter().map(|n| (n.id.to_string(), n.state)).collect())
            .unwrap_or_default()
    }

    /// Ids of the nodes in `state`, sorted.
    fn in_state(&self, state: NodeState) -> Vec<String> {
        let mut ids: Vec<String> =
            self.states().into_iter().filter(|(_, s)| *s == state).map(|(id, _)| id).collect();
        ids.sort();
        ids
    }

    fn counted(&mut self, node_type: &str) -> Arc<AtomicUsize> {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        self.harness.sync(node_type, move |invocation| {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(Some(json!({"from": invocation.node_id.to_string(), "input": invocation.input.to_value()})))
        });
        calls
    }
}

fn map(id: &str, body: &str) -> NodeDefinition {
    node(id, "transform").with_param("operation", "map").with_param("transformFunction", body)
}

/// `source` (data) → `double` → `plus` → `label`, and `other` beside them.
fn chain(plus: &str) -> NodeDefinition {
    group(
        "flow",
        vec![
            node("source", "transform")
                .with_param("operation", "map")
                .with_param("transformFunction", "x => x")
                .with_param("data", json!([1, 2, 3])),
            map("double", "x => x * 2"),
            map("plus", plus),
            node("label", "edit-fields").with_param("values", json!({"label": "done"})),
            node("other", "transform")
                .with_param("operation", "filter")
                .with_param("transformFunction", "x => x > 1")
                .with_param("data", json!([1, 2, 3])),
        ],
        vec![
            edge_to("source", "double", "data"),
            edge_to("double", "plus", "data"),
            edge("plus", "label"),
        ],
    )
}

#[test]
fn a_second_run_serves_every_pure_node_from_the_cache() {
    let cached = Cached::new();
    let first = cached.run(&chain("x => x + 1"));
    assert!(first.success, "{:?}", first.error);
    assert!(cached.in_state(NodeState::Cached).is_empty());
    let second = cached.run(&chain("x => x + 1"));
    assert!(second.success);
    assert_eq!(second.data, first.data);
    assert_eq!(second.executed_nodes, first.executed_nodes);
    assert_eq!(cached.in_state(NodeState::Cached), ["double", "label", "other", "plus", "source"]);
    // The trace names each hit's entry.
    let trace = serde_json::to_value(second.trace.as_ref().expect("a trace")).expect("json");
    let nodes = trace["nodes"].as_array().expect("trace nodes");
    let hit = nodes.iter().find(|n| n["nodeId"] == "double").expect("double in the trace");
    assert_eq!(hit["state"], "cached");
    assert!(hit["cacheKey"].as_str().is_some_and(|k| k.len() == 32), "{hit}");
    assert!(hit["cacheAge"].as_f64().is_some_and(|age| age >= 0.0));
    let stats = cached.store.stats().now_or_never().and_then(Result::ok).expect("stats");
    assert_eq!((stats.entries, stats.hits, stats.misses), (5, 5, 5));
}

#[test]
fn editing_one_node_runs_it_and_what_depends_on_it() {
    let cached = Cached::new();
    assert!(cached.run(&chain("x => x + 1")).success);
    let edited = cached.run(&chain("x => x + 10"));
    assert!(edited.success);
    assert_eq!(cached.in_state(NodeState::Cached), ["double", "other", "source"]);
    assert_eq!(cached.in_state(NodeState::Completed), ["label", "plus"]);
    let fresh = Harness::with_registry(builtin_registry(), EngineConfig::default());
    assert_eq!(edited.data, fresh.run(chain("x => x + 10")).data);
    // A node's label, timeout and retries do not change what it gives: still a hit.
    let relabelled = chain("x => x + 10");
    let mut relabelled_nodes = relabelled.children().to_vec();
    relabelled_nodes[1] = relabelled_nodes[1]
        .clone()
        .with_param("label", "Doubled")
        .with_param("timeout", 5000)
        .with_param("retries", 2);
    let relabelled = group("flow", relabelled_nodes, relabelled.edges.clone().unwrap_or_default());
    assert!(cached.run(&relabelled).success);
    assert_eq!(cached.in_state(NodeState::Cached), ["double", "label", "other", "plus", "source"]);
}

#[test]
fn js_executors_are_cached_only_when_the_flow_or_the_run_opts_in() {
    let mut cached = Cached::new();
    let calls = cached.counted("fetch");
    let flow = |option: Option<Value>| {
        let fetch = node("fetch", "fetch");
        let fetch = match option {
            Some(option) => fetch.with_param("cache", option),
            None => fetch,
        };
        let after = node("after", "edit-fields").with_param("values", json!({"seen": true}));
        group("flow", vec![fetch, after], vec![edge("fetch", "after")])
    };
    for _ in 0..2 {
        assert!(cached.run(&flow(None)).success);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 2, "not opted in: runs every time");
    for _ in 0..2 {
        assert!(cached.run(&flow(Some(json!({"ttlMs": 60_000})))).success);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 3, "opted in by the flow: one run, then a hit");
    assert_eq!(cached.in_state(NodeState::Cached), ["after", "fetch"]);
    // Opted in by the run (the key is the same: `cache` is not part of it), once the entries
    // are gone: one run, then a hit.
    let removed = cached.store.invalidate(CacheScope::default()).now_or_never();
    assert_eq!(removed.and_then(Result::ok), Some(2));
    let options = || RunOptions {
        cache: Some(RunCache {
            off: false,
            nodes: vec![(
                "fetch".into(),
                atomiton_core::cache::NodeCacheOption::On { ttl_ms: None },
            )],
        }),
        ..cached.harness.options()
    };
    for _ in 0..2 {
        assert!(cached.run_with(&flow(None), options()).success);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    // Opted out by the flow, even where the run's cache is on.
    for _ in 0..2 {
        assert!(cached.run(&flow(Some(json!(false)))).success);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 6);
}

#[test]
fn an_entry_is_served_for_its_ttl_and_then_the_node_runs_again() {
    let mut cached = Cached::new();
    let calls = cached.counted("fetch");
    let flow = group(
        "flow",
        vec![node("fetch", "fetch").with_param("cache", json!({"ttlMs": 1000}))],
        vec![],
    );
    assert!(cached.run(&flow).success);
    let host = cached.harness.shared();
    cached.harness.host.block_on(Host::sleep(&*host, 999.0));
    assert!(cached.run(&flow).success);
    assert_eq!(calls.load(Ordering::SeqCst), 1, "within its ttl");
    cached.harness.host.block_on(Host::sleep(&*host, 2.0));
    assert!(cached.run(&flow).success);
    assert_eq!(calls.load(Ordering::SeqCst), 2, "past its ttl");
}

#[test]
fn cache_false_neither_reads_nor_writes_and_failures_are_never_stored() {
    let mut cached = Cached::new();
    let calls = cached.counted("fetch");
    let flow = group("flow", vec![node("fetch", "fetch").with_param("cache", true)], vec![]);
    let off = || RunOptions {
        cache: Some(RunCache { off: true, nodes: vec![] }),
        ..cached.harness.options()
    };
    assert!(cached.run_with(&flow, off()).success);
    assert!(cached.run_with(&flow, off()).success);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(
        cached.store.stats().now_or_never().and_then(Result::ok).map(|s| s.entries),
        Some(0)
    );

    let failing =
        group("flow", vec![map("broken", "x => x.a.b").with_param("data", json!([1]))], vec![]);
    for _ in 0..2 {
        let result = cached.run(&failing);
        assert!(!result.success);
        assert!(cached.in_state(NodeState::Cached).is_empty());
    }
}

#[test]
fn a_different_grant_or_different_variables_miss() {
    let cached = Cached::new();
    let flow = chain("x => x + 1");
    assert!(cached.run(&flow).success);
    let narrowed =
        RunOptions { permissions: Some(RunPermissions::default()), ..cached.harness.options() };
    assert!(cached.run_with(&flow, narrowed).success);
    assert!(cached.in_state(NodeState::Cached).is_empty(), "another grant: no hit");
    let with_variables =
        RunOptions { variables: Some(json!({"region": "eu"})), ..cached.harness.options() };
    assert!(cached.run_with(&flow, with_variables).success);
    assert!(cached.in_state(NodeState::Cached).is_empty(), "other variables: no hit");
}

#[test]
fn an_unknown_path_in_the_runs_cache_option_is_a_validation_error() {
    let cached = Cached::new();
    let options = RunOptions {
        cache: Some(RunCache {
            off: false,
            nodes: vec![("missing".into(), atomiton_core::cache::NodeCacheOption::Off)],
        }),
        ..cached.harness.options()
    };
    let result = cached.run_with(&chain("x => x"), options);
    let error = result.error.expect("refused");
    assert_eq!(error.code, ErrorCode::VALIDATION_FAILED);
    assert!(error.message.contains("cache.nodes"), "{}", error.message);
}

#[test]
fn a_malformed_cache_parameter_is_refused_before_anything_runs() {
    let cached = Cached::new();
    for bad in [json!("yes"), json!({"ttlMs": -5}), json!({"ttlMs": "soon"}), json!(3)] {
        let flow = group("flow", vec![map("n", "x => x").with_param("cache", bad.clone())], vec![]);
        let error = cached.run(&flow).error.expect("refused");
        assert_eq!(error.code, ErrorCode::INVALID_PARAMETERS, "{bad}");
        assert!(error.message.contains("cache"), "{}", error.message);
    }
}

#[test]
fn the_least_recently_used_entries_are_evicted_and_run_again() {
    let cached = Cached::with_limits(CacheLimits { max_entries: 2, max_bytes: u64::MAX });
    let stats = || cached.store.stats().now_or_never().and_then(Result::ok).expect("stats");
    assert!(cached.run(&chain("x => x + 1")).success);
    assert_eq!((stats().entries, stats().evictions), (2, 3));
    // The chain's nodes run in order, each evicting the oldest entry: nothing is left to hit.
    assert!(cached.run(&chain("x => x + 1")).success);
    assert!(cached.in_state(NodeState::Cached).is_empty());
    let one = group("flow", vec![map("only", "x => x").with_param("data", json!([1]))], vec![]);
    assert!(cached.run(&one).success);
    assert!(cached.run(&one).success);
    assert_eq!(cached.in_state(NodeState::Cached), ["only"]);
}

// ---- the differential property test ----

/// One node of a random flow: a transform or edit-fields over the previous nodes' outputs.
#[derive(Clone, Debug)]
enum Step {
    Map(&'static str),
    Filter(&'static str),
    Set(&'static str, i32),
}

const MAPS: [&str; 6] =
    ["x => x * 2", "x => x + 1", "x => -x", "x => x.a.b", "x => [x, x]", "x => ({ v: x })"];
const FILTERS: [&str; 3] = ["x => x > 1", "x => x % 2 === 0", "x => x.v"];

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..MAPS.len()).prop_map(|i| Step::Map(MAPS[i])),
        (0..FILTERS.len()).prop_map(|i| Step::Filter(FILTERS[i])),
        (0..2usize, -2..3i32).prop_map(|(k, v)| Step::Set(["k", "m"][k], v)),
    ]
}

/// A flow of `steps`: node `i` reads node `parents[i] % i` (node 0 reads `data`).
fn random_flow(data: &[i32], steps: &[Step], parents: &[usize]) -> NodeDefinition {
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let id = format!("n{i}");
        let mut n = match step {
            Step::Map(body) => map(&id, body),
            Step::Filter(body) => node(&id, "transform")
                .with_param("operation", "filter")
                .with_param("transformFunction", *body),
            Step::Set(key, value) => {
                node(&id, "edit-fields").with_param("values", json!({ (*key): *value }))
            }
        };
        if i == 0 {
            n = n.with_param("data", Value::Array(data.iter().map(|v| json!(*v)).collect()));
        } else {
            let parent = parents[i] % i;
            edges.push(edge_to(&format!("n{parent}"), &id, "data"));
        }
        nodes.push(n);
    }
    group("flow", nodes, edges)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// A run after random edits (of steps, parents and data), with the cache filled by the
    /// runs before it, gives what a run of the edited flow without a cache gives.
    #[test]
    fn a_run_with_the_cache_gives_what_a_run_without_it_gives(
        data in prop::collection::vec(-3..4i32, 0..6),
        steps in prop::collection::vec(step(), 1..7),
        parents in prop::collection::vec(0..6usize, 7),
        edits in prop::collection::vec((0..7usize, step(), prop::option::of(prop::collection::vec(-3..4i32, 0..6))), 1..4),
    ) {
        let cached = Cached::new();
        let uncached = Harness::with_registry(builtin_registry(), EngineConfig::default());
        let (mut data, mut steps) = (data, steps);
        let flow = random_flow(&data, &steps, &parents);
        prop_assert_eq!(outcome(&cached.run(&flow)), outcome(&uncached.run(flow.clone())));
        for (at, new_step, new_data) in edits {
            let at = at % steps.len();
            steps[at] = new_step;
            if let Some(new_data) = new_data {
                data = new_data;
            }
            let flow = random_flow(&data, &steps, &parents);
            let with_cache = outcome(&cached.run(&flow));
            prop_assert_eq!(with_cache, outcome(&uncached.run(flow.clone())));
            // And the same flow again: every node that completed before is a hit now.
            let again = outcome(&cached.run(&flow));
            prop_assert_eq!(again, outcome(&uncached.run(flow.clone())));
        }
    }
}

#[test]
fn the_registry_without_built_ins_still_runs_cached_js_executors() {
    // A JS executor opted in by the flow, in an engine that has no built-ins at all.
    let mut harness = Harness::with_registry(NodeRegistry::empty(), EngineConfig::default());
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    harness.sync("js", move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        Ok(Some(json!(1)))
    });
    let store = Arc::new(MemoryCache::new(CacheLimits::default()));
    let flow = group("flow", vec![node("a", "js").with_param("cache", true)], vec![]);
    for _ in 0..3 {
        let handles = RunHandles {
            cache: Some(CacheHandle::shared(store.clone(), None)),
            ..harness.handles()
        };
        let result = harness.run_handled(flow.clone(), harness.options(), handles);
        assert_eq!(result.data, Some(json!(1)));
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[test]
fn the_memory_store_meets_the_store_contract() {
    use atomiton_cache::contract::{check_cache_store, CHECKED_LIMITS};
    let store = Arc::new(MemoryCache::new(CHECKED_LIMITS));
    // A store in memory answers at once.
    let checked = check_cache_store(&*store, || async {}).now_or_never();
    assert!(checked.is_some(), "every call answered at once");
}

#[test]
fn the_persisted_store_meets_the_store_contract_and_its_entries_outlive_it() {
    use atomiton_cache::contract::{cache_entry, check_cache_store, CHECKED_LIMITS};
    use atomiton_cache::PersistedCache;
    use atomiton_core::storage::{MemoryBackend, StorageBackend};
    use atomiton_core::testing::VirtualHost;
    let host = VirtualHost::new();
    let store = Arc::new(PersistedCache::open(
        Arc::new(MemoryBackend::new()),
        CHECKED_LIMITS,
        &host.shared(),
    ));
    host.block_on(async move { check_cache_store(&*store, || async {}).await });

    let backend = Arc::new(MemoryBackend::new());
    let limits = CacheLimits { max_entries: 2, max_bytes: 1000 };
    let store = PersistedCache::open(backend.clone(), limits, &host.shared());
    let expiring = |n: i32, expires_ms| atomiton_cache::CacheEntry {
        expires_ms,
        ..cache_entry("flow", &format!("n{n}"), json!({"n": n, "zero": -0.0}), 10)
    };
    store.put(atomiton_core::cache::CacheKey(1), expiring(1, None));
    store.put(atomiton_core::cache::CacheKey(2), expiring(2, Some(50.0)));
    // `invalidate` answers once the store has every change made before it.
    let none = CacheScope { flow_id: Some("none".into()), node_id: None };
    assert_eq!(host.block_on(store.invalidate(none)).unwrap(), 0);
    let mut keys = host.block_on(backend.keys()).unwrap();
    keys.sort();
    assert_eq!(
        keys,
        [
            "00000000000000000000000000000001.cache.json",
            "00000000000000000000000000000002.cache.json"
        ]
    );
    drop(store);

    // Another process opens the same store: the entry is there, bit for bit; the expired one is
    // gone from the store too.
    let reopened = PersistedCache::open(backend.clone(), limits, &host.shared());
    let later = 100.0;
    let hit = host.block_on(reopened.get(atomiton_core::cache::CacheKey(1), later)).expect("kept");
    let zero = hit.output.as_deref().map(|o| o["zero"].as_f64().unwrap().is_sign_negative());
    assert_eq!(zero, Some(true));
    assert!(host.block_on(reopened.get(atomiton_core::cache::CacheKey(2), later)).is_none());
    let everything = CacheScope::default();
    assert_eq!(host.block_on(reopened.invalidate(everything)).unwrap(), 1);
    assert!(host.block_on(backend.keys()).unwrap().is_empty(), "invalidated in the store too");
}
