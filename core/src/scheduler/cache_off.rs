//! The scheduler's side of the node result cache in builds without it (the browser's default
//! module): types with no values, so every cache path in the scheduler is compiled out.

use super::leaf::{Executor, LeafJob};
use super::{Ended, Scheduler};
use crate::host::BoxFuture;
use crate::plan::NodeIx;

/// Never exists without the `cache` feature.
pub(crate) enum RunCacheSetup {}

/// Never exists without the `cache` feature.
pub(crate) enum LeafCache {}

/// Never exists without the `cache` feature.
pub(crate) enum CachedOutput {}

impl Scheduler {
    pub(super) fn leaf_cache(&self, _: NodeIx, _: &Executor, _: bool) -> Option<LeafCache> {
        None
    }

    pub(super) fn cache_hit(&mut self, _: NodeIx, cached: CachedOutput) {
        match cached {}
    }
}

pub(crate) fn cached_leaf(_: LeafJob, cache: LeafCache) -> BoxFuture<'static, Ended> {
    match cache {}
}
