//! Chains that run as a stream of rows (a CSV source, transforms) give what the same flow gives
//! run node by node: the same result, the same error at the same row, whatever the batch size.

mod common;

use atomiton_core::host::EngineEvent;
use atomiton_core::json;
use atomiton_core::nodes::builtin_registry;
use atomiton_core::nodes::stream::{Reads, RowsField, Streaming};
use atomiton_core::value::Value;
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

/// The ids of the nodes of `flow` that counted rows as they passed (the streamed ones), when it
/// runs in batches of `batch_rows`, and the run's result.
fn streamed_nodes(flow: &NodeDefinition, batch_rows: usize) -> (Vec<String>, ExecutionResult) {
    let config = EngineConfig { stream_batch_rows: batch_rows, ..EngineConfig::default() };
    let harness = Harness::with_registry(builtin_registry(), config);
    let result = harness.run(flow.clone());
    let mut ids: Vec<String> = Vec::new();
    for event in harness.events.lock().unwrap().iter() {
        if let EngineEvent::Progress(progress) = event {
            for node in progress.nodes.iter().filter(|node| node.rows.is_some()) {
                if !ids.iter().any(|id| **id == *node.id) {
                    ids.push(node.id.to_string());
                }
            }
        }
    }
    ids.sort();
    (ids, result)
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

// ---------------------------------------------------------------------------------------------
// Random tables through random flows: every way a CSV file is written (a byte-order mark, CRLF
// or LF, empty lines, quoted fields holding delimiters, quotes and line breaks, padding, unicode,
// numbers in strings, rows shorter or longer than the header) through any chain of the nodes
// that stream and some that end a stream, node by node and streamed in batches of any size.

/// One cell's text, as a person or a program might have written it.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{0,5}",
        (0u8..30).prop_map(|n| n.to_string()),
        "-?[0-9]{1,3}\\.[0-9]{1,2}",
        Just("é ünï".to_owned()),
        Just("😀 x".to_owned()),
        Just("中文".to_owned()),
        Just("a, b".to_owned()),
        Just("say \"hi\"".to_owned()),
        Just("two\nlines".to_owned()),
        Just("cr\r\nlf".to_owned()),
        Just("  padded ".to_owned()),
        Just(String::new()),
    ]
}

/// A row's text: cells quoted where they must be (and some where they need not be).
fn line(cells: &[(String, bool)]) -> String {
    let quoted = |(text, force): &(String, bool)| {
        let needs = text.contains([',', '"', '\n', '\r']) || text.trim() != text;
        if needs || *force {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text.clone()
        }
    };
    cells.iter().map(quoted).collect::<Vec<_>>().join(",")
}

/// A CSV text: a header row (one of a few, with a repeated or an empty name), then rows.
fn table() -> impl Strategy<Value = String> {
    let header = prop_oneof![Just("n,name,tag"), Just("n,name,name"), Just("n,,tag"), Just("n")];
    let row = prop::collection::vec((cell(), any::<bool>()), 0..5);
    // Each row with its line ending (CRLF or LF) and whether an empty line follows it.
    let rows = prop::collection::vec((row, any::<bool>(), prop::bool::weighted(0.1)), 0..40);
    (header, rows, any::<bool>(), any::<bool>()).prop_map(|(header, rows, bom, last_newline)| {
        let mut text = String::from(if bom { "\u{feff}" } else { "" });
        text.push_str(header);
        for (cells, crlf, blank) in &rows {
            text.push_str(if *crlf { "\r\n" } else { "\n" });
            if *blank {
                text.push('\n');
            }
            text.push_str(&line(cells));
        }
        if last_newline {
            text.push('\n');
        }
        text
    })
}

/// A node of a random flow, after the CSV source.
#[derive(Debug, Clone)]
enum Step {
    Transform(&'static str, Vec<(&'static str, Value)>),
    EditEach { keep_only_set: bool },
    Loop { cap: Option<u16> },
}

