//! The browser host: JS time and timers, `fetch`, and custom executors through the session.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};

use atomiton_core::host::effects::{EffectError, EffectErrorKind, EffectResult, HttpClient, HttpRequest, HttpResponse};
use atomiton_core::host::{BoxCallback, BoxFuture, Capabilities, Host};
use atomiton_core::nodes::{Invocation, NodeResult};
use atomiton_core::session::ExecutorCalls;
use atomiton_core::value::Value;
use atomiton_core::ExecutionError;
use futures::channel::oneshot;
use js_sys::{Array, Reflect, Uint8Array};
use serde::Deserialize;
use atomiton_core::json;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::js::HostFunctions;

/// The host of one conductor.
pub(crate) struct WasmHost {
    functions: Rc<HostFunctions>,
    calls: Arc<ExecutorCalls>,
}

impl WasmHost {
    pub fn new(functions: HostFunctions, calls: Arc<ExecutorCalls>) -> Self {
        WasmHost { functions: Rc::new(functions), calls }
    }
}

impl Host for WasmHost {
    fn now(&self) -> f64 {
        self.functions.now()
    }

    fn sleep(&self, ms: f64) -> BoxFuture<'static, ()> {
        Box::pin(Sleep::new(self.functions.clone(), ms))
    }

    fn random(&self) -> f64 {
        self.functions.random()
    }

    fn spawn(&self, task: BoxFuture<'static, ()>) {
        wasm_bindgen_futures::spawn_local(task);
    }

    /// There are no threads: heavy work runs at once (the default), between two JS turns.
    fn run_blocking(&self, job: BoxCallback) {
        job();
    }

    fn execute_custom(&self, invocation: Invocation) -> BoxFuture<'static, NodeResult> {
        self.calls.execute(invocation)
    }

    fn materialize(&self, run: &str, values: Vec<Arc<Value>>) -> BoxFuture<'static, Result<Vec<Value>, ExecutionError>> {
        self.calls.materialize(run, values)
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities { http: true, ..Capabilities::NONE }
    }

    fn http(&self) -> Option<&dyn HttpClient> {
        Some(self)
    }
}

/// A JS timer as a future; dropping it clears the timer, so an abandoned timeout never keeps
/// Node's event loop (or a page) busy.
struct Sleep {
    functions: Rc<HostFunctions>,
    timer: Option<f64>,
    fired: oneshot::Receiver<()>,
}

impl Sleep {
    fn new(functions: Rc<HostFunctions>, ms: f64) -> Self {
        let (sender, fired) = oneshot::channel();
        let callback = Closure::once_into_js(move || {
            let _ = sender.send(());
        });
        let timer = functions.set_timer(ms.max(0.0), callback.unchecked_ref());
        Sleep { functions, timer: Some(timer), fired }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match Pin::new(&mut self.fired).poll(cx) {
            Poll::Ready(_) => {
                self.timer = None;
                Poll::Ready(())
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some(timer) = self.timer.take() {
            self.functions.clear_timer(timer);
        }
    }
}

/// What the JS `fetch` wrapper rejects with.
#[derive(Deserialize)]
struct FetchFailure {
    kind: String,
    message: String,
}

impl HttpClient for WasmHost {
    fn send(&self, request: HttpRequest) -> BoxFuture<'static, EffectResult<HttpResponse>> {
        let spec = json!({
            "method": request.method,
            "url": request.url,
            "headers": request.headers,
            "followRedirects": request.follow_redirects,
            "timeoutMs": request.timeout_ms,
            "maxResponseBytes": request.max_response_bytes,
        })
        .to_string();
        let body = request.body.as_deref().map(Uint8Array::from);
        let call = Rc::new(self.functions.fetch(&spec, body));
        let aborted = Rc::new(Cell::new(false));
        {
            let (call, aborted) = (call.clone(), aborted.clone());
            request.signal.on_cancel(move || {
                aborted.set(true);
                call.abort();
            });
        }
        let promise = call.promise();
        Box::pin(async move {
            let outcome = JsFuture::from(promise).await;
            drop(call);
            match outcome {
                Ok(value) => read_response(&value),
                Err(_) if aborted.get() => Err(EffectError::new(EffectErrorKind::Cancelled, "The request was cancelled")),
                Err(error) => Err(fetch_error(error)),
            }
        })
    }
}

fn read_response(value: &JsValue) -> EffectResult<HttpResponse> {
    let field = |name: &str| Reflect::get(value, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    let headers = Array::from(&field("headers"))
        .iter()
        .filter_map(|pair| {
            let pair = Array::from(&pair);
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect();
    let body = field("body").dyn_into::<Uint8Array>().map(|bytes| bytes.to_vec()).unwrap_or_default();
    Ok(HttpResponse {
        status: field("status").as_f64().unwrap_or(0.0) as u16,
        status_text: field("statusText").as_string().unwrap_or_default(),
        headers,
        body,
        url: field("url").as_string().unwrap_or_default(),
    })
}

fn fetch_error(error: JsValue) -> EffectError {
    let failure = js_sys::JSON::stringify(&error).ok().and_then(|text| text.as_string()).and_then(|text| serde_json::from_str::<FetchFailure>(&text).ok());
    match failure {
        Some(FetchFailure { kind, message }) => {
            let kind = match kind.as_str() {
                "timeout" => EffectErrorKind::TimedOut,
                "too-large" => EffectErrorKind::TooLarge,
                "cancelled" => EffectErrorKind::Cancelled,
                "network" => EffectErrorKind::Network,
                _ => EffectErrorKind::Other,
            };
            EffectError::new(kind, message)
        }
        None => EffectError::new(EffectErrorKind::Network, error.as_string().unwrap_or_else(|| "fetch failed".to_owned())),
    }
}
