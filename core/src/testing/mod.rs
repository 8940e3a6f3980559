//! Test support: a deterministic, single-threaded host with virtual time.
//!
//! Enabled by the `testing` feature. Tests and benchmarks use it to check timeouts, retries,
//! backoff, cancellation and slowMo pacing exactly, without sleeping: time only moves when every
//! task is waiting, and then jumps straight to the next timer.

mod executor;
pub mod flow_storage;
#[cfg(feature = "history")]
pub mod history_store;
mod memory_spill;
mod thread_host;
mod virtual_host;
mod wait;

pub use memory_spill::MemorySpill;
pub use thread_host::ThreadHost;
pub use virtual_host::{CustomExecutor, VirtualHost};
pub use wait::wait;
