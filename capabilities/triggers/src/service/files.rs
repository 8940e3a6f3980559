//! The file-watch half of [`super::TriggerService`]: a folder's files compared with what was
//! handled, each complete new version of a watched file claimed once across the store, and the
//! fires to start.

use std::collections::HashMap;

use atomiton_core::error::{ErrorCode, ExecutionError, Result};
use atomiton_core::format::iso_timestamp;
use atomiton_core::host::effects::FileSystem;
use atomiton_core::host::{restricted, RunPermissions, SharedHost};
use atomiton_core::session::{DueFires, FireToStart};

use super::Inner;
use crate::file_watch::scan::{scan, Found};
use crate::file_watch::{FileEvent, FileWatchSpec, FILE_WATCH_TYPE, KEEP_MS, LOOK_MS, RESCAN_MS};
use crate::store::{Delivery, TriggerId, TriggerRow};

/// What this process knows of one watched folder.
#[derive(Default)]
pub(super) struct WatchState {
    scanned: bool,
    last_scan: i64,
    /// When the next file still being written will have been unchanged long enough.
    pending_at: Option<i64>,
    /// Every watched file at the last scan: (modified, size).
    present: HashMap<String, (i64, u64)>,
    /// The versions this process has seen handled (fired here, or claimed elsewhere).
    handled: HashMap<String, (i64, u64)>,
}

/// A file watch's spec from its stored row; `None` for another kind, or parameters this
/// version cannot read.
pub(super) fn watch_spec(row: &TriggerRow) -> Option<FileWatchSpec> {
    if row.kind != FILE_WATCH_TYPE {
        return None;
    }
    let (parameters, _) = super::stored(row).ok()?;
    FileWatchSpec::read(&parameters).ok()
}

fn version_key(found: &Found) -> String {
    format!("file:{}:{}:{}", found.modified, found.size, found.relative)
}

/// `host`'s files: what a watch lists its folder through.
fn files(host: &SharedHost) -> Result<&dyn FileSystem> {
    host.files().ok_or_else(|| {
        ExecutionError::new(
            ErrorCode::VALIDATION_FAILED,
            "File watches need a host with files: a native conductor (Node, Electron's main process)",
        )
    })
}

impl Inner {
    /// The host a watch lists its folder through: as its runs may use it, so a folder outside
    /// their roots is refused (`PERMISSION_DENIED`), symlinks resolved, at every scan.
    fn watching(&self, permissions: Option<&RunPermissions>) -> SharedHost {
        match permissions {
            Some(permissions) => restricted(self.host.clone(), permissions),
            None => self.host.clone(),
        }
    }

    /// Claims `key` of trigger `id` for good: true when this call is the first to.
    async fn claim_once(&self, id: &TriggerId, key: &str, now: i64) -> Result<bool> {
        let delivery = Delivery { trigger: id, key, run_id: "", now, keep_until: now + KEEP_MS };
        Ok(self.store.remember(delivery).await?.is_none())
    }

    /// At a file watch's activation: its folder is listed as its runs may list it; the first
    /// time (`first`), what it holds now is where it starts (those files do not fire).
    pub(super) async fn baseline(
        &self,
        id: &TriggerId,
        spec: &FileWatchSpec,
        permissions: Option<&RunPermissions>,
        first: bool,
    ) -> Result<()> {
        let now = self.now();
        let host = self.watching(permissions);
        let found = scan(files(&host)?, spec).await?;
        if !first {
            return Ok(());
        }
        for found in found {
            self.claim_once(id, &version_key(&found), now).await?;
            self.claim_once(id, &format!("seen:{}", found.relative), now).await?;
        }
        Ok(())
    }

