//! I/O errors as effect errors: the kinds node types react to, and the OS's own message.

use std::io;
use std::path::Path;

use atomiton_core::host::effects::{EffectError, EffectErrorKind};

fn kind(error: &io::Error) -> EffectErrorKind {
    match error.kind() {
        io::ErrorKind::NotFound => EffectErrorKind::NotFound,
        io::ErrorKind::PermissionDenied => EffectErrorKind::PermissionDenied,
        _ => EffectErrorKind::Other,
    }
}

/// `Cannot <operation> '<path>': <OS message>`.
pub(crate) fn io_error(operation: &str, path: &Path, error: &io::Error) -> EffectError {
    EffectError::new(kind(error), format!("Cannot {operation} '{}': {error}", path.display()))
}

/// `Cannot <operation> '<from>' to '<to>': <OS message>`.
pub(crate) fn io_error_pair(operation: &str, from: &Path, to: &Path, error: &io::Error) -> EffectError {
    EffectError::new(kind(error), format!("Cannot {operation} '{}' to '{}': {error}", from.display(), to.display()))
}
