//! The native host's effects for a run whose permissions grant files within roots or HTTP to
//! given hosts: the file system confined to the roots (checked on resolved paths, symlinks
//! followed) and HTTP limited to the hosts (checked on every redirect hop). The engine narrows
//! the rest ([`atomiton_core::host::restricted`]): effects not granted at all are refused,
//! effects granted entirely are the native host's own.

mod files;
mod http;

use atomiton_core::host::{ConfinedEffects, FileAccess, HttpAccess, RunPermissions};

use crate::files::NativeFiles;
use crate::http::NativeHttp;
use files::ConfinedFiles;
use http::AllowedHosts;

/// A native host's file system and HTTP client limited to what `permissions` grant.
pub(crate) fn confined_effects(
    files: &NativeFiles,
    http: &NativeHttp,
    permissions: &RunPermissions,
) -> ConfinedEffects {
    ConfinedEffects {
        files: match &permissions.files {
            FileAccess::Within { roots } => {
                Some(Box::new(ConfinedFiles::new(files.clone(), roots)))
            }
            FileAccess::Any(_) => None,
        },
        http: match &permissions.http {
            access @ HttpAccess::To { .. } => {
                Some(Box::new(AllowedHosts::new(http.clone(), access.clone())))
            }
            HttpAccess::Any(_) => None,
        },
    }
}
