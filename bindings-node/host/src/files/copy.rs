//! Copying a file, or a directory recursively.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use atomiton_core::host::effects::{EffectError, EffectErrorKind, EffectResult};

use super::canonical::resolve_existing;
use super::errors::{io_error, io_error_pair};

/// Copies `from` (a file, or a directory with everything below it) to `to`. A file replaces
/// an existing file; a directory merges into an existing one. Symlinks inside a copied
/// directory are recreated as links, never followed (a link to `..` would recurse forever).
pub(super) fn copy(from: &Path, to: &Path) -> EffectResult<()> {
    let metadata = fs::metadata(from).map_err(|e| io_error("copy", from, &e))?;
    let source = fs::canonicalize(from).map_err(|e| io_error("copy", from, &e))?;
    let destination = resolve_existing(to);
    if metadata.is_dir() {
        // Copying a directory into itself would never finish.
        if destination.starts_with(&source) {
            return Err(EffectError::new(
                EffectErrorKind::Other,
                format!("Cannot copy '{}' into itself ('{}')", from.display(), to.display()),
            ));
        }
        copy_dir(from, to).map_err(|(path, e)| io_error("copy", &path, &e))
    } else {
        // Copying a file onto itself would truncate it to nothing.
        if destination == source {
            return Err(EffectError::new(
                EffectErrorKind::Other,
                format!(
                    "Cannot copy '{}' to '{}': they are the same file",
                    from.display(),
                    to.display()
                ),
            ));
        }
        fs::copy(from, to).map(drop).map_err(|e| io_error_pair("copy", from, to, &e))
    }
}

/// Recursive copy; errors carry the path they happened at.
fn copy_dir(from: &Path, to: &Path) -> Result<(), (PathBuf, io::Error)> {
    fs::create_dir_all(to).map_err(|e| (to.to_path_buf(), e))?;
    for entry in fs::read_dir(from).map_err(|e| (from.to_path_buf(), e))? {
        let entry = entry.map_err(|e| (from.to_path_buf(), e))?;
        let source = entry.path();
        let target = to.join(entry.file_name());
        let file_type = entry.file_type().map_err(|e| (source.clone(), e))?;
        if file_type.is_dir() {
            copy_dir(&source, &target)?;
        } else if file_type.is_symlink() {
            copy_link(&source, &target).map_err(|e| (source.clone(), e))?;
        } else {
            fs::copy(&source, &target).map_err(|e| (source.clone(), e))?;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn copy_link(source: &Path, target: &Path) -> io::Result<()> {
    let link = fs::read_link(source)?;
    std::os::unix::fs::symlink(link, target)
}

/// Without unix symlink creation, copy what the link points to.
#[cfg(not(unix))]
fn copy_link(source: &Path, target: &Path) -> io::Result<()> {
    fs::copy(source, target).map(drop)
}
