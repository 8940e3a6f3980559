//! Test support: a deterministic, single-threaded host with virtual time.
//!
//! Enabled by the `testing` feature. Tests and benchmarks use it to check timeouts, retries,
//! backoff, cancellation and slowMo pacing exactly, without sleeping: time only moves when every
//! task is waiting, and then jumps straight to the next timer.

mod calling_host;
mod executor;
#[cfg(feature = "history")]
mod history_store;
mod thread_host;
mod virtual_host;

pub use calling_host::CallingHost;
#[cfg(feature = "history")]
pub use history_store::{check_history_store, node as history_node, wait, CHECKED_MAX_VALUE_BYTES};
pub use thread_host::ThreadHost;
pub use virtual_host::{CustomExecutor, VirtualHost};
