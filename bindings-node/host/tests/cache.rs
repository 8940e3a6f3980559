//! The node result cache with real files: a node that reads a file, opted in, is served from
//! the cache while the file stays as it was, and runs again once the file changes (its size and
//! modification time are part of the key); a node not opted in reads the file every time.

mod common;

use std::sync::Arc;

use atomiton_cache::{CacheHandle, CacheLimits, MemoryCache};
use atomiton_core::engine::RunHandles;
use atomiton_core::json;
use atomiton_core::value::Value;
use atomiton_core::{Engine, ExecutionResult, NodeDefinition, RunOptions};
use atomiton_native_host::NativeHost;
use common::{runtime, TempDir};

/// Runs `flow` once on a native host working in `dir`, with `cache`.
fn run(dir: &TempDir, cache: &Arc<MemoryCache>, flow: &NodeDefinition) -> ExecutionResult {
    let rt = runtime();
    let host = NativeHost::new(rt.handle().clone())
        .with_working_dir(dir.path().to_path_buf())
        .into_shared();
    let handles = RunHandles {
        cache: Some(CacheHandle::shared(cache.clone(), None)),
        ..RunHandles::default()
    };
    rt.block_on(
        Engine::with_registry(atomiton_effects::registry(), atomiton_core::EngineConfig::default())
            .run_with(flow.clone(), RunOptions::default(), handles, host),
    )
}

fn read(path: &str, cache: Option<Value>) -> NodeDefinition {
    let node = NodeDefinition::new("read", "file-system")
        .with_param("operation", "read")
        .with_param("path", path);
    let node = match cache {
        Some(cache) => node.with_param("cache", cache),
        None => node,
    };
    NodeDefinition::group("flow", vec![node], vec![])
}

fn content(result: &ExecutionResult) -> Value {
    assert!(result.success, "{:?}", result.error);
    result.data.as_ref().map(|data| data["content"].clone()).unwrap_or(Value::Null)
}

fn hits(cache: &MemoryCache) -> u64 {
    use atomiton_cache::CacheStore;
    use futures::FutureExt;
    cache.stats().now_or_never().and_then(Result::ok).map(|stats| stats.hits).unwrap_or(0)
}

#[test]
fn an_opted_in_file_read_is_served_until_the_file_changes() {
    let dir = TempDir::new("cache-files");
    let path = dir.join("data.txt");
    std::fs::write(&path, "first").expect("write");
    let cache = Arc::new(MemoryCache::new(CacheLimits::default()));
    let flow = read(&path, Some(json!(true)));
    assert_eq!(content(&run(&dir, &cache, &flow)), json!("first"));
    assert_eq!(content(&run(&dir, &cache, &flow)), json!("first"));
    assert_eq!(hits(&cache), 1, "the file did not change: a hit");

    std::fs::write(&path, "second, longer").expect("write");
    assert_eq!(content(&run(&dir, &cache, &flow)), json!("second, longer"));
    assert_eq!(hits(&cache), 1, "the file changed: the node ran");
    assert_eq!(content(&run(&dir, &cache, &flow)), json!("second, longer"));
    assert_eq!(hits(&cache), 2);

    // A file that goes away is a different key too: the node runs (and fails, uncached).
    std::fs::remove_file(&path).expect("remove");
    assert!(!run(&dir, &cache, &flow).success);
}

#[test]
fn a_file_read_not_opted_in_reads_the_file_every_time() {
    let dir = TempDir::new("cache-files-off");
    let path = dir.join("data.txt");
    std::fs::write(&path, "one").expect("write");
    let cache = Arc::new(MemoryCache::new(CacheLimits::default()));
    let flow = read(&path, None);
    assert_eq!(content(&run(&dir, &cache, &flow)), json!("one"));
    std::fs::write(&path, "two").expect("write");
    assert_eq!(content(&run(&dir, &cache, &flow)), json!("two"));
    assert_eq!(hits(&cache), 0);
}

// ---- the differential property test over files ----

use proptest::prelude::*;

/// `rows` as the CSV a `spreadsheet` node reads (`n,name`).
fn csv(rows: &[(i32, bool)]) -> String {
    let mut text = String::from("n,name\n");
    for (n, long) in rows {
        text.push_str(&format!("{n},{}\n", if *long { "a longer name" } else { "x" }));
    }
    text
}

/// Writes `rows` to file `k` of `dir` and gives it a modification time after every earlier one
/// (`clock`, in seconds): an edit never shares its time with the one before, as the cache's
/// documented key needs (a file rewritten with the same size in the same millisecond is not seen).
fn write_file(dir: &TempDir, k: usize, rows: &[(i32, bool)], clock: &mut u64) {
    let path = dir.path().join(format!("f{k}.csv"));
    std::fs::write(&path, csv(rows)).expect("write");
    *clock += 1;
    let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000 + *clock);
    let file = std::fs::File::options().write(true).open(&path).expect("open");
    file.set_modified(when).expect("set the modification time");
}

