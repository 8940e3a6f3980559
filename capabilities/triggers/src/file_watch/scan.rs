//! What a folder holds, as a file watch compares it: each watched file's path relative to the
//! folder, its size and its modification time, listed through the host's file system.

use atomiton_core::error::{ErrorCode, ExecutionError, Result};
use atomiton_core::host::effects::{EffectErrorKind, FileSystem};

use super::spec::FileWatchSpec;

/// The most files one scan looks at: a folder beyond it is refused, not half-watched.
pub const SCAN_LIMIT: usize = 100_000;

/// A watched file as a scan found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Relative to the folder, `/` between folders.
    pub relative: String,
    /// The folder's path joined with `relative`.
    pub full: String,
    pub size: u64,
    /// Modification time, whole ms since the Unix epoch.
    pub modified: i64,
}

/// The files of `spec`'s folder that it watches (below it too when `recursive`).
pub async fn scan(files: &dyn FileSystem, spec: &FileWatchSpec) -> Result<Vec<Found>> {
    let root = spec.path.trim_end_matches(['/', '\\']).to_owned();
    let mut found = Vec::new();
    let mut folders = vec![String::new()];
    let mut seen = 0usize;
    while let Some(folder) = folders.pop() {
        let path = if folder.is_empty() { root.clone() } else { format!("{root}/{folder}") };
        let entries = files.list(&path).await.map_err(|e| {
            // A folder the watch's permissions do not reach is said so, as a run's file is.
            let denied = [EffectErrorKind::PermissionDenied, EffectErrorKind::NotPermitted];
            let code = if denied.contains(&e.kind) {
                ErrorCode::PERMISSION_DENIED
            } else {
                ErrorCode::EXECUTION_FAILED
            };
            ExecutionError::new(code, format!("Cannot list {path}: {e}"))
        })?;
        for entry in entries {
            seen += 1;
            if seen > SCAN_LIMIT {
                return Err(ExecutionError::new(
                    ErrorCode::MEMORY_LIMIT_EXCEEDED,
                    format!("{root} holds more than {SCAN_LIMIT} entries: watch a smaller folder"),
                ));
            }
            let relative = if folder.is_empty() {
                entry.name.clone()
            } else {
                format!("{folder}/{}", entry.name)
            };
            if entry.is_dir {
                if spec.recursive {
                    folders.push(relative);
                }
                continue;
            }
            if !spec.matches(&relative) {
                continue;
            }
            let full = format!("{root}/{relative}");
            // Gone between the listing and now: the next scan says so.
            let Ok(Some(meta)) = files.stat(&full).await else { continue };
            if !meta.is_file {
                continue;
            }
            let modified = meta.modified_ms.unwrap_or(0.0) as i64;
            found.push(Found { relative, full, size: meta.size, modified });
        }
    }
    found.sort_by(|a, b| (a.modified, &a.relative).cmp(&(b.modified, &b.relative)));
    Ok(found)
}
