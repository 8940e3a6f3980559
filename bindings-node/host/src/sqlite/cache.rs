//! The cache's entries as texts in a table of the SQLite history database (`cache`: key, text),
//! on the link the triggers' tables share (`shared.rs`): a [`StorageBackend`] under
//! `atomiton_cache::PersistedCache`, which keeps every entry in memory as well and reads
//! them back when a conductor opens the database.

use std::path::Path;
use std::sync::Arc;

use atomiton_core::error::{ExecutionError, Result};
use atomiton_core::host::effects::{EffectError, EffectErrorKind, EffectResult};
use atomiton_core::host::BoxFuture;
use atomiton_core::storage::StorageBackend;
use rusqlite::{params, Connection, OptionalExtension};

use super::shared::SharedFile;

/// The `cache` table of the database at `path` (created, with the file, when absent).
pub fn sqlite_cache_backend(path: &Path) -> Result<Arc<dyn StorageBackend>> {
    let file = SharedFile::open(
        path,
        "Result cache",
        "CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, text TEXT NOT NULL)",
    )?;
    Ok(Arc::new(SqliteCacheTable { file }))
}

struct SqliteCacheTable {
    file: SharedFile,
}

impl SqliteCacheTable {
    fn job<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> BoxFuture<'static, EffectResult<T>> {
        let answer = self.file.job(job);
        Box::pin(async move { answer.await.map_err(effect_error) })
    }
}

fn effect_error(error: ExecutionError) -> EffectError {
    EffectError::new(EffectErrorKind::Other, error.message)
}

impl StorageBackend for SqliteCacheTable {
    fn keys(&self) -> BoxFuture<'static, EffectResult<Vec<String>>> {
        self.job(|conn| {
            let mut statement = conn.prepare_cached("SELECT key FROM cache")?;
            let keys = statement.query_map([], |row| row.get(0))?;
            keys.collect()
        })
    }

    fn read(&self, key: &str) -> BoxFuture<'static, EffectResult<Option<String>>> {
        let key = key.to_owned();
        self.job(move |conn| {
            conn.prepare_cached("SELECT text FROM cache WHERE key = ?1")?
                .query_row(params![key], |row| row.get(0))
                .optional()
        })
    }

    fn write(&self, key: &str, text: String) -> BoxFuture<'static, EffectResult<()>> {
        let key = key.to_owned();
        self.job(move |conn| {
            conn.prepare_cached("INSERT OR REPLACE INTO cache (key, text) VALUES (?1, ?2)")?
                .execute(params![key, text])
                .map(drop)
        })
    }

    fn remove(&self, key: &str) -> BoxFuture<'static, EffectResult<bool>> {
        let key = key.to_owned();
        self.job(move |conn| {
            conn.prepare_cached("DELETE FROM cache WHERE key = ?1")?
                .execute(params![key])
                .map(|n| n > 0)
        })
    }
}
