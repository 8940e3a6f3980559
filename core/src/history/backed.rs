//! Run records in memory, kept in a text-by-key store as well (IndexedDB in browsers, files for
//! the WebAssembly engine in Node): one JSON text per run, read back when the store opens.
//!
//! Queries run on the memory copy; the text store only keeps runs between sessions. A run is
//! written to it when it begins and when it ends (not per node: a page closed mid-run leaves its
//! record without the nodes that ended, which the next session marks `crashed`).
//!
//! A durable run's checkpoints (see `history::durable`) are texts of their own, one per
//! checkpoint, under `<id>.ckpt.<name>`: `input`, `variables`, `d.<node>` (an ended node's whole
//! output), `s.<node>` (a node with effects that started) and `w.<node>` (what woke a wait node), the node's id in hex (a key is a
//! file name in Node). The next session finds a durable run left `running` with its input kept
//! `interrupted`, to be resumed from them. Writes to the text store may land in any order: a start
//! kept beside its node's end is dropped when read, and the keys of runs that ended are removed
//! when the store opens.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use futures::future::{FutureExt, Shared};

use super::capture::Capture;
use super::durable::{checkpoint_entry, started_entry, Checkpoints};
use super::memory::MemoryHistory;
use super::record::{RunRecord, RunStatus};
use super::store::{ExecutionPage, HistoryStore, HistoryWrite, ListQuery, OwnerAlive, Prune};
use crate::error::Result;
use crate::host::{BoxFuture, SharedHost};
use crate::storage::StorageBackend;

/// What each run's key ends with (other keys in the store are left alone).
const SUFFIX: &str = ".run.json";

/// Between a run's id and a checkpoint's name in the checkpoint's key.
const CHECKPOINT: &str = ".ckpt.";

/// The checkpoint keys of each durable run, by run id.
type CheckpointKeys = Arc<Mutex<HashMap<String, BTreeSet<String>>>>;

type Pending = Shared<BoxFuture<'static, ()>>;

