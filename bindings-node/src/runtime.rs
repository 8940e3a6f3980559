//! The tokio runtime the addon's conductors run on: one per process, living as long as it.
//!
//! It is not handed to napi-rs (`create_custom_tokio_runtime`): napi-rs shuts the runtime it
//! holds down when the last JS environment that loaded the addon ends — the last worker thread
//! when the main thread never loaded it — and a worker started after that found the conductors'
//! runtime gone (its runs never ran; a run in flight in another worker lost its tasks). napi-rs's
//! `async fn` methods run on its own runtime; what they wait for runs here.

use std::sync::OnceLock;

use tokio::runtime::{Builder, Handle, Runtime};

static RUNTIME: OnceLock<Option<Runtime>> = OnceLock::new();

/// Worker stack size: the core guards its recursion on flow definitions, but plain JSON values
/// of user data (up to the parse depth limit) still drop recursively.
const STACK_SIZE: usize = 8 * 1024 * 1024;

extern "C" {
    /// mimalloc's own (linked in by the `mimalloc` crate): sets an option unless the environment
    /// (`MIMALLOC_<OPTION>`) already did. Only an option mimalloc has not read yet takes it.
    fn mi_option_set_default(option: std::ffi::c_int, value: std::ffi::c_long);
    /// Sets an option, whether or not mimalloc has read it already.
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_purge_delay` in mimalloc's `mi_option_t` (the same index in its v2 and v3).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

/// How long mimalloc keeps freed memory before returning it to the OS (ms). Its default, 10 ms,
/// is shorter than the gap between two runs of a data-heavy flow, so each run faulted its
/// megabytes in afresh (the kernel zeroing every page: a noticeable share of such a run's time;
/// docs/PERFORMANCE.md, "Memory and the allocator"). Memory a second old still goes back, so
/// nothing grows.
const PURGE_DELAY_MS: std::ffi::c_long = 1000;

/// `mi_option_arena_eager_commit` in mimalloc's `mi_option_t` (the same index in v2 and v3).
const MI_OPTION_ARENA_EAGER_COMMIT: std::ffi::c_int = 4;

/// mimalloc's default on Linux commits each arena it reserves at once (backed by transparent
/// huge pages where the system allows them); a purge then decommits, and the next use faults
/// whole 2 MiB pages back in, each zeroed by the kernel. A stream of rows, allocating on one
/// worker and freeing on another, did that without end: a large CSV pipeline spent much of its
/// CPU time in the kernel zeroing pages, and next to none committed as used instead (the
/// figures: docs/PERFORMANCE.md, "Memory and the allocator").
const ARENA_EAGER_COMMIT: std::ffi::c_long = 0;

#[napi_derive::module_init]
fn init() {
    // SAFETY: called once at load, before the runtime's threads start; an option mimalloc does
    // not know (another index) is ignored.
    unsafe {
        mi_option_set_default(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS);
        // Read by mimalloc at its first allocation, before the addon's init: set outright (the
        // arenas reserved from now on follow it), unless the environment says otherwise.
        if std::env::var_os("MIMALLOC_ARENA_EAGER_COMMIT").is_none() {
            mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, ARENA_EAGER_COMMIT);
        }
    }
}

/// The runtime's handle: the addon's own runtime, built at the first conductor; napi-rs's when
/// that one cannot be built (no threads to spare).
pub(crate) fn handle() -> Handle {
    let runtime = RUNTIME.get_or_init(|| {
        Builder::new_multi_thread()
            .enable_all()
            .thread_stack_size(STACK_SIZE)
            .thread_name("atomiton-worker")
            .build()
            .ok()
    });
    match runtime {
        Some(runtime) => runtime.handle().clone(),
        None => napi::bindgen_prelude::within_runtime_if_available(Handle::current),
    }
}
