//! The JS functions the host calls (implemented in `npm/src/engines/wasm/host-functions.ts`).

use js_sys::{Function, Promise, Uint8Array};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `{now, random, setTimer, clearTimer, fetch}`.
    pub type HostFunctions;

    /// Milliseconds since the Unix epoch, sub-millisecond where the platform allows.
    #[wasm_bindgen(method)]
    pub fn now(this: &HostFunctions) -> f64;

    /// `Math.random()`.
    #[wasm_bindgen(method)]
    pub fn random(this: &HostFunctions) -> f64;

    /// `setTimeout(callback, ms)`; returns the timer's id.
    #[wasm_bindgen(method, js_name = setTimer)]
    pub fn set_timer(this: &HostFunctions, ms: f64, callback: &Function) -> f64;

    /// `clearTimeout(id)`.
    #[wasm_bindgen(method, js_name = clearTimer)]
    pub fn clear_timer(this: &HostFunctions, id: f64);

    /// Starts a `fetch`: `spec` is `{method, url, headers, followRedirects, timeoutMs,
    /// maxResponseBytes}` as JSON text.
    #[wasm_bindgen(method)]
    pub fn fetch(this: &HostFunctions, spec: &str, body: Option<Uint8Array>) -> FetchCall;

    /// A `fetch` in flight.
    pub type FetchCall;

    /// Resolves with `{status, statusText, headers: [name, value][], url, body: Uint8Array}`;
    /// rejects with `{kind, message}` (`kind`: "timeout" | "network" | "too-large" | "cancelled").
    #[wasm_bindgen(method, getter)]
    pub fn promise(this: &FetchCall) -> Promise;

    /// Aborts it.
    #[wasm_bindgen(method)]
    pub fn abort(this: &FetchCall);

    /// Flow storage: `{keys, read, write, remove}` returning promises (IndexedDB in browsers).
    pub type StorageFunctions;

    #[wasm_bindgen(method)]
    pub fn keys(this: &StorageFunctions) -> Promise;

    #[wasm_bindgen(method)]
    pub fn read(this: &StorageFunctions, key: &str) -> Promise;

    #[wasm_bindgen(method)]
    pub fn write(this: &StorageFunctions, key: &str, text: &str) -> Promise;

    #[wasm_bindgen(method)]
    pub fn remove(this: &StorageFunctions, key: &str) -> Promise;
}
