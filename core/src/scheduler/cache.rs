//! The node result cache in a run: which leaves look in it, their keys, and a hit completing a
//! node without running it (state `cached`). What a key holds and which nodes are cached is in
//! [`crate::cache`].

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::future::{select, Either};
use futures::FutureExt;

use super::leaf::{leaf_future, materialized, Executor, LeafJob};
use super::{Ended, Scheduler};
use crate::cache::{
    approx_bytes, CacheEntry, CacheHandle, CacheHit, CacheKey, CacheStore, KeyHasher,
    NodeCacheOption, KEY_FORMAT,
};
use crate::error::ExecutionError;
use crate::host::{offload, BoxFuture, RunPermissions, SharedHost};
use crate::nodes::{Caching, Invocation, NodeType};
use crate::plan::{NodeIx, PathIndex, Plan};
use crate::progress::NodeState;
use crate::run::{RunContext, RunOptions};
use crate::value::{Map, Value};

/// Values past this many (in an input or an output) are hashed or measured on a worker, not on
/// the thread that drives the run (which may be the embedder's).
const ON_A_WORKER_FROM: usize = 4096;

/// Parameters that do not change what a node gives: left out of its key, so that relabelling a
/// node or changing its timeout does not miss.
const NOT_IN_KEY: [&str; 6] = ["label", "description", "cache", "timeout", "retries", "enabled"];

/// The cache as one run uses it, made by the engine.
pub(crate) struct RunCacheSetup {
    pub store: Arc<dyn CacheStore>,
    /// How long entries are served unless a node says (the conductor's `ttlMs`).
    pub default_ttl_ms: Option<f64>,
    /// By node index: what the run's `cache.nodes`, else the node's `parameters.cache`, asks.
    pub options: Vec<Option<NodeCacheOption>>,
    /// The key's parts every node of the run shares: the format, the flow, the run's context.
    pub shared: u128,
    pub flow_id: Arc<str>,
    pub paths: Arc<[Arc<str>]>,
}

/// The session's cache for a run, unless the run's options say `cache: false`.
pub(crate) fn for_run(handle: Option<CacheHandle>, options: &RunOptions) -> Option<CacheHandle> {
    handle.filter(|_| !options.cache.as_ref().is_some_and(|c| c.off))
}

