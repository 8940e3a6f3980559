//! `conductor.credentials`: the credentials nodes name (`credential: "warehouse"`), kept where
//! the conductor keeps its flows — beside them in files, in PostgreSQL's or Redis's storage
//! table for a fleet, in memory for a memory conductor — each as a sealed record (`sealed.rs`:
//! XChaCha20-Poly1305, the name and type bound in) under the key `<name>.credential`, which the
//! flow store does not list.
//!
//! The key is the process's (`key.rs`); the binding says where it comes from and hands the
//! vault a [`KeySource`], asked only when a credential is set or read, so a conductor that never
//! uses credentials needs none. A vault whose key source fails is *locked*: `list` and `delete`
//! still work (they need no key), `set` and reading a credential fail with `CREDENTIALS_LOCKED`
//! and the source's reason.
//!
//! Nothing is cached: every read goes to the store, so a credential set again (rotated) is what
//! the next run reads, in this process and in every other one sharing the store.

mod key;
mod sealed;

use std::sync::{Arc, OnceLock};

use atomiton_core::error::{ErrorCode, ExecutionError, Result};
use atomiton_core::host::effects::{Credential, CredentialSource};
use atomiton_core::host::BoxFuture;
use atomiton_core::session::{CredentialInfo, CredentialList, CredentialVault};
use atomiton_core::storage::StorageBackend;

pub use key::Key;

/// Where a vault's key comes from, asked when a credential is first set or read: `create` is
/// true for a set (a source that makes a key file may make it then). An error is the reason the
/// vault is locked.
pub type KeySource = Arc<dyn Fn(bool) -> std::result::Result<Key, String> + Send + Sync>;

/// The suffix of a credential's storage key.
const SUFFIX: &str = ".credential";

/// Credentials sealed in a text-by-key store.
pub struct Vault {
    backend: Arc<dyn StorageBackend>,
    keys: Arc<Keys>,
}

/// The key source and the key it gave.
struct Keys {
    source: KeySource,
    key: OnceLock<Key>,
}

impl Vault {
    /// Credentials in `backend`, sealed with the key `source` gives.
    pub fn new(backend: Arc<dyn StorageBackend>, source: KeySource) -> Arc<Vault> {
        Arc::new(Vault { backend, keys: Arc::new(Keys { source, key: OnceLock::new() }) })
    }
}

impl Keys {
    /// The key, asked for once it is needed and kept once given.
    fn key(&self, create: bool) -> Result<Key> {
        if let Some(key) = self.key.get() {
            return Ok(key.clone());
        }
        let key = (self.source)(create).map_err(|reason| {
            ExecutionError::new(
                ErrorCode::CREDENTIALS_LOCKED,
                format!("Credentials are locked: {reason}"),
            )
        })?;
        Ok(self.key.get_or_init(|| key).clone())
    }
}

fn storage_key(name: &str) -> String {
    format!("{name}{SUFFIX}")
}

fn store_error(what: &str, error: atomiton_core::host::effects::EffectError) -> ExecutionError {
    ExecutionError::new(ErrorCode::EXECUTION_FAILED, format!("Credentials: {what}: {error}"))
}

impl CredentialSource for Vault {
    fn credential(&self, name: &str) -> BoxFuture<'static, Result<Option<Credential>>> {
        let name = name.to_owned();
        let read = self.backend.read(&storage_key(&name));
        let keys = self.keys.clone();
        Box::pin(async move {
            let Some(text) = read.await.map_err(|e| store_error("reading", e))? else {
                return Ok(None);
            };
            // Asked only now: a conductor without credentials needs no key to find that a
            // node's credential is missing.
            sealed::open(&keys.key(false)?, &name, &text).map(Some)
        })
    }
}

impl CredentialVault for Vault {
    fn set(&self, name: String, credential: Credential) -> BoxFuture<'static, Result<()>> {
        let sealed = self.keys.key(true).and_then(|key| sealed::seal(&key, &name, &credential));
        let backend = self.backend.clone();
        Box::pin(async move {
            let text = sealed?;
            backend.write(&storage_key(&name), text).await.map_err(|e| store_error("writing", e))
        })
    }

    fn list(&self) -> BoxFuture<'static, Result<CredentialList>> {
        let backend = self.backend.clone();
        Box::pin(async move {
            let keys = backend.keys().await.map_err(|e| store_error("listing", e))?;
            let mut names: Vec<String> = keys
                .into_iter()
                .filter_map(|key| key.strip_suffix(SUFFIX).map(str::to_owned))
                .collect();
            names.sort();
            let mut credentials = Vec::with_capacity(names.len());
            for name in names {
                let read = backend.read(&storage_key(&name)).await;
                let Some(text) = read.map_err(|e| store_error("reading", e))? else { continue };
                let kind = sealed::kind_of(&text).unwrap_or_default();
                credentials.push(CredentialInfo { name, kind });
            }
            Ok(CredentialList { credentials })
        })
    }

    fn delete(&self, name: String) -> BoxFuture<'static, Result<bool>> {
        let removed = self.backend.remove(&storage_key(&name));
        Box::pin(async move { removed.await.map_err(|e| store_error("deleting", e)) })
    }
}
