//! Chains that run as a stream of rows (a CSV source, transforms) give what the same flow gives
//! run node by node: the same result, the same error at the same row, whatever the batch size.

mod common;

use atomiton_core::host::EngineEvent;
use atomiton_core::json;
use atomiton_core::nodes::builtin_registry;
use atomiton_core::{EngineConfig, ExecutionResult, NodeDefinition};
use common::{edge_to, group, node, outcome, Harness};
use proptest::prelude::*;

/// A flow: a spreadsheet reading `csv`, then each transform in turn (`(operation, function)`;
/// a sort's function is its key).
fn pipeline(csv: &str, transforms: &[(&str, &str)]) -> NodeDefinition {
    let mut nodes = vec![node("sheet", "spreadsheet").with_param("data", csv)];
    let mut edges = Vec::new();
    let mut previous = "sheet".to_owned();
    for (i, (operation, function)) in transforms.iter().enumerate() {
        let id = format!("t{i}");
        let mut transform = node(&id, "transform").with_param("operation", *operation);
        transform = if *operation == "sort" {
            transform.with_param("sortKey", *function).with_param("sortDirection", "desc")
        } else {
            transform.with_param("transformFunction", *function)
        };
        nodes.push(transform);
        edges.push(edge_to(&previous, &id, "data"));
        previous = id;
    }
    group("flow", nodes, edges)
}

/// Runs `flow` with batches of `batch_rows` rows (0: no streaming); the result and how many
/// progress snapshots showed a node's rows (only streamed nodes count rows).
fn run(flow: &NodeDefinition, batch_rows: usize) -> (ExecutionResult, usize) {
    let config = EngineConfig { stream_batch_rows: batch_rows, ..EngineConfig::default() };
    let harness = Harness::with_registry(builtin_registry(), config);
    let result = harness.run(flow.clone());
    let counted = harness
        .events
        .lock()
        .unwrap()
        .iter()
        .filter(|event| match event {
            EngineEvent::Progress(progress) => progress.nodes.iter().any(|n| n.rows.is_some()),
            _ => false,
        })
        .count();
    (result, counted)
}

fn csv_of(rows: &[(u8, String)]) -> String {
    let mut csv = String::from("n,name\n");
    for (n, name) in rows {
        csv.push_str(&format!("{n},\"{}\"\n", name.replace('"', "\"\"")));
    }
    csv
}

#[test]
fn a_csv_chain_streams_and_gives_the_whole_runs_result() {
    let csv = csv_of(&(0..50).map(|i| (i, format!("row {i}"))).collect::<Vec<_>>());
    let flow = pipeline(
        &csv,
        &[("filter", "r => Number(r.n) % 3 == 0"), ("map", "r => ({...r, n: Number(r.n) * 2})")],
    );
    let (whole, counted_whole) = run(&flow, 0);
    let (streamed, counted) = run(&flow, 4);
    assert!(whole.success, "{:?}", whole.error);
    assert_eq!(outcome(&streamed), outcome(&whole));
    assert_eq!(whole.data.as_ref().unwrap()["outputCount"], json!(17));
    assert_eq!(counted_whole, 0, "a run without streaming counts no rows");
    assert!(counted > 0, "the streamed run reports rows as they pass");
}

#[test]
fn a_failing_row_fails_the_same_node_with_the_same_message() {
    let csv = csv_of(&(0..40).map(|i| (i, format!("r{i}"))).collect::<Vec<_>>());
    // Row 23 has no `missing`, so reading a field of it throws.
    let flow = pipeline(
        &csv,
        &[("map", "r => r.n == '23' ? r.missing.deep : r"), ("filter", "r => true")],
    );
    let (whole, _) = run(&flow, 0);
    assert!(!whole.success);
    for batch_rows in [1, 5, 64] {
        assert_eq!(outcome(&run(&flow, batch_rows).0), outcome(&whole), "batches of {batch_rows}");
    }
}

#[test]
fn a_sort_in_a_stream_holds_its_rows_and_sorts_them_as_a_whole_sort() {
    let rows: Vec<(u8, String)> = (0..30).map(|i| ((i * 7) % 11, format!("x{i}"))).collect();
    let flow = pipeline(&csv_of(&rows), &[("sort", "n"), ("map", "r => r.name")]);
    let (whole, _) = run(&flow, 0);
    assert!(whole.success, "{:?}", whole.error);
    assert_eq!(outcome(&run(&flow, 3).0), outcome(&whole));
}

