//! Atomic file writes: readers see the old contents or the new, never a half-written file, even
//! if the process dies mid-write (a saved flow must never be lost or half-written).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Attempts at finding an unused temporary name before giving up (a clash needs the same 64
/// random bits twice, so more than one attempt is already rare).
const TEMP_NAME_ATTEMPTS: usize = 8;
/// Characters of the target's name kept in the temporary name: enough to recognise a leftover,
/// few enough that the temporary name stays under the file system's name limit.
const NAME_HINT_CHARS: usize = 64;

/// Writes `contents` to `path` atomically: into a new temporary file in the same directory
/// (rename is only atomic within one file system), flushed to disk, then renamed over the
/// target, and finally the directory itself flushed so the rename survives a crash.
///
/// Writing to a symlink writes its target, as `fs.writeFile` does. An existing file keeps its
/// permissions. Parent directories are created when `create_parents`. On failure the temporary
/// file is removed and the target is untouched.
pub fn write_atomic(path: &Path, contents: &[u8], create_parents: bool) -> io::Result<()> {
    write_into_place(path, contents, create_parents, Place::Replace)
}

/// [`write_atomic`] when nothing is at `path` yet: the file is linked into place rather than
/// renamed over it, which fails (`AlreadyExists`) if something is there, in the same step — a
/// file another process creates meanwhile is never replaced. The target is then never a
/// symlink's: an existing symlink is something at `path`.
pub fn write_atomic_new(path: &Path, contents: &[u8], create_parents: bool) -> io::Result<()> {
    write_into_place(path, contents, create_parents, Place::New)
}

/// How the written file takes its place.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Renamed over whatever is there.
    Replace,
    /// Hard-linked where nothing is (a link never replaces), then its temporary name removed.
    New,
}

fn write_into_place(
    path: &Path,
    contents: &[u8],
    create_parents: bool,
    place: Place,
) -> io::Result<()> {
    let target = if place == Place::New { path.to_path_buf() } else { through_symlink(path) };
    let name = target
        .file_name()
        .ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "the path does not name a file")
        })?
        .to_os_string();
    let dir = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if create_parents {
        fs::create_dir_all(&dir)?;
    }

    let (temp_path, file) = create_temp(&dir, &name.to_string_lossy())?;
    let written = fill(file, &target, contents).and_then(|()| match place {
        Place::Replace => fs::rename(&temp_path, &target),
        Place::New => fs::hard_link(&temp_path, &target).and_then(|()| fs::remove_file(&temp_path)),
    });
    if let Err(error) = written {
        // Best effort: the original error is the one worth reporting.
        let _ = fs::remove_file(&temp_path);
        return Err(error);
    }
    sync_dir(&dir);
    Ok(())
}

/// The file a symlink points to (so the link survives the rename), or `path` itself.
fn through_symlink(path: &Path) -> PathBuf {
    match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_symlink() => {
            fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    }
}

/// Removes from `dir` the temporary files of writes that never finished (their process was
/// killed between creating the file and renaming it over its target): files named as
/// [`create_temp`] names them, last written more than `older_than` ago (a write in progress, in
/// this process or another, is never that old). How many went.
pub fn remove_stale_temps(dir: &Path, older_than: std::time::Duration) -> usize {
    let Ok(entries) = fs::read_dir(dir) else { return 0 };
    let now = std::time::SystemTime::now();
    let mut removed = 0;
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !is_temp_name(name) {
            continue;
        }
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|modified| now.duration_since(modified).ok())
            .is_some_and(|age| age > older_than);
        if stale && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Whether `name` is one [`create_temp`] makes: `.<hint>.<16 hex digits>.tmp`.
fn is_temp_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else {
        return false;
    };
    rest.rsplit_once('.')
        .is_some_and(|(_, hex)| hex.len() == 16 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A new, empty file next to the target, opened exclusively so no other file is ever clobbered.
fn create_temp(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    let hint: String = name.chars().take(NAME_HINT_CHARS).collect();
    let mut last_error = None;
    for _ in 0..TEMP_NAME_ATTEMPTS {
        let temp_path = dir.join(format!(".{hint}.{:016x}.tmp", fastrand::u64(..)));
        match OpenOptions::new().write(true).create_new(true).open(&temp_path) {
            Ok(file) => return Ok((temp_path, file)),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => last_error = Some(error),
            Err(error) => return Err(error),
        }
    }
    Err(last_error.unwrap_or_else(|| io::Error::other("could not create a temporary file")))
}

/// Writes the contents, copies the existing target's permissions, and flushes to disk.
fn fill(mut file: File, target: &Path, contents: &[u8]) -> io::Result<()> {
    file.write_all(contents)?;
    if let Ok(existing) = fs::metadata(target) {
        if existing.is_file() {
            file.set_permissions(existing.permissions())?;
        }
    }
    file.sync_all()
}

/// Flushes the directory entry of the rename. Best effort: not every platform or file system
/// can open or sync a directory, and the data itself is already safe.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}
