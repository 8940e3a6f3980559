//! The cache kept in a text-by-key store as well as in memory, so that its entries outlive the
//! process: the SQLite history database natively, IndexedDB in browsers, files for the
//! WebAssembly engine in Node.
//!
//! Every entry is in memory, as in [`MemoryCache`] (the same bounds, the same LRU), and is also
//! one JSON text under `<key>.cache.json` in the store. When the cache opens it reads them back
//! (expired ones are dropped, the oldest go first when they are more than the bounds hold);
//! lookups wait for that. Changes reach the store in the order they were made, on one task of
//! the host's, so a removal never overtakes the write it undoes; `invalidate` answers once its
//! removals are stored. A store that cannot be read or written costs the cache its copy there,
//! never a run: the memory copy goes on.

use std::sync::Arc;

use futures::channel::mpsc::{unbounded, UnboundedSender};
use futures::channel::oneshot;
use futures::future::{FutureExt, Shared};
use futures::StreamExt;

use crate::memory::MemoryCache;
use crate::{CacheEntry, CacheKey, CacheScope, CacheStats, CacheStore};
use atomiton_core::cache::CacheLimits;
use atomiton_core::error::Result;
use atomiton_core::host::{BoxFuture, SharedHost};
use atomiton_core::storage::StorageBackend;
use atomiton_core::value::{codec, Value};

/// What each entry's key in the store ends with (other keys are left alone).
const SUFFIX: &str = ".cache.json";

/// The layout of an entry's text; one of another layout is dropped when read.
const LAYOUT: f64 = 1.0;

/// A change for the store, applied in order by the cache's task.
enum Change {
    Write(CacheKey, CacheEntry),
    Remove(CacheKey),
    /// Answered once every change before it is applied.
    Flushed(oneshot::Sender<()>),
}

/// A [`MemoryCache`] mirrored into a [`StorageBackend`].
pub struct PersistedCache {
    memory: Arc<MemoryCache>,
    changes: UnboundedSender<Change>,
    /// Resolves once the entries kept earlier are in memory.
    loaded: Shared<BoxFuture<'static, ()>>,
}

impl PersistedCache {
    /// Opens the cache kept in `backend`, bounded by `limits`, loading it in the background on
    /// `host` (which also applies its changes).
    pub fn open(
        backend: Arc<dyn StorageBackend>,
        limits: CacheLimits,
        host: &SharedHost,
    ) -> PersistedCache {
        let memory = Arc::new(MemoryCache::new(limits));
        let (changes, mut queue) = unbounded::<Change>();
        let (done, loaded) = oneshot::channel::<()>();
        let loaded: BoxFuture<'static, ()> = Box::pin(loaded.map(|_| ()));
        let (kept, clock) = (memory.clone(), host.clone());
        host.spawn(Box::pin(async move {
            for key in load(&kept, &*backend, clock.now()).await {
                let _ = backend.remove(&name(key)).await;
            }
            let _ = done.send(());
            while let Some(change) = queue.next().await {
                match change {
                    Change::Write(key, entry) => {
                        if let Ok(text) = entry_text(&entry) {
                            let _ = backend.write(&name(key), text).await;
                        }
                    }
                    Change::Remove(key) => {
                        let _ = backend.remove(&name(key)).await;
                    }
                    Change::Flushed(answer) => {
                        let _ = answer.send(());
                    }
                }
            }
        }));
        PersistedCache { memory, changes, loaded: loaded.shared() }
    }

    fn remove_stored(&self, keys: Vec<CacheKey>) {
        for key in keys {
            let _ = self.changes.unbounded_send(Change::Remove(key));
        }
    }
}

impl CacheStore for PersistedCache {
    fn get(&self, key: CacheKey, now: f64) -> BoxFuture<'static, Option<CacheEntry>> {
        let (loaded, memory, changes) =
            (self.loaded.clone(), self.memory.clone(), self.changes.clone());
        Box::pin(async move {
            loaded.await;
            let (found, expired) = memory.look_up(key, now);
            if expired {
                let _ = changes.unbounded_send(Change::Remove(key));
            }
            found
        })
    }

    fn put(&self, key: CacheKey, entry: CacheEntry) {
        let removed = self.memory.insert(key, entry.clone());
        let kept = !removed.contains(&key);
        self.remove_stored(removed);
        if kept {
            // Written out by the cache's task: a large output is not turned into text here.
            let _ = self.changes.unbounded_send(Change::Write(key, entry));
        }
    }

    fn invalidate(&self, scope: CacheScope) -> BoxFuture<'static, Result<u64>> {
        let (loaded, memory, changes) =
            (self.loaded.clone(), self.memory.clone(), self.changes.clone());
        Box::pin(async move {
            loaded.await;
            let removed = memory.remove_matching(&scope);
            for &key in &removed {
                let _ = changes.unbounded_send(Change::Remove(key));
            }
            let (answer, flushed) = oneshot::channel();
            if changes.unbounded_send(Change::Flushed(answer)).is_ok() {
                let _ = flushed.await;
            }
            Ok(removed.len() as u64)
        })
    }

    fn stats(&self) -> BoxFuture<'static, Result<CacheStats>> {
        let (loaded, memory) = (self.loaded.clone(), self.memory.clone());
        Box::pin(async move {
            loaded.await;
            Ok(memory.counts())
        })
    }
}

