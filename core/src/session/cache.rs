//! `cache.*`: the node result cache's calls, in sessions with a cache.

use super::storage::guarded_future;
use super::{CacheCall, Session};
use crate::cache::{CacheHandle, CacheScope, CacheStats};
use crate::error::ExecutionError;
use crate::host::BoxFuture;
use crate::value::Value;

/// `cache.clear`'s and `cache.invalidate`'s answer.
#[derive(serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "CacheRemoved"))]
pub struct CacheRemoved {
    /// How many entries went.
    pub removed: u64,
}

/// `cache.stats`'s answer: `enabled`, and the store's counts when it is.
#[derive(serde::Serialize, Default)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "CacheStats", optional_fields))]
pub struct CacheReport {
    /// Whether this conductor has a cache.
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entries: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hits: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub misses: Option<u64>,
    /// Entries removed to stay within the bounds (not expiries or invalidations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evictions: Option<u64>,
}

impl From<CacheStats> for CacheReport {
    fn from(stats: CacheStats) -> Self {
        CacheReport {
            enabled: true,
            entries: Some(stats.entries),
            bytes: Some(stats.bytes),
            hits: Some(stats.hits),
            misses: Some(stats.misses),
            evictions: Some(stats.evictions),
        }
    }
}

impl Session {
    /// Gives this session's runs a node result cache (see [`crate::cache`]).
    pub fn with_cache(mut self, cache: CacheHandle) -> Self {
        self.cache = Some(cache);
        self
    }

    /// One `cache.*` call by name: `clear` (every entry), `invalidate` (`arg`: `{flowId?,
    /// nodeId?}` JSON) — both answer `{removed}` — and `stats` (`{entries, bytes, hits, misses,
    /// evictions, enabled}`). With the cache off, `clear` and `invalidate` remove nothing and
    /// `stats` says `enabled: false`.
    pub fn cache(&self, op: &str, arg: String) -> BoxFuture<'static, String> {
        let store = self.cache.as_ref().map(|cache| cache.store.clone());
        let call = match CacheCall::parse_or_refuse(op, "cache") {
            Ok(call) => call,
            Err(error) => return guarded_future(async move { Err::<Value, _>(error) }),
        };
        match call {
            CacheCall::Clear | CacheCall::Invalidate => {
                let scope = if call == CacheCall::Clear {
                    Ok(CacheScope::default())
                } else {
                    serde_json::from_str::<Option<CacheScope>>(&arg)
                        .map(Option::unwrap_or_default)
                        .map_err(|e| {
                            ExecutionError::validation(format!("Invalid cache scope: {e}"))
                        })
                };
                guarded_future(async move {
                    let scope = scope?;
                    let removed = match store {
                        Some(store) => store.invalidate(scope).await?,
                        None => 0,
                    };
                    Ok(CacheRemoved { removed })
                })
            }
            CacheCall::Stats => guarded_future(async move {
                let Some(store) = store else {
                    return Ok(CacheReport::default());
                };
                let stats = store.stats().await?;
                Ok(CacheReport::from(stats))
            }),
        }
    }
}

/// Expands the session methods only cache builds have (see `boundary/forwarders.rs`).
#[doc(hidden)]
#[macro_export]
macro_rules! __session_gate_cache {
    ($($item:tt)*) => { $($item)* };
}
