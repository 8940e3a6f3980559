//! The effects environment-bound node types need: HTTP, files, processes, Python calls, mail and
//! credentials. Node logic
//! (parameters, messages, output shapes) lives in core and is tested there; a host supplies only
//! the raw effect (the native host with tokio, reqwest, `std::fs` and `tokio::process`; the
//! browser host with `fetch`).

mod credentials;
mod database;
mod files;
mod http;
mod mail;
mod process;
mod python;
mod streamed;

pub use credentials::{redact, Credential, CredentialSource};
pub use database::{
    DatabaseClient, DatabaseLimits, DatabaseRows, DatabaseWork, Statement, StatementRows,
};
pub use files::{already_exists, DirEntry, FileMetadata, FileSystem};
pub use http::{HttpClient, HttpRequest, HttpResponse};
pub use mail::{MailAttachment, MailMessage, MailSecurity, MailSender, MailServer, MailWork};
pub use process::{ProcessOutput, ProcessRunner, ProcessSpec};
pub use python::{PythonCall, PythonException, PythonReturn, PythonRunner, PythonSource};
pub use streamed::{BodyReader, BodyWriter, StreamedBodies};

/// Why an effect failed. Node types turn it into their own messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectError {
    pub kind: EffectErrorKind,
    pub message: String,
}

/// Categories node types react to differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EffectErrorKind {
    /// The path, program or resource does not exist.
    NotFound,
    /// Something exists where the effect would create it (a write told not to replace).
    AlreadyExists,
    /// Permission denied.
    PermissionDenied,
    /// A network failure (connection refused, DNS, TLS, reset).
    Network,
    /// The operation exceeded its time limit.
    TimedOut,
    /// A size cap was hit.
    TooLarge,
    /// The operation was cancelled through its signal.
    Cancelled,
    /// The host does not provide this effect.
    Unsupported,
    /// The run's permissions do not allow it (a path outside its roots, a host not listed).
    NotPermitted,
    /// Anything else.
    Other,
}

impl EffectError {
    pub fn new(kind: EffectErrorKind, message: impl Into<String>) -> Self {
        EffectError { kind, message: message.into() }
    }

    pub fn unsupported(what: &str) -> Self {
        EffectError::new(
            EffectErrorKind::Unsupported,
            format!("{what} is not available in this environment"),
        )
    }

    /// `Permission denied: <what>`, for an effect the run's permissions do not allow.
    pub fn not_permitted(what: impl std::fmt::Display) -> Self {
        EffectError::new(EffectErrorKind::NotPermitted, format!("Permission denied: {what}"))
    }
}

impl std::fmt::Display for EffectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EffectError {}

/// Result of an effect.
pub type EffectResult<T> = Result<T, EffectError>;
