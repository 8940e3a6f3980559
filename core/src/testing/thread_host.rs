//! A host whose workers are plain threads, for tests of work split across them.

use crate::host::{BoxCallback, BoxFuture, Host};

/// Runs `run_blocking` jobs each on a thread of its own and says it has `workers` of them
/// ([`Host::parallelism`]); no clock, no timers (they resolve at once), tasks dropped.
pub struct ThreadHost {
    workers: usize,
}

impl ThreadHost {
    pub fn new(workers: usize) -> Self {
        ThreadHost { workers }
    }
}

impl Host for ThreadHost {
    fn now(&self) -> f64 {
        0.0
    }

    fn sleep(&self, _ms: f64) -> BoxFuture<'static, ()> {
        Box::pin(std::future::ready(()))
    }

    fn random(&self) -> f64 {
        0.5
    }

    fn spawn(&self, task: BoxFuture<'static, ()>) {
        drop(task);
    }

    fn run_blocking(&self, job: BoxCallback) {
        std::thread::spawn(job);
    }

    fn has_workers(&self) -> bool {
        true
    }

    fn parallelism(&self) -> usize {
        self.workers
    }
}