/// A run's cache setup, once its nodes are found by path: the run's `cache.nodes` (taken out
/// of its options) over each node's own `parameters.cache`. An unknown path is a validation
/// error naming the option.
pub(crate) async fn setup(
    handle: CacheHandle,
    paths: Option<&PathIndex>,
    plan: &Plan,
    options: &mut RunOptions,
    context: &RunContext,
) -> Result<Option<RunCacheSetup>, ExecutionError> {
    let Some(paths) = paths else { return Ok(None) };
    let nodes = options.cache.take().map(|c| c.nodes).unwrap_or_default();
    let nodes = nodes
        .into_iter()
        .map(|(path, option)| paths.find(&path, "cache.nodes").map(|ix| (ix, option)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RunCacheSetup::new(
        handle.store,
        handle.ttl_ms,
        plan,
        paths.paths().into(),
        nodes,
        context,
        options.permissions.as_ref(),
    )
    .await)
}

impl RunCacheSetup {
    /// The setup of a run of `plan`: `nodes` are the run's per-path options (already found by
    /// index), over each node's `parameters.cache`. The run's `variables` and `parentContext`
    /// are part of every key, written out first when JS keeps them (a handle's id changes from
    /// run to run; its value may not).
    pub async fn new(
        store: Arc<dyn CacheStore>,
        default_ttl_ms: Option<f64>,
        plan: &Plan,
        paths: Arc<[Arc<str>]>,
        nodes: Vec<(NodeIx, NodeCacheOption)>,
        context: &RunContext,
        permissions: Option<&RunPermissions>,
    ) -> Option<Self> {
        let mut options: Vec<Option<NodeCacheOption>> = plan
            .nodes
            .iter()
            .map(|node| NodeCacheOption::of_parameters(&node.parameters))
            .collect();
        for (ix, option) in nodes {
            options[ix] = Some(option);
        }
        let flow_id = plan.root().id.clone();
        let mut given = vec![context.variables.clone()];
        given.extend(context.parent_context.clone().map(Arc::new));
        let written: Vec<Value> = if given.iter().any(|value| value.holds_js()) {
            // Not written out, not keyed: the run goes without the cache.
            context.embedder().materialize(&context.execution_id, given).await.ok()?
        } else {
            given.iter().map(|value| (**value).clone()).collect()
        };
        let mut hasher = KeyHasher::new();
        hasher.str(KEY_FORMAT);
        hasher.str(&flow_id);
        hasher.u64(written.len() as u64);
        for value in &written {
            hasher.value(value);
        }
        // The grant: a hit never crosses from a run allowed more to one allowed less.
        hasher.str(&permissions.and_then(|p| serde_json::to_string(p).ok()).unwrap_or_default());
        Some(RunCacheSetup {
            store,
            default_ttl_ms,
            options,
            shared: hasher.finish().0,
            flow_id,
            paths,
        })
    }
}

/// A leaf that looks in the cache before it runs.
pub(crate) struct LeafCache {
    run: Arc<RunCacheSetup>,
    /// What the flow or the run asked (`None`: cached if the node is pure).
    option: Option<NodeCacheOption>,
    /// The built-in's type (whether it is pure, which files it reads, its schema's defaults);
    /// `None` for a JS executor, cached only when opted in.
    node_type: Option<Arc<dyn NodeType>>,
}

/// A node served from the cache: its output and the entry's key and age.
pub(crate) struct CachedOutput {
    pub output: Option<Arc<Value>>,
    pub hit: CacheHit,
}

impl Scheduler {
    /// Whether leaf `ix` (run by `executor`) looks in the cache: the run has one, the node is
    /// not off, nothing simulated, and a JS executor's input holds no values JS keeps. (Under
    /// `slowMo` a hit completes at once; a miss is paced as usual.)
    pub(super) fn leaf_cache(
        &self,
        ix: NodeIx,
        executor: &Executor,
        input_js: bool,
    ) -> Option<LeafCache> {
        let run = self.cache.as_ref()?;
        let option = run.options[ix];
        if option == Some(NodeCacheOption::Off) {
            return None;
        }
        let id = &self.plan.nodes[ix].id;
        if self.debug.long_running_delay(ix, id) > 0.0
            || self.debug.error_for(ix, id).is_some()
            || self.debug.panics(ix, id)
        {
            return None;
        }
        let node_type = match executor {
            Executor::Builtin(node_type, _) => Some(node_type.clone()),
            // A JS executor's values stay in JS: its key would have to write them out.
            Executor::Custom if input_js || option.is_none() => return None,
            Executor::Custom => None,
        };
        Some(LeafCache { run: run.clone(), option, node_type })
    }

    /// A leaf served from the cache completes as `cached`.
    pub(super) fn cache_hit(&mut self, ix: NodeIx, cached: CachedOutput) {
        if self.slots[ix].signal.take().is_none() {
            return;
        }
        self.running_count -= 1;
        self.slots[ix].js = false;
        self.slots[ix].status.cache = Some(cached.hit);
        if let Some(trace) = self.trace.as_mut() {
            if let Some(node) = trace.node_mut(ix) {
                node.cache = Some(cached.hit);
            }
        }
        if self.slots[ix].status.start_time.is_none() {
            self.slots[ix].status.start_time = Some(self.host.now());
        }
        self.complete(ix, cached.output, NodeState::Cached);
    }
}

/// The leaf's future with the cache in front: the key, a hit (the node does not run), or the
/// node's own future and its output stored.
pub(crate) fn cached_leaf(mut job: LeafJob, cache: LeafCache) -> BoxFuture<'static, Ended> {
    let ix = job.ix;
    Box::pin(async move {
        let Some(invocation) = job.invocation.take() else {
            return Ended::Leaf((
                ix,
                Some(Err(ExecutionError::internal("leaf without invocation"))),
            ));
        };
        let (signal, host) = (invocation.signal.clone(), job.host.clone());
        let node_id = invocation.node_id.clone();
        // Written out once, by the lookup: the node then runs on the same data.
        let materialize = std::mem::take(&mut job.materialize);
        let mut looked_up = Box::pin(
            AssertUnwindSafe(look_up(&host, materialize, invocation, &cache)).catch_unwind(),
        );
        // A store in memory answers at once: no need to also wait for the signal then.
        let answer = match (&mut looked_up).now_or_never() {
            Some(answer) => Either::Left((answer, ())),
            None => match select(looked_up, signal.cancelled()).await {
                Either::Left((answer, _)) => Either::Left((answer, ())),
                Either::Right(_) => Either::Right(()),
            },
        };
        let (invocation, key, ttl_ms) = match answer {
            Either::Left((Ok(Ok(Lookup::Hit(cached))), _)) => return Ended::Cached(ix, cached),
            Either::Left((Ok(Ok(Lookup::Miss { invocation, key, ttl_ms })), _)) => {
                (invocation, key, ttl_ms)
            }
            Either::Left((Ok(Ok(Lookup::NotCached(invocation))), _)) => {
                job.invocation = Some(invocation);
                return leaf_future(job).await;
            }
            Either::Left((Ok(Err(error)), _)) => return Ended::Leaf((ix, Some(Err(error)))),
            Either::Left((Err(panic), _)) => {
                let message = crate::error::panic_message(&*panic);
                let error =
                    ExecutionError::internal(format!("Node '{node_id}' panicked: {message}"));
                return Ended::Leaf((ix, Some(Err(error))));
            }
            Either::Right(_) => return Ended::Leaf((ix, None)),
        };
        let context = invocation.run.clone();
        job.invocation = Some(invocation);
        let ended = leaf_future(job).await;
        if let Ended::Leaf((_, Some(Ok(output)))) = &ended {
            let output = output.clone().map(Arc::new);
            let created_ms = host.now();
            let entry = Entry { output, created_ms, ttl_ms, context, ix };
            // The node has ended; writing its entry must not fail or delay it more than needed.
            if let Ok(entry) = entry.written(&host, &cache.run).await {
                cache.run.store.put(key, entry);
            }
        }
        ended
    })
}

