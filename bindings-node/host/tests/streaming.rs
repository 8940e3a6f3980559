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
use common::{runtime, write_ods, TempDir};

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
    let engine = Engine::with_registry(
        atomiton_effects::registry(),
        EngineConfig { stream_batch_rows: batch_rows, ..Default::default() },
    );
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

/// Whether `path` is gone within a minute: a run lets go of its stream when it fails or is
/// cancelled, and the stream removes its partial file off the run's path right after. A hang
/// guard, not a speed verdict: the removal waits its turn on the host's blocking pool, which
/// this binary's other tests (writing hundreds of thousands of rows) may keep busy for seconds.
fn removed_soon(path: &str) -> bool {
    common::eventually_blocking(std::time::Duration::from_secs(60), || {
        !std::path::Path::new(path).exists()
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
    let engine = Engine::with_registry(
        atomiton_effects::registry(),
        EngineConfig { stream_batch_rows: 1024, ..Default::default() },
    );
    let result = rt.block_on(engine.run(flow(&streamed_path), RunOptions::default(), host));
    assert!(result.success, "{:?}", result.error);
    assert!(spill.exists(), "runs were written under the spill directory");
    let (a, b) = (std::fs::read(&whole_path).unwrap(), std::fs::read(&streamed_path).unwrap());
    assert!(a == b, "{} vs {} bytes", a.len(), b.len());
    let left: Vec<_> = std::fs::read_dir(&spill).unwrap().flatten().collect();
    assert!(left.is_empty(), "no run is left behind: {left:?}");
}

// ---------------------------------------------------------------------------------------------
// Workbooks: an XLSX sheet streamed row by row gives the records, headers and counts a whole
// read gives, whatever its shape: gaps between rows, an empty first row, cells right of the
// header row, empty cells, shared and inline strings, numbers, booleans and dates, rows out of
// order (then read whole, with the same result), several sheets.

/// A cell of a generated sheet: its row, column and what it holds.
#[derive(Debug, Clone)]
enum Content {
    Shared(u8),
    Inline(String),
    Number(f64),
    Bool(bool),
    Date(u32),
    /// A styled cell holding nothing: a whole read leaves it out.
    Blank,
}

fn column_name(mut column: u32) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (column % 26) as u8);
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A cell at its row and column.
type Placed = (u32, u32, Content);

/// A sheet's XML with `cells`, rows in the order they first appear.
fn sheet_xml(cells: &[Placed]) -> String {
    let mut rows: Vec<(u32, Vec<&Placed>)> = Vec::new();
    for cell in cells {
        match rows.iter_mut().find(|(row, _)| *row == cell.0) {
            Some((_, row)) => row.push(cell),
            None => rows.push((cell.0, vec![cell])),
        }
    }
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (row, cells) in rows {
        xml.push_str(&format!(r#"<row r="{}">"#, row + 1));
        for (_, column, content) in cells {
            let at = format!("{}{}", column_name(*column), row + 1);
            xml.push_str(&match content {
                Content::Shared(i) => format!(r#"<c r="{at}" t="s"><v>{i}</v></c>"#),
                Content::Inline(text) => {
                    format!(r#"<c r="{at}" t="inlineStr"><is><t>{}</t></is></c>"#, escape(text))
                }
                Content::Number(n) => format!(r#"<c r="{at}"><v>{n}</v></c>"#),
                Content::Bool(b) => format!(r#"<c r="{at}" t="b"><v>{}</v></c>"#, u8::from(*b)),
                Content::Date(day) => format!(r#"<c r="{at}" s="1"><v>{day}</v></c>"#),
                Content::Blank => format!(r#"<c r="{at}" s="1"/>"#),
            });
        }
        xml.push_str("</row>");
    }
    xml.push_str("</sheetData></worksheet>");
    xml
}

/// Shared strings of the generated workbooks.
const SHARED: [&str; 4] = ["name", "Ünïcode ✓", "a, \"quoted\" one", ""];

/// A workbook of two sheets, "First" and "Second", at `path`.
fn write_workbook(
    path: &std::path::Path,
    first: &[(u32, u32, Content)],
    second: &[(u32, u32, Content)],
) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    let shared: String = SHARED.iter().map(|s| format!("<si><t>{}</t></si>", escape(s))).collect();
    let parts = [
        ("[Content_Types].xml".to_owned(), r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#.to_owned()),
        ("_rels/.rels".to_owned(), r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_owned()),
        ("xl/workbook.xml".to_owned(), r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="First" sheetId="1" r:id="rId1"/><sheet name="Second" sheetId="2" r:id="rId2"/></sheets></workbook>"#.to_owned()),
        ("xl/_rels/workbook.xml.rels".to_owned(), r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#.to_owned()),
        ("xl/styles.xml".to_owned(), r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#.to_owned()),
        ("xl/sharedStrings.xml".to_owned(), format!(r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">{shared}</sst>"#, SHARED.len())),
        ("xl/worksheets/sheet1.xml".to_owned(), sheet_xml(first)),
        ("xl/worksheets/sheet2.xml".to_owned(), sheet_xml(second)),
    ];
    for (name, content) in parts {
        zip.start_file(name, options).unwrap();
        zip.write_all(content.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

/// sheet(path, picked by `sheet`) → map (every row as it is).
fn workbook_flow(path: &str, sheet: Option<&str>) -> NodeDefinition {
    let mut source = NodeDefinition::new("sheet", "spreadsheet").with_param("path", path);
    if let Some(sheet) = sheet {
        source = source.with_param("sheetName", sheet);
    }
    let map = NodeDefinition::new("rows", "transform")
        .with_param("operation", "map")
        .with_param("transformFunction", "r => r");
    let edge = NodeEdge::connect("e", "sheet", "rows").with("targetHandle", "data");
    NodeDefinition::group("flow", vec![source, map], vec![edge])
}

fn content() -> impl proptest::strategy::Strategy<Value = Content> {
    use proptest::prelude::*;
    prop_oneof![
        (0u8..SHARED.len() as u8).prop_map(Content::Shared),
        "[a-z é,]{0,6}".prop_map(Content::Inline),
        (-1000i32..1000).prop_map(|n| Content::Number(f64::from(n) / 4.0)),
        any::<bool>().prop_map(Content::Bool),
        (30_000u32..50_000).prop_map(Content::Date),
        Just(Content::Blank),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(40))]

    #[test]
    fn an_xlsx_sheet_streamed_gives_the_whole_reads_records(
        first in proptest::collection::vec((0u32..12, 0u32..6, content()), 0..40),
        second in proptest::collection::vec((0u32..5, 0u32..4, content()), 0..10),
        in_order in proptest::bool::weighted(0.8),
        batch_rows in 1usize..6,
        pick_second in proptest::bool::weighted(0.2),
    ) {
        let mut first = first;
        if in_order {
            first.sort_by_key(|(row, column, _)| (*row, *column));
        }
        let dir = TempDir::new("streaming-xlsx");
        let path = dir.join("book.xlsx");
        write_workbook(std::path::Path::new(&path), &first, &second);
        let flow = workbook_flow(&path, pick_second.then_some("Second"));
        let whole = run(&dir, flow.clone(), 0);
        let streamed = run(&dir, flow, batch_rows);
        proptest::prop_assert_eq!(&streamed.error, &whole.error);
        proptest::prop_assert_eq!(&streamed.data, &whole.data);
    }
}

#[test]
fn xlsx_sheets_stream_row_by_row_and_other_workbooks_whole() {
    let dir = TempDir::new("streaming-xlsx-kinds");
    let path = dir.join("big.xlsx");
    // A sheet of 3,000 rows below a header row, with a gap and a cell right of the headers.
    let mut cells = vec![(0, 0, Content::Inline("id".into())), (0, 1, Content::Shared(0))];
    for row in 1..=3000u32 {
        if row % 1000 != 0 {
            cells.push((row, 0, Content::Number(f64::from(row))));
            cells.push((row, 1, Content::Shared((row % 3) as u8)));
        }
    }
    cells.push((2500, 3, Content::Bool(true)));
    write_workbook(std::path::Path::new(&path), &cells, &[]);
    let flow = workbook_flow(&path, None);
    let (streamed, counted) = run_cancellable(&dir, flow.clone(), 100, None);
    assert!(counted, "the sheet streamed: progress counted its rows");
    let whole = run(&dir, flow, 0);
    assert_eq!(streamed.data, whole.data);
    let data = whole.data.unwrap();
    // Row 3000 holds nothing: the sheet ends at the last row that holds something.
    assert_eq!(data["inputCount"], json!(2999));
    assert_eq!(
        data["result"][0],
        json!({"id": "1", "name": "Ünïcode ✓", "__EMPTY": "", "__EMPTY_1": ""}),
        "the cell right of the headers names two more columns in every record"
    );
    assert_eq!(data["result"][999], json!({"id": "", "name": "", "__EMPTY": "", "__EMPTY_1": ""}));
    assert_eq!(data["result"][2499]["__EMPTY_1"], json!("TRUE"));

    // An ODS workbook has no reader of rows: it is read whole and given in batches, with the
    // whole read's records.
    let ods = dir.join("data.ods");
    write_ods(std::path::Path::new(&ods));
    let flow = workbook_flow(&ods, None);
    let (streamed, counted) = run_cancellable(&dir, flow.clone(), 1, None);
    assert!(counted, "its records went on a batch at a time");
    assert_eq!(streamed.data, run(&dir, flow, 0).data);
    assert_eq!(streamed.data.unwrap()["result"], json!([{"city": "Oslo", "pop": "709037"}]));
}
