//! `@atomiton/conductor`'s native addon: a thin napi-rs layer over `atomiton-core`'s session API
//! and the native host. It owns the tokio runtime, pokes the JS thread through a threadsafe
//! function, and converts values at the boundary; all execution logic lives in the core.

mod conductor;
mod diagnostics;
mod runtime;

use napi_derive::napi;

/// glibc's malloc spent a large share of a small run's time in malloc/free and arena
/// consolidation across the JS thread and tokio's workers; mimalloc does not
/// (docs/PERFORMANCE.md, "Memory and the allocator").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// The node catalog, templates, flow formats and the recovery table, from the definition the
// wasm module shares.
atomiton_core::catalog_forwarders! {
    attribute: napi;
    // A panic is a thrown error, not an abort of the process.
    sync: [catch_unwind];
    text: [String];
    // The engine's own ids and jitter come from the same generator (the native host's).
    random: fastrand::f64;
}

pub use conductor::NativeConductor;
pub use diagnostics::*;
