//! A host whose workers are plain threads, for tests of work split across them.

use crate::host::{BoxCallback, BoxFuture, Host};

/// Runs `run_blocking` jobs each on a thread of its own and says it has `workers` of them
/// ([`Host::parallelism`]); no clock, no timers (they resolve at once); a spawned task runs to
/// its end on a thread of its own.
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
        std::thread::spawn(move || block_on(task));
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

/// Polls `task` to its end on this thread, parked while it waits.
fn block_on(mut task: BoxFuture<'static, ()>) {
    use std::task::{Context, Poll, Wake};
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = std::sync::Arc::new(Unpark(std::thread::current())).into();
    let mut cx = Context::from_waker(&waker);
    while task.as_mut().poll(&mut cx) == Poll::Pending {
        std::thread::park();
    }
}