fn step() -> impl Strategy<Value = Step> {
    let t = |operation: &'static str, params: Vec<(&'static str, Value)>| {
        Just(Step::Transform(operation, params))
    };
    let f = |function: &'static str| vec![("transformFunction", json!(function))];
    prop_oneof![
        t("filter", f("r => Number(r.n) > 9")),
        t("filter", f("r => JSON.stringify(r).length % 3 != 0")),
        // Fails at the row whose `n` is 13: the same node, the same row, whatever the batches.
        t("filter", f("r => r.n == '13' ? r.x.y : true")),
        t("map", f("r => ({ n: Number(r.n), name: r.name })")),
        t("map", f("r => [r.n, r.name]")),
        t("map", f("r => JSON.stringify(r).length")),
        t("map", f("r => r.item ?? r")),
        t("sort", vec![("sortKey", json!("n")), ("sortDirection", json!("desc"))]),
        t("sort", vec![("sortKey", json!("name"))]),
        (0u8..3).prop_map(|d| Step::Transform("flatten", vec![("flattenDepth", json!(d))])),
        (1u8..20).prop_map(|n| Step::Transform("limit", vec![("limitCount", json!(n))])),
        (0u8..20).prop_map(|n| Step::Transform("skip", vec![("skipCount", json!(n))])),
        (0u8..15, prop::option::of(0u8..25)).prop_map(|(from, to)| {
            let mut params = vec![("sliceStart", json!(from))];
            params.extend(to.map(|to| ("sliceEnd", json!(to))));
            Step::Transform("slice", params)
        }),
        // Counted from the end: ends the stream.
        t("slice", vec![("sliceStart", json!(1)), ("sliceEnd", json!(-4))]),
        t("unique", vec![]),
        t("reverse", vec![]),
        t(
            "reduce",
            vec![
                ("transformFunction", json!("({acc, item}) => acc + JSON.stringify(item).length")),
                ("reduceInitial", json!("0")),
            ]
        ),
        t("group", vec![("groupKey", json!("n"))]),
        any::<bool>().prop_map(|keep_only_set| Step::EditEach { keep_only_set }),
        prop::option::of(5u16..40).prop_map(|cap| Step::Loop { cap }),
    ]
}

/// The flow: a spreadsheet reading `csv`, then each step reading the one before.
fn random_flow(csv: &str, steps: &[Step]) -> NodeDefinition {
    let mut nodes = vec![node("sheet", "spreadsheet").with_param("data", csv)];
    let mut edges = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let id = format!("s{i}");
        let (node, port) = match step {
            Step::Transform(operation, params) => {
                let mut n = node(&id, "transform").with_param("operation", *operation);
                for (key, value) in params {
                    n = n.with_param(key, value.clone());
                }
                (n, "data")
            }
            Step::EditEach { keep_only_set } => (
                node(&id, "edit-fields")
                    .with_param("forEachItem", true)
                    .with_param("keepOnlySet", *keep_only_set)
                    .with_param("values", json!({"tag": "{{name}}/{{n}}", "k": 1})),
                "data",
            ),
            Step::Loop { cap } => {
                let mut n = node(&id, "loop");
                if let Some(cap) = cap {
                    n = n.with_param("maxIterations", *cap);
                }
                (n, "array")
            }
        };
        nodes.push(node);
        let previous = if i == 0 { "sheet".to_owned() } else { format!("s{}", i - 1) };
        edges.push(edge_to(&previous, &id, port));
    }
    group("flow", nodes, edges)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_flows_over_random_tables_give_the_whole_runs_outcome(
        csv in table(),
        steps in prop::collection::vec(step(), 1..6),
        batch_rows in 1usize..9,
        spill_bytes in 1usize..2_000,
    ) {
        let flow = random_flow(&csv, &steps);
        let (whole, _) = run(&flow, 0);
        let (streamed, _) = run(&flow, batch_rows);
        prop_assert_eq!(outcome(&streamed), outcome(&whole));
        let (spilled, _) = run_spilling(&flow, batch_rows, spill_bytes);
        prop_assert_eq!(outcome(&spilled), outcome(&whole));
    }
}

#[test]
fn row_wise_nodes_stream_and_those_that_need_every_row_end_the_stream() {
    let csv = csv_of(&(0..40).map(|i| (i % 7, format!("r{i}"))).collect::<Vec<_>>());
    let transform = |operation: &'static str, params: Vec<(&'static str, Value)>| {
        Step::Transform(operation, params)
    };
    let streams = [
        transform("flatten", vec![]),
        transform("unique", vec![]),
        transform("limit", vec![("limitCount", json!(12))]),
        transform("skip", vec![("skipCount", json!(3))]),
        transform("slice", vec![("sliceStart", json!(2)), ("sliceEnd", json!(30))]),
        Step::EditEach { keep_only_set: false },
        Step::Loop { cap: None },
    ];
    for step in streams {
        // The step between two maps: it reads rows and gives rows.
        let map = transform("map", vec![("transformFunction", json!("r => r"))]);
        let flow = random_flow(&csv, &[map.clone(), step.clone(), map]);
        let (ids, result) = streamed_nodes(&flow, 8);
        assert!(result.success, "{step:?}: {:?}", result.error);
        assert_eq!(ids, ["s0", "s1", "s2", "sheet"], "{step:?} streams");
        assert_eq!(outcome(&result), outcome(&run(&flow, 0).0), "{step:?}");
    }
    let whole = [
        transform("reverse", vec![]),
        transform("group", vec![("groupKey", json!("n"))]),
        transform("slice", vec![("sliceEnd", json!(-3))]),
    ];
    for step in whole {
        let flow = random_flow(&csv, std::slice::from_ref(&step));
        let (ids, result) = streamed_nodes(&flow, 8);
        assert!(result.success, "{step:?}: {:?}", result.error);
        assert!(ids.is_empty(), "{step:?} takes its input whole: {ids:?}");
    }
}