/// A flow reading file `files[i]` (opted in) into a count of the rows with `n > limits[i]`, per
/// branch (a reduce: the read is not a stream of rows, which is never cached).
fn file_flow(files: &[usize], limits: &[i32]) -> NodeDefinition {
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for (i, (file, limit)) in files.iter().zip(limits).enumerate() {
        let (read, keep) = (format!("read{i}"), format!("keep{i}"));
        nodes.push(
            NodeDefinition::new(&read, "spreadsheet")
                .with_param("path", format!("f{file}.csv"))
                .with_param("cache", true),
        );
        nodes.push(
            NodeDefinition::new(&keep, "transform")
                .with_param("operation", "reduce")
                .with_param("reduceInitial", "0")
                .with_param(
                    "transformFunction",
                    format!("(count, row) => count + (Number(row.n) > {limit} ? 1 : 0)"),
                ),
        );
        edges.push(
            atomiton_core::NodeEdge::connect(&format!("e{i}"), &read, &keep)
                .with("targetHandle", "data"),
        );
    }
    NodeDefinition::group("files", nodes, edges)
}

fn outcome(result: &ExecutionResult) -> (bool, Option<Value>, Option<String>, Vec<String>) {
    (
        result.success,
        result.data.clone(),
        result.error.as_ref().map(|e| format!("{} {}", e.code, e.message)),
        result.executed_nodes.iter().map(ToString::to_string).collect(),
    )
}

/// `flow` on a native host in `dir` without a cache.
fn run_uncached(dir: &TempDir, flow: &NodeDefinition) -> ExecutionResult {
    let rt = runtime();
    let host = NativeHost::new(rt.handle().clone())
        .with_working_dir(dir.path().to_path_buf())
        .into_shared();
    rt.block_on(
        Engine::with_registry(atomiton_effects::registry(), atomiton_core::EngineConfig::default())
            .run(flow.clone(), RunOptions::default(), host),
    )
}

type Rows = Vec<(i32, bool)>;

#[derive(Clone, Debug)]
enum Edit {
    /// File `k` rewritten with these rows (often the same size as before).
    File(usize, Rows),
    /// Branch `i` reads another file, or keeps rows over another limit.
    Branch(usize, usize, i32),
    /// File `k` removed (its readers then fail, uncached).
    Remove(usize),
}

fn rows() -> impl Strategy<Value = Rows> {
    prop::collection::vec((0..5i32, any::<bool>()), 0..4)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random flows over three files, random edits to the files and to the flow: a run with
    /// the cache filled by the runs before it gives what a run without the cache gives.
    #[test]
    fn file_edits_never_make_the_cache_wrong(
        initial in prop::collection::vec(rows(), 3),
        files in prop::collection::vec(0..3usize, 1..4),
        limits in prop::collection::vec(-1..4i32, 3),
        edits in prop::collection::vec(prop_oneof![
            (0..3usize, rows()).prop_map(|(k, r)| Edit::File(k, r)),
            (0..3usize, 0..3usize, -1..4i32).prop_map(|(i, f, l)| Edit::Branch(i, f, l)),
            (0..3usize).prop_map(Edit::Remove),
        ], 1..5),
    ) {
        let dir = TempDir::new("cache-files-property");
        let mut clock = 0;
        for (k, rows) in initial.iter().enumerate() {
            write_file(&dir, k, rows, &mut clock);
        }
        let cache = Arc::new(MemoryCache::new(CacheLimits::default()));
        let (mut files, mut limits) = (files, limits);
        limits.truncate(files.len());
        let flow = file_flow(&files, &limits);
        prop_assert_eq!(outcome(&run(&dir, &cache, &flow)), outcome(&run_uncached(&dir, &flow)));
        for edit in edits {
            match edit {
                Edit::File(k, rows) => write_file(&dir, k, &rows, &mut clock),
                Edit::Branch(i, file, limit) => {
                    let i = i % files.len();
                    files[i] = file;
                    limits[i] = limit;
                }
                Edit::Remove(k) => {
                    let _ = std::fs::remove_file(dir.path().join(format!("f{k}.csv")));
                }
            }
            let flow = file_flow(&files, &limits);
            prop_assert_eq!(outcome(&run(&dir, &cache, &flow)), outcome(&run_uncached(&dir, &flow)));
            prop_assert_eq!(outcome(&run(&dir, &cache, &flow)), outcome(&run_uncached(&dir, &flow)));
        }
    }
}