/// A memory history mirrored into a [`StorageBackend`].
pub struct BackedHistory {
    memory: Arc<MemoryHistory>,
    backend: Arc<dyn StorageBackend>,
    host: SharedHost,
    /// Resolves once the runs kept earlier are in memory; every read waits for it.
    loaded: Shared<BoxFuture<'static, ()>>,
    checkpoints: CheckpointKeys,
    /// Checkpoints being written: a node with effects waits for them (`stored`), so that its
    /// start, and everything before it, is kept before it is called.
    writing: Mutex<Vec<Pending>>,
    /// Runs a wake is being kept for (see `wake`).
    waking: Arc<Mutex<HashSet<String>>>,
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
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
        let checkpoints = CheckpointKeys::default();
        let load: BoxFuture<'static, ()> = {
            let (memory, backend, host) = (memory.clone(), backend.clone(), host.clone());
            let checkpoints = checkpoints.clone();
            Box::pin(async move {
                // An unreadable store is an empty history: it never fails the conductor.
                let Ok(keys) = backend.keys().await else { return };
                let mut kept: HashMap<String, BTreeSet<String>> = HashMap::new();
                for key in &keys {
                    if let Some((run, _)) = key.split_once(CHECKPOINT) {
                        kept.entry(run.to_owned()).or_default().insert(key.clone());
                    }
                }
                let mut resumable = BTreeSet::new();
                for key in keys.into_iter().filter(|k| k.ends_with(SUFFIX)) {
                    if let Ok(Some(text)) = backend.read(&key).await {
                        if let Some(mut record) = RunRecord::from_json(&text) {
                            let s = &mut record.summary;
                            if s.status == RunStatus::Running {
                                // Its process ended: durable, with its input kept, it goes on.
                                let input = format!("{}{CHECKPOINT}input", s.id);
                                s.status = if s.durable
                                    && kept.get(&s.id).is_some_and(|keys| keys.contains(&input))
                                {
                                    RunStatus::Interrupted
                                } else {
                                    RunStatus::Crashed
                                };
                                s.end_time.get_or_insert(host.now());
                            }
                            if s.status.keeps_checkpoints() {
                                resumable.insert(s.id.clone());
                            }
                            memory.insert(record);
                        }
                    }
                }
                // Checkpoints of runs that ended (their removal did not land) go.
                for (run, keys) in kept {
                    if resumable.contains(&run) {
                        locked(&checkpoints).insert(run, keys);
                    } else {
                        for key in keys {
                            let _ = backend.remove(&key).await;
                        }
                    }
                }
            })
        };
        let loaded = load.shared();
        host.spawn(Box::pin(loaded.clone()));
        let (writing, waking) = (Mutex::default(), Arc::default());
        BackedHistory { memory, backend, host, loaded, checkpoints, writing, waking }
    }

    /// Writes checkpoint `name` of run `id` in the background (`stored` waits for it); once it
    /// is written, removes the checkpoint `replaces` names (a node's end replaces its start).
    fn checkpoint(&self, id: &str, name: &str, text: String, replaces: Option<String>) {
        let key = format!("{id}{CHECKPOINT}{name}");
        locked(&self.checkpoints).entry(id.to_owned()).or_default().insert(key.clone());
        let write = self.backend.write(&key, text);
        let (backend, checkpoints, id) =
            (self.backend.clone(), self.checkpoints.clone(), id.to_owned());
        let written: BoxFuture<'static, ()> = Box::pin(async move {
            // A failed write loses this checkpoint only: its node runs again on a resume.
            let _ = write.await;
            if let Some(name) = replaces {
                let key = format!("{id}{CHECKPOINT}{name}");
                if let Some(keys) = locked(&checkpoints).get_mut(&id) {
                    keys.remove(&key);
                }
                let _ = backend.remove(&key).await;
            }
        });
        self.in_background(written);
    }

    /// Runs `written` in the background, `stored` waiting for it.
    fn in_background(&self, written: BoxFuture<'static, ()>) {
        let written = written.shared();
        self.host.spawn(Box::pin(written.clone()));
        let mut writing = locked(&self.writing);
        writing.retain(|pending| pending.peek().is_none());
        writing.push(written);
    }

    /// Removes run `id`'s checkpoints, in the background.
    fn drop_checkpoints(&self, id: &str) {
        let Some(keys) = locked(&self.checkpoints).remove(id) else { return };
        let backend = self.backend.clone();
        self.host.spawn(Box::pin(async move {
            for key in keys {
                let _ = backend.remove(&key).await;
            }
        }));
    }

    /// Writes run `id` as it is in memory to the backend, in the background (`stored` waits for
    /// it: a parked run is kept before its result says so).
    fn persist(&self, id: &str) {
        let Some(record) = self.memory.record(id) else { return };
        let Ok(text) = crate::value::codec::to_json(&record) else { return };
        let write = self.backend.write(&key(id), text);
        // A failed write loses this copy only; memory still has the run.
        self.in_background(Box::pin(async move {
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

/// A run a wake is being kept for; the mark goes when this is dropped.
struct Waking(Arc<Mutex<HashSet<String>>>, String);

impl Drop for Waking {
    fn drop(&mut self) {
        locked(&self.0).remove(&self.1);
    }
}

fn key(id: &str) -> String {
    format!("{id}{SUFFIX}")
}

/// A node's id as part of a key: hex, so that any id makes a valid file name.
fn node_key(node_id: &str) -> String {
    node_id.bytes().map(|b| format!("{b:02x}")).collect()
}

/// A node's id from [`node_key`]; `None` when it is not one.
fn node_of_key(hex: &str) -> Option<String> {
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|at| hex.get(at..at + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect();
    String::from_utf8(bytes?).ok()
}

/// A checkpoint key's name as [`Checkpoints::add_entry`] takes it.
fn entry_name(name: &str) -> Option<String> {
    match name.split_once('.') {
        Some(("d", node)) => node_of_key(node).map(|n| format!("d:{n}")),
        Some(("s", node)) => node_of_key(node).map(|n| format!("s:{n}")),
        Some(("w", node)) => node_of_key(node).map(|n| format!("w:{n}")),
        _ => Some(name.to_owned()),
    }
}

impl HistoryStore for BackedHistory {
    fn capture(&self) -> Option<&Capture> {
        self.memory.capture()
    }

    fn write(&self, write: HistoryWrite) {
        let persisted = match &write {
            HistoryWrite::Begun(begun) => {
                if begun.summary.durable && !begun.values_pending {
                    let id = &begun.summary.id;
                    let input = checkpoint_entry("", Some(&begun.input.to_value()));
                    self.checkpoint(id, "input", input, None);
                    let variables = checkpoint_entry("", Some(&begun.variables));
                    self.checkpoint(id, "variables", variables, None);
                }
                Some(begun.summary.id.clone())
            }
            HistoryWrite::Ended(ended) => {
                if !ended.status.keeps_checkpoints() {
                    self.drop_checkpoints(&ended.execution_id);
                }
                Some(ended.execution_id.to_string())
            }
            HistoryWrite::Started(started) => {
                let name = format!("s.{}", node_key(&started.node_id));
                let entry = started_entry(&started.node_type, started.idempotent);
                self.checkpoint(&started.execution_id, &name, entry, None);
                None
            }
            HistoryWrite::Node(node) => {
                if node.checkpoint && node.state.has_output() && !node.summarized {
                    let hex = node_key(&node.node_id);
                    let entry = checkpoint_entry(&node.node_type, node.output.as_deref());
                    let name = format!("d.{hex}");
                    self.checkpoint(&node.execution_id, &name, entry, Some(format!("s.{hex}")));
                }
                None
            }
        };
        self.memory.write(write);
        if let Some(id) = persisted {
            self.persist(&id);
        }
    }

    fn keeps_checkpoints(&self) -> bool {
        true
    }

    fn stored(&self) -> Option<BoxFuture<'static, ()>> {
        let mut writing = locked(&self.writing);
        writing.retain(|written| written.peek().is_none());
        if writing.is_empty() {
            return None;
        }
        let waiting = writing.clone();
        Some(Box::pin(futures::future::join_all(waiting).map(|_| ())))
    }

    fn checkpoints(&self, id: String) -> BoxFuture<'static, Result<Option<Checkpoints>>> {
        let (loaded, backend, checkpoints) =
            (self.loaded.clone(), self.backend.clone(), self.checkpoints.clone());
        Box::pin(async move {
            loaded.await;
            let Some(keys) = locked(&checkpoints).get(&id).cloned() else { return Ok(None) };
            let mut read = Checkpoints::default();
            let prefix = format!("{id}{CHECKPOINT}");
            for key in keys {
                let Some(name) = key.strip_prefix(&prefix).and_then(entry_name) else { continue };
                match backend.read(&key).await {
                    Ok(Some(entry)) => read.add_entry(&id, &name, &entry)?,
                    // Gone (its start, replaced by its end meanwhile) or unreadable: not kept.
                    _ if name.starts_with("d:") => read.torn += 1,
                    _ => {}
                }
            }
            read.settle();
            Ok(Some(read))
        })
    }

    fn claim(&self, id: String, owner: Option<String>) -> BoxFuture<'static, Result<bool>> {
        let (loaded, memory) = (self.loaded.clone(), self.memory.clone());
        let (backend, host) = (self.backend.clone(), self.host.clone());
        Box::pin(async move {
            loaded.await;
            if !memory.claim(&id, owner.as_deref()) {
                return Ok(false);
            }
            if let Some(text) =
                memory.record(&id).and_then(|r| crate::value::codec::to_json(&r).ok())
            {
                let write = backend.write(&key(&id), text);
                host.spawn(Box::pin(async move {
                    let _ = write.await;
                }));
            }
            Ok(true)
        })
    }

    fn wake(&self, wake: super::Wake) -> BoxFuture<'static, Result<bool>> {
        let (loaded, memory) = (self.loaded.clone(), self.memory.clone());
        let (backend, checkpoints) = (self.backend.clone(), self.checkpoints.clone());
        let waking = self.waking.clone();
        Box::pin(async move {
            loaded.await;
            let id = wake.execution_id.clone();
            // One page or process has the store at a time: the memory copy decides the race,
            // and one wake of a run at a time is under way (a second is refused at once).
            if !memory.waits_at(&wake) || !locked(&waking).insert(id.clone()) {
                return Ok(false);
            }
            // Let go of however this ends (a panic caught above, the future dropped).
            let _waking = Waking(waking.clone(), id.clone());
            let unkept = |e: crate::host::effects::EffectError| {
                crate::error::ExecutionError::internal(format!(
                    "The wake was not kept: {}",
                    e.message
                ))
            };
            // The delivery is kept before the run says it was woken (it still waits meanwhile,
            // so nothing resumes it without its delivery); a failed write changes nothing.
            let checkpoint = format!("{id}{CHECKPOINT}w.{}", node_key(&wake.node_id));
            let kept = backend.write(&checkpoint, wake.entry()).await.map_err(unkept);
            let woken = kept.map(|()| {
                locked(&checkpoints).entry(id.clone()).or_default().insert(checkpoint);
                memory.wake(&wake)
            });
            if !woken? {
                return Ok(false);
            }
            // Woken (its delivery kept): the record follows. A failed write of it is made good
            // by the run's next change (its resume claims it, which writes it again).
            if let Some(text) =
                memory.record(&id).and_then(|r| crate::value::codec::to_json(&r).ok())
            {
                let _ = backend.write(&key(&id), text).await;
            }
            Ok(true)
        })
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
        let checkpoints = self.checkpoints.clone();
        Box::pin(async move {
            loaded.await;
            let existed = memory.delete(id.clone()).await?;
            if existed {
                let _ = backend.remove(&key(&id)).await;
                let kept = locked(&checkpoints).remove(&id).unwrap_or_default();
                for checkpoint in kept {
                    let _ = backend.remove(&checkpoint).await;
                }
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
