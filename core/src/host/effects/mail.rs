//! Mail as a host effect: the `email` node (its executor in `atomiton-email`) says what to send —
//! addresses, subject, text, HTML, attachments, its Message-ID — and the host writes it as MIME
//! and hands it to the credential's SMTP server (the native host: lettre, STARTTLS or implicit
//! TLS, with authentication). The host also keeps the ledger of the idempotency keys whose mail
//! a server accepted. Writing MIME is the host's so that builds without an SMTP client (the
//! WebAssembly modules, which list the type in their catalog) carry no MIME writer.

use crate::host::effects::EffectError;
use crate::host::{BoxFuture, CancelToken, MaybeSend, MaybeSync};

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailSecurity {
    /// A plain connection upgraded with STARTTLS, which the server must offer (port 587).
    StartTls,
    /// TLS from the first byte (SMTPS, port 465).
    Tls,
    /// No TLS at all: a relay on this machine or a trusted network; never with a password.
    Plain,
}

/// The SMTP server a credential names, and how to log in to it.
#[derive(Clone)]
pub struct MailServer {
    pub host: String,
    pub port: u16,
    pub security: MailSecurity,
    /// The user and password to authenticate with (`None`: the server takes mail without).
    pub login: Option<(String, String)>,
    /// A PEM certificate (a private CA's, or the server's own) trusted besides the usual roots.
    pub root_certificate: Option<String>,
    /// Milliseconds the conversation with the server may take.
    pub timeout_ms: f64,
}

// Written by hand so that no `{:?}` of a server (or of the work holding it) shows the password.
impl std::fmt::Debug for MailServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailServer")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.login.as_ref().map(|(user, _)| user))
            .field("root_certificate", &self.root_certificate.is_some())
            .field("timeout_ms", &self.timeout_ms)
            .finish()
    }
}

/// One message to send. `to`, `cc` and `bcc` are the envelope's recipients too (Bcc is not
/// written into the message).
#[derive(Debug, Clone)]
pub struct MailWork {
    pub server: MailServer,
    pub message: MailMessage,
    pub signal: CancelToken,
}

/// What a message says. Addresses are `name <address>` or a bare address.
#[derive(Debug, Clone, Default)]
pub struct MailMessage {
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub bcc: Vec<String>,
    pub reply_to: Option<String>,
    pub subject: String,
    pub text: Option<String>,
    pub html: Option<String>,
    pub attachments: Vec<MailAttachment>,
    /// `<id@domain>`: the same on every attempt of a node with an idempotency key.
    pub message_id: String,
}

/// A file sent with a message.
#[derive(Debug, Clone)]
pub struct MailAttachment {
    pub filename: String,
    /// Its MIME type (`application/octet-stream` when the flow says none).
    pub content_type: String,
    pub data: std::sync::Arc<[u8]>,
}

/// A host's SMTP client, and the ledger of the mail it sent under an idempotency key.
///
/// A key is sent at most once: a sender first [claims](Self::claim) it, which only one caller
/// can win however many processes share the ledger, then either records what the server
/// answered ([`mark_sent`](Self::mark_sent)) or, when nothing was accepted, gives the key back
/// ([`release`](Self::release)).
pub trait MailSender: MaybeSend + MaybeSync {
    /// Sends `work`; resolves with the server's reply once it accepted the message.
    fn send(&self, work: MailWork) -> BoxFuture<'static, Result<String, EffectError>>;

    /// Keeps `claim` under `key` when nothing is kept there yet, in one step every process on the
    /// same ledger sees: `None` when this caller now holds the key, else what is kept under it
    /// (another sender's claim, or the record [`mark_sent`](Self::mark_sent) kept).
    fn claim(
        &self,
        key: &str,
        claim: String,
    ) -> BoxFuture<'static, Result<Option<String>, EffectError>>;

    /// Keeps `record` under `key` in place of its claim: a mail with that key was accepted by its
    /// server, and a run that reaches the same node again (a resume, a retry) answers with it
    /// instead of sending.
    fn mark_sent(&self, key: &str, record: String) -> BoxFuture<'static, Result<(), EffectError>>;

    /// Removes the claim on `key`: its mail was not accepted, so a later send may take the key.
    fn release(&self, key: &str) -> BoxFuture<'static, Result<(), EffectError>>;
}
