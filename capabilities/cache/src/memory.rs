//! The cache in memory: entries by key, least recently used first out, bounded by entries and
//! by bytes. The output is shared, not copied: a hit hands the same `Arc` on.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};

use crate::{CacheEntry, CacheKey, CacheLimits, CacheScope, CacheStats, CacheStore};
use atomiton_core::error::Result;
use atomiton_core::host::BoxFuture;

/// A [`CacheStore`] in memory.
pub struct MemoryCache {
    limits: CacheLimits,
    inner: Mutex<Lru>,
}

#[derive(Default)]
struct Lru {
    entries: HashMap<CacheKey, (CacheEntry, u64), rustc_hash::FxBuildHasher>,
    /// Keys by last use: the first is the next to go.
    order: BTreeMap<u64, CacheKey>,
    tick: u64,
    stats: CacheStats,
}

impl Lru {
    fn remove(&mut self, key: &CacheKey) -> Option<CacheEntry> {
        let (entry, tick) = self.entries.remove(key)?;
        self.order.remove(&tick);
        self.stats.entries -= 1;
        self.stats.bytes -= entry.bytes;
        Some(entry)
    }

    fn touch(&mut self, key: CacheKey) -> u64 {
        self.tick += 1;
        self.order.insert(self.tick, key);
        self.tick
    }
}

