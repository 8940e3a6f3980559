//! Streams of rows through real files: a CSV file read a piece at a time, transformed, and
//! written out as it goes, give the bytes the same flow writes run node by node; a stream that
//! fails or is cancelled midway leaves no file that looks complete.

mod common;

use std::io::Write;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use atomiton_core::engine::RunHandles;
use atomiton_core::host::{CancelToken, EngineEvent};
use atomiton_core::json;
use atomiton_core::value::Value;
use atomiton_core::{Engine, EngineConfig, ExecutionResult, NodeDefinition, NodeEdge, RunOptions};
use atomiton_native_host::NativeHost;
use common::{runtime, TempDir};

/// Runs `flow` in `dir` with batches of `batch_rows` rows (0: no streaming).
fn run(dir: &TempDir, flow: NodeDefinition, batch_rows: usize) -> ExecutionResult {
    run_cancellable(dir, flow, batch_rows, None).0
}

/// [`run`], cancelled through `cancel` when given; also whether progress ever counted a node's
/// rows (only streamed nodes do).
fn run_cancellable(
    dir: &TempDir,
    flow: NodeDefinition,
    batch_rows: usize,
    cancel: Option<CancelToken>,
) -> (ExecutionResult, bool) {
    let rt = runtime();
    let host = NativeHost::new(rt.handle().clone())
        .with_working_dir(dir.path().to_path_buf())
        .into_shared();
    let engine = Engine::new(EngineConfig { stream_batch_rows: batch_rows, ..Default::default() });
    let counted = Arc::new(AtomicBool::new(false));
    let seen = counted.clone();
    let sink = move |event: EngineEvent| {
        if let EngineEvent::Progress(progress) = event {
            if progress.nodes.iter().any(|node| node.rows.is_some()) {
                seen.store(true, Ordering::SeqCst);
            }
        }
    };
    let handles = RunHandles { cancel, event_sink: Some(Arc::new(sink)), ..Default::default() };
    let result = rt.block_on(engine.run_with(flow, RunOptions::default(), handles, host));
    // A chain let go of mid-stream (a cancelled run) removes its partial file off the run's
    // path: the runtime stays until it is gone.
    for entry in std::fs::read_dir(dir.path()).unwrap().flatten() {
        wait_until_gone(&entry.path().to_string_lossy());
    }
    (result, counted.load(Ordering::SeqCst))
}

/// `rows` rows of `id,name,score` with quotes, commas and non-ASCII text in them.
fn write_csv(path: &std::path::Path, rows: usize) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(file, "id,name,score").unwrap();
    for i in 0..rows {
        writeln!(file, "{i},\"Name, {i} \"\"é\"\"\",{}", (i * 37) % 101).unwrap();
    }
}

/// sheet(path) → filter → map → write(out, format).
fn pipeline(input: &str, filter: &str, output: &str, format: &str) -> NodeDefinition {
    let nodes = vec![
        NodeDefinition::new("sheet", "spreadsheet").with_param("path", input),
        NodeDefinition::new("keep", "transform")
            .with_param("operation", "filter")
            .with_param("transformFunction", filter),
        NodeDefinition::new("shape", "transform").with_param("operation", "map").with_param(
            "transformFunction",
            "r => ({id: Number(r.id), name: r.name, score: Number(r.score)})",
        ),
        NodeDefinition::new("save", "file-system")
            .with_param("operation", "write")
            .with_param("path", output)
            .with_param("format", format),
    ];
    let edge = |from: &str, to: &str, handle: &str| {
        NodeEdge::connect(&format!("{from}->{to}"), from, to).with("targetHandle", handle)
    };
    NodeDefinition::group(
        "flow",
        nodes,
        vec![
            edge("sheet", "keep", "data"),
            edge("keep", "shape", "data"),
            edge("shape", "save", "input"),
        ],
    )
}

