//! The node result cache with real files: a node that reads a file, opted in, is served from
//! the cache while the file stays as it was, and runs again once the file changes (its size and
//! modification time are part of the key); a node not opted in reads the file every time.

mod common;

use std::sync::Arc;

use atomiton_core::cache::{CacheHandle, CacheLimits, MemoryCache};
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
        cache: Some(CacheHandle { store: cache.clone(), ttl_ms: None }),
        ..RunHandles::default()
    };
    rt.block_on(Engine::default().run_with(flow.clone(), RunOptions::default(), handles, host))
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
    use atomiton_core::cache::CacheStore;
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
