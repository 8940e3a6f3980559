//! The browser host: JS time and timers and `fetch` (custom executors go through the session);
//! in the Node fallback module (feature `node`), also files and processes (`crate::effects`).

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use atomiton_core::host::effects::{
    EffectError, EffectErrorKind, EffectResult, HttpClient, HttpRequest, HttpResponse,
};
use atomiton_core::host::{BoxCallback, BoxFuture, Capabilities, Host};
use atomiton_core::json;
use futures::channel::oneshot;
use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::calls::{effect_failure, field, settle, Rejected};
use crate::js::HostFunctions;

/// The host of one conductor.
pub(crate) struct WasmHost {
    functions: Rc<HostFunctions>,
    /// Files and processes, when the host functions bring them (Node) and this module can run
    /// the nodes that use them.
    #[cfg(feature = "node")]
    effects: Option<crate::effects::JsEffects>,
    /// The credentials the app set (`credentials.set`), in memory: in the modules that run a
    /// node naming one (`llm`).
    #[cfg(feature = "llm")]
    credentials: atomiton_core::session::MemoryVault,
}

impl WasmHost {
    pub fn new(functions: HostFunctions) -> Self {
        #[cfg(feature = "node")]
        let effects = functions.effects().map(crate::effects::JsEffects::new);
        WasmHost {
            functions: Rc::new(functions),
            #[cfg(feature = "node")]
            effects,
            #[cfg(feature = "llm")]
            credentials: atomiton_core::session::MemoryVault::new(),
        }
    }

    /// The credentials this host's runs read, which its session's `credentials.*` set.
    #[cfg(feature = "llm")]
    pub fn vault(&self) -> atomiton_core::session::MemoryVault {
        self.credentials.clone()
    }

    /// This host, its processes run unconfined where a run's grant would confine them
    /// (`processes.allowUnconfined`; Node cannot confine them).
    #[cfg(feature = "node")]
    pub fn allowing_unconfined(mut self, allow: bool) -> Self {
        self.effects = self.effects.map(|effects| effects.allowing_unconfined(allow));
        self
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

    fn capabilities(&self) -> Capabilities {
        #[cfg(feature = "node")]
        if self.effects.is_some() {
            // Node's files, processes and HTTP through JS; Python workers are the native host's.
            return Capabilities { python: false, databases: false, ..Capabilities::ALL };
        }
        Capabilities { http: true, ..Capabilities::NONE }
    }

    fn http(&self) -> Option<&dyn HttpClient> {
        Some(self)
    }

    #[cfg(feature = "llm")]
    fn credentials(&self) -> Option<&dyn atomiton_core::host::effects::CredentialSource> {
        Some(&self.credentials)
    }

    #[cfg(feature = "node")]
    fn files(&self) -> Option<&dyn atomiton_core::host::effects::FileSystem> {
        self.effects.as_ref().map(|effects| effects as _)
    }

    #[cfg(feature = "node")]
    fn processes(&self) -> Option<&dyn atomiton_core::host::effects::ProcessRunner> {
        self.effects.as_ref().map(|effects| effects as _)
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
        let call = settle(self.functions.fetch(&spec, body), &request.signal);
        Box::pin(async move {
            match call.await {
                Ok(value) => read_response(&value),
                Err(Rejected::Cancelled) => Err(EffectError::new(
                    EffectErrorKind::Cancelled,
                    atomiton_core::error::messages::REQUEST_CANCELLED,
                )),
                Err(Rejected::Failed(error)) => {
                    Err(effect_failure(&error, EffectErrorKind::Network, "fetch failed"))
                }
            }
        })
    }
}

fn read_response(value: &JsValue) -> EffectResult<HttpResponse> {
    let headers = Array::from(&field(value, "headers"))
        .iter()
        .filter_map(|pair| {
            let pair = Array::from(&pair);
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect();
    let body = field(value, "body")
        .dyn_into::<Uint8Array>()
        .map(|bytes| bytes.to_vec())
        .unwrap_or_default();
    Ok(HttpResponse {
        status: field(value, "status").as_f64().unwrap_or(0.0) as u16,
        status_text: field(value, "statusText").as_string().unwrap_or_default(),
        headers,
        body,
        url: field(value, "url").as_string().unwrap_or_default(),
    })
}
