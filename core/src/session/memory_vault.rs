//! Credentials kept in memory, for the conductor's life: the WebAssembly engines' (a browser's
//! editor module, Node's fallback), where nothing is sealed on disk. The app sets them when it
//! starts, from wherever it keeps its secrets; they go when the conductor does.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::credentials::{CredentialInfo, CredentialList, CredentialVault};
use crate::error::Result;
use crate::host::effects::{Credential, CredentialSource};
use crate::host::BoxFuture;

/// Credentials by name, in memory (a clone shares them).
#[derive(Clone, Default)]
pub struct MemoryVault {
    kept: Arc<Mutex<BTreeMap<String, Credential>>>,
}

impl MemoryVault {
    pub fn new() -> Self {
        MemoryVault::default()
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Credential>> {
        // A panic while the lock was held left the map whole (every change is one insert or
        // remove), so its contents still stand.
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl CredentialSource for MemoryVault {
    fn credential(&self, name: &str) -> BoxFuture<'static, Result<Option<Credential>>> {
        let found = self.kept().get(name).cloned();
        Box::pin(std::future::ready(Ok(found)))
    }
}

impl CredentialVault for MemoryVault {
    fn set(&self, name: String, credential: Credential) -> BoxFuture<'static, Result<()>> {
        self.kept().insert(name, credential);
        Box::pin(std::future::ready(Ok(())))
    }

    fn list(&self) -> BoxFuture<'static, Result<CredentialList>> {
        let credentials = self
            .kept()
            .iter()
            .map(|(name, credential)| CredentialInfo {
                name: name.clone(),
                kind: credential.kind.clone(),
            })
            .collect();
        Box::pin(std::future::ready(Ok(CredentialList { credentials })))
    }

    fn delete(&self, name: String) -> BoxFuture<'static, Result<bool>> {
        let had = self.kept().remove(&name).is_some();
        Box::pin(std::future::ready(Ok(had)))
    }
}
