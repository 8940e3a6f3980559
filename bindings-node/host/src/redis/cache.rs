//! [`RedisCache`]: the node result cache in Redis, one store for every process of a queue
//! (workers on many machines, and the producers that clear and invalidate it). Keys, all under
//! the queue's history prefix `<p>`, are described in `lua/prelude.lua`; every lookup and change
//! is one Lua script (one atomic step), so two workers never undo each other's bookkeeping and the
//! bounds hold across all of them. Like the history's, one thread per store owns the connection:
//! writes are queued to it and never wait, lookups are answered after every write queued before
//! them. A server that cannot be reached is a miss, and a write then is dropped (a cache never
//! fails a run).

use std::sync::Arc;

use atomiton_cache::{CacheEntry, CacheKey, CacheLimits, CacheScope, CacheStats, CacheStore};
use atomiton_core::error::Result;
use atomiton_core::host::BoxFuture;
use atomiton_core::value::codec;

use super::link::Link;
use crate::history::store_failure;
use crate::store_thread::Queue;

mod scripts {
    macro_rules! cache_script {
        ($file:literal) => {
            concat!(
                include_str!("cache/lua/prelude.lua"),
                include_str!(concat!("cache/lua/", $file, ".lua"))
            )
        };
    }

    crate::redis::link::scripts! {
        GET: cache_script!("get"),
        PUT: cache_script!("put"),
        INVALIDATE: cache_script!("invalidate"),
        STATS: cache_script!("stats"),
    }
}

/// Node results in Redis, shared by every process that opens the same server and prefix.
pub struct RedisCache {
    queue: Queue<Link>,
    limits: CacheLimits,
}

impl RedisCache {
    /// Connects to the server at `url` (as the history's store does), keeping every key under
    /// `key_prefix` and the entries within `limits` (across every process sharing them).
    pub fn open(url: &str, key_prefix: &str, limits: CacheLimits) -> Result<RedisCache> {
        let failed = |e: String| store_failure(format!("Result cache: {e}"));
        let link = Link::open(url, key_prefix, scripts::ALL).map_err(failed)?;
        let queue = Queue::jobs(link, "Result cache")
            .map_err(|e| failed(format!("cannot start its thread: {e}")))?;
        Ok(RedisCache { queue, limits })
    }
}

/// A time as the scripts take it: shortest round-trip digits, never an exponent.
fn number(n: f64) -> String {
    n.to_string()
}

impl CacheStore for RedisCache {
    fn get(&self, key: CacheKey, now: f64) -> BoxFuture<'static, Option<CacheEntry>> {
        let found = self.queue.read(move |link: &mut Link| {
            let mut call = link.script(&scripts::GET);
            call.cmd.arg(key.to_hex()).arg(number(now));
            type Fields = Option<Vec<Option<String>>>;
            let fields: Fields = link.run(&call)?;
            Ok::<_, String>(fields.and_then(entry))
        });
        // A store that cannot answer is a miss.
        Box::pin(async move { found.await.ok().flatten() })
    }

    fn put(&self, key: CacheKey, entry: CacheEntry) {
        let limits = self.limits;
        // Queued, never waited for: the output is written out as text on the store's thread.
        drop(self.queue.read(move |link: &mut Link| {
            let output = match &entry.output {
                Some(output) => codec::to_json(&**output).map_err(|e| e.to_string())?,
                None => String::new(),
            };
            let mut call = link.script(&scripts::PUT);
            call.cmd
                .arg(key.to_hex())
                .arg(output)
                .arg(if entry.output.is_some() { "1" } else { "0" })
                .arg(number(entry.created_ms))
                .arg(entry.expires_ms.map(number).unwrap_or_default())
                .arg(&*entry.flow_id)
                .arg(&*entry.node_path)
                .arg(entry.bytes)
                .arg(limits.max_entries)
                .arg(limits.max_bytes);
            link.run::<i64>(&call).map(drop)
        }));
    }

    fn invalidate(&self, scope: CacheScope) -> BoxFuture<'static, Result<u64>> {
        self.queue.read(move |link: &mut Link| {
            let mut call = link.script(&scripts::INVALIDATE);
            call.cmd.arg(scope.flow_id.unwrap_or_default()).arg(scope.node_id.unwrap_or_default());
            link.run::<u64>(&call)
        })
    }

    fn stats(&self) -> BoxFuture<'static, Result<CacheStats>> {
        self.queue.read(move |link: &mut Link| {
            let call = link.script(&scripts::STATS);
            let (entries, bytes, hits, misses, evictions) = link.run(&call)?;
            Ok::<_, String>(CacheStats { entries, bytes, hits, misses, evictions })
        })
    }
}

/// An entry from the fields `get.lua` answers (`c, x, f, n, b, o`).
fn entry(fields: Vec<Option<String>>) -> Option<CacheEntry> {
    let [created, expires, flow, node, bytes, output]: [Option<String>; 6] =
        fields.try_into().ok()?;
    let output = match output {
        Some(text) => match codec::from_json(&text) {
            Ok(value) => Some(Arc::new(value)),
            // Not an output this engine wrote: no entry.
            Err(_) => return None,
        },
        None => None,
    };
    let expires_ms = match expires?.as_str() {
        "" => None,
        text => Some(text.parse().ok()?),
    };
    Some(CacheEntry {
        output,
        created_ms: created?.parse().ok()?,
        expires_ms,
        flow_id: Arc::from(flow?.as_str()),
        node_path: Arc::from(node?.as_str()),
        bytes: bytes?.parse().ok()?,
    })
}
