//! Where cached results live: the [`CacheStore`] contract and what an entry holds.

use std::sync::Arc;

use atomiton_core::cache::{CacheKey, CacheScope, CacheStats};
use atomiton_core::error::Result;
use atomiton_core::host::{BoxFuture, MaybeSend, MaybeSync};
use atomiton_core::value::Value;

/// A node's cached result and what it was made by.
#[derive(Clone, Debug)]
pub struct CacheEntry {
    /// The output (`None`: the node returned `undefined`).
    pub output: Option<Arc<Value>>,
    /// When it was stored (ms since the epoch, the host's clock).
    pub created_ms: f64,
    /// When it stops being served (`None`: only eviction or invalidation removes it).
    pub expires_ms: Option<f64>,
    /// The flow (its root node's id) and the node (its path) that made it: what `invalidate`
    /// matches.
    pub flow_id: Arc<str>,
    pub node_path: Arc<str>,
    /// The output's size as the store counts it against its byte bound.
    pub bytes: u64,
}

impl CacheEntry {
    /// Whether it may still be served at `now`.
    pub fn is_fresh(&self, now: f64) -> bool {
        self.expires_ms.is_none_or(|expires| now < expires)
    }

    /// Whether `invalidate(scope)` removes it.
    pub fn matches(&self, scope: &CacheScope) -> bool {
        let flow = scope.flow_id.as_deref().is_none_or(|id| *self.flow_id == *id);
        let node = scope.node_id.as_deref().is_none_or(|id| {
            // A node is named by its path (`group/child`) or by its own id (the path's end).
            *self.node_path == *id || self.node_path.rsplit('/').next() == Some(id)
        });
        flow && node
    }
}

/// A cache of node results. Like a history store, it never fails a run: a lookup that cannot
/// be answered is a miss, a write that cannot be made is dropped.
pub trait CacheStore: MaybeSend + MaybeSync {
    /// The fresh entry under `key` at `now`, if any (a hit also makes it the most recently used).
    fn get(&self, key: CacheKey, now: f64) -> BoxFuture<'static, Option<CacheEntry>>;
    /// Stores `entry` under `key`, replacing what was there; never waits.
    fn put(&self, key: CacheKey, entry: CacheEntry);
    /// Removes every entry `scope` matches; answers how many.
    fn invalidate(&self, scope: CacheScope) -> BoxFuture<'static, Result<u64>>;
    /// The counts so far.
    fn stats(&self) -> BoxFuture<'static, Result<CacheStats>>;
}
