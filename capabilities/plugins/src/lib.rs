//! WebAssembly node types: a `.wasm` module written against Extism's plugin ABI (any Extism
//! PDK: Rust, AssemblyScript, Go, C, Zig, ...) run by the engine's own interpreter (wasmi), the
//! same in every build that has it — natively and inside the engine's WebAssembly module in
//! Node or a browser — so a plugin gives the same output everywhere.
//!
//! Sandboxed by default: a plugin reaches nothing but the `extism:host/env` functions
//! (`imports.rs`); its memory (its own and the kernel's, `kernel.rs`) is capped; its run time
//! is bounded by fuel, spent a slice at a time so that cancellation and the node's timeout end
//! it promptly (`call.rs`); a trap, a memory limit or fuel run out is that node's coded error.
//! It has no network and no files.
//!
//! Each call gets a fresh instance (no state leaks between runs); the compiled module is kept.
//!
//! A capability of its own: the engine owns the trait ([`SessionCapability`]), this crate
//! implements it ([`Plugins`], the conductor config's `plugins`), and the bindings built with
//! WebAssembly node types (the native addon, the Node fallback, the browser's editor module)
//! pass it to their sessions. The browser's default module does not link this crate.
//!
//! [`SessionCapability`]: atomiton_core::session::SessionCapability

mod call;
mod config;
mod imports;
mod kernel;
mod node_type;

pub use config::Plugins;
pub use node_type::{PluginNodeType, PluginSettings};

use atomiton_core::error::{ErrorCode, ExecutionError};

/// How far a plugin may go.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes of linear memory (and of kernel memory) at most.
    pub memory_bytes: usize,
    /// Fuel a call may spend in all (about one unit per instruction).
    pub fuel: u64,
    /// Fuel per slice, between which cancellation and timeouts are looked at.
    pub slice: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { memory_bytes: 64 * 1024 * 1024, fuel: 10_000_000_000, slice: 5_000_000 }
    }
}

/// What a store holds for one call.
pub(crate) struct State {
    kernel: kernel::Kernel,
    limits: wasmi::StoreLimits,
    /// Bytes the kernel refused to allocate (its limit), if it did.
    refused: Option<u64>,
    /// A host call the plugin made and may not (the message), if it did.
    denied: Option<String>,
    /// Fuel host work cost beyond what the slice had, taken from the next slices.
    owed: u64,
}

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: ErrorCode,
    pub message: String,
}

impl Failure {
    fn failed(message: impl Into<String>) -> Failure {
        Failure { code: ErrorCode::EXECUTION_FAILED, message: message.into() }
    }

    fn internal(message: String) -> Failure {
        Failure { code: ErrorCode::INTERNAL_ERROR, message }
    }

    /// A trap (`what`: how it reads), told as what it is: a memory limit, a host call not
    /// allowed, or the trap itself.
    fn of_trap(
        store: &wasmi::Store<State>,
        limits: &Limits,
        error: &wasmi::Error,
        what: &str,
    ) -> Failure {
        let state = store.data();
        if let Some(message) = &state.denied {
            return Failure { code: ErrorCode::PERMISSION_DENIED, message: message.clone() };
        }
        // Fuel spent where the call could not stop to be given more (a block needing more
        // than was left).
        if error.as_trap_code() == Some(wasmi::TrapCode::OutOfFuel) {
            return Failure::failed(format!(
                "the plugin used its whole fuel ({} units) without returning",
                limits.fuel
            ));
        }
        let grow_refused = error.as_trap_code() == Some(wasmi::TrapCode::GrowthOperationLimited);
        if grow_refused || state.refused.is_some() {
            return Failure {
                code: ErrorCode::MEMORY_LIMIT_EXCEEDED,
                message: format!(
                    "the plugin reached its memory limit ({} MiB){}",
                    limits.memory_bytes / (1024 * 1024),
                    state
                        .refused
                        .map(|n| format!(" asking for {n} bytes more"))
                        .unwrap_or_default()
                ),
            };
        }
        Failure::failed(format!("the plugin {what}: {error}"))
    }

    /// The node's error, `[<type>] <message>`.
    pub fn into_error(self, node_type: &str) -> ExecutionError {
        let mut error = ExecutionError::new(self.code, format!("[{node_type}] {}", self.message));
        if self.code == ErrorCode::EXECUTION_FAILED {
            error.recovery = Some(Box::new(atomiton_core::error::node_failure_recovery()));
        }
        error
    }
}
