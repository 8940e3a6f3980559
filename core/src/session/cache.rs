//! `cache.*`: the node result cache's calls, in sessions with a cache.

use super::storage::guarded_future;
use super::{CacheCall, Session};
use crate::cache::{CacheHandle, CacheScope};
use crate::error::ExecutionError;
use crate::host::BoxFuture;
use crate::json;
use crate::value::Value;

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
                    Ok(json!({"removed": removed}))
                })
            }
            CacheCall::Stats => guarded_future(async move {
                let Some(store) = store else {
                    return Ok(json!({"enabled": false}));
                };
                let stats = store.stats().await?;
                Ok(json!({
                    "enabled": true,
                    "entries": stats.entries,
                    "bytes": stats.bytes,
                    "hits": stats.hits,
                    "misses": stats.misses,
                    "evictions": stats.evictions,
                }))
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
