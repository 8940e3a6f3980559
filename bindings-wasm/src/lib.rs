//! `@atomiton/conductor/browser`'s engine: a thin wasm-bindgen layer over `atomiton-core`'s
//! session API. The host gets time, timers, `fetch` and storage from a small JS object
//! (`HostFunctions`) the TypeScript layer passes in; all execution logic lives in the core.

// Only a wasm32 build has a browser to talk to; elsewhere the crate is empty.
#![cfg(target_arch = "wasm32")]

mod catalog;
mod conductor;
mod host;
mod js;
mod storage;

pub use catalog::*;
pub use conductor::WasmConductor;
