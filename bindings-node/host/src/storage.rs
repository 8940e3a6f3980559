//! Flow storage on disk: one YAML file per flow in a directory, written atomically; or in a
//! PostgreSQL database ([`PostgresStorage`]) or a Redis hash ([`RedisStorage`]).

pub use crate::postgres::flows::PostgresStorage;
pub use crate::redis::flows::RedisStorage;

use std::path::PathBuf;
use std::sync::Arc;

use atomiton_core::host::effects::EffectResult;
use atomiton_core::host::BoxFuture;
use atomiton_core::storage::StorageBackend;
use tokio::runtime::Handle;

use crate::files::errors::io_error;
use crate::files::{remove_stale_temps, write_atomic};

/// A store thread's answer as a storage backend's: a server that did not answer in time
/// (`TRANSPORT_ERROR`) is a network failure, which the next try may not meet.
pub(crate) fn as_effect<T: Send + 'static>(
    answer: BoxFuture<'static, atomiton_core::error::Result<T>>,
) -> BoxFuture<'static, EffectResult<T>> {
    use atomiton_core::host::effects::{EffectError, EffectErrorKind};
    Box::pin(async move {
        answer.await.map_err(|e| {
            let kind = match e.code {
                atomiton_core::error::ErrorCode::TRANSPORT_ERROR => EffectErrorKind::Network,
                _ => EffectErrorKind::Other,
            };
            EffectError::new(kind, e.message)
        })
    })
}

/// A temporary file older than this is a killed save's: no save takes anywhere near as long.
const STALE_TEMP_AGE: std::time::Duration = std::time::Duration::from_secs(600);
use crate::task::blocking_effect;

/// Stores each key as a file in `directory` (created on first write). Keys are validated flow
/// ids plus a suffix, so they are plain file names.
#[derive(Clone, Debug)]
pub struct FileStorage {
    directory: Arc<PathBuf>,
    handle: Handle,
}

impl FileStorage {
    /// Flows in `directory`; file work runs on `handle`'s blocking pool. The temporary files of
    /// saves a killed process never finished are removed, in the background.
    pub fn new(directory: PathBuf, handle: Handle) -> Self {
        let dir = directory.clone();
        drop(handle.spawn_blocking(move || remove_stale_temps(&dir, STALE_TEMP_AGE)));
        FileStorage { directory: Arc::new(directory), handle }
    }

    /// The directory flows are stored in.
    pub fn directory(&self) -> &std::path::Path {
        &self.directory
    }

    /// The runtime its file work runs on.
    pub(crate) fn handle(&self) -> &Handle {
        &self.handle
    }
}

impl StorageBackend for FileStorage {
    fn keys(&self) -> BoxFuture<'static, EffectResult<Vec<String>>> {
        let dir = self.directory.clone();
        blocking_effect(&self.handle, "storage listing", move || match std::fs::read_dir(&*dir) {
            Ok(entries) => Ok(entries
                .filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(io_error("list", &dir, &e)),
        })
    }

    fn read(&self, key: &str) -> BoxFuture<'static, EffectResult<Option<String>>> {
        let path = self.directory.join(key);
        blocking_effect(&self.handle, "storage read", move || {
            match std::fs::read_to_string(&path) {
                Ok(text) => Ok(Some(text)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(io_error("read", &path, &e)),
            }
        })
    }

    fn write(&self, key: &str, text: String) -> BoxFuture<'static, EffectResult<()>> {
        let path = self.directory.join(key);
        blocking_effect(&self.handle, "storage write", move || {
            write_atomic(&path, text.as_bytes(), true).map_err(|e| io_error("write", &path, &e))
        })
    }

    fn remove(&self, key: &str) -> BoxFuture<'static, EffectResult<bool>> {
        let path = self.directory.join(key);
        blocking_effect(&self.handle, "storage remove", move || match std::fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io_error("remove", &path, &e)),
        })
    }
}
