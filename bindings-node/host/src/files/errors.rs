//! I/O errors as effect errors: the kinds node types react to, and the OS's own message.

use std::io;
use std::path::Path;

use atomiton_core::host::effects::{EffectError, EffectErrorKind};

fn kind(error: &io::Error) -> EffectErrorKind {
    match error.kind() {
        io::ErrorKind::NotFound => EffectErrorKind::NotFound,
        io::ErrorKind::PermissionDenied => EffectErrorKind::PermissionDenied,
        io::ErrorKind::AlreadyExists => EffectErrorKind::AlreadyExists,
        _ => EffectErrorKind::Other,
    }
}

/// `Cannot <operation> '<path>': <OS message>`.
pub(crate) fn io_error(operation: &str, path: &Path, error: &io::Error) -> EffectError {
    EffectError::new(kind(error), format!("Cannot {operation} '{}': {error}", path.display()))
}

/// `Cannot <operation> '<from>' to '<to>': <OS message>`.
pub(crate) fn io_error_pair(
    operation: &str,
    from: &Path,
    to: &Path,
    error: &io::Error,
) -> EffectError {
    EffectError::new(
        kind(error),
        format!("Cannot {operation} '{}' to '{}': {error}", from.display(), to.display()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_the_io_error() {
        let path = Path::new("/some/where");
        let denied = io_error("read", path, &io::Error::from(io::ErrorKind::PermissionDenied));
        assert_eq!(denied.kind, EffectErrorKind::PermissionDenied);
        assert!(denied.message.starts_with("Cannot read '/some/where': "), "{denied}");
        let missing = io_error("read", path, &io::Error::from(io::ErrorKind::NotFound));
        assert_eq!(missing.kind, EffectErrorKind::NotFound);
        let os = io_error_pair("rename", path, Path::new("/x"), &io::Error::from_raw_os_error(18));
        assert_eq!(os.kind, EffectErrorKind::Other);
        // The OS's own words are kept.
        assert!(os.message.contains("os error 18"), "{os}");
    }
}
