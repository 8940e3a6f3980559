//! What the process's worker pool is doing: for diagnostics, and for tests that count rather
//! than time.

use atomiton_native_host::WorkerPool;
use napi_derive::napi;

/// The worker pool's slots, jobs running now, most jobs ever running at once, and jobs started.
#[napi(object)]
pub struct WorkerPoolStats {
    pub size: u32,
    pub busy: u32,
    pub peak: u32,
    pub started: u32,
}

/// `workerPool.stats()`.
#[napi(catch_unwind)]
pub fn worker_pool_stats() -> WorkerPoolStats {
    let stats = WorkerPool::shared(None).stats();
    let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    WorkerPoolStats {
        size: n(stats.size),
        busy: n(stats.busy),
        peak: n(stats.peak),
        started: n(stats.started),
    }
}

/// `workerPool.resetPeak()`: counts the most jobs at once afresh.
#[napi(catch_unwind)]
pub fn worker_pool_reset_peak() {
    WorkerPool::shared(None).reset_peak();
}
