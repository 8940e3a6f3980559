//! `cache.*`: the node result cache's calls (nothing removed, `enabled: false`, in a session
//! without a cache).

use super::storage::guarded_future;
use super::{CacheCall, Session};
use std::sync::Arc;

use crate::cache::{CacheStats, ResultCache};
use crate::host::BoxFuture;

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
    /// Gives this session's runs a node result cache (see [`crate::cache`]; `atomiton-cache`
    /// makes one).
    pub fn with_cache(mut self, cache: Arc<dyn ResultCache>) -> Self {
        self.cache = Some(cache);
        self
    }

    /// One `cache.*` call by name: `clear` (every entry), `invalidate` (`arg`: `{flowId?,
    /// nodeId?}` JSON) — both answer `{removed}` — and `stats` (`{entries, bytes, hits, misses,
    /// evictions, enabled}`), answered by the session's cache. Without one, `clear` and
    /// `invalidate` remove nothing and `stats` says `enabled: false`.
    pub fn cache(&self, op: &str, arg: String) -> BoxFuture<'static, String> {
        let call = match CacheCall::parse_or_refuse(op, "cache") {
            Ok(call) => call,
            Err(error) => return guarded_future(async move { Err::<(), _>(error) }),
        };
        match &self.cache {
            Some(cache) => match call {
                CacheCall::Clear => cache.invalidate(None),
                CacheCall::Invalidate => cache.invalidate(Some(arg)),
                CacheCall::Stats => cache.stats(),
            },
            // Written out: these answers' serializers would cost the modules without a cache.
            None => Box::pin(std::future::ready(String::from(match call {
                CacheCall::Stats => r#"{"ok":true,"value":{"enabled":false}}"#,
                CacheCall::Clear | CacheCall::Invalidate => r#"{"ok":true,"value":{"removed":0}}"#,
            }))),
        }
    }
}
