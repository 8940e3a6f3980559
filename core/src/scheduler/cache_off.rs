//! The scheduler's side of the node result cache in builds without it (the browser's default
//! module): types with no values, so every cache path in the scheduler is compiled out.

use super::leaf::{Executor, LeafJob};
use super::{Ended, Scheduler};
use crate::cache::CacheHandle;
use crate::error::ExecutionError;
use crate::host::BoxFuture;
use crate::plan::{NodeIx, PathIndex, Plan};
use crate::run::{RunContext, RunOptions};

/// Never exists without the `cache` feature.
pub(crate) enum RunCacheSetup {}

/// Never exists without the `cache` feature.
pub(crate) enum CachedOutput {}

/// Never exists without the `cache` feature.
pub(crate) type LeafCache = CachedOutput;

/// No cache: a session's cannot be made here.
pub(crate) fn for_run(handle: Option<CacheHandle>, _options: &RunOptions) -> Option<CacheHandle> {
    handle.map(|handle| match handle {})
}

/// Never called: a session's cache cannot be made here.
pub(crate) async fn setup(
    handle: CacheHandle,
    _paths: Option<&PathIndex>,
    _plan: &Plan,
    _options: &mut RunOptions,
    _context: &RunContext,
) -> Result<Option<RunCacheSetup>, ExecutionError> {
    match handle {}
}

impl Scheduler {
    pub(super) fn leaf_cache(&self, _: NodeIx, _: &Executor, _: bool) -> Option<LeafCache> {
        // Always `None`: a run's cache setup cannot be made in these builds.
        self.cache.as_ref().map(|setup| match **setup {})
    }

    pub(super) fn cache_hit(&mut self, _: NodeIx, cached: CachedOutput) {
        match cached {}
    }
}

/// Unreachable (a leaf's cache cannot be made); written as the hit it would be, so the
/// scheduler's `Ended` is the same in every build.
pub(crate) fn cached_leaf(job: LeafJob, cache: LeafCache) -> BoxFuture<'static, Ended> {
    Box::pin(std::future::ready(Ended::Cached(job.ix, cache)))
}
