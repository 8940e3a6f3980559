//! `transform` map over 100,000 items through the whole engine (budget: ≤ 5 ms for
//! `x => x * 2`). Measures validation, planning, the node and the result, on the deterministic
//! host; the input array arrives as the node's `data` parameter.
//!
//! `cargo bench -p atomiton-core --bench transform`

use std::sync::Arc;

use atomiton_core::json;
use atomiton_core::testing::VirtualHost;
use atomiton_core::value::Value;
use atomiton_core::{Engine, EngineConfig, NodeDefinition, RunOptions};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

fn node(function: &str, items: Value) -> NodeDefinition {
    NodeDefinition::new("t", "transform")
        .with_param("operation", "map")
        .with_param("transformFunction", function)
        .with_param("data", items)
}

fn bench(c: &mut Criterion) {
    let engine = Engine::new(EngineConfig::default());
    let numbers = json!((0..100_000).collect::<Vec<_>>());
    let objects =
        json!((0..100_000).map(|i| json!({"id": i, "price": i % 250})).collect::<Vec<_>>());
    let mut group = c.benchmark_group("transform_100k");
    group.sample_size(30);
    for (name, function, items) in [
        ("map_x_times_2", "x => x * 2", &numbers),
        ("map_spread_object", "item => ({ ...item, processed: true })", &objects),
        ("filter_price", "item => item.price > 100", &objects),
    ] {
        group.bench_function(name, |b| {
            b.iter_batched(
                || node(function, items.clone()),
                |flow| {
                    let host = VirtualHost::new();
                    let result = host.block_on(engine.run(
                        flow,
                        RunOptions::default(),
                        Arc::new(host.clone()),
                    ));
                    assert!(result.success);
                    result
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
