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

    /// A `fetch` (or, in the Node fallback, a child process) in flight.
    pub type FetchCall;

    /// A fetch resolves with `{status, statusText, headers: [name, value][], url, body:
    /// Uint8Array}`; rejects with `{kind, message}` (`kind`: "timeout" | "network" | "too-large"
    /// | "cancelled").
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

/// Files and processes through Node's own modules: the host functions' `effects`, given only to
/// the Node fallback module (implemented in `npm/src/engines/wasm/node-host.ts`). Every promise
/// rejects with `{kind, message}` (`kind`: "not-found" | "already-exists" | "permission-denied" |
/// "cancelled" | "other"), read by `crate::failure`.
#[cfg(feature = "node")]
#[wasm_bindgen]
extern "C" {
    /// `{stat, read, readAt, write, append, list, createDir, remove, copy, rename, tempDir, run}`.
    pub type NodeEffects;

    /// The effects, or `undefined` (a browser: the host then has no files or processes).
    #[wasm_bindgen(method, getter)]
    pub fn effects(this: &HostFunctions) -> Option<NodeEffects>;

    /// Resolves with `null` when nothing is at `path`, else `{isFile, isDir, size, modifiedMs}`
    /// (following symlinks).
    #[wasm_bindgen(method)]
    pub fn stat(this: &NodeEffects, path: &str) -> Promise;

    /// Resolves with the file's bytes (`Uint8Array`).
    #[wasm_bindgen(method)]
    pub fn read(this: &NodeEffects, path: &str) -> Promise;

    /// Resolves with up to `len` bytes from `offset` on (`Uint8Array`; fewer at the end).
    #[wasm_bindgen(method, js_name = readAt)]
    pub fn read_at(this: &NodeEffects, path: &str, offset: f64, len: u32) -> Promise;

    /// Adds the bytes at the end of an existing file.
    #[wasm_bindgen(method)]
    pub fn append(this: &NodeEffects, path: &str, contents: Uint8Array) -> Promise;

    /// Writes atomically (temporary file, flush, rename), creating parents when asked.
    #[wasm_bindgen(method)]
    pub fn write(
        this: &NodeEffects,
        path: &str,
        contents: Uint8Array,
        create_parents: bool,
    ) -> Promise;

    /// Resolves with `[{name, isDir}]` in the order the OS gives.
    #[wasm_bindgen(method)]
    pub fn list(this: &NodeEffects, path: &str) -> Promise;

    #[wasm_bindgen(method, js_name = createDir)]
    pub fn create_dir(this: &NodeEffects, path: &str, recursive: bool) -> Promise;

    /// A file or symlink, or a directory (with its contents when `recursive`).
    #[wasm_bindgen(method)]
    pub fn remove(this: &NodeEffects, path: &str, recursive: bool) -> Promise;

    /// A file, or a directory recursively (symlinks recreated, never followed).
    #[wasm_bindgen(method)]
    pub fn copy(this: &NodeEffects, from: &str, to: &str) -> Promise;

    #[wasm_bindgen(method)]
    pub fn rename(this: &NodeEffects, from: &str, to: &str) -> Promise;

    /// `write`, except that it rejects with kind "already-exists", leaving the file as it was,
    /// when something is at `path` (linked into place, not renamed over it).
    #[wasm_bindgen(method, js_name = writeNew)]
    pub fn write_new(
        this: &NodeEffects,
        path: &str,
        contents: Uint8Array,
        create_parents: bool,
    ) -> Promise;

    /// `rename`, except that it rejects with kind "already-exists" when something is at `to`.
    #[wasm_bindgen(method, js_name = renameNew)]
    pub fn rename_new(this: &NodeEffects, from: &str, to: &str) -> Promise;

    /// `os.tmpdir()`.
    #[wasm_bindgen(method, js_name = tempDir)]
    pub fn temp_dir(this: &NodeEffects) -> String;

    /// Starts a program without a shell: `spec` is `{program, args, cwd, env, envRemove,
    /// timeoutMs, captureOutput, maxOutputBytes}` as JSON text. The call's promise resolves with
    /// `{exitCode, stdout, stderr, timedOut}` (`exitCode` null when killed by a signal).
    #[wasm_bindgen(method)]
    pub fn run(this: &NodeEffects, spec: &str, stdin: Option<Uint8Array>) -> FetchCall;
}