/// The store's name for the entry under `key`.
fn name(key: CacheKey) -> String {
    format!("{}{SUFFIX}", key.to_hex())
}

/// Reads every entry of `backend` into `memory`, oldest first (so the bounds keep the newest);
/// the keys to remove from the store: unreadable, expired, or over the bounds.
async fn load(memory: &MemoryCache, backend: &dyn StorageBackend, now: f64) -> Vec<CacheKey> {
    // An unreadable store is an empty cache.
    let Ok(names) = backend.keys().await else { return Vec::new() };
    let mut found = Vec::new();
    let mut doomed = Vec::new();
    for stored in names {
        let Some(key) = stored.strip_suffix(SUFFIX).and_then(CacheKey::from_hex) else {
            continue;
        };
        match backend.read(&stored).await {
            Ok(Some(text)) => match entry_from_text(&text) {
                Some(entry) if entry.is_fresh(now) => found.push((key, entry)),
                _ => doomed.push(key),
            },
            Ok(None) => {}
            // Left as it is: the next open may read it.
            Err(_) => {}
        }
    }
    found.sort_by(|a, b| a.1.created_ms.total_cmp(&b.1.created_ms));
    for (key, entry) in found {
        // An entry made in this process while loading is newer than the stored one.
        if !memory.holds(key) {
            doomed.extend(memory.insert(key, entry));
        }
    }
    doomed
}

/// An entry as its stored text: `{"v", "flow", "node", "created", "expires", "bytes",
/// "output"?}`, the output in the codec's JSON (bit-exact; absent for `undefined`).
fn entry_text(entry: &CacheEntry) -> std::result::Result<String, serde_json::Error> {
    #[derive(serde::Serialize)]
    struct Stored<'a> {
        v: f64,
        flow: &'a str,
        node: &'a str,
        created: f64,
        expires: Option<f64>,
        bytes: u64,
        #[serde(skip_serializing_if = "Option::is_none")]
        output: Option<&'a Value>,
    }
    codec::to_json(&Stored {
        v: LAYOUT,
        flow: &entry.flow_id,
        node: &entry.node_path,
        created: entry.created_ms,
        expires: entry.expires_ms,
        bytes: entry.bytes,
        output: entry.output.as_deref(),
    })
}

/// An entry read back from [`entry_text`]'s form; `None` for anything else.
fn entry_from_text(text: &str) -> Option<CacheEntry> {
    let Ok(Value::Object(mut stored)) = codec::from_json(text) else { return None };
    let number = |value: Option<&Value>| value.and_then(Value::as_f64);
    if number(stored.get("v")) != Some(LAYOUT) {
        return None;
    }
    let flow_id = Arc::from(stored.get("flow")?.as_str()?);
    let node_path = Arc::from(stored.get("node")?.as_str()?);
    let created_ms = number(stored.get("created"))?;
    let expires_ms = match stored.get("expires")? {
        Value::Null => None,
        expires => Some(expires.as_f64()?),
    };
    let bytes = number(stored.get("bytes")).filter(|b| *b >= 0.0)? as u64;
    let output = stored.shift_remove("output").map(Arc::new);
    Some(CacheEntry { output, created_ms, expires_ms, flow_id, node_path, bytes })
}

#[cfg(test)]
mod tests {
    use super::*;
    use atomiton_core::json;

    #[test]
    fn an_entry_reads_back_bit_exactly_from_its_text() {
        let output = json!({"n": -0.0, "u": Value::Undefined, "s": "é\u{0}", "list": [1, 2.5]});
        let entry = CacheEntry {
            output: Some(Arc::new(output.clone())),
            created_ms: 12.5,
            expires_ms: Some(99.0),
            flow_id: Arc::from("flow"),
            node_path: Arc::from("g/n"),
            bytes: 77,
        };
        let back = entry_text(&entry).ok().as_deref().and_then(entry_from_text);
        let back = back.expect("reads back");
        assert_eq!(back.output.as_deref(), Some(&output));
        let Some(Value::Object(map)) = back.output.as_deref() else { panic!("an object") };
        assert!(map.get("n").and_then(Value::as_f64).is_some_and(|n| n.is_sign_negative()));
        assert_eq!((back.created_ms, back.expires_ms, back.bytes), (12.5, Some(99.0), 77));
        assert_eq!((&*back.flow_id, &*back.node_path), ("flow", "g/n"));
        let undefined = CacheEntry { output: None, expires_ms: None, ..entry };
        let back = entry_text(&undefined).ok().as_deref().and_then(entry_from_text);
        assert!(back.is_some_and(|b| b.output.is_none() && b.expires_ms.is_none()));
        assert!(entry_from_text(
            r#"{"v":2,"flow":"f","node":"n","created":1,"expires":null,"bytes":1}"#
        )
        .is_none());
        assert!(entry_from_text("[]").is_none());
    }
}
