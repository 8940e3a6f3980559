//! The file system as a host effect.

use super::EffectResult;
use crate::host::{BoxFuture, MaybeSend, MaybeSync};

/// What `stat` tells.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FileMetadata {
    pub is_file: bool,
    pub is_dir: bool,
    pub size: u64,
    /// Milliseconds since the Unix epoch.
    pub modified_ms: Option<f64>,
}

/// One directory entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    pub name: String,
    pub is_dir: bool,
}

/// File operations, by path. Implementations are free to run them on a blocking pool.
pub trait FileSystem: MaybeSend + MaybeSync {
    /// `None` when nothing exists at `path`.
    fn stat(&self, path: &str) -> BoxFuture<'static, EffectResult<Option<FileMetadata>>>;
    fn read(&self, path: &str) -> BoxFuture<'static, EffectResult<Vec<u8>>>;
    /// Up to `len` bytes from `offset` on (fewer at the end of the file, none past it): how a
    /// file larger than memory is read, a piece at a time.
    fn read_at(
        &self,
        path: &str,
        offset: u64,
        len: usize,
    ) -> BoxFuture<'static, EffectResult<Vec<u8>>>;
    /// Creates missing parent directories when `create_parents`.
    fn write(
        &self,
        path: &str,
        contents: Vec<u8>,
        create_parents: bool,
    ) -> BoxFuture<'static, EffectResult<()>>;
    /// Adds `contents` at the end of an existing file (not atomic: a stream writes its file
    /// under a temporary name and renames it when complete).
    fn append(&self, path: &str, contents: Vec<u8>) -> BoxFuture<'static, EffectResult<()>>;
    /// Entries in directory order as the OS gives them.
    fn list(&self, path: &str) -> BoxFuture<'static, EffectResult<Vec<DirEntry>>>;
    fn create_dir(&self, path: &str, recursive: bool) -> BoxFuture<'static, EffectResult<()>>;
    /// Removes a file, or a directory (with its contents when `recursive`).
    fn remove(&self, path: &str, recursive: bool) -> BoxFuture<'static, EffectResult<()>>;
    /// Copies a file or (recursively) a directory.
    fn copy(&self, from: &str, to: &str) -> BoxFuture<'static, EffectResult<()>>;
    fn rename(&self, from: &str, to: &str) -> BoxFuture<'static, EffectResult<()>>;
    /// [`write`](Self::write), except that an existing file at `path` is left as it was and the
    /// write fails with [`AlreadyExists`](super::EffectErrorKind::AlreadyExists), in one step
    /// where the host's file system can refuse so (no other process can slip a file in between).
    fn write_new(
        &self,
        path: &str,
        contents: Vec<u8>,
        create_parents: bool,
    ) -> BoxFuture<'static, EffectResult<()>>;
    /// [`rename`](Self::rename), except that an existing `to` is left as it was and the rename
    /// fails with [`AlreadyExists`](super::EffectErrorKind::AlreadyExists).
    fn rename_new(&self, from: &str, to: &str) -> BoxFuture<'static, EffectResult<()>>;
    /// The directory for temporary files.
    fn temp_dir(&self) -> String;
}

/// The failure of a write or rename told not to replace `path`.
pub fn already_exists(path: &str) -> super::EffectError {
    super::EffectError::new(
        super::EffectErrorKind::AlreadyExists,
        format!("File already exists: {path}"),
    )
}
