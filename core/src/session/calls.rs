//! What the engine asks of the embedder (JS) while runs go on, and how the answers come back.
//!
//! - `{kind: "call", id, run, type, params}`: run a custom node type (`nodeExecutorFactory`).
//!   The embedder answers with the executor's outcome; a value it keeps on its side comes back
//!   as a handle (`{"$atomiton":"js","v":n}`), so values flowing between JS nodes never cross.
//! - `{kind: "materialize", id, run, values}`: a built-in node is about to read values that
//!   hold such handles; the embedder answers with the values written out in full.
//! - `{kind: "span", id, run, node, ...}`: an `http-request` node of a traced run is about to
//!   send; the embedder opens the node's span (and its groups') and answers its trace headers.
//! - `{kind: "storage", id, op, key, text?}`: the app's own flow storage (`storage: {type:
//!   "embedder"}`, see `embedder_storage.rs`): `op` is `read`, `write`, `remove` or `keys`.
//! - `{kind: "abort", id}`: a call's attempt was cancelled or timed out; the embedder aborts the
//!   `signal` it passed.
//!
//! Answers arrive in batches through [`super::Session::resolve_calls`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures::channel::oneshot;
use serde::{Deserialize, Serialize};

use super::mailbox::{lock, Mailbox, Notifier};
use crate::error::{ErrorCode, ExecutionError};
use crate::host::BoxFuture;
use crate::nodes::{Embedder, ExecutorParams, Invocation, NodeResult};
use crate::value::{codec, Value};

/// The bridge between the scheduler and the embedder's executors. A host's
/// [`crate::host::Host::execute_custom`] hands invocations to [`ExecutorCalls::execute`], and
/// its [`crate::host::Host::materialize`] goes to [`ExecutorCalls::materialize`].
pub struct ExecutorCalls {
    pub(crate) mailbox: Arc<Mailbox>,
    pending: Arc<Mutex<HashMap<u64, oneshot::Sender<NodeResult>>>>,
    next_id: AtomicU64,
}

/// What the embedder answers: `{ok: true, value?}` or `{ok: false, error: {message, code?, stack?}}`.
#[derive(Deserialize)]
struct Outcome {
    ok: bool,
    /// Absent for `undefined`; `null` is a value like any other.
    #[serde(default, deserialize_with = "present")]
    value: Option<Value>,
    error: Option<ThrownError>,
}

/// Deepest answer the WebAssembly engine reads (deeper ones fail their call with a code).
const WASM_MAX_DEPTH: usize = 2500;

/// `[id, {ok, value?, error?}]` read from a parsed value; `None` when it has no id.
fn answer_of(item: Value) -> Option<(u64, Result<Outcome, String>)> {
    let Value::Array(pair) = item else { return None };
    let mut pair = pair.into_iter();
    let id = pair.next()?.as_f64().filter(|n| *n >= 0.0 && n.fract() == 0.0)? as u64;
    let Some(Value::Object(mut fields)) = pair.next() else {
        return Some((id, Err("an answer is not an object".into())));
    };
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    let error = match fields.get("error") {
        Some(Value::Object(e)) => Some(ThrownError {
            message: text(e.get("message")),
            code: text(e.get("code")),
            stack: text(e.get("stack")),
        }),
        _ => None,
    };
    let ok = matches!(fields.get("ok"), Some(Value::Bool(true)));
    Some((id, Ok(Outcome { ok, value: fields.shift_remove("value"), error })))
}

/// The ids of `[[id, answer], ...]` text, read without parsing the answers (a scan of the
/// brackets at the top two levels): for answers nested too deep to parse.
fn answer_ids(text: &str) -> Vec<u64> {
    let (mut ids, mut depth, mut in_string, mut escaped) = (Vec::new(), 0usize, false, false);
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth == 2 && b == b'[' {
                    let digits: String = text[i + 1..]
                        .chars()
                        .skip_while(|c| c.is_whitespace())
                        .take_while(char::is_ascii_digit)
                        .collect();
                    ids.extend(digits.parse::<u64>().ok());
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    ids
}

/// A field that is there is `Some`, even when it is `null`.
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

#[derive(Deserialize, Default)]
struct ThrownError {
    message: Option<String>,
    code: Option<String>,
    stack: Option<String>,
}

#[derive(Serialize)]
struct CallRecord<'a> {
    kind: &'static str,
    id: u64,
    run: &'a str,
    #[serde(rename = "type")]
    node_type: &'a str,
    params: ExecutorParams<'a>,
}

