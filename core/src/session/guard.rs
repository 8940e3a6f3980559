//! Panic containment at a binding's boundary: a Rust panic never reaches the host process.
//! (On wasm32, built with `panic = "abort"`, there is nothing to catch; the engine's own limits
//! are what keep input from panicking there.)

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::{panic_message, ExecutionError};

/// Runs `f`, turning a panic into an `INTERNAL_ERROR` naming `what`.
pub fn guarded<T>(
    what: &str,
    f: impl FnOnce() -> Result<T, ExecutionError>,
) -> Result<T, ExecutionError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        Err(ExecutionError::internal(format!("{what} panicked: {}", panic_message(&*panic))))
    })
}
