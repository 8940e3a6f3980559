//! Test support: a deterministic, single-threaded host with virtual time.
//!
//! Enabled by the `testing` feature. Tests and benchmarks use it to check timeouts, retries,
//! backoff, cancellation and slowMo pacing exactly, without sleeping: time only moves when every
//! task is waiting, and then jumps straight to the next timer.

#[cfg(feature = "cache")]
mod cache_store;
mod executor;
#[cfg(feature = "history")]
mod history_store;
mod memory_spill;
mod thread_host;
mod virtual_host;

#[cfg(feature = "cache")]
pub use cache_store::{cache_entry, check_cache_store, CHECKED_LIMITS};
#[cfg(feature = "history")]
pub use history_store::{check_history_store, node as history_node, wait, CHECKED_MAX_VALUE_BYTES};
pub use memory_spill::MemorySpill;
pub use thread_host::ThreadHost;
pub use virtual_host::{CustomExecutor, VirtualHost};
