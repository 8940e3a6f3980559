//! Runs are driven on the JS thread.
//!
//! A run of a small flow is mostly CPU work measured in microseconds; handing it to a tokio
//! worker and its result back to the JS thread would cost two thread switches, more than the
//! run itself. So a run's future is polled right inside the napi call that starts it, and again
//! inside whichever call wakes it on the JS thread (`resolveCall` after a JS executor answered);
//! only wakes from other threads (timers, HTTP, files, processes, offloaded work) cost a poke of
//! the JS thread. Real work never blocks the JS thread: I/O runs on tokio, heavy node work is
//! offloaded by the core (`Host::run_blocking`), and large flow documents are run on a tokio
//! worker from the start (see [`Driver::spawn`]).

use std::cell::Cell;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll, Wake, Waker};

use futures::FutureExt;
use tokio::runtime::Handle;

use crate::events::{lock, Notifier};

/// A run in progress.
pub(crate) type RunFuture = Pin<Box<dyn Future<Output = RunOutput> + Send>>;

/// A finished run as JS collects it: the `ExecutionResult` as JSON text with its trace apart,
/// because parsing a trace costs JS more than the whole run (a 10-node trace is ~100 small
/// objects) and most callers never read it; the TypeScript layer parses it on first access.
#[napi_derive::napi(object)]
pub struct CompletedRun {
    pub run_id: u32,
    pub result: String,
    pub trace: Option<String>,
}

/// What a run future produces.
pub(crate) struct RunOutput {
    pub result: String,
    pub trace: Option<String>,
}

/// Polls per driving call before yielding back to Node's event loop, so a run that keeps
/// waking itself cannot starve timers and I/O callbacks.
const POLL_BUDGET: usize = 4096;

thread_local! {
    static DRIVING: Cell<bool> = const { Cell::new(false) };
}

/// Whether this thread is inside a driving call: whatever it queues is reported by the call's
/// status, with no poke needed.
pub(crate) fn driving() -> bool {
    DRIVING.with(Cell::get)
}

struct Run {
    future: RunFuture,
    waker: Waker,
}

/// Wakes one run: queues its id, and pokes JS when woken from elsewhere.
struct RunWaker {
    id: u32,
    queued: AtomicBool,
    driver: Weak<Driver>,
}

impl Wake for RunWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if self.queued.swap(true, Ordering::AcqRel) {
            return;
        }
        if let Some(driver) = self.driver.upgrade() {
            lock(&driver.ready).push_back(self.clone());
            driver.notifier.poke();
        }
    }
}

/// The runs of one conductor and the results waiting for JS.
pub(crate) struct Driver {
    runtime: Handle,
    notifier: Arc<Notifier>,
    runs: Mutex<HashMap<u32, Run>>,
    ready: Mutex<VecDeque<Arc<RunWaker>>>,
    /// Finished runs waiting for `takeCompleted`.
    completed: Mutex<Vec<CompletedRun>>,
    /// The output of a run whose poll panicked, from the panic's message.
    on_panic: fn(String) -> RunOutput,
}

impl Driver {
    pub fn new(runtime: Handle, notifier: Arc<Notifier>, on_panic: fn(String) -> RunOutput) -> Arc<Self> {
        Arc::new(Driver { runtime, notifier, runs: Mutex::default(), ready: Mutex::default(), completed: Mutex::default(), on_panic })
    }

    /// Starts run `id` on the JS thread: it is polled before this returns.
    pub fn start(self: &Arc<Self>, id: u32, future: RunFuture) {
        let waker = Arc::new(RunWaker { id, queued: AtomicBool::new(false), driver: Arc::downgrade(self) });
        lock(&self.runs).insert(id, Run { future, waker: Waker::from(waker.clone()) });
        self.drive(|| waker.wake_by_ref());
    }

    /// Runs `id` on a tokio worker (for flow documents too large to parse on the JS thread).
    pub fn spawn(self: &Arc<Self>, id: u32, future: RunFuture) {
        let driver = self.clone();
        drop(self.runtime.spawn(async move {
            let panic_result = driver.on_panic;
            let output = AssertUnwindSafe(future).catch_unwind().await.unwrap_or_else(|panic| panic_result(crate::guard::panic_message(&*panic)));
            driver.complete(id, output);
        }));
    }

    /// Does `first` (which may wake runs) and then polls every woken run, on the JS thread.
    pub fn drive(&self, first: impl FnOnce()) {
        self.notifier.rearm();
        let previous = DRIVING.with(|d| d.replace(true));
        // Tokio timers, I/O and `spawn` need a runtime context when futures first use them.
        let _context = self.runtime.enter();
        first();
        let mut budget = POLL_BUDGET;
        while budget > 0 {
            let Some(waker) = lock(&self.ready).pop_front() else { break };
            waker.queued.store(false, Ordering::Release);
            let Some(mut run) = lock(&self.runs).remove(&waker.id) else { continue };
            let mut context = Context::from_waker(&run.waker);
            match catch_unwind(AssertUnwindSafe(|| run.future.as_mut().poll(&mut context))) {
                Ok(Poll::Pending) => {
                    lock(&self.runs).insert(waker.id, run);
                }
                Ok(Poll::Ready(output)) => self.complete(waker.id, output),
                Err(panic) => self.complete(waker.id, (self.on_panic)(crate::guard::panic_message(&*panic))),
            }
            budget -= 1;
        }
        DRIVING.with(|d| d.set(previous));
        if !lock(&self.ready).is_empty() {
            // Out of budget: let the event loop breathe, then carry on.
            self.notifier.poke();
        }
    }

    fn complete(&self, run_id: u32, output: RunOutput) {
        lock(&self.completed).push(CompletedRun { run_id, result: output.result, trace: output.trace });
        self.notifier.poke();
    }

    pub fn has_completed(&self) -> bool {
        !lock(&self.completed).is_empty()
    }

    /// Every finished run not yet collected.
    pub fn take_completed(&self) -> Vec<CompletedRun> {
        std::mem::take(&mut *lock(&self.completed))
    }
}
