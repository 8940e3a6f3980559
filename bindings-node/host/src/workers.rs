//! The worker pool for CPU-heavy node work (a large `transform`, image processing, parsing a
//! workbook, a stream's batches): one thread per slot, one slot per core, shared by every
//! conductor in the process, so heavy work never oversubscribes the machine and never runs on
//! the embedder's own thread (Node's JS thread).
//!
//! Jobs wait in one queue, in order, and run on the pool's own threads, started as they are
//! first needed. Its own threads rather than tokio's blocking threads: those are many (and also
//! do file I/O), and a job went to whichever had waited longest, so a stream's batches passed
//! through a new thread's cache and allocator heap each time (the memory each freed went back to
//! a heap no thread was using). On the pool's own threads a large CSV pipeline runs faster and
//! in less memory (docs/PERFORMANCE.md, "How a chain uses the cores"). Nodes that merely wait
//! (timers, HTTP, processes, JS executors) never take a slot.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};

use atomiton_core::host::BoxCallback;

/// A pool thread's stack: the core guards its recursion on flow definitions, but plain JSON
/// values of user data (up to the parse depth limit) still drop recursively (the runtime's
/// threads have the same).
const STACK_SIZE: usize = 8 * 1024 * 1024;

/// The process's pool.
pub struct WorkerPool {
    inner: Arc<Inner>,
}

/// What the pool's threads share.
struct Inner {
    queue: Mutex<Queue>,
    /// A job was queued, or the pool was let go of.
    queued: Condvar,
    size: usize,
    busy: AtomicUsize,
    peak: AtomicUsize,
    started: AtomicUsize,
}

struct Queue {
    jobs: VecDeque<BoxCallback>,
    /// Threads started and not ended.
    threads: usize,
    /// Threads waiting for a job.
    idle: usize,
    /// The pool was let go of: its threads end once the queue is empty.
    closed: bool,
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

    /// A pool of its own with `size` slots (the shared one is what conductors use); its threads
    /// end when it is dropped, once the jobs queued have run.
    pub fn new(size: usize) -> Arc<WorkerPool> {
        let size = size.max(1);
        Arc::new(WorkerPool {
            inner: Arc::new(Inner {
                queue: Mutex::new(Queue {
                    jobs: VecDeque::new(),
                    threads: 0,
                    idle: 0,
                    closed: false,
                }),
                queued: Condvar::new(),
                size,
                busy: AtomicUsize::new(0),
                peak: AtomicUsize::new(0),
                started: AtomicUsize::new(0),
            }),
        })
    }

    /// Runs `job` on a thread of the pool as soon as one is free (jobs start in the order they
    /// came). It never waits for the caller's thread: work that blocks a runtime thread until a
    /// job it asked for is done (the parts of a table it is reading) gets it done.
    pub fn run(&self, job: BoxCallback) {
        let mut queue = self.inner.lock();
        queue.jobs.push_back(job);
        if queue.idle > 0 {
            drop(queue);
            self.inner.queued.notify_one();
            return;
        }
        if queue.threads < self.inner.size {
            let inner = self.inner.clone();
            let spawned = std::thread::Builder::new()
                .name("atomiton-pool".into())
                .stack_size(STACK_SIZE)
                .spawn(move || inner.work());
            // Without a thread of its own the job waits for one of those already running (the
            // pool has at least one while any job is queued, or it runs it here).
            match spawned {
                Ok(_) => queue.threads += 1,
                Err(_) if queue.threads == 0 => {
                    let job = queue.jobs.pop_back();
                    drop(queue);
                    if let Some(job) = job {
                        self.inner.run_one(job);
                    }
                }
                Err(_) => {}
            }
        }
    }

    /// What the pool is doing.
    pub fn stats(&self) -> PoolStats {
        let inner = &self.inner;
        PoolStats {
            size: inner.size,
            busy: inner.busy.load(Ordering::SeqCst),
            peak: inner.peak.load(Ordering::SeqCst),
            started: inner.started.load(Ordering::SeqCst),
        }
    }

