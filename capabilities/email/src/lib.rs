//! The `email` node type: its declaration (`declaration.rs`: parameters, checks, catalog entry)
//! and what a run of one node does:
//!
//! 1. its parameters are read and its addresses, subject and bodies written from their
//!    templates; its attachments are the flow's data the parameters point at (`request.rs`);
//! 2. the credential it names says which SMTP server and how to log in (`server.rs`);
//! 3. with an idempotency key, the key is claimed in the host's ledger first (`once.rs`): a key
//!    whose mail a server already accepted (a resumed run, a retry, another run with the same
//!    key) is answered from the ledger, nothing sent; a key another sender holds fails the
//!    node; otherwise the host's SMTP client sends it, and the claim becomes the record of the
//!    server's answer (or is given back when the server took nothing).
//!
//! Only the native addon links this crate (it has the SMTP client); the WebAssembly modules'
//! catalogs list the type, and their validation says where it runs.

mod declaration;
mod once;
mod request;
mod server;

use atomiton_core::error::{ErrorCode, ExecutionError};
use atomiton_core::host::effects::{redact, Credential, EffectError, EffectErrorKind, MailWork};
use atomiton_core::host::SharedHost;
use atomiton_core::json;
use atomiton_core::nodes::sdk::named_credential;
use atomiton_core::nodes::{Invocation, NodeRegistry, NodeResult};
use atomiton_core::session::SessionCapability;
use atomiton_core::value::codec;

pub use declaration::{node_type, EmailType, DESCRIPTOR, SCHEMA};

/// The node type's name.
pub const TYPE: &str = "email";

/// The capability: adds the `email` type to every session's registry.
pub struct Email;

impl SessionCapability for Email {
    fn provide(&self, registry: &mut NodeRegistry) {
        registry.register(node_type());
    }
}

async fn execute(invocation: Invocation, host: SharedHost) -> NodeResult {
    let request = request::Request::read(&invocation, &host)?;
    let Some(mail) = host.mail() else {
        return Err(ExecutionError::new(
            ErrorCode::IMPLEMENTATION_NOT_FOUND,
            format!("[{TYPE}] This environment has no SMTP client"),
        ));
    };
    let credential = named_credential(&host, TYPE, &request.credential).await?;
    let server = server::of(&request, &credential)?;
    let mut message = request.message;
    if message.from.is_empty() {
        message.from = credential.text("from").ok_or_else(|| {
            ExecutionError::new(
                ErrorCode::INVALID_PARAMETERS,
                format!(
                    "[{TYPE}] No sender: give the node 'from', or the credential '{}' a from field",
                    request.credential
                ),
            )
        })?;
    }
    // A key is the credential's: a flow with another credential using the same text neither
    // sees this mail's record nor stops it.
    let key = request.key.as_ref().map(|key| format!("{}\u{0}{key}", request.credential));
    message.message_id = request::message_id(key.as_deref(), &message.from, &invocation, &host);
    let claim = match &key {
        None => None,
        Some(key) => match once::take(&host, mail, key, &invocation)
            .await
            .map_err(|e| failed(&e, &credential))?
        {
            once::Taken::Ours(claim) => Some(claim),
            once::Taken::Sent(output) => return Ok(Some(output)),
            once::Taken::Held(error) => return Err(error),
        },
    };
    let recipients: Vec<String> =
        message.to.iter().chain(&message.cc).chain(&message.bcc).cloned().collect();
    let message_id = message.message_id.clone();
    let work = MailWork { server, message, signal: invocation.signal.clone() };
    let response = match mail.send(work).await {
        Ok(response) => response,
        Err(e) => {
            if let Some(claim) = claim {
                // The server took nothing: the key is free for a retry. A key that cannot be
                // given back fails that retry, saying so; the send's own error is this one.
                let _ = claim.release(mail).await;
            }
            return Err(failed(&e, &credential));
        }
    };
    let output = json!({
        "messageId": message_id,
        "recipients": recipients,
        "response": response,
        "alreadySent": false,
    });
    if let Some(claim) = claim {
        let record = codec::to_json(&output).unwrap_or_default();
        // The mail is sent: a ledger that cannot be written fails the node, saying so, rather
        // than let a retry or a resume believe nothing went out.
        claim.sent(mail, record).await.map_err(|e| {
            ExecutionError::new(
                ErrorCode::EXECUTION_FAILED,
                format!(
                    "[{TYPE}] The server accepted the message ({message_id}), but its idempotency key could not be recorded: {e}. Do not run this node again without checking the mailbox"
                ),
            )
        })?;
    }
    Ok(Some(output))
}

/// A failed effect as the node's error, the credential's secrets never in it.
fn failed(error: &EffectError, credential: &Credential) -> ExecutionError {
    let code = match error.kind {
        EffectErrorKind::PermissionDenied => ErrorCode::AUTHENTICATION_FAILED,
        EffectErrorKind::Network => ErrorCode::TRANSPORT_ERROR,
        EffectErrorKind::TimedOut => ErrorCode::TIMEOUT,
        EffectErrorKind::Cancelled => ErrorCode::CANCELLED,
        EffectErrorKind::Unsupported => ErrorCode::IMPLEMENTATION_NOT_FOUND,
        _ => ErrorCode::EXECUTION_FAILED,
    };
    ExecutionError::new(code, format!("[{TYPE}] {}", redact(&error.message, credential)))
}
