//! At most one mail per idempotency key, however many runs and processes reach it.
//!
//! Before a keyed mail is sent, its key is claimed in the host's ledger in one step that only
//! one caller can win (the ledger is the conductor's flow storage, which every process of a fleet
//! shares). So two runs with the same key at the same moment send one mail: the other is told the
//! key is taken, rather than both finding no record and both sending. The claim becomes the
//! record of the server's answer once the server accepted the message. A send the server refused,
//! or one cut short before it answered (a timeout, a cancel: the conversation is closed before
//! the message is complete), gives the key back, so a retry sends.
//!
//! A claim whose sender stopped half-way (its process was killed while the server had the
//! message) stays: whether the server accepted the mail cannot be known from here, and sending
//! it again could send it twice, so the node fails and says what to do.

use atomiton_core::error::{ErrorCode, ExecutionError};
use atomiton_core::host::effects::{EffectError, MailSender};
use atomiton_core::host::SharedHost;
use atomiton_core::json;
use atomiton_core::nodes::Invocation;
use atomiton_core::value::{codec, Value};

use crate::TYPE;

/// What the ledger says of a key.
pub(crate) enum Taken {
    /// This node holds the key now: it sends, then settles the claim.
    Ours(Claim),
    /// A mail with this key was accepted before: the node's output, as that send answered.
    Sent(Value),
    /// Another sender holds the key, or held it when it stopped: the node's error.
    Held(ExecutionError),
}

/// Claims `key` for this node's send.
pub(crate) async fn take(
    host: &SharedHost,
    mail: &dyn MailSender,
    key: &str,
    invocation: &Invocation,
) -> Result<Taken, EffectError> {
    let claim = json!({
        "sending": {
            "executionId": &*invocation.run.execution_id,
            "nodeId": &*invocation.node_id,
            "claimedAt": host.now(),
        }
    });
    let text = codec::to_json(&claim).unwrap_or_default();
    let Some(kept) = mail.claim(key, text).await? else {
        return Ok(Taken::Ours(Claim { host: host.clone(), key: key.to_owned(), settled: false }));
    };
    let mut kept = codec::from_json(&kept).unwrap_or_else(|_| json!({}));
    if let Some(sending) = kept.get("sending") {
        return Ok(Taken::Held(held(sending)));
    }
    if let Value::Object(fields) = &mut kept {
        fields.insert("alreadySent", Value::Bool(true));
    }
    Ok(Taken::Sent(kept))
}

/// The error of a node whose key another sender's claim holds.
fn held(sending: &Value) -> ExecutionError {
    let text = |name: &str| sending.get(name).and_then(Value::as_str).unwrap_or("?").to_owned();
    let since = sending
        .get("claimedAt")
        .and_then(Value::as_f64)
        .map(|ms| format!(" since {}", atomiton_core::format::iso_timestamp(ms)))
        .unwrap_or_default();
    ExecutionError::new(
        ErrorCode::EXECUTION_FAILED,
        format!(
            "[{TYPE}] A mail with this idempotency key is being sent by run '{}' (node '{}'){since}, or its sending stopped half-way and whether the server accepted it is unknown. Nothing was sent now: check the mailbox, and give the node another idempotencyKey to send it again",
            text("executionId"),
            text("nodeId"),
        ),
    )
}

/// A key this node holds until it settles it: by the server's record once the mail is accepted,
/// or by giving it back. Dropped unsettled (the node's future dropped mid-send: a timeout, a
/// cancel), it gives the key back on a task of its own.
pub(crate) struct Claim {
    host: SharedHost,
    key: String,
    settled: bool,
}

impl Claim {
    /// The mail was accepted: `record` replaces the claim.
    pub async fn sent(mut self, mail: &dyn MailSender, record: String) -> Result<(), EffectError> {
        self.settled = true;
        mail.mark_sent(&self.key, record).await
    }

    /// Nothing was accepted: the key is free again.
    pub async fn release(mut self, mail: &dyn MailSender) -> Result<(), EffectError> {
        self.settled = true;
        mail.release(&self.key).await
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        if let Some(mail) = self.host.mail() {
            let release = mail.release(&self.key);
            self.host.spawn(Box::pin(async move {
                // Nobody is left to tell: a claim left behind fails the key's next send, saying so.
                let _ = release.await;
            }));
        }
    }
}
