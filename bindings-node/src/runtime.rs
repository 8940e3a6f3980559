//! The tokio runtime the addon runs on, shared with napi-rs's async methods.

use std::sync::OnceLock;

use tokio::runtime::{Builder, Handle};

static HANDLE: OnceLock<Handle> = OnceLock::new();

/// Worker stack size: the core guards its recursion on flow definitions, but plain JSON values
/// of user data (up to the parse depth limit) still drop recursively.
const STACK_SIZE: usize = 8 * 1024 * 1024;

#[napi_derive::module_init]
fn init() {
    // A failure to build leaves napi's default runtime in place; `handle()` then falls back to it.
    if let Ok(runtime) = Builder::new_multi_thread().enable_all().thread_stack_size(STACK_SIZE).thread_name("atomiton-worker").build() {
        let _ = HANDLE.set(runtime.handle().clone());
        napi::bindgen_prelude::create_custom_tokio_runtime(runtime);
    }
}

/// The runtime's handle.
pub(crate) fn handle() -> Handle {
    HANDLE.get().cloned().unwrap_or_else(|| napi::bindgen_prelude::within_runtime_if_available(Handle::current))
}