/// Runs `flow` streamed in batches of `batch_rows` on a host whose sorts spill past
/// `memory_bytes` of rows; the result and how many runs were written.
fn run_spilling(
    flow: &NodeDefinition,
    batch_rows: usize,
    memory_bytes: usize,
) -> (ExecutionResult, usize) {
    use atomiton_core::testing::{MemorySpill, VirtualHost};
    let spill = std::sync::Arc::new(MemorySpill::new(memory_bytes));
    let host = VirtualHost::new().with_spill(spill.clone());
    let config = EngineConfig { stream_batch_rows: batch_rows, ..EngineConfig::default() };
    let engine = atomiton_core::Engine::with_registry(builtin_registry(), config);
    let result = host.block_on(engine.run(flow.clone(), Default::default(), host.shared()));
    (result, spill.created.load(std::sync::atomic::Ordering::Relaxed))
}

#[test]
fn a_sort_past_its_memory_merges_runs_and_gives_the_whole_sorts_order() {
    // Many ties (n takes 11 values): the merge must keep the stable order across runs.
    let rows: Vec<(u8, String)> = (0..400).map(|i| ((i * 7 % 11) as u8, format!("x{i}"))).collect();
    let flow = pipeline(&csv_of(&rows), &[("sort", "n"), ("map", "r => r.name + r.n")]);
    let (whole, _) = run(&flow, 0);
    assert!(whole.success, "{:?}", whole.error);
    let (spilled, runs) = run_spilling(&flow, 16, 1_200);
    assert!(runs >= 10, "the rows went out in runs: {runs}");
    assert_eq!(outcome(&spilled), outcome(&whole));
    let (in_memory, none) = run_spilling(&flow, 16, usize::MAX);
    assert_eq!((outcome(&in_memory), none), (outcome(&whole), 0));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_batch_size_gives_the_whole_runs_outcome(
        rows in prop::collection::vec((0u8..20, "[a-z\" ,]{0,6}"), 0..60),
        filter in prop_oneof![Just("r => Number(r.n) > 9"), Just("r => r.name.length > 2"), Just("r => r.n == '13' ? r.x.y : true")],
        map in prop_oneof![Just("r => r.name + ':' + r.n"), Just("r => ({n: Number(r.n)})"), Just("r => r")],
        sort in any::<bool>(),
        batch_rows in 1usize..9,
        spill_bytes in 1usize..2_000,
    ) {
        let mut transforms = vec![("filter", filter), ("map", map)];
        if sort {
            transforms.insert(1, ("sort", "n"));
        }
        let flow = pipeline(&csv_of(&rows), &transforms);
        let (whole, _) = run(&flow, 0);
        let (streamed, _) = run(&flow, batch_rows);
        prop_assert_eq!(outcome(&streamed), outcome(&whole));
        // The same with the sort spilling runs past a small bound.
        let (spilled, _) = run_spilling(&flow, batch_rows, spill_bytes);
        prop_assert_eq!(outcome(&spilled), outcome(&whole));
    }
}

/// Runs `flow` streamed on a host with three worker threads: the source reads ahead on one, and
/// large batches of `map` and `filter` are split across the other two.
fn run_on_threads(flow: &NodeDefinition) -> ExecutionResult {
    use atomiton_core::testing::ThreadHost;
    let engine = atomiton_core::Engine::with_registry(builtin_registry(), EngineConfig::default());
    let host: atomiton_core::host::SharedHost = std::sync::Arc::new(ThreadHost::new(3));
    atomiton_core::testing::wait(engine.run(flow.clone(), Default::default(), host))
}

#[test]
fn batches_split_across_workers_give_the_same_rows_and_the_same_failing_row() {
    let csv = csv_of(&(0..9000u32).map(|i| ((i % 200) as u8, format!("r{i}"))).collect::<Vec<_>>());
    let ok =
        pipeline(&csv, &[("filter", "r => Number(r.n) % 3 != 0"), ("map", "r => r.name + r.n")]);
    let (whole, _) = run(&ok, 0);
    assert!(whole.success, "{:?}", whole.error);
    assert_eq!(outcome(&run_on_threads(&ok)), outcome(&whole));
    // Row 7001 fails the map; the batch it is in is split across both workers.
    let failing =
        pipeline(&csv, &[("filter", "r => true"), ("map", "r => r.name == 'r7001' ? r.x.y : r")]);
    let (whole, _) = run(&failing, 0);
    assert!(whole.error.as_ref().unwrap().message.contains("item 7001"), "{:?}", whole.error);
    assert_eq!(outcome(&run_on_threads(&failing)), outcome(&whole));
}
