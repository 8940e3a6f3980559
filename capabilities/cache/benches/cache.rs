//! The node result cache's budgets: a key hashed at ≥ 1 GB/s, a hit ≤ 5 µs beyond that, a
//! 10-node flow whose nodes all hit in ≤ 50 µs — beside the same flow run without a cache
//! (which hashes nothing).
//!
//! `cargo bench -p atomiton-cache --bench cache`: `hash/*` reports bytes hashed per second,
//! `lookup/*` one key and lookup of a small input, `flow/*` a whole 10-node run.

use std::sync::Arc;

use atomiton_cache::{
    CacheEntry, CacheHandle, CacheKey, CacheLimits, CacheStore, KeyHasher, MemoryCache,
};
use atomiton_core::engine::RunHandles;
use atomiton_core::json;
use atomiton_core::nodes::builtin_registry;
use atomiton_core::testing::VirtualHost;
use atomiton_core::value::Value;
use atomiton_core::{Engine, EngineConfig, NodeDefinition, NodeEdge, RunOptions};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// The native addon runs the engine on mimalloc (bindings-node/src/lib.rs); measure what ships.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn written(value: &Value) -> u64 {
    let mut hasher = KeyHasher::new();
    hasher.value(value);
    hasher.written()
}

fn hash(value: &Value) -> CacheKey {
    let mut hasher = KeyHasher::new();
    hasher.value(value);
    hasher.finish()
}

/// 10 transforms in a chain over three numbers (the editor's small flow).
fn chain() -> NodeDefinition {
    let map = |i: usize| {
        let node = NodeDefinition::new(format!("n{i}"), "transform")
            .with_param("operation", "map")
            .with_param("transformFunction", "x => x + 1");
        if i == 0 {
            node.with_param("data", json!([1, 2, 3]))
        } else {
            node
        }
    };
    let nodes = (0..10).map(map).collect();
    let edges = (1..10)
        .map(|i| {
            NodeEdge::connect(&format!("e{i}"), &format!("n{}", i - 1), &format!("n{i}"))
                .with("targetHandle", "data")
        })
        .collect();
    NodeDefinition::group("chain", nodes, edges)
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("hash");
    let numbers = Value::Array((0..100_000).map(|i| json!(f64::from(i) * 1.5)).collect());
    let records = Value::Array(
        (0..10_000)
            .map(|i| json!({"id": i, "name": format!("user {i}"), "dept": "engineering", "salary": 50_000 + i}))
            .collect(),
    );
    let text = Value::from("x".repeat(8 << 20));
    for (name, value) in
        [("numbers_100k", &numbers), ("records_10k", &records), ("string_8mib", &text)]
    {
        group.throughput(Throughput::Bytes(written(value)));
        group.bench_function(name, |b| b.iter(|| hash(value)));
    }
    group.finish();

    let mut group = c.benchmark_group("lookup");
    let store = MemoryCache::new(CacheLimits::default());
    let small = json!({"result": [1, 2, 3], "inputCount": 3, "outputCount": 3, "operation": "map", "success": true});
    let key = hash(&small);
    store.put(
        key,
        CacheEntry {
            output: Some(Arc::new(small.clone())),
            created_ms: 0.0,
            expires_ms: None,
            flow_id: Arc::from("flow"),
            node_path: Arc::from("n1"),
            bytes: 100,
        },
    );
    group.bench_function("small_input_key_and_hit", |b| {
        b.iter(|| store.lookup(hash(&small), 1.0).is_some())
    });
    group.finish();

    let mut group = c.benchmark_group("flow");
    let engine = Engine::with_registry(builtin_registry(), EngineConfig::default());
    let host = VirtualHost::new();
    let shared: atomiton_core::host::SharedHost = Arc::new(host.clone());
    let cache = Arc::new(MemoryCache::new(CacheLimits::default()));
    let run = |cached: bool| {
        let handles = RunHandles {
            cache: cached.then(|| CacheHandle::shared(cache.clone(), None)),
            ..RunHandles::default()
        };
        let result =
            host.block_on(engine.run_with(chain(), RunOptions::default(), handles, shared.clone()));
        assert!(result.success);
    };
    run(true);
    group.bench_function("chain10_no_cache", |b| b.iter(|| run(false)));
    group.bench_function("chain10_all_hits", |b| b.iter(|| run(true)));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
