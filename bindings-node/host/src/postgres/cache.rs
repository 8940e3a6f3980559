//! [`PostgresCache`]: the node result cache in PostgreSQL, one store for every process of a fleet
//! whose history is there (`migrations/0006_cache.sql` in the history's migrations: a row per entry, and one
//! row of totals that every change locks first, so the bounds hold across every process). It
//! shares its database's link with flow storage and triggers (`shared.rs`): writes are queued
//! and never wait, lookups are answered after every write queued before them, and a server that
//! cannot be reached is a miss (a cache never fails a run).

use std::sync::Arc;

use atomiton_cache::{CacheEntry, CacheKey, CacheLimits, CacheScope, CacheStats, CacheStore};
use atomiton_core::error::Result;
use atomiton_core::host::BoxFuture;
use atomiton_core::value::codec;

use super::shared::SharedLink;
use crate::history::store_failure;

/// Node results in PostgreSQL, shared by every process that opens the same database.
pub struct PostgresCache {
    link: SharedLink,
    limits: CacheLimits,
}

impl PostgresCache {
    /// The cache of the database at `url` (as the history's store connects to it), its entries
    /// within `limits` across every process sharing them.
    pub fn open(url: &str, limits: CacheLimits) -> Result<PostgresCache> {
        let link = SharedLink::open(url, "Result cache")
            .map_err(|e| store_failure(format!("Result cache: {e}")))?;
        Ok(PostgresCache { link, limits })
    }

    /// Runs `job` with the connection on its link's thread.
    fn job<T: Send + 'static>(
        &self,
        job: impl FnMut(&mut postgres::Client) -> std::result::Result<T, postgres::Error>
            + Send
            + 'static,
    ) -> BoxFuture<'static, Result<T>> {
        self.link.job(job)
    }
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn signed(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl CacheStore for PostgresCache {
    fn get(&self, key: CacheKey, now: f64) -> BoxFuture<'static, Option<CacheEntry>> {
        let found = self.job(move |client| {
            let row = client.query_opt(
                "SELECT output, created, expires, flow_id, node_path, bytes FROM atomiton_cache_get($1, $2)",
                &[&key.to_hex(), &now],
            )?;
            let Some(row) = row else { return Ok(None) };
            let output: Option<String> = row.try_get(0)?;
            let output = match output {
                Some(text) => match codec::from_json(&text) {
                    Ok(value) => Some(Arc::new(value)),
                    // Not an output this engine wrote: no entry.
                    Err(_) => return Ok(None),
                },
                None => None,
            };
            Ok(Some(CacheEntry {
                output,
                created_ms: row.try_get(1)?,
                expires_ms: row.try_get(2)?,
                flow_id: Arc::from(row.try_get::<_, String>(3)?.as_str()),
                node_path: Arc::from(row.try_get::<_, String>(4)?.as_str()),
                bytes: count(row.try_get(5)?),
            }))
        });
        // A store that cannot answer is a miss.
        Box::pin(async move { found.await.ok().flatten() })
    }

    fn put(&self, key: CacheKey, entry: CacheEntry) {
        let limits = self.limits;
        // Queued, never waited for: the output is written out as text on the store's thread.
        drop(self.link.with_link(move |link| {
            let output = match &entry.output {
                Some(output) => Some(codec::to_json(&**output).map_err(|e| e.to_string())?),
                None => None,
            };
            link.run(|client| {
                client.execute(
                    "SELECT atomiton_cache_put($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    &[
                        &key.to_hex(),
                        &output,
                        &entry.created_ms,
                        &entry.expires_ms,
                        &&*entry.flow_id,
                        &&*entry.node_path,
                        &signed(entry.bytes),
                        &signed(u64::try_from(limits.max_entries).unwrap_or(u64::MAX)),
                        &signed(limits.max_bytes),
                    ],
                )
            })
            .map(drop)
        }));
    }

    fn invalidate(&self, scope: CacheScope) -> BoxFuture<'static, Result<u64>> {
        self.job(move |client| {
            let removed: i32 = client
                .query_one(
                    "SELECT atomiton_cache_invalidate($1, $2)",
                    &[&scope.flow_id, &scope.node_id],
                )?
                .try_get(0)?;
            Ok(u64::try_from(removed).unwrap_or(0))
        })
    }

    fn stats(&self) -> BoxFuture<'static, Result<CacheStats>> {
        self.job(move |client| {
            let row = client.query_one(
                "SELECT entries, bytes, hits, misses, evictions FROM atomiton_cache_totals",
                &[],
            )?;
            Ok(CacheStats {
                entries: count(row.try_get(0)?),
                bytes: count(row.try_get(1)?),
                hits: count(row.try_get(2)?),
                misses: count(row.try_get(3)?),
                evictions: count(row.try_get(4)?),
            })
        })
    }
}
