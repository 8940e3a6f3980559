//! JS executors (`nodeExecutorFactory`) called from the Rust scheduler: each call is queued as
//! `{kind: "call", id, type, params}`, JS runs the executable and answers with `resolveCall`;
//! a cancelled attempt queues `{kind: "abort", id}` so JS can abort the `signal` it passed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use atomiton_core::host::BoxFuture;
use atomiton_core::nodes::{Invocation, NodeResult};
use atomiton_core::{ErrorCode, ExecutionError};
use atomiton_native_host::CustomExecutor;
use futures::channel::oneshot;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::events::{lock, Mailbox};

/// Bridges node calls to JS and back.
pub(crate) struct JsExecutor {
    pub mailbox: Arc<Mailbox>,
    pending: Arc<Mutex<HashMap<u64, oneshot::Sender<NodeResult>>>>,
    next_id: AtomicU64,
}

/// What JS answers: `{ok: true, value?}` or `{ok: false, error: {message, code?, stack?}}`.
#[derive(Deserialize)]
pub(crate) struct Outcome {
    ok: bool,
    value: Option<Value>,
    error: Option<ThrownError>,
}

#[derive(Deserialize)]
struct ThrownError {
    message: Option<String>,
    code: Option<String>,
    stack: Option<String>,
}

impl JsExecutor {
    pub fn new(mailbox: Arc<Mailbox>) -> Self {
        JsExecutor { mailbox, pending: Arc::default(), next_id: AtomicU64::new(0) }
    }

    /// Completes calls with JS's answers, `[[id, outcome], ...]` as JSON text.
    pub fn resolve_batch(&self, answers_json: &str) {
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
                let thrown = error.unwrap_or(ThrownError { message: None, code: None, stack: None });
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

impl CustomExecutor for JsExecutor {
    fn execute(&self, invocation: Invocation) -> BoxFuture<'static, NodeResult> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (sender, receiver) = oneshot::channel();
        let params = match serde_json::to_string(&invocation.executor_params()) {
            Ok(params) => params,
            Err(e) => return Box::pin(std::future::ready(Err(ExecutionError::new(ErrorCode::SERIALIZATION_FAILED, format!("Node parameters could not be serialised: {e}"))))),
        };
        lock(&self.pending).insert(id, sender);
        let (pending, mailbox) = (self.pending.clone(), self.mailbox.clone());
        invocation.signal.on_cancel(move || {
            lock(&pending).remove(&id);
            mailbox.post(json!({"kind": "abort", "id": id}).to_string());
        });
        let node_type = serde_json::to_string(&*invocation.node_type).unwrap_or_else(|_| "\"\"".into());
        self.mailbox.post(format!("{{\"kind\":\"call\",\"id\":{id},\"type\":{node_type},\"params\":{params}}}"));
        Box::pin(async move { receiver.await.unwrap_or_else(|_| Err(ExecutionError::new(ErrorCode::CANCELLED, "Executor call was cancelled"))) })
    }
}
