//! The ledger of keyed mail is the conductor's flow storage; what it needs beyond a storage
//! backend is one step no two senders can both win: writing a key only where none is kept
//! ([`Ledger::create`]). Files link a fully written temporary file into place (a link never
//! replaces), PostgreSQL inserts with `ON CONFLICT DO NOTHING`, Redis sets with `HSETNX`; each is
//! one step for every process on the same storage. Storage only this process reaches (memory, the
//! app's own key-value storage) is made a ledger by [`InProcess`].

use std::sync::Arc;

use atomiton_core::host::effects::EffectResult;
use atomiton_core::host::BoxFuture;
use atomiton_core::storage::StorageBackend;

use crate::files::errors::io_error;
use crate::files::write_atomic_new;
use crate::storage::{FileStorage, PostgresStorage, RedisStorage};
use crate::task::blocking_effect;

/// A storage backend that can write a key only where none is kept, in one step.
pub trait Ledger: StorageBackend {
    /// Keeps `text` under `key` when nothing is kept there: `true` when it was written, `false`
    /// when the key was kept already (and is left as it was).
    fn create(&self, key: &str, text: String) -> BoxFuture<'static, EffectResult<bool>>;

    /// The same store as the flow storage it also is.
    fn into_storage(self: Arc<Self>) -> Arc<dyn StorageBackend>;
}

impl Ledger for FileStorage {
    fn create(&self, key: &str, text: String) -> BoxFuture<'static, EffectResult<bool>> {
        let path = self.directory().join(key);
        blocking_effect(self.handle(), "storage create", move || {
            match write_atomic_new(&path, text.as_bytes(), true) {
                Ok(()) => Ok(true),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
                Err(e) => Err(io_error("create", &path, &e)),
            }
        })
    }

    fn into_storage(self: Arc<Self>) -> Arc<dyn StorageBackend> {
        self
    }
}

impl Ledger for PostgresStorage {
    fn create(&self, key: &str, text: String) -> BoxFuture<'static, EffectResult<bool>> {
        self.create_row(key, text)
    }

    fn into_storage(self: Arc<Self>) -> Arc<dyn StorageBackend> {
        self
    }
}

impl Ledger for RedisStorage {
    fn create(&self, key: &str, text: String) -> BoxFuture<'static, EffectResult<bool>> {
        self.create_field(key, text)
    }

    fn into_storage(self: Arc<Self>) -> Arc<dyn StorageBackend> {
        self
    }
}

/// A storage only this process reaches, as a ledger: its creates take turns behind one lock, so
/// of two senders in this process one reads the key absent and writes it before the other reads.
pub struct InProcess<B> {
    storage: Arc<B>,
    turns: Arc<tokio::sync::Mutex<()>>,
}

impl<B: StorageBackend> InProcess<B> {
    /// `storage`, which no other process writes, as a ledger.
    pub fn new(storage: B) -> Self {
        InProcess { storage: Arc::new(storage), turns: Arc::new(tokio::sync::Mutex::new(())) }
    }
}

impl<B: StorageBackend + 'static> StorageBackend for InProcess<B> {
    fn keys(&self) -> BoxFuture<'static, EffectResult<Vec<String>>> {
        self.storage.keys()
    }

    fn read(&self, key: &str) -> BoxFuture<'static, EffectResult<Option<String>>> {
        self.storage.read(key)
    }

    fn write(&self, key: &str, text: String) -> BoxFuture<'static, EffectResult<()>> {
        self.storage.write(key, text)
    }

    fn remove(&self, key: &str) -> BoxFuture<'static, EffectResult<bool>> {
        self.storage.remove(key)
    }

    fn keeps_json(&self) -> bool {
        self.storage.keeps_json()
    }
}

impl<B: StorageBackend + 'static> Ledger for InProcess<B> {
    fn create(&self, key: &str, text: String) -> BoxFuture<'static, EffectResult<bool>> {
        let (turns, storage, key) = (self.turns.clone(), self.storage.clone(), key.to_owned());
        Box::pin(async move {
            // The read is asked only once the turn is held: a store may read when asked.
            let _turn = turns.lock().await;
            if storage.read(&key).await?.is_some() {
                return Ok(false);
            }
            storage.write(&key, text).await?;
            Ok(true)
        })
    }

    fn into_storage(self: Arc<Self>) -> Arc<dyn StorageBackend> {
        self
    }
}
