//! The node result cache in a run: which leaves look in it, a hit completing a node without
//! running it (state `cached`), and a success kept. What a key holds and which nodes are cached
//! is in [`crate::cache`]; the keys and the entries are the session's cache's
//! ([`ResultCache`]).

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::future::{select, Either};
use futures::FutureExt;

use super::leaf::{leaf_future, materialized, Executor, LeafJob};
use super::{Ended, Scheduler};
use crate::cache::{
    CacheHit, CacheKey, FileStamp, NodeCacheOption, ResultCache, RunKeyParts, RunResultCache,
};
use crate::error::ExecutionError;
use crate::host::{BoxFuture, RunPermissions, SharedHost};
use crate::nodes::{Caching, Invocation, NodeType};
use crate::plan::{NodeIx, PathIndex, Plan};
use crate::progress::NodeState;
use crate::run::{RunContext, RunOptions};
use crate::value::Value;

/// The cache as one run uses it, made by the engine.
pub(crate) struct RunCacheSetup {
    cache: Arc<dyn RunResultCache>,
    /// By node index: what the run's `cache.nodes`, else the node's `parameters.cache`, asks.
    options: Vec<Option<NodeCacheOption>>,
}

/// The session's cache for a run, unless the run's options say `cache: false`.
pub(crate) fn for_run(
    handle: Option<Arc<dyn ResultCache>>,
    options: &RunOptions,
) -> Option<Arc<dyn ResultCache>> {
    handle.filter(|_| !options.cache.as_ref().is_some_and(|c| c.off))
}

/// A run's cache setup, once its nodes are found by path: the run's `cache.nodes` (taken out
/// of its options) over each node's own `parameters.cache`. An unknown path is a validation
/// error naming the option.
pub(crate) async fn setup(
    cache: Arc<dyn ResultCache>,
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
        cache,
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
    async fn new(
        cache: Arc<dyn ResultCache>,
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
        let mut given = vec![context.variables.clone()];
        given.extend(context.parent_context.clone().map(Arc::new));
        let written: Vec<Value> = if given.iter().any(|value| value.holds_js()) {
            // Not written out, not keyed: the run goes without the cache.
            context.embedder().materialize(&context.execution_id, given).await.ok()?
        } else {
            given.iter().map(|value| (**value).clone()).collect()
        };
        let cache = cache.for_run(RunKeyParts {
            flow_id: plan.root().id.clone(),
            paths,
            context: written,
            permissions: permissions.cloned(),
        });
        Some(RunCacheSetup { cache, options })
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
/// node's own future and its output kept.
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
            let created_ms = host.now();
            // The node has ended; keeping its entry must not fail or delay it more than needed.
            if let Ok(output) = written_out(output.clone().map(Arc::new), &context).await {
                cache.run.cache.keep(&host, key, ix, output, created_ms, ttl_ms).await;
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
    let stamps = stamps(host, files).await;
    let run = &cache.run.cache;
    let key = run.key(host, &invocation, cache.node_type.clone(), stamps).await?;
    let now = host.now();
    Ok(match run.get(key, now).await {
        Some((output, created_ms)) => Lookup::Hit(CachedOutput {
            output,
            hit: CacheHit { key, age_ms: (now - created_ms).max(0.0) },
        }),
        None => Lookup::Miss { invocation, key, ttl_ms },
    })
}

/// Each file's path, size and modification time (a file that is not there, or a host without
/// files: its path alone).
async fn stamps(host: &SharedHost, files: Vec<String>) -> Vec<FileStamp> {
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

/// A JS executor's output written out: the cache keeps data, not handles.
async fn written_out(
    output: Option<Arc<Value>>,
    context: &RunContext,
) -> Result<Option<Arc<Value>>, ExecutionError> {
    Ok(match output {
        Some(output) if output.holds_js() => {
            let written =
                context.embedder().materialize(&context.execution_id, vec![output]).await?;
            written.into_iter().next().map(Arc::new)
        }
        output => output,
    })
}