#[test]
fn a_loop_over_a_stream_fails_at_its_cap_as_over_the_whole_array() {
    let csv = csv_of(&(0..30).map(|i| (i, format!("r{i}"))).collect::<Vec<_>>());
    let flow = random_flow(&csv, &[Step::Loop { cap: Some(20) }]);
    let (whole, _) = run(&flow, 0);
    assert_eq!(
        whole.error.as_ref().map(|e| e.message.as_str()),
        Some("[loop] Loop exceeded its iteration cap of 20 (maxIterations)")
    );
    for batch_rows in [1, 7, 64] {
        assert_eq!(outcome(&run(&flow, batch_rows).0), outcome(&whole), "batches of {batch_rows}");
    }
}

/// A node type that works on its own (it fails saying its parameters cannot work) and, in a
/// stream, is a stage that cannot open, with the same error.
struct Refusing;

fn refusal() -> atomiton_core::ExecutionError {
    atomiton_core::ExecutionError::execution_failed("[refusing] these parameters cannot work")
}

impl atomiton_core::nodes::NodeType for Refusing {
    fn type_name(&self) -> &str {
        "refusing"
    }

    fn execute(
        &self,
        _invocation: atomiton_core::nodes::Invocation,
        _host: atomiton_core::host::SharedHost,
    ) -> atomiton_core::host::BoxFuture<'static, atomiton_core::nodes::NodeResult> {
        Box::pin(std::future::ready(Err(refusal())))
    }

    fn streaming(&self, _parameters: &atomiton_core::value::Map) -> Option<Streaming> {
        fn open(
            _invocation: &atomiton_core::nodes::Invocation,
            _host: &atomiton_core::host::SharedHost,
        ) -> Result<Box<dyn atomiton_core::nodes::stream::RowStage>, atomiton_core::ExecutionError>
        {
            Err(refusal())
        }
        Some(Streaming::Stage {
            port: "data",
            reads: Reads::ArrayIn,
            rows: RowsField::first("result", &[]),
            open,
        })
    }
}

#[test]
fn a_stage_that_cannot_open_fails_where_its_node_would_after_the_nodes_before_it() {
    let csv = csv_of(&(0..30).map(|i| (i, format!("r{i}"))).collect::<Vec<_>>());
    let flow = |filter: &str| {
        let nodes = vec![
            node("sheet", "spreadsheet").with_param("data", csv.as_str()),
            node("keep", "transform")
                .with_param("operation", "filter")
                .with_param("transformFunction", filter),
            node("refuse", "refusing"),
        ];
        let edges = vec![edge_to("sheet", "keep", "data"), edge_to("keep", "refuse", "data")];
        group("flow", nodes, edges)
    };
    let run_with = |flow: &NodeDefinition, batch_rows: usize| {
        let config = EngineConfig { stream_batch_rows: batch_rows, ..EngineConfig::default() };
        let registry = builtin_registry().with(Refusing);
        Harness::with_registry(registry, config).run(flow.clone())
    };
    // The filter before it fails first, at row 23, when it does; otherwise the refusing node.
    for filter in ["r => r.n == '23' ? r.x.y : true", "r => true", "r => false"] {
        let flow = flow(filter);
        let whole = run_with(&flow, 0);
        assert!(!whole.success);
        for batch_rows in [1, 4, 64] {
            assert_eq!(
                outcome(&run_with(&flow, batch_rows)),
                outcome(&whole),
                "{filter}, batches of {batch_rows}"
            );
        }
    }
}

/// `sheet → keep (filter) → each (for-each)` over `csv`, the for-each's body `body`, in a flow
/// of `version`.
fn for_each_pipeline(
    csv: &str,
    parameters: serde_json::Value,
    body: serde_json::Value,
    version: &str,
) -> NodeDefinition {
    serde_json::from_value(serde_json::json!({
        "id": "flow", "type": "group", "version": version,
        "nodes": [
            {"id": "sheet", "type": "spreadsheet", "parameters": {"data": csv}},
            {"id": "keep", "type": "transform", "parameters": {"operation": "filter", "transformFunction": "r => Number(r.n) % 4 != 1"}},
            {"id": "each", "type": "for-each", "parameters": parameters, "nodes": body["nodes"], "edges": body["edges"]}
        ],
        "edges": [
            {"id": "e1", "source": "sheet", "target": "keep", "targetHandle": "data"},
            {"id": "e2", "source": "keep", "target": "each"}
        ]
    }))
    .expect("a flow")
}

