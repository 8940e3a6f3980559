//! Custom node types (`nodeExecutorFactory`) run by the embedder: each call is queued as
//! `{kind: "call", id, type, params}`; the embedder runs its executable and answers with
//! [`super::Session::resolve_calls`]; a cancelled or timed-out attempt queues
//! `{kind: "abort", id}` so the embedder can abort the `signal` it passed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures::channel::oneshot;
use serde::Deserialize;
use serde_json::{json, Value};

use super::mailbox::{lock, Mailbox, Notifier};
use crate::error::{ErrorCode, ExecutionError};
use crate::host::BoxFuture;
use crate::nodes::{Invocation, NodeResult};

/// The bridge between the scheduler and the embedder's executors. A host's
/// [`crate::host::Host::execute_custom`] hands invocations to [`ExecutorCalls::execute`].
pub struct ExecutorCalls {
    pub(crate) mailbox: Mailbox,
    pending: Arc<Mutex<HashMap<u64, oneshot::Sender<NodeResult>>>>,
    next_id: AtomicU64,
}

/// What the embedder answers: `{ok: true, value?}` or `{ok: false, error: {message, code?, stack?}}`.
#[derive(Deserialize)]
struct Outcome {
    ok: bool,
    value: Option<Value>,
    error: Option<ThrownError>,
}

#[derive(Deserialize, Default)]
struct ThrownError {
    message: Option<String>,
    code: Option<String>,
    stack: Option<String>,
}

impl ExecutorCalls {
    pub fn new(notifier: Arc<Notifier>) -> Arc<Self> {
        Arc::new(ExecutorCalls { mailbox: Mailbox::new(notifier), pending: Arc::default(), next_id: AtomicU64::new(0) })
    }

    /// Queues a call for the embedder and waits for its answer.
    pub fn execute(self: &Arc<Self>, invocation: Invocation) -> BoxFuture<'static, NodeResult> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (sender, receiver) = oneshot::channel();
        let params = match serde_json::to_string(&invocation.executor_params()) {
            Ok(params) => params,
            Err(e) => return Box::pin(std::future::ready(Err(ExecutionError::new(ErrorCode::SERIALIZATION_FAILED, format!("Node parameters could not be serialised: {e}"))))),
        };
        lock(&self.pending).insert(id, sender);
        let calls = self.clone();
        invocation.signal.on_cancel(move || {
            lock(&calls.pending).remove(&id);
            calls.mailbox.post(json!({"kind": "abort", "id": id}).to_string());
        });
        let node_type = serde_json::to_string(&*invocation.node_type).unwrap_or_else(|_| "\"\"".into());
        self.mailbox.post(format!("{{\"kind\":\"call\",\"id\":{id},\"type\":{node_type},\"params\":{params}}}"));
        Box::pin(async move { receiver.await.unwrap_or_else(|_| Err(ExecutionError::new(ErrorCode::CANCELLED, "Executor call was cancelled"))) })
    }

    /// Completes calls with the embedder's answers, `[[id, outcome], ...]` as JSON text.
    pub(crate) fn resolve_batch(&self, answers_json: &str) {
        if let Ok(answers) = serde_json::from_str::<Vec<(u64, Outcome)>>(answers_json) {
            for (id, outcome) in answers {
                self.resolve(id, Ok(outcome));
            }
            return;
        }
        // Some answer has an unexpected shape: settle each call on its own so none is left
        // waiting.
        let answers: Vec<(u64, Value)> = serde_json::from_str(answers_json).unwrap_or_default();
        for (id, value) in answers {
            self.resolve(id, serde_json::from_value::<Outcome>(value).map_err(|e| e.to_string()));
        }
    }

    /// Completes call `id` (ignored if the call was cancelled meanwhile).
    fn resolve(&self, id: u64, outcome: Result<Outcome, String>) {
        let Some(sender) = lock(&self.pending).remove(&id) else { return };
        let result = match outcome {
            Ok(Outcome { ok: true, value, .. }) => Ok(value),
            Ok(Outcome { error, .. }) => {
                let thrown = error.unwrap_or_default();
                // A thrown error may name a code (e.g. RATE_LIMIT_EXCEEDED, which the engine retries).
                let code = thrown.code.as_deref().and_then(ErrorCode::parse).unwrap_or(ErrorCode::EXECUTION_FAILED);
                let mut error = ExecutionError::new(code, thrown.message.unwrap_or_else(|| "Executor failed".to_owned()));
                error.stack = thrown.stack;
                Err(error)
            }
            Err(e) => Err(ExecutionError::new(ErrorCode::SERIALIZATION_FAILED, format!("Executor result could not be read: {e}"))),
        };
        // The attempt may have timed out and gone; then nobody waits for this answer.
        let _ = sender.send(result);
    }
}
