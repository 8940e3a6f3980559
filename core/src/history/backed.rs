//! Run records in memory, kept in a text-by-key store as well (IndexedDB in browsers, files for
//! the WebAssembly engine in Node): one JSON text per run, read back when the store opens.
//!
//! Queries run on the memory copy; the text store only keeps runs between sessions. A run is
//! written to it when it begins and when it ends (not per node: a page closed mid-run leaves its
//! record without the nodes that ended, which the next session marks `crashed`).

use std::sync::Arc;

use futures::future::{FutureExt, Shared};

use super::capture::Capture;
use super::memory::MemoryHistory;
use super::record::{RunRecord, RunStatus};
use super::store::{ExecutionPage, HistoryStore, HistoryWrite, ListQuery, OwnerAlive, Prune};
use crate::error::Result;
use crate::host::{BoxFuture, SharedHost};
use crate::storage::StorageBackend;

/// What each run's key ends with (other keys in the store are left alone).
const SUFFIX: &str = ".run.json";

/// A memory history mirrored into a [`StorageBackend`].
pub struct BackedHistory {
    memory: Arc<MemoryHistory>,
    backend: Arc<dyn StorageBackend>,
    host: SharedHost,
    /// Resolves once the runs kept earlier are in memory; every read waits for it.
    loaded: Shared<BoxFuture<'static, ()>>,
}

impl BackedHistory {
    /// Opens the history kept in `backend` (loading it in the background, on `host`). Runs left
    /// `running` by an earlier session are marked `crashed` as they load: a store of this kind
    /// belongs to one page or process at a time.
    pub fn open(
        backend: Arc<dyn StorageBackend>,
        capture: Capture,
        host: SharedHost,
    ) -> BackedHistory {
        let memory = Arc::new(MemoryHistory::new(capture));
        let load: BoxFuture<'static, ()> = {
            let (memory, backend, host) = (memory.clone(), backend.clone(), host.clone());
            Box::pin(async move {
                // An unreadable store is an empty history: it never fails the conductor.
                let Ok(keys) = backend.keys().await else { return };
                for key in keys.into_iter().filter(|k| k.ends_with(SUFFIX)) {
                    if let Ok(Some(text)) = backend.read(&key).await {
                        if let Some(mut record) = RunRecord::from_json(&text) {
                            if record.summary.status == RunStatus::Running {
                                record.summary.status = RunStatus::Crashed;
                                record.summary.end_time.get_or_insert(host.now());
                            }
                            memory.insert(record);
                        }
                    }
                }
            })
        };
        let loaded = load.shared();
        host.spawn(Box::pin(loaded.clone()));
        BackedHistory { memory, backend, host, loaded }
    }

    /// Writes run `id` as it is in memory to the backend, in the background.
    fn persist(&self, id: &str) {
        let Some(record) = self.memory.record(id) else { return };
        let Ok(text) = crate::value::codec::to_json(&record) else { return };
        let write = self.backend.write(&key(id), text);
        // A failed write loses this copy only; memory still has the run.
        self.host.spawn(Box::pin(async move {
            let _ = write.await;
        }));
    }

    /// `work` on the memory copy once it has loaded.
    fn after_load<T: crate::host::MaybeSend + 'static>(
        &self,
        work: impl FnOnce(&MemoryHistory) -> BoxFuture<'static, T> + crate::host::MaybeSend + 'static,
    ) -> BoxFuture<'static, T> {
        let (loaded, memory) = (self.loaded.clone(), self.memory.clone());
        Box::pin(async move {
            loaded.await;
            work(&memory).await
        })
    }
}

fn key(id: &str) -> String {
    format!("{id}{SUFFIX}")
}

impl HistoryStore for BackedHistory {
    fn capture(&self) -> Option<&Capture> {
        self.memory.capture()
    }

    fn write(&self, write: HistoryWrite) {
        let persisted = match &write {
            HistoryWrite::Begun(begun) => Some(begun.summary.id.clone()),
            HistoryWrite::Ended(ended) => Some(ended.execution_id.to_string()),
            HistoryWrite::Node(_) | HistoryWrite::Started(_) => None,
        };
        self.memory.write(write);
        if let Some(id) = persisted {
            self.persist(&id);
        }
    }

    fn list(&self, query: ListQuery) -> BoxFuture<'static, Result<ExecutionPage>> {
        self.after_load(move |memory| memory.list(query))
    }

    fn get(&self, id: String) -> BoxFuture<'static, Result<Option<RunRecord>>> {
        self.after_load(move |memory| memory.get(id))
    }

    fn delete(&self, id: String) -> BoxFuture<'static, Result<bool>> {
        let (loaded, memory, backend) =
            (self.loaded.clone(), self.memory.clone(), self.backend.clone());
        Box::pin(async move {
            loaded.await;
            let existed = memory.delete(id.clone()).await?;
            if existed {
                let _ = backend.remove(&key(&id)).await;
            }
            Ok(existed)
        })
    }

    fn prune(&self, prune: Prune) -> BoxFuture<'static, Result<usize>> {
        let loaded = self.loaded.clone();
        let memory = self.memory.clone();
        let backend = self.backend.clone();
        Box::pin(async move {
            loaded.await;
            let ids = memory.prune_ids(prune);
            for id in &ids {
                let _ = backend.remove(&key(id)).await;
            }
            Ok(ids.len())
        })
    }

    fn recover(&self, alive: OwnerAlive, now: f64) -> BoxFuture<'static, Result<usize>> {
        let loaded = self.loaded.clone();
        let memory = self.memory.clone();
        let backend = self.backend.clone();
        Box::pin(async move {
            loaded.await;
            let ids = memory.recover_ids(&alive, now);
            for id in &ids {
                if let Some(record) = memory.record(id) {
                    if let Ok(text) = crate::value::codec::to_json(&record) {
                        let _ = backend.write(&key(id), text).await;
                    }
                }
            }
            Ok(ids.len())
        })
    }
}