impl MemoryCache {
    pub fn new(limits: CacheLimits) -> Self {
        MemoryCache { limits, inner: Mutex::new(Lru::default()) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Lru> {
        // The map stays consistent between statements; a panic elsewhere leaves it usable.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The fresh entry under `key`, looked up now (what [`CacheStore::get`] answers).
    pub fn lookup(&self, key: CacheKey, now: f64) -> Option<CacheEntry> {
        self.look_up(key, now).0
    }

    /// [`lookup`](Self::lookup), and whether an expired entry under `key` was dropped (a mirror
    /// of this cache drops its copy too).
    pub(crate) fn look_up(&self, key: CacheKey, now: f64) -> (Option<CacheEntry>, bool) {
        let mut lru = self.lock();
        let fresh = match lru.entries.get(&key) {
            Some((entry, _)) => entry.is_fresh(now),
            None => {
                lru.stats.misses += 1;
                return (None, false);
            }
        };
        if !fresh {
            lru.remove(&key);
            lru.stats.misses += 1;
            return (None, true);
        }
        let tick = lru.touch(key);
        lru.stats.hits += 1;
        let Some((entry, old)) = lru.entries.get_mut(&key) else { return (None, false) };
        let old = std::mem::replace(old, tick);
        let entry = entry.clone();
        lru.order.remove(&old);
        (Some(entry), false)
    }

    /// Stores `entry` under `key` (see [`CacheStore::put`]); the keys it removed to stay within
    /// the bounds, and `key` itself when the entry could not be kept.
    pub(crate) fn insert(&self, key: CacheKey, entry: CacheEntry) -> Vec<CacheKey> {
        if entry.bytes > self.limits.max_bytes || self.limits.max_entries == 0 {
            return vec![key];
        }
        let mut removed = Vec::new();
        let mut lru = self.lock();
        lru.remove(&key);
        while lru.stats.entries as usize >= self.limits.max_entries
            || lru.stats.bytes + entry.bytes > self.limits.max_bytes
        {
            let Some((_, oldest)) = lru.order.pop_first() else { break };
            if let Some((evicted, _)) = lru.entries.remove(&oldest) {
                lru.stats.entries -= 1;
                lru.stats.bytes -= evicted.bytes;
                lru.stats.evictions += 1;
                removed.push(oldest);
            }
        }
        let tick = lru.touch(key);
        lru.stats.entries += 1;
        lru.stats.bytes += entry.bytes;
        lru.entries.insert(key, (entry, tick));
        removed
    }

    /// Removes every entry `scope` matches; their keys.
    pub(crate) fn remove_matching(&self, scope: &CacheScope) -> Vec<CacheKey> {
        let mut lru = self.lock();
        let doomed: Vec<CacheKey> = lru
            .entries
            .iter()
            .filter(|(_, (entry, _))| entry.matches(scope))
            .map(|(key, _)| *key)
            .collect();
        // Outputs go out of the lock: freeing a large one takes time.
        let removed: Vec<CacheEntry> = doomed.iter().filter_map(|key| lru.remove(key)).collect();
        drop(lru);
        drop(removed);
        doomed
    }

    /// Whether an entry is kept under `key` (fresh or not; no use is counted).
    pub(crate) fn holds(&self, key: CacheKey) -> bool {
        self.lock().entries.contains_key(&key)
    }

    /// The counts so far.
    pub(crate) fn counts(&self) -> CacheStats {
        self.lock().stats
    }
}

impl CacheStore for MemoryCache {
    fn get(&self, key: CacheKey, now: f64) -> BoxFuture<'static, Option<CacheEntry>> {
        let found = self.lookup(key, now);
        Box::pin(async move { found })
    }

    fn put(&self, key: CacheKey, entry: CacheEntry) {
        self.insert(key, entry);
    }

    fn invalidate(&self, scope: CacheScope) -> BoxFuture<'static, Result<u64>> {
        let count = self.remove_matching(&scope).len() as u64;
        Box::pin(async move { Ok(count) })
    }

    fn stats(&self) -> BoxFuture<'static, Result<CacheStats>> {
        let stats = self.counts();
        Box::pin(async move { Ok(stats) })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use futures::FutureExt;

    use super::*;
    use atomiton_core::json;

    fn entry(bytes: u64, expires_ms: Option<f64>) -> CacheEntry {
        CacheEntry {
            output: Some(Arc::new(json!(bytes))),
            created_ms: 0.0,
            expires_ms,
            flow_id: Arc::from("flow"),
            node_path: Arc::from(format!("g/n{bytes}").as_str()),
            bytes,
        }
    }

    #[test]
    fn the_least_recently_used_entry_goes_first() {
        let cache = MemoryCache::new(CacheLimits { max_entries: 2, max_bytes: 1000 });
        cache.put(CacheKey(1), entry(1, None));
        cache.put(CacheKey(2), entry(2, None));
        assert!(cache.lookup(CacheKey(1), 0.0).is_some());
        cache.put(CacheKey(3), entry(3, None));
        assert!(cache.lookup(CacheKey(2), 0.0).is_none(), "2 was used least recently");
        assert!(cache.lookup(CacheKey(1), 0.0).is_some());
        assert!(cache.lookup(CacheKey(3), 0.0).is_some());
        let stats = cache.lock().stats;
        assert_eq!((stats.entries, stats.bytes, stats.evictions), (2, 4, 1));
        assert_eq!((stats.hits, stats.misses), (3, 1));
    }

    #[test]
    fn bytes_are_bounded_and_an_oversized_output_is_not_kept() {
        let cache = MemoryCache::new(CacheLimits { max_entries: 100, max_bytes: 10 });
        cache.put(CacheKey(4), entry(4, None));
        cache.put(CacheKey(5), entry(5, None));
        cache.put(CacheKey(6), entry(6, None));
        assert!(cache.lookup(CacheKey(4), 0.0).is_none());
        assert!(cache.lookup(CacheKey(5), 0.0).is_none());
        assert!(cache.lookup(CacheKey(6), 0.0).is_some());
        cache.put(CacheKey(11), entry(11, None));
        assert!(cache.lookup(CacheKey(11), 0.0).is_none());
        assert!(cache.lookup(CacheKey(6), 0.0).is_some(), "an entry too large evicts nothing");
    }

    #[test]
    fn an_expired_entry_is_a_miss_and_is_dropped() {
        let cache = MemoryCache::new(CacheLimits::default());
        cache.put(CacheKey(1), entry(1, Some(100.0)));
        assert!(cache.lookup(CacheKey(1), 99.0).is_some());
        assert!(cache.lookup(CacheKey(1), 100.0).is_none());
        assert_eq!(cache.lock().stats.entries, 0);
    }

    #[test]
    fn invalidate_matches_a_flow_a_node_by_path_or_id_or_everything() {
        let cache = MemoryCache::new(CacheLimits::default());
        for n in 1..=3 {
            cache.put(CacheKey(n), entry(n as u64, None));
        }
        let removed = |scope| cache.invalidate(scope).now_or_never().and_then(Result::ok);
        let node = |id: &str| CacheScope { flow_id: None, node_id: Some(id.to_owned()) };
        assert_eq!(removed(node("n1")), Some(1));
        assert_eq!(removed(node("g/n2")), Some(1));
        assert_eq!(removed(CacheScope { flow_id: Some("other".into()), node_id: None }), Some(0));
        assert_eq!(removed(CacheScope::default()), Some(1));
        assert_eq!(cache.lock().stats.entries, 0);
    }
}
