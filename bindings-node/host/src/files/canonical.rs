//! Paths with symlinks resolved as far as they exist.

use std::fs;
use std::path::{Component, Path, PathBuf};

/// `path` made absolute with symlinks resolved as far as it exists, so it can be compared with
/// canonical paths even when it does not exist yet (a copy's destination, a file about to be
/// written). Components past the existing prefix cannot be symlinks, so `..` among them is
/// resolved lexically.
pub(crate) fn resolve_existing(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let components: Vec<Component<'_>> = absolute.components().collect();
    for split in (1..=components.len()).rev() {
        let prefix: PathBuf = components[..split].iter().collect();
        if let Ok(mut resolved) = fs::canonicalize(&prefix) {
            for component in &components[split..] {
                match component {
                    Component::ParentDir => {
                        resolved.pop();
                    }
                    Component::CurDir => {}
                    other => resolved.push(other.as_os_str()),
                }
            }
            return resolved;
        }
    }
    absolute
}
