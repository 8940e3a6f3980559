//! The data-pipeline template's steps (CSV read → filter → map → optional sort → JSON write) on
//! the native host, without Node: for profiling the engine's share of `npm/bench/data-pipeline.mjs`
//! (`perf record`, `valgrind --tool=callgrind`).
//!
//!   cargo run --release -p atomiton-native-host --example data_pipeline -- <input.csv> <output.json> [sort]

use std::time::Instant;

use atomiton_core::{Engine, NodeDefinition, NodeEdge, RunOptions};
use atomiton_native_host::{NativeHost, WorkerPool};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (input, output) = (&args[1], &args[2]);
    let sort = args.get(3).is_some_and(|a| a == "sort");
    let mut steps = vec![
        NodeDefinition::new("load", "spreadsheet")
            .with_param("path", input.as_str())
            .with_param("hasHeaders", true),
        NodeDefinition::new("high", "transform")
            .with_param("operation", "filter")
            .with_param("transformFunction", "row => Number(row.salary) >= 80000"),
        NodeDefinition::new("reshape", "transform").with_param("operation", "map").with_param(
            "transformFunction",
            "row => ({ name: row.name, team: row.department.toLowerCase(), salary: Number(row.salary), since: Number(row.start.slice(0, 4)) })",
        ),
    ];
    if sort {
        steps.push(
            NodeDefinition::new("sort", "transform")
                .with_param("operation", "sort")
                .with_param("sortKey", "salary")
                .with_param("sortDirection", "desc"),
        );
    }
    steps.push(
        NodeDefinition::new("save", "file-system")
            .with_param("operation", "write")
            .with_param("path", output.as_str()),
    );
    let ids: Vec<String> = steps.iter().map(|s| s.id.clone().unwrap_or_default()).collect();
    let edges = (1..ids.len())
        .map(|i| {
            let handle = if i + 1 == ids.len() { "input" } else { "data" };
            NodeEdge::connect(&format!("e{i}"), &ids[i - 1], &ids[i]).with("targetHandle", handle)
        })
        .collect();
    let flow = NodeDefinition::group("pipeline", steps, edges);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    // `SORT_MEMORY=<bytes>`: what a sort holds before it spills runs (the addon's default).
    let sort_memory = std::env::var("SORT_MEMORY")
        .ok()
        .and_then(|b| b.parse().ok())
        .unwrap_or(atomiton_native_host::spill::DEFAULT_SORT_MEMORY_BYTES);
    // `POOL=<slots>`: the worker pool's size (default: the machine's cores).
    let host = NativeHost::new(runtime.handle().clone())
        .with_workers(WorkerPool::shared(std::env::var("POOL").ok().and_then(|p| p.parse().ok())))
        .with_spill_dir(std::env::temp_dir().join("atomiton-spill"), sort_memory)
        .into_shared();
    let started = Instant::now();
    // `BATCH=<rows>`: the stream's batch size (EngineConfig.stream_batch_rows).
    let mut config = atomiton_core::EngineConfig::default();
    if let Some(rows) = std::env::var("BATCH").ok().and_then(|b| b.parse().ok()) {
        config.stream_batch_rows = rows;
    }
    let result = runtime.block_on(Engine::with_registry(atomiton_effects::registry(), config).run(
        flow,
        RunOptions::default(),
        host,
    ));
    assert!(result.success, "{:?}", result.error);
    println!("{} ms", started.elapsed().as_millis());
}
