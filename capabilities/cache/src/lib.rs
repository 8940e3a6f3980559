//! The node result cache of the Atomiton Conductor engine: the keys and the stores behind the
//! engine's [`ResultCache`] contract (see `atomiton_core::cache` for what a key holds and which
//! nodes are cached).
//!
//! A binding that keeps results lists [`Cache`] among its sessions' capabilities (a config may
//! then ask for `cache`), opens a [`CacheStore`] where the session's placement says, and gives
//! the session a [`CacheHandle`] over it:
//!
//! - [`MemoryCache`]: in memory, bounded by entries and bytes, least recently used out first;
//! - [`PersistedCache`]: a memory cache mirrored into a text-by-key store (the SQLite history
//!   database natively, IndexedDB in browsers, files for the WebAssembly engine in Node), so that
//!   its entries outlive the process;
//! - the native addon adds Redis and PostgreSQL stores, which implement [`CacheStore`].
//!
//! A key ([`KeyHasher`]) is an XXH3-128 hash: tens of GB/s natively, a few KB of code, which the
//! browser's size-budgeted module does not link.

mod key;
mod memory;
mod persisted;
mod run;
mod size;
mod store;

#[doc(hidden)]
pub mod contract;

use std::sync::Arc;

use atomiton_core::cache::RunKeyParts;
pub use atomiton_core::cache::{
    CacheHit, CacheKey, CacheLimits, CacheScope, CacheStats, ResultCache, RunResultCache,
};
use atomiton_core::host::BoxFuture;
use atomiton_core::session::{guarded_future, CacheRemoved, CacheReport, SessionCapability};
use atomiton_core::ExecutionError;
pub use key::KeyHasher;
pub use memory::MemoryCache;
pub use persisted::PersistedCache;
pub use size::approx_bytes;
pub use store::{CacheEntry, CacheStore};

/// The version of the key's layout; a change of it (or of the engine's version) misses every
/// entry made before.
pub(crate) const KEY_FORMAT: &str = concat!("atomiton-cache/1/", env!("CARGO_PKG_VERSION"));

/// The capability a binding lists when it keeps node results: a config may ask for `cache`.
pub struct Cache;

impl SessionCapability for Cache {
    fn keeps_results(&self) -> bool {
        true
    }
}

/// A session's cache: a store, and how long its entries are served unless a node says
/// otherwise (`None`: until evicted).
#[derive(Clone)]
pub struct CacheHandle {
    pub store: Arc<dyn CacheStore>,
    pub ttl_ms: Option<f64>,
}

impl CacheHandle {
    /// The handle as a session takes it (`Session::with_cache`, `RunHandles::cache`).
    pub fn shared(store: Arc<dyn CacheStore>, ttl_ms: Option<f64>) -> Arc<dyn ResultCache> {
        Arc::new(CacheHandle { store, ttl_ms })
    }
}

impl ResultCache for CacheHandle {
    fn for_run(&self, run: RunKeyParts) -> Arc<dyn RunResultCache> {
        Arc::new(run::RunKeys::new(self.store.clone(), self.ttl_ms, run))
    }

    fn invalidate(&self, scope: Option<String>) -> BoxFuture<'static, String> {
        let store = self.store.clone();
        guarded_future(async move {
            let scope = match scope {
                None => CacheScope::default(),
                Some(text) => serde_json::from_str::<Option<CacheScope>>(&text)
                    .map(Option::unwrap_or_default)
                    .map_err(|e| ExecutionError::validation(format!("Invalid cache scope: {e}")))?,
            };
            Ok(CacheRemoved { removed: store.invalidate(scope).await? })
        })
    }

    fn stats(&self) -> BoxFuture<'static, String> {
        let store = self.store.clone();
        guarded_future(async move { Ok(CacheReport::from(store.stats().await?)) })
    }
}
