//! `@atomiton/conductor`'s native addon: a thin napi-rs layer over `atomiton-core`'s session API
//! and the native host. It owns the tokio runtime, pokes the JS thread through a threadsafe
//! function, and converts values at the boundary; all execution logic lives in the core.

mod catalog;
mod conductor;
mod config;
mod diagnostics;
mod runtime;

/// glibc's malloc spent a fifth of a small run's time in malloc/free and arena consolidation
/// across the JS thread and tokio's workers; mimalloc does not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub use catalog::*;
pub use conductor::NativeConductor;
pub use diagnostics::*;