/// Waits until no file at `path` ends in `.partial`, with a bound far past what that takes.
fn wait_until_gone(path: &str) {
    if !path.ends_with(".partial") {
        return;
    }
    for _ in 0..3000 {
        if !std::path::Path::new(path).exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn a_streamed_file_pipeline_writes_the_bytes_the_whole_run_writes() {
    let dir = TempDir::new("stream-bytes");
    let input = dir.join("in.csv");
    // More than one piece of the file, and rows cut between pieces.
    write_csv(std::path::Path::new(&input), 40_000);
    for format in ["json", "jsonl", "csv"] {
        let whole_path = dir.join(&format!("whole.{format}"));
        let streamed_path = dir.join(&format!("streamed.{format}"));
        let whole =
            run(&dir, pipeline(&input, "r => Number(r.score) > 50", &whole_path, format), 0);
        assert!(whole.success, "{:?}", whole.error);
        let flow = pipeline(&input, "r => Number(r.score) > 50", &streamed_path, format);
        // Batches of 4096 rows are split across the workers; of 1000, not.
        let batch_rows = if format == "csv" { 1000 } else { 4096 };
        let (streamed, counted_rows) = run_cancellable(&dir, flow, batch_rows, None);
        assert!(streamed.success, "{:?}", streamed.error);
        assert!(counted_rows, "the chain ran as a stream");
        let (a, b) = (std::fs::read(&whole_path).unwrap(), std::fs::read(&streamed_path).unwrap());
        assert!(a == b, "{format}: {} vs {} bytes", a.len(), b.len());
        let data = streamed.data.unwrap();
        assert_eq!(data["size"], json!(b.len()), "{format}");
        assert_eq!(data["path"], json!(streamed_path));
        assert!(!std::path::Path::new(&format!("{streamed_path}.partial")).exists());
    }
    let jsonl = std::fs::read_to_string(dir.join("streamed.jsonl")).unwrap();
    let first: Value =
        atomiton_core::value::codec::from_json(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(first["name"], json!("Name, 2 \"é\""));
}

#[test]
fn a_row_that_fails_midway_leaves_no_output_file() {
    let dir = TempDir::new("stream-fails");
    let input = dir.join("in.csv");
    write_csv(std::path::Path::new(&input), 30_000);
    let output = dir.join("out.jsonl");
    let flow = pipeline(&input, "r => r.id == '25000' ? r.missing.field : true", &output, "jsonl");
    let whole = run(&dir, flow.clone(), 0);
    // Small batches, and batches large enough to be split across the workers.
    for batch_rows in [500, 8192] {
        let streamed = run(&dir, flow.clone(), batch_rows);
        assert!(!streamed.success);
        assert_eq!(
            streamed.error.as_ref().map(|e| &e.message),
            whole.error.as_ref().map(|e| &e.message),
            "batches of {batch_rows}"
        );
    }
    // A failed chain removes its partial file before it reports the failure.
    assert!(!std::path::Path::new(&output).exists(), "never under its final name");
    assert!(removed_soon(&format!("{output}.partial")), "the partial file is removed");
}

/// Whether `path` is gone within 10 s: a run lets go of its stream when it fails or is
/// cancelled, and the stream removes its partial file off the run's path right after. A hang
/// guard, not a speed verdict.
fn removed_soon(path: &str) -> bool {
    (0..10_000).any(|_| {
        let gone = !std::path::Path::new(path).exists();
        if !gone {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        gone
    })
}

#[test]
fn a_missing_input_file_fails_the_source_with_the_whole_runs_message() {
    let dir = TempDir::new("stream-missing");
    let flow = pipeline(&dir.join("nope.csv"), "r => true", &dir.join("out.csv"), "csv");
    let streamed = run(&dir, flow.clone(), 100);
    let whole = run(&dir, flow, 0);
    assert_eq!(
        streamed.error.map(|e| (e.code, e.message)),
        whole.error.map(|e| (e.code, e.message))
    );
    assert!(!std::path::Path::new(&dir.join("out.csv")).exists());
}

#[test]
fn cancelling_a_stream_stops_it_between_batches_and_removes_the_partial_file() {
    let dir = TempDir::new("stream-cancel");
    let input = dir.join("in.csv");
    write_csv(std::path::Path::new(&input), 200_000);
    let output = dir.join("out.csv");
    let cancel = CancelToken::new();
    let later = cancel.clone();
    let watched = output.clone();
    // Cancel once the stream has written its first bytes: it is under way.
    let watcher = std::thread::spawn(move || {
        let partial = format!("{watched}.partial");
        for _ in 0..60_000 {
            if std::fs::metadata(&partial).is_ok_and(|m| m.len() > 0) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        later.cancel();
    });
    let flow = pipeline(&input, "r => true", &output, "csv");
    let (result, _) = run_cancellable(&dir, flow, 64, Some(cancel));
    watcher.join().unwrap();
    assert!(!result.success);
    assert_eq!(result.error.unwrap().message, "Execution cancelled");
    assert!(!std::path::Path::new(&output).exists());
    assert!(removed_soon(&format!("{output}.partial")), "the partial file is removed");
}

#[test]
fn a_sort_past_its_memory_spills_runs_to_disk_and_writes_what_the_whole_sort_writes() {
    let dir = TempDir::new("stream-spill");
    let input = dir.join("in.csv");
    write_csv(std::path::Path::new(&input), 30_000);
    let spill = dir.path().join("spill");
    // sheet → keep → shape → order (by score, many ties: 101 values) → save.
    let flow = |output: &str| {
        let nodes = vec![
            NodeDefinition::new("sheet", "spreadsheet").with_param("path", input.as_str()),
            NodeDefinition::new("keep", "transform")
                .with_param("operation", "filter")
                .with_param("transformFunction", "r => Number(r.score) > 10"),
            NodeDefinition::new("shape", "transform").with_param("operation", "map").with_param(
                "transformFunction",
                "r => ({id: Number(r.id), name: r.name, score: Number(r.score)})",
            ),
            NodeDefinition::new("order", "transform")
                .with_param("operation", "sort")
                .with_param("sortKey", "score")
                .with_param("sortDirection", "desc"),
            NodeDefinition::new("save", "file-system")
                .with_param("operation", "write")
                .with_param("path", output),
        ];
        let edges = [("sheet", "keep"), ("keep", "shape"), ("shape", "order"), ("order", "save")]
            .into_iter()
            .map(|(from, to)| {
                let handle = if to == "save" { "input" } else { "data" };
                NodeEdge::connect(&format!("{from}->{to}"), from, to).with("targetHandle", handle)
            })
            .collect();
        NodeDefinition::group("flow", nodes, edges)
    };
    let whole_path = dir.join("whole.json");
    assert!(run(&dir, flow(&whole_path), 0).success);

    let streamed_path = dir.join("streamed.json");
    let rt = runtime();
    // 64 KiB of rows at most in memory: the 27,000 rows kept go out in many runs.
    let host = NativeHost::new(rt.handle().clone())
        .with_working_dir(dir.path().to_path_buf())
        .with_spill_dir(spill.clone(), 64 * 1024)
        .into_shared();
    let engine = Engine::new(EngineConfig { stream_batch_rows: 1024, ..Default::default() });
    let result = rt.block_on(engine.run(flow(&streamed_path), RunOptions::default(), host));
    assert!(result.success, "{:?}", result.error);
    assert!(spill.exists(), "runs were written under the spill directory");
    let (a, b) = (std::fs::read(&whole_path).unwrap(), std::fs::read(&streamed_path).unwrap());
    assert!(a == b, "{} vs {} bytes", a.len(), b.len());
    let left: Vec<_> = std::fs::read_dir(&spill).unwrap().flatten().collect();
    assert!(left.is_empty(), "no run is left behind: {left:?}");
}
