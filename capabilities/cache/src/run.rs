//! One run's keys and entries: the parts every node of the run shares hashed once, each
//! invocation's key, and its output kept with its size.

use std::sync::Arc;

use atomiton_core::cache::{CacheKey, FileStamp, RunKeyParts, RunResultCache};
use atomiton_core::error::Result;
use atomiton_core::host::{offload, BoxFuture, SharedHost};
use atomiton_core::nodes::{Invocation, NodeType};
use atomiton_core::value::{Map, Value};

use crate::{approx_bytes, CacheEntry, CacheStore, KeyHasher, KEY_FORMAT};

/// Values past this many (in an input or an output) are hashed or measured on a worker, not on
/// the thread that drives the run (which may be the embedder's).
const ON_A_WORKER_FROM: usize = 4096;

/// Parameters that do not change what a node gives: left out of its key, so that relabelling a
/// node or changing its timeout does not miss.
const NOT_IN_KEY: [&str; 6] = ["label", "description", "cache", "timeout", "retries", "enabled"];

/// A run's cache: its store, and the key's parts every node of the run shares.
pub(crate) struct RunKeys {
    store: Arc<dyn CacheStore>,
    /// How long entries are served unless a node says (the conductor's `ttlMs`).
    default_ttl_ms: Option<f64>,
    /// The format, the flow, the run's context and grant, hashed.
    shared: u128,
    flow_id: Arc<str>,
    paths: Arc<[Arc<str>]>,
}

impl RunKeys {
    pub(crate) fn new(
        store: Arc<dyn CacheStore>,
        default_ttl_ms: Option<f64>,
        run: RunKeyParts,
    ) -> Self {
        let mut hasher = KeyHasher::new();
        hasher.str(KEY_FORMAT);
        hasher.str(&run.flow_id);
        hasher.u64(run.context.len() as u64);
        for value in &run.context {
            hasher.value(value);
        }
        // The grant as its JSON text (none: empty).
        let permissions = run.permissions.as_ref().and_then(|p| serde_json::to_string(p).ok());
        hasher.str(&permissions.unwrap_or_default());
        RunKeys {
            store,
            default_ttl_ms,
            shared: hasher.finish().0,
            flow_id: run.flow_id,
            paths: run.paths,
        }
    }
}

impl RunResultCache for RunKeys {
    fn key(
        &self,
        host: &SharedHost,
        invocation: &Invocation,
        node_type: Option<Arc<dyn NodeType>>,
        files: Vec<FileStamp>,
    ) -> BoxFuture<'static, Result<CacheKey>> {
        let mut hasher = KeyHasher::new();
        hasher.u128(self.shared);
        hasher.str(&self.paths[invocation.node_index]);
        key_of(host.clone(), invocation, hasher, node_type, files)
    }

    fn get(
        &self,
        key: CacheKey,
        now: f64,
    ) -> BoxFuture<'static, Option<(Option<Arc<Value>>, f64)>> {
        let found = self.store.get(key, now);
        Box::pin(async move { found.await.map(|entry| (entry.output, entry.created_ms)) })
    }

    fn keep(
        &self,
        host: &SharedHost,
        key: CacheKey,
        node_index: usize,
        output: Option<Arc<Value>>,
        created_ms: f64,
        ttl_ms: Option<f64>,
    ) -> BoxFuture<'static, ()> {
        let (host, store) = (host.clone(), self.store.clone());
        let ttl_ms = ttl_ms.or(self.default_ttl_ms);
        let (flow_id, node_path) = (self.flow_id.clone(), self.paths[node_index].clone());
        Box::pin(async move {
            let bytes = match &output {
                Some(output) if at_least(output, ON_A_WORKER_FROM) && host.has_workers() => {
                    let measured = output.clone();
                    match offload(&host, move || approx_bytes(&measured)).await {
                        Ok(bytes) => bytes,
                        // Not measured, not kept: a cache never fails a run.
                        Err(_) => return,
                    }
                }
                Some(output) => approx_bytes(output),
                None => 0,
            };
            let expires_ms = ttl_ms.map(|ttl| created_ms + ttl);
            store
                .put(key, CacheEntry { output, created_ms, expires_ms, flow_id, node_path, bytes });
        })
    }
}

/// The node's key; a large input (or large parameters: data given in the flow) is hashed on a
/// worker.
fn key_of(
    host: SharedHost,
    invocation: &Invocation,
    mut hasher: KeyHasher,
    node_type: Option<Arc<dyn NodeType>>,
    stamps: Vec<FileStamp>,
) -> BoxFuture<'static, Result<CacheKey>> {
    let (input, parent) =
        (invocation.input.clone(), invocation.parent_context.as_ref().map(|p| p.input.clone()));
    let given = invocation.parameters.clone();
    hasher.str(&invocation.node_type);
    hasher.u64(stamps.len() as u64);
    for (path, stamp) in &stamps {
        hasher.str(path);
        let (size, modified) = stamp.unwrap_or((u64::MAX, f64::NAN));
        hasher.u64(size);
        hasher.u64(modified.to_bits());
    }
    let large = input.entries().iter().any(|(_, value)| at_least(value, ON_A_WORKER_FROM))
        || given.values().any(|value| at_least(value, ON_A_WORKER_FROM));
    let finish = move |mut hasher: KeyHasher| {
        parameters(&mut hasher, &given, node_type.as_deref());
        hasher.u64(input.len() as u64);
        for (key, value) in input.entries() {
            hasher.str(key);
            hasher.value(value);
        }
        // A JS executor also sees its group's input.
        match parent {
            Some(parent) => {
                hasher.u64(parent.len() as u64);
                for (key, value) in parent.entries() {
                    hasher.str(key);
                    hasher.value(value);
                }
            }
            None => hasher.u64(u64::MAX),
        }
        hasher.finish()
    };
    Box::pin(async move {
        if large && host.has_workers() {
            offload(&host, move || finish(hasher)).await
        } else {
            Ok(finish(hasher))
        }
    })
}

/// The parameters after the schema's defaults, in key order, without those that do not change
/// the result.
fn parameters(hasher: &mut KeyHasher, given: &Map, node_type: Option<&dyn NodeType>) {
    let mut entries: Vec<(&str, &Value)> = given
        .iter()
        .map(|(key, value)| (key.as_str(), value))
        .filter(|(key, _)| !NOT_IN_KEY.contains(key))
        .collect();
    if let Some(schema) = node_type.and_then(|t| t.schema()) {
        for spec in &schema.params {
            if !NOT_IN_KEY.contains(&spec.name) && !given.contains_key(spec.name) {
                if let Some(default) = schema.default_value(spec.name) {
                    entries.push((spec.name, default));
                }
            }
        }
    }
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    hasher.u64(entries.len() as u64);
    for (key, value) in entries {
        hasher.str(key);
        hasher.value(value);
    }
}

/// Whether `value` holds at least `n` values (stops counting there).
fn at_least(value: &Value, n: usize) -> bool {
    let mut seen = 0;
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        seen += 1;
        if seen >= n {
            return true;
        }
        match value {
            Value::Array(items) if items.len() >= n => return true,
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.values()),
            Value::String(s) if s.len() >= 64 * n => return true,
            _ => {}
        }
    }
    false
}
