//! Runs are driven on the embedder's thread.
//!
//! A run of a small flow is mostly CPU work measured in microseconds; handing it to a worker
//! thread and its result back would cost two thread switches, more than the run itself. So a
//! run's future is polled right inside the call that starts it, and again inside whichever call
//! wakes it on that thread (an executor's answer); only wakes from elsewhere (timers, I/O,
//! offloaded work) poke the embedder through the [`Notifier`]. Real work never blocks the
//! embedder: I/O runs on the host's threads, heavy node work is offloaded by the engine
//! ([`crate::host::Host::run_blocking`]), and a native binding runs large documents on a worker
//! from the start ([`Driver::on_worker`]).
//!
//! A run on a worker that waits on the embedder's own executors is handed to the embedder's
//! thread once its document is read and its first nodes started: every executor call would
//! otherwise cost two thread hops (the worker pokes the embedder, the embedder's answer wakes the
//! worker), an order of magnitude more than the call itself.

use std::collections::{HashMap, VecDeque};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll, Wake, Waker};

#[cfg(not(target_arch = "wasm32"))]
use futures::task::AtomicWaker;

use super::mailbox::{lock, while_driving, Notifier};
use super::wire::{panic_output, RunOutput};
use crate::error::panic_message;
use crate::host::BoxFuture;

/// Polls per driving call before yielding back to the embedder's event loop, so a run that
/// keeps waking itself cannot starve timers and I/O callbacks.
const POLL_BUDGET: usize = 4096;
/// Time one driving call may take (ms) before it yields back to the embedder's event loop and
/// asks to be called again: the embedder's thread is often an app's main thread.
const TIME_BUDGET_MS: f64 = 4.0;

/// A finished run as the embedder collects it: the `ExecutionResult` as codec text, and the id
/// of its trace, which stays here until read ([`super::Session::take_trace`]) or dropped:
/// writing and parsing a trace costs more than the whole run of a small flow, and most callers
/// never read it.
#[derive(Debug, Clone, PartialEq)]
pub struct CompletedRun {
    pub run_id: u32,
    /// The `ExecutionResult` as codec text; `buffers` holds the binary data its tags refer to.
    pub result: String,
    pub buffers: Vec<std::sync::Arc<[u8]>>,
    /// The result's large arrays, written apart when the session asked for it
    /// ([`super::Session::with_result_slices`]): for each `slices` tag in `result`, by its
    /// number, the JSON texts of arrays whose items, concatenated, are that array's items.
    pub slices: Vec<Vec<String>>,
    pub trace: Option<u32>,
}

impl CompletedRun {
    /// Its fields as both bindings hand them to JS (`takeCompleted`), in order: the JS name, the
    /// TypeScript type and whether it may be absent. The TypeScript type `FinishedRun` is
    /// generated from this; each binding's conversion (`FinishedRun` in the napi addon,
    /// `takeCompleted` in the wasm module) writes these names.
    pub const JS_FIELDS: &'static [(&'static str, &'static str, bool)] = &[
        ("runId", "number", false),
        ("result", "Encoded<WireResult>", false),
        ("buffers", "Uint8Array[]", false),
        // Absent (wasm) or empty (native) when the result has no arrays written apart.
        ("slices", "string[][]", true),
        ("trace", "number | null", true),
    ];
}

struct Run {
    future: BoxFuture<'static, RunOutput>,
    waker: Waker,
}

/// Wakes one run: queues it, and pokes the embedder when woken from elsewhere. While a worker
/// polls the run ([`Driver::on_worker`]), it wakes the worker's task instead.
struct RunWaker {
    id: u32,
    queued: AtomicBool,
    driver: Weak<Driver>,
    /// Whether a worker polls the run; wasm32 has no workers.
    #[cfg(not(target_arch = "wasm32"))]
    on_worker: AtomicBool,
    #[cfg(not(target_arch = "wasm32"))]
    worker: AtomicWaker,
}

impl RunWaker {
    fn new(
        id: u32,
        driver: &Arc<Driver>,
        #[cfg_attr(target_arch = "wasm32", allow(unused_variables))] on_worker: bool,
    ) -> Arc<Self> {
        Arc::new(RunWaker {
            id,
            queued: AtomicBool::new(false),
            driver: Arc::downgrade(driver),
            #[cfg(not(target_arch = "wasm32"))]
            on_worker: AtomicBool::new(on_worker),
            #[cfg(not(target_arch = "wasm32"))]
            worker: AtomicWaker::new(),
        })
    }
}

impl Wake for RunWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        #[cfg(not(target_arch = "wasm32"))]
        if self.on_worker.load(Ordering::Acquire) {
            self.worker.wake();
            return;
        }
        if self.queued.swap(true, Ordering::AcqRel) {
            return;
        }
        if let Some(driver) = self.driver.upgrade() {
            lock(&driver.ready).push_back(self.clone());
            driver.notifier.poke();
        }
    }
}

// SAFETY: wasm32 without the atomics feature has exactly one thread, so the waker (which the
// standard library requires to be Send + Sync) is never touched from another thread.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
unsafe impl Send for RunWaker {}
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
unsafe impl Sync for RunWaker {}

/// The runs of one session and the results waiting for the embedder.
pub(crate) struct Driver {
    notifier: Arc<Notifier>,
    /// The host, whose clock measures the time budget.
    clock: crate::host::SharedHost,
    runs: Mutex<HashMap<u32, Run>>,
    ready: Mutex<VecDeque<Arc<RunWaker>>>,
    completed: Mutex<Vec<CompletedRun>>,
    /// Traces of finished runs not yet read or dropped, by trace id.
    traces: Mutex<HashMap<u32, crate::trace::ExecutionTrace>>,
    next_trace: std::sync::atomic::AtomicU32,
}

