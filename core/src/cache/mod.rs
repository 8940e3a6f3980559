//! The node result cache: a node's output kept under a key made of everything that determines
//! it, so that a later run with the same key takes the output instead of running the node.
//!
//! The key ([`KeyHasher`]) is an XXH3-128 hash of: the key format and engine version, the flow
//! (its root's id) and the node's path, the node's type, its parameters after schema defaults
//! (in key order; `label`, `description`, `cache`, `timeout`, `retries` and `enabled` do not
//! change a result and are left out), its input values bit-exactly, the run's `variables`,
//! `parentContext` and `permissions` (a hit never crosses a grant), and, for a node that reads
//! files, each file's path, size and modification time.
//!
//! Which nodes: a node type says whether its results depend only on that key
//! ([`Caching::Pure`](crate::nodes::Caching): `transform`, `edit-fields` without `{{$now}}`,
//! `spreadsheet` parsing given data, `loop`, `parallel`), cached by default when caching is on;
//! every other node (effects, outside inputs, JS executors) only when the flow
//! (`parameters.cache`) or the run (`cache.nodes`) opts it in. Only successes are stored. A
//! chain that runs as a stream of rows is not cached, nor is a node a debug simulation acts on. The scheduler's side is `scheduler/cache.rs`; stores implement [`CacheStore`]
//! ([`MemoryCache`] here, and [`PersistedCache`], a memory cache kept in a text-by-key store
//! too; the native addon adds SQLite and Redis).

mod key;
mod memory;
mod options;
mod persisted;
mod size;
mod store;

pub use crate::progress::{CacheHit, CacheKey};
pub use key::KeyHasher;
pub use memory::{CacheLimits, MemoryCache};
pub use options::{
    beside_history, refused, CacheSetting, CacheStoreKind, NodeCacheOption, RunCache,
};
pub use persisted::PersistedCache;
pub use size::approx_bytes;
pub use store::{CacheEntry, CacheScope, CacheStats, CacheStore};

/// The version of the key's layout; a change of it (or of the engine's version) misses every
/// entry made before.
pub(crate) const KEY_FORMAT: &str = concat!("atomiton-cache/1/", env!("CARGO_PKG_VERSION"));

/// The cache a session gives its runs, with the conductor's entry lifetime.
#[derive(Clone)]
pub struct CacheHandle {
    pub store: std::sync::Arc<dyn CacheStore>,
    /// How long entries are served unless a node says otherwise (`None`: until evicted).
    pub ttl_ms: Option<f64>,
}
