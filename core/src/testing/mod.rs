//! Test support: a deterministic, single-threaded host with virtual time.
//!
//! Enabled by the `testing` feature. Tests and benchmarks use it to check timeouts, retries,
//! backoff, cancellation and slowMo pacing exactly, without sleeping: time only moves when every
//! task is waiting, and then jumps straight to the next timer.

mod executor;
mod virtual_host;

pub use virtual_host::{CustomExecutor, VirtualHost};
