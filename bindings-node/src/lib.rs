//! `@atomiton/conductor`'s native addon: a thin napi-rs layer over `atomiton-core` and the
//! native host. It translates values (JSON text both ways) and errors, owns the tokio runtime,
//! and bridges JS executors and events; all execution logic lives in the core.

mod catalog;
mod conductor;
mod config;
mod driver;
mod events;
mod executor;
mod guard;
mod runtime;
mod wire;

/// The addon's allocator (see Cargo.toml for why).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub use catalog::*;
pub use conductor::NativeConductor;
