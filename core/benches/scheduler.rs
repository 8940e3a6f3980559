//! Scheduler overhead per node (budget: ≤ 2 µs per node, linear in the number of nodes).
//!
//! Three shapes of 10,000 trivial nodes — a chain, a fan-out and a 100×100 lattice — run on the
//! deterministic host (a single-threaded executor), so what is measured is the engine itself:
//! validation, planning, scheduling, data flow, progress accounting and the trace.
//!
//! `cargo bench -p atomiton-core --bench scheduler`; divide the reported time by 10,000.

use std::sync::Arc;

use atomiton_core::json;
use atomiton_core::nodes::{FnNode, NodeRegistry};
use atomiton_core::testing::VirtualHost;
use atomiton_core::{Engine, EngineConfig, NodeDefinition, NodeEdge, RunOptions};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

/// The native addon runs the engine on mimalloc (bindings-node/src/lib.rs); measure what ships.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn engine() -> Engine {
    let registry = NodeRegistry::empty().with(FnNode::sync("noop", |_| Ok(Some(json!(1)))));
    Engine::with_registry(registry, EngineConfig::default())
}

fn edge(source: &str, target: &str) -> NodeEdge {
    NodeEdge::connect(&format!("{source}-{target}"), source, target)
}

fn chain(n: usize) -> NodeDefinition {
    let nodes = (0..n).map(|i| NodeDefinition::new(format!("n{i}"), "noop")).collect();
    let edges = (1..n).map(|i| edge(&format!("n{}", i - 1), &format!("n{i}"))).collect();
    NodeDefinition::group("chain", nodes, edges)
}

fn fan_out(n: usize) -> NodeDefinition {
    let mut nodes = vec![NodeDefinition::new("src", "noop")];
    nodes.extend((1..n).map(|i| NodeDefinition::new(format!("t{i}"), "noop")));
    let edges = (1..n).map(|i| edge("src", &format!("t{i}"))).collect();
    NodeDefinition::group("fan", nodes, edges)
}

fn lattice(side: usize) -> NodeDefinition {
    let id = |r: usize, c: usize| format!("n{r}_{c}");
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for r in 0..side {
        for c in 0..side {
            nodes.push(NodeDefinition::new(id(r, c), "noop"));
            if r > 0 {
                edges.push(edge(&id(r - 1, c), &id(r, c)));
            }
            if c > 0 {
                edges.push(edge(&id(r, c - 1), &id(r, c)));
            }
        }
    }
    NodeDefinition::group("lattice", nodes, edges)
}

fn bench(c: &mut Criterion) {
    let engine = engine();
    let mut group = c.benchmark_group("scheduler");
    group.sample_size(20);
    for (name, make) in
        [("chain_10k", chain as fn(usize) -> NodeDefinition), ("fan_out_10k", fan_out)]
    {
        group.throughput(Throughput::Elements(10_000));
        group.bench_function(name, |b| {
            b.iter_batched(|| make(10_000), |flow| run(&engine, flow), BatchSize::LargeInput)
        });
    }
    group.bench_function("lattice_100x100", |b| {
        b.iter_batched(|| lattice(100), |flow| run(&engine, flow), BatchSize::LargeInput)
    });
    group.finish();
}

fn run(engine: &Engine, flow: NodeDefinition) {
    let host = VirtualHost::new();
    let result = host.block_on(engine.run(flow, RunOptions::default(), Arc::new(host.clone())));
    assert!(result.success);
}

criterion_group!(benches, bench);
criterion_main!(benches);