    /// The fires file watch `row` owes now, added to `answer` (with when to look again).
    pub(super) async fn file_fires(
        &self,
        row: &TriggerRow,
        spec: &FileWatchSpec,
        now: i64,
        answer: &mut DueFires,
    ) -> Result<()> {
        let changed = self.watcher.get().is_none_or(|w| w.changed(&spec.path, spec.recursive));
        let mut state = {
            let mut watches = self.watches.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            watches.remove(&row.id).unwrap_or_default()
        };
        let due = !state.scanned
            || changed
            || state.pending_at.is_some_and(|at| at <= now)
            || now - state.last_scan >= RESCAN_MS;
        let scanned =
            if due { self.rescan(row, spec, now, &mut state, answer).await } else { Ok(()) };
        // Looked at again within a second (the watcher's news is read at each step; without a
        // watcher, the folder is listed then), or when a file being written is complete.
        let next = state.pending_at.map_or(now + LOOK_MS, |at| at.min(now + LOOK_MS));
        answer.next = Some(answer.next.map_or(next as f64, |known: f64| known.min(next as f64)));
        let mut watches = self.watches.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        watches.insert(row.id.clone(), state);
        scanned
    }

    async fn rescan(
        &self,
        row: &TriggerRow,
        spec: &FileWatchSpec,
        now: i64,
        state: &mut WatchState,
        answer: &mut DueFires,
    ) -> Result<()> {
        let host = self.watching(super::run_permissions(row).as_ref());
        let found = scan(files(&host)?, spec).await?;
        state.last_scan = now;
        state.pending_at = None;
        let mut present = HashMap::with_capacity(found.len());
        for file in &found {
            let version = (file.modified, file.size);
            present.insert(file.relative.clone(), version);
            if state.handled.get(&file.relative) == Some(&version) {
                continue;
            }
            // Still being written (or just written): it fires once it has stayed the same.
            let complete_at = file.modified + spec.debounce_ms;
            if complete_at > now {
                state.pending_at =
                    Some(state.pending_at.map_or(complete_at, |at| at.min(complete_at)));
                continue;
            }
            state.handled.insert(file.relative.clone(), version);
            if !self.claim_once(&row.id, &version_key(file), now).await? {
                continue;
            }
            let first = self.claim_once(&row.id, &format!("seen:{}", file.relative), now).await?;
            let event = if first { FileEvent::Created } else { FileEvent::Changed };
            if spec.fires_on(event) {
                answer.start.push(self.file_fire(row, event, file, now).await?);
            }
        }
        if state.scanned {
            for (relative, (modified, size)) in &state.present {
                if present.contains_key(relative) {
                    continue;
                }
                state.handled.remove(relative);
                let gone = Found {
                    relative: relative.clone(),
                    full: format!("{}/{relative}", spec.path.trim_end_matches(['/', '\\'])),
                    size: *size,
                    modified: *modified,
                };
                let key = format!("gone:{}", version_key(&gone));
                if spec.fires_on(FileEvent::Deleted) && self.claim_once(&row.id, &key, now).await? {
                    answer.start.push(self.file_fire(row, FileEvent::Deleted, &gone, now).await?);
                }
            }
        }
        state.present = present;
        state.scanned = true;
        Ok(())
    }

    /// The run of `event` on `file`, its fire recorded for `fires()`.
    async fn file_fire(
        &self,
        row: &TriggerRow,
        event: FileEvent,
        file: &Found,
        now: i64,
    ) -> Result<FireToStart> {
        let host = self.host.clone();
        let execution_id = atomiton_core::session::catalog::execution_id("", || host.random());
        // A change is due when it happened; a deletion when it was seen.
        let at = if event == FileEvent::Deleted { now } else { file.modified };
        let recorded = self.record_event(row, at, now, &execution_id).await?;
        let mut fire = super::fire_to_start(row, at, now, execution_id);
        if let Some(key) = recorded {
            fire.scheduled_at = key as f64;
        }
        fire.recorded = recorded.is_some();
        fire.trigger.event = Some(event.as_str().to_owned());
        fire.trigger.path = Some(file.full.clone());
        fire.trigger.relative_path = Some(file.relative.clone());
        fire.trigger.size = Some(file.size as f64);
        fire.trigger.modified_at = Some(iso_timestamp(file.modified as f64));
        Ok(fire)
    }
}
