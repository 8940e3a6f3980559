//! Where stored flows live.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::host::effects::EffectResult;
use crate::host::{BoxFuture, MaybeSend, MaybeSync};

/// Text stored by key. Writes must be atomic: a reader (or a crash) never sees half a flow.
pub trait StorageBackend: MaybeSend + MaybeSync {
    /// Every key, in any order.
    fn keys(&self) -> BoxFuture<'static, EffectResult<Vec<String>>>;
    /// The text under `key`, `None` when absent.
    fn read(&self, key: &str) -> BoxFuture<'static, EffectResult<Option<String>>>;
    /// Replaces the text under `key` atomically.
    fn write(&self, key: &str, text: String) -> BoxFuture<'static, EffectResult<()>>;
    /// Removes `key`; `false` when it was absent.
    fn remove(&self, key: &str) -> BoxFuture<'static, EffectResult<bool>>;
    /// Whether flows are written to it as JSON text rather than YAML: a store that keeps each
    /// flow as an object (the app's own key-value storage) is handed JSON, and answers JSON.
    fn keeps_json(&self) -> bool {
        false
    }
}

/// Flows in memory (tests, and `storage: {type: "memory"}`).
#[derive(Debug, Default)]
pub struct MemoryBackend {
    entries: Mutex<BTreeMap<String, String>>,
}

impl MemoryBackend {
    pub fn new() -> Self {
        Self::default()
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, String>> {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl StorageBackend for MemoryBackend {
    fn keys(&self) -> BoxFuture<'static, EffectResult<Vec<String>>> {
        let keys = self.entries().keys().cloned().collect();
        Box::pin(async move { Ok(keys) })
    }

    fn read(&self, key: &str) -> BoxFuture<'static, EffectResult<Option<String>>> {
        let text = self.entries().get(key).cloned();
        Box::pin(async move { Ok(text) })
    }

    fn write(&self, key: &str, text: String) -> BoxFuture<'static, EffectResult<()>> {
        self.entries().insert(key.to_owned(), text);
        Box::pin(async { Ok(()) })
    }

    fn remove(&self, key: &str) -> BoxFuture<'static, EffectResult<bool>> {
        let removed = self.entries().remove(key).is_some();
        Box::pin(async move { Ok(removed) })
    }
}
