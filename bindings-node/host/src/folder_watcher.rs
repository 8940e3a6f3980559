//! [`NotifyFolders`]: which watched folders changed, from the operating system's file events
//! (inotify, FSEvents, ReadDirectoryChangesW, through the `notify` crate). File watches use it to
//! list a folder only when something happened in it; a folder that cannot be watched (missing,
//! out of watches) reads as changed at every step, so it is polled instead of forgotten.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use atomiton_triggers::file_watch::FolderWatcher;
use notify::{RecommendedWatcher, RecursiveMode, Watcher};

/// One watched folder: where it is, and whether something happened in it since it was asked.
struct Watched {
    folder: PathBuf,
    changed: Arc<AtomicBool>,
}

/// Folders watched by one `notify` watcher, made when the first folder is asked about.
#[derive(Default)]
pub struct NotifyFolders {
    state: Mutex<State>,
    watched: Arc<RwLock<Vec<Watched>>>,
}

#[derive(Default)]
struct State {
    watcher: Option<RecommendedWatcher>,
    /// By the folder as the trigger names it, and whether below it too.
    flags: HashMap<(String, bool), Arc<AtomicBool>>,
}

impl NotifyFolders {
    /// No folder watched yet: the first one asked about starts the watcher.
    pub fn new() -> NotifyFolders {
        NotifyFolders::default()
    }

    /// Starts watching `folder`; false when it cannot be (it is then polled).
    fn watch(
        &self,
        state: &mut State,
        folder: &str,
        recursive: bool,
        flag: &Arc<AtomicBool>,
    ) -> bool {
        let Ok(path) = std::fs::canonicalize(folder) else { return false };
        if state.watcher.is_none() {
            let watched = self.watched.clone();
            let made = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                let Ok(event) = event else { return };
                let Ok(watched) = watched.read() else { return };
                for entry in watched.iter() {
                    if event.paths.iter().any(|path| path.starts_with(&entry.folder)) {
                        entry.changed.store(true, Ordering::SeqCst);
                    }
                }
            });
            match made {
                Ok(watcher) => state.watcher = Some(watcher),
                Err(_) => return false,
            }
        }
        let Some(watcher) = state.watcher.as_mut() else { return false };
        let mode = if recursive { RecursiveMode::Recursive } else { RecursiveMode::NonRecursive };
        if watcher.watch(&path, mode).is_err() {
            return false;
        }
        let mut watched = self.watched.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        watched.push(Watched { folder: path, changed: flag.clone() });
        true
    }
}

impl FolderWatcher for NotifyFolders {
    fn changed(&self, folder: &str, recursive: bool) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let key = (folder.to_owned(), recursive);
        if let Some(flag) = state.flags.get(&key) {
            return flag.swap(false, Ordering::SeqCst);
        }
        let flag = Arc::new(AtomicBool::new(false));
        // Not watchable (yet): not remembered, so the next step tries again, and scans.
        if self.watch(&mut state, folder, recursive, &flag) {
            state.flags.insert(key, flag);
        }
        true
    }
}