enum Lookup {
    Hit(CachedOutput),
    Miss {
        invocation: Invocation,
        key: CacheKey,
        ttl_ms: Option<f64>,
    },
    /// Not a node the cache serves for this invocation (not pure, and not opted in).
    NotCached(Invocation),
}

async fn look_up(
    host: &SharedHost,
    materialize: bool,
    invocation: Invocation,
    cache: &LeafCache,
) -> Result<Lookup, ExecutionError> {
    // A built-in reads its input written out: written once, here, so the key is made of data.
    let invocation = if materialize { materialized(invocation).await? } else { invocation };
    let caching = match &cache.node_type {
        Some(node_type) => node_type.caching(&invocation),
        None => Caching::OptIn { files: Vec::new() },
    };
    let (ttl_ms, files) = match (cache.option, caching) {
        (Some(NodeCacheOption::On { ttl_ms }), Caching::OptIn { files }) => (ttl_ms, files),
        (Some(NodeCacheOption::On { ttl_ms }), Caching::Pure) => (ttl_ms, Vec::new()),
        (None, Caching::Pure) => (None, Vec::new()),
        _ => return Ok(Lookup::NotCached(invocation)),
    };
    let ttl_ms = ttl_ms.or(cache.run.default_ttl_ms);
    let stamps = stamps(host, files).await;
    let key = key_of(host, &invocation, cache, stamps).await?;
    let now = host.now();
    Ok(match cache.run.store.get(key, now).await {
        Some(entry) => Lookup::Hit(CachedOutput {
            output: entry.output,
            hit: CacheHit { key, age_ms: (now - entry.created_ms).max(0.0) },
        }),
        None => Lookup::Miss { invocation, key, ttl_ms },
    })
}

/// Each file's path, size and modification time (a file that is not there, or a host without
/// files: its path alone).
async fn stamps(host: &SharedHost, files: Vec<String>) -> Vec<(String, Option<(u64, f64)>)> {
    let mut stamps = Vec::with_capacity(files.len());
    for path in files {
        let stat = match host.files() {
            Some(files) => files.stat(&path).await.ok().flatten(),
            None => None,
        };
        stamps.push((path, stat.map(|m| (m.size, m.modified_ms.unwrap_or(f64::NAN)))));
    }
    stamps
}

/// The node's key; a large input (or large parameters: data given in the flow) is hashed on a
/// worker.
async fn key_of(
    host: &SharedHost,
    invocation: &Invocation,
    cache: &LeafCache,
    stamps: Vec<(String, Option<(u64, f64)>)>,
) -> Result<CacheKey, ExecutionError> {
    let (input, parent) =
        (invocation.input.clone(), invocation.parent_context.as_ref().map(|p| p.input.clone()));
    let given = invocation.parameters.clone();
    let node_type = cache.node_type.clone();
    let mut hasher = KeyHasher::new();
    hasher.u128(cache.run.shared);
    hasher.str(&cache.run.paths[invocation.node_index]);
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
    if large && host.has_workers() {
        offload(host, move || finish(hasher)).await
    } else {
        Ok(finish(hasher))
    }
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

/// A successful output about to be stored.
struct Entry {
    output: Option<Arc<Value>>,
    created_ms: f64,
    ttl_ms: Option<f64>,
    /// The run's context: its id and embedder, which writes out what JS keeps.
    context: Arc<RunContext>,
    ix: NodeIx,
}

impl Entry {
    /// The entry as the store keeps it: a JS executor's output written out (the cache keeps
    /// data, not handles), its size measured (on a worker when large).
    async fn written(
        self,
        host: &SharedHost,
        run: &RunCacheSetup,
    ) -> Result<CacheEntry, ExecutionError> {
        let output = match self.output {
            Some(output) if output.holds_js() => {
                let materialized =
                    self.context.embedder().materialize(&self.context.execution_id, vec![output]);
                let written = materialized.await?;
                written.into_iter().next().map(Arc::new)
            }
            output => output,
        };
        let bytes = match &output {
            Some(output) if at_least(output, ON_A_WORKER_FROM) && host.has_workers() => {
                let measured = output.clone();
                offload(host, move || approx_bytes(&measured)).await?
            }
            Some(output) => approx_bytes(output),
            None => 0,
        };
        Ok(CacheEntry {
            output,
            created_ms: self.created_ms,
            expires_ms: self.ttl_ms.map(|ttl| self.created_ms + ttl),
            flow_id: run.flow_id.clone(),
            node_path: run.paths[self.ix].clone(),
            bytes,
        })
    }
}
