//! The file system: [`NativeFiles`] implements the core's [`FileSystem`] with `std::fs` calls on
//! tokio's blocking pool (which is what `tokio::fs` does too, one call at a time; running each
//! operation whole there lets multi-step ones like atomic writes and directory copies stay
//! plain synchronous code).

mod atomic;
pub(crate) mod canonical;
mod copy;
pub(crate) mod errors;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use atomiton_core::host::effects::{DirEntry, EffectResult, FileMetadata, FileSystem};
use atomiton_core::host::BoxFuture;
use tokio::runtime::Handle;

use crate::task::blocking_effect;
pub use atomic::{remove_stale_temps, write_atomic, write_atomic_new};
use errors::io_error;

/// The native file system. Relative paths resolve against the working directory given with
/// [`NativeFiles::with_working_dir`], or else the process's current directory.
#[derive(Clone, Debug)]
pub struct NativeFiles {
    handle: Handle,
    working_dir: Option<Arc<PathBuf>>,
}

impl NativeFiles {
    /// File operations run on `handle`'s blocking pool.
    pub fn new(handle: Handle) -> Self {
        NativeFiles { handle, working_dir: None }
    }

    /// Resolves relative paths against `dir` (an Electron app's `userData`, a CLI's cwd).
    pub fn with_working_dir(mut self, dir: PathBuf) -> Self {
        self.working_dir = Some(Arc::new(dir));
        self
    }

    /// `path`, relative ones joined to the working directory.
    pub(crate) fn resolve(&self, path: &str) -> PathBuf {
        resolve(self.working_dir.as_deref(), path)
    }

    fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> EffectResult<T> + Send + 'static,
    ) -> BoxFuture<'static, EffectResult<T>> {
        blocking_effect(&self.handle, "file operation", work)
    }
}

impl FileSystem for NativeFiles {
    fn stat(&self, path: &str) -> BoxFuture<'static, EffectResult<Option<FileMetadata>>> {
        let path = self.resolve(path);
        self.run(move || stat(&path))
    }

    fn read(&self, path: &str) -> BoxFuture<'static, EffectResult<Vec<u8>>> {
        let path = self.resolve(path);
        self.run(move || std::fs::read(&path).map_err(|e| io_error("read", &path, &e)))
    }

    fn write(
        &self,
        path: &str,
        contents: Vec<u8>,
        create_parents: bool,
    ) -> BoxFuture<'static, EffectResult<()>> {
        let path = self.resolve(path);
        self.run(move || {
            write_atomic(&path, &contents, create_parents).map_err(|e| io_error("write", &path, &e))
        })
    }

    fn read_at(
        &self,
        path: &str,
        offset: u64,
        len: usize,
    ) -> BoxFuture<'static, EffectResult<Vec<u8>>> {
        let path = self.resolve(path);
        self.run(move || read_at(&path, offset, len).map_err(|e| io_error("read", &path, &e)))
    }

    fn append(&self, path: &str, contents: Vec<u8>) -> BoxFuture<'static, EffectResult<()>> {
        let path = self.resolve(path);
        self.run(move || {
            use std::io::Write;
            std::fs::OpenOptions::new()
                .append(true)
                .open(&path)
                .and_then(|mut file| file.write_all(&contents))
                .map_err(|e| io_error("append to", &path, &e))
        })
    }

    fn list(&self, path: &str) -> BoxFuture<'static, EffectResult<Vec<DirEntry>>> {
        let path = self.resolve(path);
        self.run(move || list(&path).map_err(|e| io_error("list", &path, &e)))
    }

    fn create_dir(&self, path: &str, recursive: bool) -> BoxFuture<'static, EffectResult<()>> {
        let path = self.resolve(path);
        self.run(move || {
            let created =
                if recursive { std::fs::create_dir_all(&path) } else { std::fs::create_dir(&path) };
            created.map_err(|e| io_error("create directory", &path, &e))
        })
    }

    fn remove(&self, path: &str, recursive: bool) -> BoxFuture<'static, EffectResult<()>> {
        let path = self.resolve(path);
        self.run(move || remove(&path, recursive).map_err(|e| io_error("remove", &path, &e)))
    }

    fn copy(&self, from: &str, to: &str) -> BoxFuture<'static, EffectResult<()>> {
        let (from, to) = (self.resolve(from), self.resolve(to));
        self.run(move || copy::copy(&from, &to))
    }

    fn rename(&self, from: &str, to: &str) -> BoxFuture<'static, EffectResult<()>> {
        let (from, to) = (self.resolve(from), self.resolve(to));
        self.run(move || {
            std::fs::rename(&from, &to).map_err(|e| errors::io_error_pair("rename", &from, &to, &e))
        })
    }

    fn write_new(
        &self,
        path: &str,
        contents: Vec<u8>,
        create_parents: bool,
    ) -> BoxFuture<'static, EffectResult<()>> {
        let path = self.resolve(path);
        self.run(move || {
            write_atomic_new(&path, &contents, create_parents)
                .map_err(|e| io_error("write", &path, &e))
        })
    }

    fn rename_new(&self, from: &str, to: &str) -> BoxFuture<'static, EffectResult<()>> {
        let (from, to) = (self.resolve(from), self.resolve(to));
        self.run(move || {
            rename_new(&from, &to).map_err(|e| errors::io_error_pair("rename", &from, &to, &e))
        })
    }

    fn temp_dir(&self) -> String {
        std::env::temp_dir().to_string_lossy().into_owned()
    }
}

