//! [`NativeMail`]: the `email` node's effect on the native host. `message.rs` writes what the
//! node says as MIME, `smtp.rs` hands it to the credential's server, and the ledger of mail
//! sent under an idempotency key is kept here, beside the conductor's flows (files, or the
//! PostgreSQL or Redis storage a fleet shares), so every process on the same storage sees it.

mod ledger;
mod message;
mod smtp;

pub use ledger::{InProcess, Ledger};

use std::sync::Arc;

use atomiton_core::host::effects::{EffectError, EffectErrorKind, MailSender, MailWork};
use atomiton_core::host::BoxFuture;
use sha2::{Digest, Sha256};
use tokio::runtime::Handle;

/// The suffix of a ledger entry's storage key (the flow store lists `.flow.yaml` keys only).
const SUFFIX: &str = ".sent-mail";

/// SMTP on the host's runtime, and the ledger of keyed mail in `ledger`.
#[derive(Clone)]
pub struct NativeMail {
    handle: Handle,
    ledger: Option<Arc<dyn Ledger>>,
}

impl NativeMail {
    /// Mail sent on `handle`'s runtime; without a ledger, a node with an idempotency key is
    /// refused (see [`NativeMail::with_ledger`]).
    pub fn new(handle: Handle) -> Self {
        NativeMail { handle, ledger: None }
    }

    /// Keyed mail is recorded in `ledger` (the conductor's flow storage).
    pub fn with_ledger(mut self, ledger: Arc<dyn Ledger>) -> Self {
        self.ledger = Some(ledger);
        self
    }

    fn ledger(&self) -> Result<Arc<dyn Ledger>, EffectError> {
        self.ledger.clone().ok_or_else(|| {
            EffectError::new(
                EffectErrorKind::Unsupported,
                "this conductor keeps no storage to record sent mail in",
            )
        })
    }
}

/// The storage key of an idempotency key: its SHA-256, so any text (and any length) makes a
/// name every backend takes, and the ledger's names say nothing of the keys.
fn storage_key(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("{hex}{SUFFIX}")
}

impl MailSender for NativeMail {
    fn send(&self, work: MailWork) -> BoxFuture<'static, Result<String, EffectError>> {
        let handle = self.handle.clone();
        Box::pin(async move {
            let (envelope, bytes) = message::written(&work.message)?;
            let signal = work.signal.clone();
            // Aborted when dropped: a node that timed out (its future dropped) or was
            // cancelled ends the conversation, and a connection closed before the final dot
            // leaves the server nothing to deliver.
            let sending = crate::task::spawn_effect(
                &handle,
                "SMTP",
                smtp::send(work.server, envelope, bytes),
            );
            tokio::select! {
                sent = sending => sent,
                () = signal.cancelled() => Err(EffectError::new(
                    EffectErrorKind::Cancelled,
                    "cancelled before the server accepted the message",
                )),
            }
        })
    }

    fn claim(
        &self,
        key: &str,
        claim: String,
    ) -> BoxFuture<'static, Result<Option<String>, EffectError>> {
        let ledger = self.ledger();
        let key = storage_key(key);
        Box::pin(async move {
            let ledger = ledger?;
            // A key removed between the two steps (its sender gave it back) is tried again.
            for _ in 0..3 {
                if ledger.create(&key, claim.clone()).await? {
                    return Ok(None);
                }
                if let Some(kept) = ledger.read(&key).await? {
                    return Ok(Some(kept));
                }
            }
            Err(EffectError::new(
                EffectErrorKind::Other,
                "the idempotency key's ledger entry kept changing: another sender is using it",
            ))
        })
    }

    fn mark_sent(&self, key: &str, record: String) -> BoxFuture<'static, Result<(), EffectError>> {
        let ledger = self.ledger();
        let key = storage_key(key);
        Box::pin(async move { ledger?.write(&key, record).await })
    }

    fn release(&self, key: &str) -> BoxFuture<'static, Result<(), EffectError>> {
        let ledger = self.ledger();
        let key = storage_key(key);
        Box::pin(async move { ledger?.remove(&key).await.map(drop) })
    }
}

#[cfg(test)]
mod tests {
    use super::storage_key;

    #[test]
    fn a_key_is_stored_under_its_digest() {
        assert_eq!(
            storage_key("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.sent-mail"
        );
        assert_ne!(storage_key("a/../b"), storage_key("a/../c"));
    }
}
