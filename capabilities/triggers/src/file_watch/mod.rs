//! File watches: a flow started when a file in a folder is created, changed or deleted (native
//! only). The folder is compared with what was handled: each file version (path, size,
//! modification time) is claimed once across every process on the store (`remember`), so a file
//! that arrived while no process ran is found by the first scan after start, and none fires
//! twice. A file fires once it has stayed the same for the node's `debounce`: a file still being
//! written fires once, complete. A [`FolderWatcher`] (the native addon's, on the `notify` crate)
//! says which folders changed, so an idle folder is not listed again until it does (and once a
//! minute regardless, in case the system dropped an event).

pub mod scan;
pub mod spec;

pub use atomiton_core::nodes::file_watch::FILE_WATCH_TYPE;
pub use spec::{FileEvent, FileWatchSpec};

/// Says which watched folders changed.
pub trait FolderWatcher: Send + Sync {
    /// Whether anything happened in `folder` (below it too when `recursive`) since the last call
    /// for it; true the first time (which starts watching it).
    fn changed(&self, folder: &str, recursive: bool) -> bool;
}

/// How often the timer looks at a file watch: a change is seen within this.
pub const LOOK_MS: i64 = 1_000;

/// How often a folder is listed though its watcher reported nothing.
pub const RESCAN_MS: i64 = 60_000;

/// How long a file version's claim is kept: as long as the store keeps anything.
pub const KEEP_MS: i64 = 100 * 365 * 24 * 3600 * 1000;