#[test]
fn a_for_each_ends_a_stream_and_runs_its_body_per_row_as_the_rows_come() {
    let csv = csv_of(&(0..60).map(|i| (i, format!("r{i}"))).collect::<Vec<_>>());
    let per_row = serde_json::json!({
        "nodes": [
            {"id": "big", "type": "if", "parameters": {"condition": "r => Number(r.n) > 30"}},
            {"id": "yes", "type": "edit-fields", "parameters": {"values": {"size": "big"}}},
            {"id": "no", "type": "edit-fields", "parameters": {"values": {"size": "small"}}}
        ],
        "edges": [
            {"id": "t", "source": "big", "target": "yes", "sourceHandle": "true"},
            {"id": "f", "source": "big", "target": "no", "sourceHandle": "false"}
        ]
    });
    let per_batch = serde_json::json!({
        "nodes": [{"id": "sum", "type": "transform", "parameters": {"operation": "reduce", "transformFunction": "(a, r) => a + Number(r.n)", "reduceInitial": "0"}}],
        "edges": []
    });
    // Row 43 fails the body: `r.x` is undefined.
    let failing = serde_json::json!({
        "nodes": [{"id": "sum", "type": "transform", "parameters": {"operation": "reduce", "transformFunction": "(a, r) => r.n == '43' ? r.x.y : a + 1", "reduceInitial": "0"}}],
        "edges": []
    });
    for (body, batch_size, succeeds) in
        [(&per_row, 1, true), (&per_batch, 4, true), (&per_batch, 7, true), (&failing, 3, false)]
    {
        for (concurrency, version) in [(1, "1.0.0"), (3, "1.0.0"), (2, "2")] {
            let flow = for_each_pipeline(
                &csv,
                serde_json::json!({"batchSize": batch_size, "concurrency": concurrency}),
                body.clone(),
                version,
            );
            let (whole, _) = run(&flow, 0);
            assert_eq!(whole.success, succeeds, "{:?}", whole.error);
            assert_eq!(outcome(&run_on_threads(&flow)), outcome(&whole), "on worker threads");
            for batch_rows in [1, 5, 64] {
                let (ids, streamed) = streamed_nodes(&flow, batch_rows);
                let case = format!(
                    "version {version}, batchSize {batch_size}, concurrency {concurrency}, batches of {batch_rows}"
                );
                assert_eq!(outcome(&streamed), outcome(&whole), "{case}");
                if succeeds {
                    assert_eq!(
                        ids,
                        ["each", "keep", "sheet"],
                        "{case}: the for-each counts its rows"
                    );
                }
            }
        }
    }
    let (whole, _) =
        run(&for_each_pipeline(&csv, serde_json::json!({"batchSize": 1}), per_row, "1.0.0"), 0);
    let rows = whole.data.as_ref().and_then(Value::as_array).expect("a list");
    assert_eq!(rows.len(), 45, "a result per row kept by the filter");
    assert_eq!(rows[0]["result"]["size"], json!("small"));
    assert_eq!(rows[44]["result"]["size"], json!("big"));
}

#[test]
fn a_flow_of_version_2_streams_its_rows_through_the_ports_that_carry_them() {
    let csv = csv_of(&(0..50).map(|i| (i, format!("row {i}"))).collect::<Vec<_>>());
    let old = pipeline(
        &csv,
        &[("filter", "r => Number(r.n) % 3 == 0"), ("map", "r => ({...r, n: Number(r.n) * 2})")],
    );
    let mut value = serde_json::to_value(&old).expect("a flow");
    value["version"] = serde_json::json!("2");
    // The edges name no input: each goes to the transform's main input, the rows as its list.
    for edge in value["edges"].as_array_mut().expect("edges") {
        edge.as_object_mut().expect("an edge").remove("targetHandle");
    }
    let flow: NodeDefinition = serde_json::from_value(value.clone()).expect("a flow");
    let (whole, _) = run(&flow, 0);
    assert!(whole.success, "{:?}", whole.error);
    let (ids, streamed) = streamed_nodes(&flow, 4);
    assert_eq!(ids, ["sheet", "t0", "t1"]);
    assert_eq!(outcome(&streamed), outcome(&whole));
    // A port that selects something else than the rows ends the stream before it.
    value["edges"][0]["sourceHandle"] = serde_json::json!("headers");
    value["nodes"][1]["parameters"]["transformFunction"] = serde_json::json!("h => h == 'n'");
    value["nodes"][2]["parameters"]["transformFunction"] = serde_json::json!("h => h");
    let flow: NodeDefinition = serde_json::from_value(value).expect("a flow");
    let (ids, result) = streamed_nodes(&flow, 4);
    assert!(ids.is_empty(), "{ids:?}");
    assert_eq!(result.data.as_ref().unwrap()["result"], json!(["n"]));
}