#[derive(Serialize)]
struct MaterializeRecord<'a> {
    kind: &'static str,
    id: u64,
    run: &'a str,
    values: &'a [Arc<Value>],
}

/// The session's embedder: every question a run asks the app goes to JS as a call record.
impl Embedder for ExecutorCalls {
    /// Queues a call for the embedder and waits for its answer.
    fn execute(&self, invocation: Invocation) -> BoxFuture<'static, NodeResult> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (sender, receiver) = oneshot::channel();
        let record = CallRecord {
            kind: "call",
            id,
            run: &invocation.run.execution_id,
            node_type: &invocation.node_type,
            params: invocation.executor_params(),
        };
        if let Err(error) = self.post_awaiting(id, sender, &record) {
            return Box::pin(std::future::ready(Err(error)));
        }
        let (pending, mailbox) = (self.pending.clone(), self.mailbox.clone());
        invocation.signal.on_cancel(move || {
            lock(&pending).remove(&id);
            mailbox.post(format!("{{\"kind\":\"abort\",\"id\":{id}}}"));
        });
        Box::pin(async move {
            receiver.await.unwrap_or_else(|_| {
                Err(ExecutionError::new(ErrorCode::CANCELLED, "Executor call was cancelled"))
            })
        })
    }

    /// Posts `{"kind": kind, "id": .., fields}` (JSON without binary data: a question's fields
    /// are the asker's text) and waits for the answer's value. A question that cannot be posted,
    /// or is never answered, has none.
    fn ask(&self, kind: &'static str, fields: String) -> BoxFuture<'static, Option<Value>> {
        let outcome = self.ask_outcome(kind, fields);
        Box::pin(async move { outcome.await.ok()? })
    }

    /// Asks the embedder to write out in full the values it keeps for run `run` (what `values`
    /// hold as handles), and waits for them.
    fn materialize(
        &self,
        run: &str,
        values: Vec<Arc<Value>>,
    ) -> BoxFuture<'static, Result<Vec<Value>, ExecutionError>> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (sender, receiver) = oneshot::channel();
        let count = values.len();
        if let Err(error) = self.post_awaiting(
            id,
            sender,
            &MaterializeRecord { kind: "materialize", id, run, values: &values },
        ) {
            return Box::pin(std::future::ready(Err(error)));
        }
        Box::pin(async move {
            match receiver.await {
                Ok(Ok(Some(Value::Array(values)))) if values.len() == count => Ok(values),
                Ok(Ok(_)) => Err(ExecutionError::new(
                    ErrorCode::SERIALIZATION_FAILED,
                    "The host answered a request for values with something else",
                )),
                Ok(Err(error)) => Err(error),
                Err(_) => Err(ExecutionError::new(
                    ErrorCode::CANCELLED,
                    "The request for values was cancelled",
                )),
            }
        })
    }
}

impl ExecutorCalls {
    pub fn new(notifier: Arc<Notifier>) -> Arc<Self> {
        Arc::new(ExecutorCalls {
            mailbox: Arc::new(Mailbox::new(notifier)),
            pending: Arc::default(),
            next_id: AtomicU64::new(0),
        })
    }

