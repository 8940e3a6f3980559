//! Calls into JS that finish later — a `fetch`, and in the Node fallback a file operation or a
//! child process: awaiting them, aborting them, and reading what they reject with (`{kind,
//! message}`, see `host-functions.ts` and `node-host.ts`) as the core's [`EffectError`].

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;

use atomiton_core::host::effects::{EffectError, EffectErrorKind};
use atomiton_core::host::CancelToken;
use serde::Deserialize;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::js::FetchCall;

/// How a call in flight ended, when not with a value.
pub(crate) enum Rejected {
    /// The signal was cancelled and the call aborted.
    Cancelled,
    /// The JS side rejected.
    Failed(JsValue),
}

/// Awaits `call` (`{promise, abort}`), aborting it when `signal` is cancelled, or when the
/// future is dropped before the call settled: a node that timed out must leave no request or
/// child process behind. Everything but the waiting happens now, so a future dropped unpolled
/// aborts too.
pub(crate) fn settle(
    call: FetchCall,
    signal: &CancelToken,
) -> impl Future<Output = Result<JsValue, Rejected>> + 'static {
    let call = Rc::new(call);
    let aborted = Rc::new(Cell::new(false));
    {
        let (call, aborted) = (call.clone(), aborted.clone());
        signal.on_cancel(move || {
            aborted.set(true);
            call.abort();
        });
    }
    let promise = JsFuture::from(call.promise());
    let mut guard = AbortOnDrop(Some(call));
    async move {
        let outcome = promise.await;
        guard.disarm();
        match outcome {
            Ok(value) => Ok(value),
            Err(_) if aborted.get() => Err(Rejected::Cancelled),
            Err(error) => Err(Rejected::Failed(error)),
        }
    }
}

/// Aborts the call it holds when dropped (the awaiting future went away).
struct AbortOnDrop(Option<Rc<FetchCall>>);

impl AbortOnDrop {
    /// The call settled: nothing to abort.
    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(call) = self.0.take() {
            call.abort();
        }
    }
}

#[derive(Deserialize)]
struct Failure {
    kind: String,
    message: String,
}

/// The effect error a rejection stands for. Anything that is not a `{kind, message}` object
/// (a plain `Error` thrown by a bug, a string) becomes `otherwise` with its text, or `fallback`.
pub(crate) fn effect_failure(
    error: &JsValue,
    otherwise: EffectErrorKind,
    fallback: &str,
) -> EffectError {
    let failure = js_sys::JSON::stringify(error)
        .ok()
        .and_then(|text| text.as_string())
        .and_then(|text| serde_json::from_str::<Failure>(&text).ok());
    match failure {
        Some(Failure { kind, message }) => EffectError::new(kind_named(&kind), message),
        None => {
            let message = js_sys::Reflect::get(error, &JsValue::from_str("message"))
                .ok()
                .and_then(|m| m.as_string())
                .or_else(|| error.as_string());
            EffectError::new(otherwise, message.unwrap_or_else(|| fallback.to_owned()))
        }
    }
}

fn kind_named(kind: &str) -> EffectErrorKind {
    match kind {
        "not-found" => EffectErrorKind::NotFound,
        "already-exists" => EffectErrorKind::AlreadyExists,
        "permission-denied" => EffectErrorKind::PermissionDenied,
        "network" => EffectErrorKind::Network,
        "timeout" => EffectErrorKind::TimedOut,
        "too-large" => EffectErrorKind::TooLarge,
        "cancelled" => EffectErrorKind::Cancelled,
        "unsupported" => EffectErrorKind::Unsupported,
        _ => EffectErrorKind::Other,
    }
}

/// `value[name]`, or `undefined`.
pub(crate) fn field(value: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(value, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}
