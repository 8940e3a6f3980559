//! Where the native conductor keeps flows when the config does not say.

use std::path::PathBuf;

use atomiton_core::session::SessionConfig;

/// `storage.directory`, else `~/.atomiton/flows`, else `.atomiton/flows`.
pub(crate) fn storage_directory(config: &SessionConfig) -> PathBuf {
    config.storage.directory.clone().unwrap_or_else(|| {
        std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")).map_or_else(|| PathBuf::from(".atomiton"), |home| PathBuf::from(home).join(".atomiton")).join("flows")
    })
}