    /// Posts `{"kind": kind, "id": .., fields}` (see [`Embedder::ask`]) and waits for the
    /// outcome JS answers: its value, or the error it answered with. A question the session
    /// stopped before answering is `CANCELLED`.
    pub(crate) fn ask_outcome(
        &self,
        kind: &'static str,
        fields: String,
    ) -> BoxFuture<'static, NodeResult> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (sender, receiver) = oneshot::channel();
        lock(&self.pending).insert(id, sender);
        self.mailbox.post(format!("{{\"kind\":\"{kind}\",\"id\":{id},{fields}}}"));
        Box::pin(async move {
            receiver.await.unwrap_or_else(|_| {
                Err(ExecutionError::new(
                    ErrorCode::CANCELLED,
                    "The session stopped before JS answered",
                ))
            })
        })
    }

    /// Posts `record`, whose answer goes to `sender`. The sender is registered first: a run
    /// driven on a worker thread posts while the embedder's thread may already be answering,
    /// and an answer that found no sender was dropped, leaving the run waiting forever (a run of
    /// a deeply nested flow reading values JS keeps hung about one time in four).
    fn post_awaiting<T: Serialize>(
        &self,
        id: u64,
        sender: oneshot::Sender<NodeResult>,
        record: &T,
    ) -> Result<(), ExecutionError> {
        lock(&self.pending).insert(id, sender);
        let posted = self.post(record);
        if posted.is_err() {
            lock(&self.pending).remove(&id);
        }
        posted
    }

    fn post<T: Serialize>(&self, record: &T) -> Result<(), ExecutionError> {
        let mut failure = None;
        self.mailbox.post_with(|buffers| match codec::encode_appending(record, buffers) {
            Ok(text) => Some(text),
            Err(e) => {
                failure = Some(e);
                None
            }
        });
        match failure {
            None => Ok(()),
            Some(e) => Err(ExecutionError::new(
                ErrorCode::SERIALIZATION_FAILED,
                format!("Values for the host could not be written: {e}"),
            )),
        }
    }

    /// Completes calls with the embedder's answers, `[[id, outcome], ...]` as codec text, with
    /// the binary data its tags refer to.
    pub(crate) fn resolve_batch(&self, answers: &str, buffers: Vec<Arc<[u8]>>) {
        let parsed =
            codec::decode(buffers.clone(), || serde_json::from_str::<Vec<(u64, Outcome)>>(answers));
        let whole = match parsed {
            Ok(answers) => {
                for (id, outcome) in answers {
                    self.resolve(id, Ok(outcome));
                }
                return;
            }
            Err(error) => error,
        };
        // Values deeper than serde_json's 128 levels: read through the engine's own parser, as
        // deep as its limit allows (left unread, every call of the batch would wait forever). A
        // WebAssembly stack holds far fewer levels than a native one.
        let mut limits = crate::format::ParseLimits::default();
        if cfg!(target_arch = "wasm32") {
            limits.max_depth = limits.max_depth.min(WASM_MAX_DEPTH);
        }
        if let Ok(Value::Array(items)) =
            codec::decode(buffers.clone(), || crate::format::parse_json_value(answers, &limits))
        {
            for item in items {
                if let Some((id, outcome)) = answer_of(item) {
                    self.resolve(id, outcome);
                }
            }
        }
        // Some answer has an unexpected shape (or a value that cannot be read): settle each call
        // on its own, so the good answers arrive and none is left waiting.
        let each: Vec<(u64, serde_json::Value)> = serde_json::from_str(answers).unwrap_or_default();
        for (id, answer) in each {
            let outcome = codec::decode(buffers.clone(), || {
                serde_json::from_str::<Outcome>(&answer.to_string())
            })
            .map_err(|e| e.to_string());
            self.resolve(id, outcome);
        }
        // Answers nothing could read (nested past the limit): those calls fail. Resolving a call
        // twice does nothing, so the ones settled above keep their answers.
        let reason = if whole.to_string().contains("recursion limit") {
            format!("nested deeper than {} levels", limits.max_depth)
        } else {
            whole.to_string()
        };
        for id in answer_ids(answers) {
            self.resolve(id, Err(reason.clone()));
        }
    }

    /// Completes call `id` (ignored if the call was cancelled meanwhile).
    fn resolve(&self, id: u64, outcome: Result<Outcome, String>) {
        let Some(sender) = lock(&self.pending).remove(&id) else { return };
        let result = match outcome {
            Ok(Outcome { ok: true, value, .. }) => Ok(value),
            Ok(Outcome { error, .. }) => {
                let thrown = error.unwrap_or_default();
                // A thrown error may name a code (e.g. RATE_LIMIT_EXCEEDED, which the engine
                // retries) — but not WAITING: only the engine parks a run, at a wait node of
                // its own (a node that threw a nested run's WAITING failed).
                let code = thrown.code.as_deref().and_then(ErrorCode::parse);
                let code = code.filter(|code| *code != ErrorCode::WAITING);
                let code = code.unwrap_or(ErrorCode::EXECUTION_FAILED);
                let mut error = ExecutionError::new(
                    code,
                    thrown.message.unwrap_or_else(|| "Executor failed".to_owned()),
                );
                error.stack = thrown.stack;
                Err(error)
            }
            Err(e) => Err(ExecutionError::new(
                ErrorCode::SERIALIZATION_FAILED,
                format!("Executor result could not be read: {e}"),
            )),
        };
        // The attempt may have timed out and gone; then nobody waits for this answer.
        let _ = sender.send(result);
    }
}

#[cfg(test)]
mod tests {
    use super::answer_ids;

    #[test]
    fn ids_are_read_at_the_top_two_levels_only() {
        let text = r#"[[3,{"ok":true,"value":[[7],"[9","\"]"]}], [ 12 ,{"ok":false}],[5,{"value":{"a":[[1]]}}]]"#;
        assert_eq!(answer_ids(text), [3, 12, 5]);
        assert_eq!(answer_ids("not json"), Vec::<u64>::new());
    }
}
