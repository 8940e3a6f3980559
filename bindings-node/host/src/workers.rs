//! The worker pool for CPU-heavy node work (a large `transform`, image processing, parsing a
//! workbook): one slot per core, shared by every conductor in the process, so heavy work never
//! oversubscribes the machine and never runs on the embedder's own thread (Node's JS thread).
//!
//! Work waits for a slot, then runs on tokio's blocking threads. Nodes that merely wait (timers,
//! HTTP, processes, JS executors) never take a slot.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use atomiton_core::host::BoxCallback;
use tokio::runtime::Handle;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The process's pool.
pub struct WorkerPool {
    slots: Arc<Semaphore>,
    size: usize,
    busy: AtomicUsize,
    peak: AtomicUsize,
    started: AtomicUsize,
}

/// What the pool is doing, for diagnostics and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// Slots (jobs that may run at once).
    pub size: usize,
    /// Jobs running now.
    pub busy: usize,
    /// Most jobs that ever ran at once.
    pub peak: usize,
    /// Jobs started (counted before a job runs, so a caller holding a job's result has seen
    /// it counted).
    pub started: usize,
}

static POOL: OnceLock<Arc<WorkerPool>> = OnceLock::new();

impl WorkerPool {
    /// The process's pool, made on first use with `size` slots (default: the machine's cores,
    /// or `ATOMITON_WORKERS`). Later calls get the same pool whatever size they ask for.
    pub fn shared(size: Option<usize>) -> Arc<WorkerPool> {
        POOL.get_or_init(|| {
            let size = size
                .or_else(|| std::env::var("ATOMITON_WORKERS").ok().and_then(|v| v.parse().ok()))
                .filter(|n| *n > 0)
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
            WorkerPool::new(size)
        })
        .clone()
    }

    /// A pool of its own with `size` slots (the shared one is what conductors use).
    pub fn new(size: usize) -> Arc<WorkerPool> {
        let size = size.max(1);
        Arc::new(WorkerPool {
            slots: Arc::new(Semaphore::new(size)),
            size,
            busy: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
            started: AtomicUsize::new(0),
        })
    }

    /// Runs `job` in a slot as soon as one is free.
    pub fn run(self: &Arc<Self>, handle: &Handle, job: BoxCallback) {
        // A free slot: straight onto a blocking thread. A task that waits for a slot is the
        // fallback only: spawned from a runtime thread, it sits in that thread's own queue (a slot
        // no other thread takes from) until the thread's current task yields, so a job asked for
        // by work that blocks that thread — the parts of a table it is reading — would start
        // only once that work had ended without it.
        if let Ok(slot) = self.slots.clone().try_acquire_owned() {
            let running = self.running(slot);
            drop(handle.spawn_blocking(move || {
                let _running = running;
                job();
            }));
            return;
        }
        let pool = self.clone();
        let blocking = handle.clone();
        drop(handle.spawn(async move {
            // The semaphore is never closed, so acquiring only waits.
            let Ok(slot) = pool.slots.clone().acquire_owned().await else { return };
            let running = pool.running(slot);
            // A panic inside is the job's own business (`offload` turns it into an error); the
            // slot is released either way.
            let _ = blocking.spawn_blocking(job).await;
            drop(running);
        }));
    }

    /// Counts a job as started and running until the returned guard is dropped, which also
    /// frees its slot (whether the job returned or panicked).
    fn running(self: &Arc<Self>, slot: OwnedSemaphorePermit) -> Running {
        let now = self.busy.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        self.started.fetch_add(1, Ordering::SeqCst);
        Running { pool: self.clone(), _slot: slot }
    }

    /// What the pool is doing.
    pub fn stats(&self) -> PoolStats {
        PoolStats {
            size: self.size,
            busy: self.busy.load(Ordering::SeqCst),
            peak: self.peak.load(Ordering::SeqCst),
            started: self.started.load(Ordering::SeqCst),
        }
    }

    /// Starts counting `peak` afresh (tests measure one scenario at a time).
    pub fn reset_peak(&self) {
        self.peak.store(self.busy.load(Ordering::SeqCst), Ordering::SeqCst);
    }
}

/// A job holding a slot (see [`WorkerPool::running`]).
struct Running {
    pool: Arc<WorkerPool>,
    _slot: OwnedSemaphorePermit,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.pool.busy.fetch_sub(1, Ordering::SeqCst);
    }
}
