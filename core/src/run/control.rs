//! Pausing, resuming and stepping a run from outside it (a debugger's buttons).
//!
//! The run reads these requests at node boundaries; it never blocks on them. A paused run holds
//! the next node it would start (and reports it), lets running nodes finish, and starts nothing
//! until it is resumed or stepped.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use futures::task::AtomicWaker;

use super::RunCommand;

/// A run's requests as its handles hold them (shared by the run and whoever controls it).
pub type SharedControl = std::sync::Arc<RunControl>;

/// Requests to one run: pause, resume, step. Shared between the run and whoever controls it.
#[derive(Debug, Default)]
pub struct RunControl {
    paused: AtomicBool,
    /// Nodes a paused run may still start, one per `step`.
    steps: AtomicU32,
    /// The paused run's task, woken when a request arrives.
    waker: AtomicWaker,
}

impl RunControl {
    pub fn new() -> Self {
        Self::default()
    }

    /// Pauses at the next node boundary: nodes already running finish, nothing new starts.
    pub fn pause(&self) {
        self.paused.store(true, Ordering::Release);
        self.waker.wake();
    }

    /// Lets the run go on as normal (until its next breakpoint).
    pub fn resume(&self) {
        self.steps.store(0, Ordering::Release);
        self.paused.store(false, Ordering::Release);
        self.waker.wake();
    }

    /// Starts the node the run is paused at, then pauses again before the one after it. A run
    /// that is not paused pauses after starting its next node.
    pub fn step(&self) {
        self.steps.fetch_add(1, Ordering::AcqRel);
        self.paused.store(true, Ordering::Release);
        self.waker.wake();
    }

    pub fn apply(&self, command: RunCommand) {
        match command {
            RunCommand::Pause => self.pause(),
            RunCommand::Resume => self.resume(),
            RunCommand::Step => self.step(),
        }
    }

    /// Whether a pause is asked for.
    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::Acquire)
    }

    /// Takes one step granted by [`step`](Self::step), if there is one.
    pub(crate) fn take_step(&self) -> bool {
        self.steps.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1)).is_ok()
    }

    /// Wakes `waker`'s task on the next request. Register before reading the requests, so a
    /// request that comes in between is not missed.
    pub(crate) fn register(&self, waker: &std::task::Waker) {
        self.waker.register(waker);
    }
}