/// A rename that never replaces: a file is hard-linked at `to` (which fails if anything is
/// there) and its old name removed; a directory, which cannot be linked, is renamed after a
/// look (the one case a racing process could slip something in between).
fn rename_new(from: &Path, to: &Path) -> std::io::Result<()> {
    if std::fs::symlink_metadata(from)?.is_dir() {
        if std::fs::symlink_metadata(to).is_ok() {
            return Err(std::io::Error::from(std::io::ErrorKind::AlreadyExists));
        }
        return std::fs::rename(from, to);
    }
    std::fs::hard_link(from, to)?;
    std::fs::remove_file(from)
}

/// Metadata following symlinks (as `fs.stat`); `None` when nothing is there, including when a
/// parent component is a file.
fn stat(path: &Path) -> EffectResult<Option<FileMetadata>> {
    match std::fs::metadata(path) {
        Ok(metadata) => Ok(Some(FileMetadata {
            is_file: metadata.is_file(),
            is_dir: metadata.is_dir(),
            size: metadata.len(),
            modified_ms: metadata
                .modified()
                .ok()
                .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
                .map(|since| since.as_secs_f64() * 1000.0),
        })),
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(io_error("stat", path, &e)),
    }
}

/// Up to `len` bytes at `offset`: a short read only at the end of the file.
fn read_at(path: &Path, offset: u64, len: usize) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path)?;
    file.seek(SeekFrom::Start(offset))?;
    let mut bytes = Vec::with_capacity(len);
    file.take(len as u64).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Entries in the order the OS gives them. A symlink is not a directory here (as Node's
/// `Dirent.isDirectory()`), so recursive listings built on this never loop through links.
fn list(path: &Path) -> std::io::Result<Vec<DirEntry>> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(path)? {
        let entry = entry?;
        entries.push(DirEntry {
            name: entry.file_name().to_string_lossy().into_owned(),
            is_dir: entry.file_type()?.is_dir(),
        });
    }
    Ok(entries)
}

/// Removes a file or symlink (never its target), or a directory: only when empty unless
/// `recursive`.
fn remove(path: &Path, recursive: bool) -> std::io::Result<()> {
    let metadata = std::fs::symlink_metadata(path)?;
    if metadata.is_dir() {
        if recursive {
            std::fs::remove_dir_all(path)
        } else {
            std::fs::remove_dir(path)
        }
    } else {
        std::fs::remove_file(path)
    }
}

/// `path` against `base` when relative and a base is set.
pub(crate) fn resolve(base: Option<&PathBuf>, path: &str) -> PathBuf {
    match base {
        Some(base) if Path::new(path).is_relative() => base.join(path),
        _ => PathBuf::from(path),
    }
}
