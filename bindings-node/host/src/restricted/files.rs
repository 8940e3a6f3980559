//! The file system confined to root directories.
//!
//! Each path is made absolute (relative paths against the working directory), its symlinks
//! resolved as far as it exists, `..` applied after that, and the result must lie inside a root
//! (itself resolved the same way). The operation is then done on that resolved path, so what was
//! checked is what is touched: a symlink inside a root that points outside is refused, and so is
//! `root/new/../../etc/x`, whose missing `new` would otherwise be created by a write. Operations
//! on an entry itself (remove, rename) resolve its directory and keep its own name, so a link can
//! be removed or moved without following it.
//!
//! Out of reach on purpose: a process outside the engine swapping a checked directory for a
//! symlink between the check and the operation. Flows cannot create symlinks (only `shell`,
//! which is not confined, can).

use std::path::{Path, PathBuf};

use atomiton_core::host::effects::{DirEntry, EffectError, EffectResult, FileMetadata, FileSystem};
use atomiton_core::host::BoxFuture;

use crate::files::canonical::resolve_existing;
use crate::files::NativeFiles;

/// [`NativeFiles`] limited to paths inside `roots`.
#[derive(Debug, Clone)]
pub(crate) struct ConfinedFiles {
    inner: NativeFiles,
    roots: Vec<PathBuf>,
}

impl ConfinedFiles {
    /// Roots are resolved now, against the same working directory as the paths.
    pub(crate) fn new(inner: NativeFiles, roots: &[String]) -> Self {
        let roots = roots
            .iter()
            .filter(|root| !root.is_empty())
            .map(|root| resolve_existing(&inner.resolve(root)))
            .collect();
        ConfinedFiles { inner, roots }
    }

    /// The resolved path to operate on, or why not. `follow_last`: whether the last component is
    /// followed when it is a symlink (reads, writes, listing) or is the entry itself (remove,
    /// rename).
    fn confine(&self, path: &str, follow_last: bool) -> EffectResult<String> {
        let absolute = resolve_existing_parent(&self.inner.resolve(path), follow_last);
        let inside = self.roots.iter().any(|root| absolute.starts_with(root));
        match absolute.to_str() {
            Some(resolved) if inside => Ok(resolved.to_owned()),
            // A name that is not UTF-8 could not be handed on unchanged: refuse rather than guess.
            _ => Err(EffectError::not_permitted(format!(
                "'{path}' is outside the directories this run may use"
            ))),
        }
    }

    fn refused<T: Send + 'static>(error: EffectError) -> BoxFuture<'static, EffectResult<T>> {
        Box::pin(std::future::ready(Err(error)))
    }
}

/// `path` resolved; with `follow_last` false, a final plain name is kept as it is, appended to
/// its resolved directory.
fn resolve_existing_parent(path: &Path, follow_last: bool) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (follow_last, absolute.file_name(), absolute.parent()) {
        (false, Some(name), Some(parent)) => resolve_existing(parent).join(name),
        _ => resolve_existing(&absolute),
    }
}

/// Runs `operation` on the confined path, or fails with the refusal.
macro_rules! confined {
    ($self:ident, $path:expr, $follow:expr, |$resolved:ident| $operation:expr) => {
        match $self.confine($path, $follow) {
            Ok($resolved) => $operation,
            Err(error) => Self::refused(error),
        }
    };
}

impl FileSystem for ConfinedFiles {
    fn stat(&self, path: &str) -> BoxFuture<'static, EffectResult<Option<FileMetadata>>> {
        confined!(self, path, true, |resolved| self.inner.stat(&resolved))
    }

    fn read(&self, path: &str) -> BoxFuture<'static, EffectResult<Vec<u8>>> {
        confined!(self, path, true, |resolved| self.inner.read(&resolved))
    }

    fn write(
        &self,
        path: &str,
        contents: Vec<u8>,
        create_parents: bool,
    ) -> BoxFuture<'static, EffectResult<()>> {
        confined!(self, path, true, |resolved| self.inner.write(
            &resolved,
            contents,
            create_parents
        ))
    }

    fn read_at(
        &self,
        path: &str,
        offset: u64,
        len: usize,
    ) -> BoxFuture<'static, EffectResult<Vec<u8>>> {
        confined!(self, path, true, |resolved| self.inner.read_at(&resolved, offset, len))
    }

    fn append(&self, path: &str, contents: Vec<u8>) -> BoxFuture<'static, EffectResult<()>> {
        confined!(self, path, true, |resolved| self.inner.append(&resolved, contents))
    }

    fn list(&self, path: &str) -> BoxFuture<'static, EffectResult<Vec<DirEntry>>> {
        confined!(self, path, true, |resolved| self.inner.list(&resolved))
    }

    fn create_dir(&self, path: &str, recursive: bool) -> BoxFuture<'static, EffectResult<()>> {
        confined!(self, path, true, |resolved| self.inner.create_dir(&resolved, recursive))
    }

    fn remove(&self, path: &str, recursive: bool) -> BoxFuture<'static, EffectResult<()>> {
        confined!(self, path, false, |resolved| self.inner.remove(&resolved, recursive))
    }

    fn copy(&self, from: &str, to: &str) -> BoxFuture<'static, EffectResult<()>> {
        confined!(self, from, true, |source| confined!(self, to, true, |destination| self
            .inner
            .copy(&source, &destination)))
    }

    fn rename(&self, from: &str, to: &str) -> BoxFuture<'static, EffectResult<()>> {
        confined!(self, from, false, |source| confined!(self, to, false, |destination| self
            .inner
            .rename(&source, &destination)))
    }

    fn write_new(
        &self,
        path: &str,
        contents: Vec<u8>,
        create_parents: bool,
    ) -> BoxFuture<'static, EffectResult<()>> {
        // A symlink at `path` is something there: write_new refuses it without following it.
        confined!(self, path, false, |resolved| self.inner.write_new(
            &resolved,
            contents,
            create_parents
        ))
    }

    fn rename_new(&self, from: &str, to: &str) -> BoxFuture<'static, EffectResult<()>> {
        confined!(self, from, false, |source| confined!(self, to, false, |destination| self
            .inner
            .rename_new(&source, &destination)))
    }

    /// The first root: the system's temporary directory is outside every root.
    fn temp_dir(&self) -> String {
        self.roots.first().map(|root| root.to_string_lossy().into_owned()).unwrap_or_default()
    }
}
