//! The node result cache as the engine asks for it: which nodes a run serves from a cache, and
//! the contract ([`ResultCache`]) a cache keeps. A node's output is kept under a key made of
//! everything that determines it, so that a later run with the same key takes the output
//! instead of running the node.
//!
//! The key is a hash of: the key format and engine version, the flow (its root's id) and the
//! node's path, the node's type, its parameters after schema defaults (in key order; `label`,
//! `description`, `cache`, `timeout`, `retries` and `enabled` do not change a result and are left
//! out), its input values bit-exactly, the run's `variables`, `parentContext` and `permissions`
//! (a hit never crosses a grant), and, for a node that reads files, each file's path, size and
//! modification time.
//!
//! Which nodes: a node type says whether its results depend only on that key
//! ([`Caching::Pure`](crate::nodes::Caching): `transform`, `edit-fields` without `{{$now}}`,
//! `spreadsheet` parsing given data, `loop`, `parallel`), cached by default when caching is on;
//! every other node (effects, outside inputs, JS executors) only when the flow
//! (`parameters.cache`) or the run (`cache.nodes`) opts it in. Only successes are stored. A
//! chain that runs as a stream of rows is not cached, nor is a node a debug simulation acts on.
//!
//! The engine decides all of that (`scheduler/cache.rs`); the capability crate
//! `atomiton-cache` makes the keys and keeps the entries (in memory, in a text-by-key store, and
//! through the native addon in SQLite, Redis or PostgreSQL). A session given none caches nothing,
//! and a config asking for a cache is refused where no capability keeps one.

mod options;

use std::sync::Arc;

pub use crate::progress::{CacheHit, CacheKey};
pub use options::{
    beside_history, CacheLimits, CacheSetting, CacheStoreKind, NodeCacheOption, RunCache,
};

use crate::error::Result;
use crate::host::{BoxFuture, MaybeSend, MaybeSync, RunPermissions, SharedHost};
use crate::nodes::{Invocation, NodeType};
use crate::value::Value;

/// A session's node result cache (`atomiton-cache` implements it): what a run keys with, and
/// the housekeeping calls of `conductor.cache`. Like a history store, it never fails a run: a
/// lookup that cannot be answered is a miss, a write that cannot be made is dropped.
pub trait ResultCache: MaybeSend + MaybeSync {
    /// The cache as one run uses it, given the key parts every node of that run shares.
    fn for_run(&self, run: RunKeyParts) -> Arc<dyn RunResultCache>;
    /// `conductor.cache.clear()` (`scope`: `None`) or `invalidate` (`scope`: the JSON text of a
    /// [`CacheScope`]): the outcome's JSON text, `{ok, value: {removed}}`.
    fn invalidate(&self, scope: Option<String>) -> BoxFuture<'static, String>;
    /// `conductor.cache.stats()`: the outcome's JSON text, `{ok, value: {enabled, entries,
    /// bytes, hits, misses, evictions}}`.
    fn stats(&self) -> BoxFuture<'static, String>;
}

/// The parts of a key every node of one run shares.
pub struct RunKeyParts {
    /// The flow (its root's id), which `invalidate` matches.
    pub flow_id: Arc<str>,
    /// Each node's path, by node index, which `invalidate` matches and keys hold.
    pub paths: Arc<[Arc<str>]>,
    /// The run's `variables` and `parentContext`, written out (data, not JS handles).
    pub context: Vec<Value>,
    /// The run's grant: a hit never crosses from a run allowed more to one allowed less.
    pub permissions: Option<RunPermissions>,
}

/// One run's cache: the key of an invocation, its entry, and a new entry kept.
pub trait RunResultCache: MaybeSend + MaybeSync {
    /// The key of `invocation` (whose input is written out: data, not handles), run by
    /// `node_type` (`None`: a JS executor), reading `files` (each path with its size and
    /// modification time, `None` where there is no such file). A large input may be hashed on
    /// one of `host`'s workers.
    fn key(
        &self,
        host: &SharedHost,
        invocation: &Invocation,
        node_type: Option<Arc<dyn NodeType>>,
        files: Vec<FileStamp>,
    ) -> BoxFuture<'static, Result<CacheKey>>;
    /// The fresh entry under `key` at `now`: its output and when it was made (ms).
    fn get(&self, key: CacheKey, now: f64)
        -> BoxFuture<'static, Option<(Option<Arc<Value>>, f64)>>;
    /// Keeps node `node_index`'s `output` (data, not handles) under `key`, made at `created_ms`
    /// and served for `ttl_ms` (`None`: the conductor's lifetime); a large output may be
    /// measured on one of `host`'s workers.
    fn keep(
        &self,
        host: &SharedHost,
        key: CacheKey,
        node_index: usize,
        output: Option<Arc<Value>>,
        created_ms: f64,
        ttl_ms: Option<f64>,
    ) -> BoxFuture<'static, ()>;
}

/// A file a node reads, as its key holds it: its path, and its size and modification time
/// (ms; `None`: no such file, or a host without files).
pub type FileStamp = (String, Option<(u64, f64)>);

/// Which entries `invalidate` removes: those of a flow, of a node (in any flow unless a flow is
/// named), or both; neither: all.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CacheScope {
    pub flow_id: Option<String>,
    pub node_id: Option<String>,
}

/// A cache's counts, as `conductor.cache.stats()` gives them.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CacheStats {
    pub entries: u64,
    pub bytes: u64,
    pub hits: u64,
    pub misses: u64,
    /// Entries removed to stay within the bounds (not expiries or invalidations).
    pub evictions: u64,
}

/// Whether a config may ask for a cache: only where a capability keeps one (see
/// `SessionCapability::keeps_results`).
pub(crate) fn refused(setting: &CacheSetting, kept: bool) -> Option<&'static str> {
    (setting.enabled && !kept).then_some("false in a build without the result cache")
}
