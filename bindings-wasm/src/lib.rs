//! `@atomiton/conductor/browser`'s engine: a thin wasm-bindgen layer over `atomiton-core`'s
//! session API. The host gets time, timers, `fetch` and storage from a small JS object
//! (`HostFunctions`) the TypeScript layer passes in; all execution logic lives in the core.
//! Built with the `node` feature, the same layer is the Node entry's fallback engine, whose host
//! functions also bring files and processes (`effects`).

// Only a wasm32 build has a browser to talk to; elsewhere the crate is empty.
#![cfg(target_arch = "wasm32")]
// wasm32 has one thread, so the JS values the host and storage hold are not `Send`; the core's
// shared handles are `Arc` on every target all the same.
#![allow(clippy::arc_with_non_send_sync)]

mod calls;
mod conductor;
#[cfg(feature = "node")]
mod effects;
mod host;
mod js;
mod storage;

use wasm_bindgen::prelude::wasm_bindgen;

pub use conductor::WasmConductor;

// The node catalog, templates, flow formats and the recovery table, from the definition the
// native addon shares.
atomiton_core::catalog_forwarders! {
    attribute: wasm_bindgen;
    sync: [];
    // A `&str` argument takes less code here than a `String`, and the browser module has a size
    // budget (docs/PERFORMANCE.md, "Module sizes").
    text: [&str];
    // What the host's `random` is in the page (see `host.rs`), without a host to ask.
    random: js_sys::Math::random;
}
