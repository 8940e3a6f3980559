//! Panic containment at the boundary: a Rust panic never reaches Node as a crash.

use std::panic::{catch_unwind, AssertUnwindSafe};

use atomiton_core::ExecutionError;

/// The panic payload as text.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

/// Runs `f`, turning a panic into an `INTERNAL_ERROR`.
pub(crate) fn guarded<T>(what: &str, f: impl FnOnce() -> Result<T, ExecutionError>) -> Result<T, ExecutionError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| Err(ExecutionError::internal(format!("{what} panicked: {}", panic_message(&*panic)))))
}