    /// Starts counting `peak` afresh (tests measure one scenario at a time).
    pub fn reset_peak(&self) {
        self.inner.peak.store(self.inner.busy.load(Ordering::SeqCst), Ordering::SeqCst);
    }
}

impl Drop for WorkerPool {
    fn drop(&mut self) {
        self.inner.lock().closed = true;
        self.inner.queued.notify_all();
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        // A job runs outside the lock: nothing can panic while it is held.
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A pool thread: the jobs queued, one at a time, until the pool is let go of.
    fn work(&self) {
        let mut queue = self.lock();
        loop {
            if let Some(job) = queue.jobs.pop_front() {
                drop(queue);
                self.run_one(job);
                queue = self.lock();
            } else if queue.closed {
                queue.threads -= 1;
                return;
            } else {
                queue.idle += 1;
                queue = self.queued.wait(queue).unwrap_or_else(PoisonError::into_inner);
                queue.idle -= 1;
            }
        }
    }

    /// Runs `job`, counted as busy while it runs. A panic inside is the job's own business
    /// (`offload` turns it into an error); the thread goes on to the next job.
    fn run_one(&self, job: BoxCallback) {
        let now = self.busy.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        self.started.fetch_add(1, Ordering::SeqCst);
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
        self.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::sync::mpsc;
    use std::thread::ThreadId;
    use std::time::Duration;

    use super::WorkerPool;

    /// A hang guard, far beyond what any wait below takes.
    const HANG: Duration = Duration::from_secs(60);

    /// Runs `jobs` jobs on `pool`, each giving back its thread, and collects them all.
    fn threads_of(pool: &WorkerPool, jobs: usize) -> HashSet<ThreadId> {
        let (sender, receiver) = mpsc::channel();
        for _ in 0..jobs {
            let sender = sender.clone();
            pool.run(Box::new(move || {
                // Long enough that jobs overlap and a second thread is asked for.
                std::thread::sleep(Duration::from_millis(1));
                let _ = sender.send(std::thread::current().id());
            }));
        }
        (0..jobs).map(|_| receiver.recv_timeout(HANG).expect("every job ran")).collect()
    }

    /// Jobs go to the pool's own threads, never more than its slots, reused from job to job
    /// (the point of the pool: a stream's batches meet the same caches and heaps).
    #[test]
    fn jobs_run_on_at_most_one_thread_per_slot_and_reuse_them() {
        let pool = WorkerPool::new(2);
        let first = threads_of(&pool, 200);
        let again = threads_of(&pool, 200);
        assert!(first.len() <= 2, "{} threads for 2 slots", first.len());
        assert!(again.is_subset(&first), "later jobs ran on new threads");
        assert!(!first.contains(&std::thread::current().id()), "a job ran on the caller's thread");
        let stats = pool.stats();
        assert_eq!(stats.started, 400, "{stats:?}");
        assert!(stats.peak <= 2, "{stats:?}");
    }

    /// A job that panics leaves its thread, and the pool, working.
    #[test]
    fn a_panicking_job_leaves_the_pool_working() {
        let pool = WorkerPool::new(1);
        pool.run(Box::new(|| panic!("a job's own failure")));
        let threads = threads_of(&pool, 3);
        assert_eq!(threads.len(), 1);
        assert_eq!(pool.stats().started, 4, "{:?}", pool.stats());
    }

    /// Jobs still queued when the pool is let go of run before its threads end.
    #[test]
    fn jobs_queued_when_the_pool_is_dropped_still_run() {
        let pool = WorkerPool::new(1);
        let (sender, receiver) = mpsc::channel();
        for i in 0..20 {
            let sender = sender.clone();
            pool.run(Box::new(move || {
                std::thread::sleep(Duration::from_millis(1));
                let _ = sender.send(i);
            }));
        }
        drop(pool);
        let order: Vec<i32> =
            (0..20).map(|_| receiver.recv_timeout(HANG).expect("a queued job ran")).collect();
        assert_eq!(order, (0..20).collect::<Vec<_>>(), "one slot runs jobs in the order they came");
    }
}