// The waker is shared across threads on native targets; on wasm32 everything is one thread.
#[cfg(not(target_arch = "wasm32"))]
const _: fn() = || {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Driver>();
};

impl Driver {
    pub fn new(notifier: Arc<Notifier>, clock: crate::host::SharedHost) -> Arc<Self> {
        Arc::new(Driver {
            notifier,
            clock,
            runs: Mutex::default(),
            ready: Mutex::default(),
            completed: Mutex::default(),
            traces: Mutex::default(),
            next_trace: std::sync::atomic::AtomicU32::new(1),
        })
    }

    /// Drops every run waiting to be driven (the session is closing; they were cancelled).
    pub fn drop_runs(&self) {
        // Taken out first: dropping a run's future may wake others, which takes these locks.
        let runs = std::mem::take(&mut *lock(&self.runs));
        lock(&self.ready).clear();
        drop(runs);
    }

    /// Starts run `id` on the calling thread: it is polled before this returns.
    pub fn start(self: &Arc<Self>, id: u32, future: BoxFuture<'static, RunOutput>) {
        let waker = RunWaker::new(id, self, false);
        lock(&self.runs).insert(id, Run { future, waker: Waker::from(waker.clone()) });
        self.drive(|| waker.wake_by_ref());
    }

    /// Run `id` as a future for the embedder to run on a worker; it reports like any other run.
    /// Once `hand_over` is set, the first poll that leaves the run waiting moves it to the
    /// embedder's thread, which drives it from then on (the worker's future ends there).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn on_worker(
        self: &Arc<Self>,
        id: u32,
        future: BoxFuture<'static, RunOutput>,
        hand_over: Arc<AtomicBool>,
    ) -> BoxFuture<'static, ()> {
        let driver = self.clone();
        // The run's futures are polled with its own waker from the start, so that the wakes they
        // registered on the worker reach the embedder's thread after the move.
        let waker = RunWaker::new(id, self, true);
        let mut run = Some(Run { future, waker: Waker::from(waker.clone()) });
        Box::pin(futures::future::poll_fn(move |cx| {
            let Some(current) = run.as_mut() else { return Poll::Ready(()) };
            waker.worker.register(cx.waker());
            let mut context = Context::from_waker(&current.waker);
            let output =
                match catch_unwind(AssertUnwindSafe(|| current.future.as_mut().poll(&mut context)))
                {
                    Ok(Poll::Ready(output)) => output,
                    Err(panic) => panic_output(&panic_message(&*panic)),
                    Ok(Poll::Pending) if hand_over.load(Ordering::Acquire) => {
                        if let Some(moving) = run.take() {
                            lock(&driver.runs).insert(id, moving);
                        }
                        waker.on_worker.store(false, Ordering::Release);
                        // A wake that came during this poll went to the worker's task, which ends
                        // now: one poll on the embedder's thread picks up whatever it was for.
                        waker.wake_by_ref();
                        return Poll::Ready(());
                    }
                    Ok(Poll::Pending) => return Poll::Pending,
                };
            run = None;
            driver.complete(id, output);
            Poll::Ready(())
        }))
    }

    /// Does `first` (which may wake runs), then polls every woken run.
    pub fn drive(&self, first: impl FnOnce()) {
        self.notifier.rearm();
        while_driving(|| {
            first();
            self.poll_woken();
        });
        if !lock(&self.ready).is_empty() {
            // Out of budget: let the event loop breathe, then carry on.
            self.notifier.poke();
        }
    }

    /// Polls woken runs until none is left or this driving call's budget is spent.
    fn poll_woken(&self) {
        let mut budget = POLL_BUDGET;
        let deadline = self.clock.now() + TIME_BUDGET_MS;
        while budget > 0 {
            // A clock read costs tens of nanoseconds; a poll, a microsecond or more.
            if self.clock.now() > deadline {
                break;
            }
            let Some(waker) = lock(&self.ready).pop_front() else { break };
            waker.queued.store(false, Ordering::Release);
            let Some(mut run) = lock(&self.runs).remove(&waker.id) else { continue };
            let mut context = Context::from_waker(&run.waker);
            match catch_unwind(AssertUnwindSafe(|| run.future.as_mut().poll(&mut context))) {
                Ok(Poll::Pending) => {
                    lock(&self.runs).insert(waker.id, run);
                }
                Ok(Poll::Ready(output)) => self.complete(waker.id, output),
                Err(panic) => self.complete(waker.id, panic_output(&panic_message(&*panic))),
            }
            budget -= 1;
        }
    }

    fn complete(&self, run_id: u32, output: RunOutput) {
        let trace = output.trace.map(|trace| {
            let id = self.next_trace.fetch_add(1, Ordering::Relaxed);
            lock(&self.traces).insert(id, trace);
            id
        });
        lock(&self.completed).push(CompletedRun {
            run_id,
            result: output.result,
            buffers: output.buffers,
            slices: output.slices,
            trace,
        });
        self.notifier.poke();
    }

    pub fn has_completed(&self) -> bool {
        !lock(&self.completed).is_empty()
    }

    /// Every finished run not yet collected.
    pub fn take_completed(&self) -> Vec<CompletedRun> {
        std::mem::take(&mut *lock(&self.completed))
    }

    /// Trace `id` as JSON text, forgetting it; `None` when it was taken or dropped already.
    pub fn take_trace(&self, id: u32) -> Option<String> {
        let trace = lock(&self.traces).remove(&id)?;
        serde_json::to_string(&trace).ok()
    }

    /// Forgets trace `id` (its result was dropped unread).
    pub fn drop_trace(&self, id: u32) {
        lock(&self.traces).remove(&id);
    }
}
