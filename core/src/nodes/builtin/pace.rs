//! Where a pure built-in node's CPU work runs: a little of it on the thread that drives the run,
//! the rest on the host's worker pool.
//!
//! The thread that drives a run is often the embedder's own (Node's JS thread: Electron's main
//! process), which must never stall. A small map or a short loop costs microseconds, far less
//! than a trip to a worker thread and back, so pure nodes first run where they are called with a
//! small allowance — about a millisecond, and a capped step budget per expression call. Work that
//! outgrows it is abandoned (pure nodes have no effects, so nothing is lost but the time spent)
//! and runs again on the host's workers with the node's full budgets. Hosts without workers (a
//! browser tab, a Web Worker, tests) run it at once with the full budgets.

use std::cell::Cell;
use std::sync::Arc;

use crate::error::ExecutionError;
use crate::expression::{ExpressionError, Limits};
use crate::host::{offload, BoxFuture, Host, SharedHost};
use crate::nodes::{Invocation, NodeResult};

/// Time the first, inline attempt may take (ms).
const INLINE_MS: f64 = 1.0;
/// Steps one expression call may take inline.
const INLINE_STEPS: u64 = 50_000;
/// Most items between two clock reads while inline (a clock read costs tens of nanoseconds, a
/// cheap item about as much). The gap starts at one item and doubles while items prove cheap,
/// so a costly item (a long string built per item) overshoots the allowance by one item, not 64.
const CHECK_EVERY_AT_MOST: u32 = 64;
/// Time between two clock reads under which items count as cheap (ms).
const CHEAP_GAP_MS: f64 = 0.05;
/// Inline attempts of all nodes together may take this much of any window of `WINDOW_MS` on
/// one thread (ms): sixteen heavy nodes started together must not each take their allowance
/// in turn on the embedder's thread. Past it, nodes go to the workers without an attempt.
const INLINE_PER_WINDOW_MS: f64 = 1.5;
const WINDOW_MS: f64 = 4.0;

thread_local! {
    /// This thread's window: when it began, and the inline time spent in it (ms).
    static WINDOW: Cell<(f64, f64)> = const { Cell::new((f64::NEG_INFINITY, 0.0)) };
}

/// Whether this thread may make another inline attempt now.
fn inline_time_left(now: f64) -> bool {
    WINDOW.with(|window| {
        let (start, spent) = window.get();
        if now - start > WINDOW_MS {
            window.set((now, 0.0));
            return true;
        }
        spent < INLINE_PER_WINDOW_MS
    })
}

fn spent_inline(ms: f64) {
    WINDOW.with(|window| {
        let (start, spent) = window.get();
        window.set((start, spent + ms));
    });
}

/// The allowance of one attempt at a pure node's work.
pub(super) struct Pace<'h> {
    /// `None`: no allowance (the work runs to its end, with its full budgets).
    inline: Option<(&'h dyn Host, f64)>,
    since_check: Cell<u32>,
    /// Items between clock reads now, and when the clock was last read.
    check_every: Cell<u32>,
    last_check: Cell<f64>,
    overran: Cell<bool>,
}

impl<'h> Pace<'h> {
    pub(super) fn unbounded() -> Self {
        Pace {
            inline: None,
            since_check: Cell::new(0),
            check_every: Cell::new(1),
            last_check: Cell::new(0.0),
            overran: Cell::new(false),
        }
    }

    fn inline(host: &'h dyn Host) -> Self {
        let now = host.now();
        Pace {
            inline: Some((host, now + INLINE_MS)),
            since_check: Cell::new(0),
            check_every: Cell::new(1),
            last_check: Cell::new(now),
            overran: Cell::new(false),
        }
    }

    /// Whether the work runs to its end here (on a worker, or on a host without workers).
    pub fn is_unbounded(&self) -> bool {
        self.inline.is_none()
    }

    /// The limits of one expression call: the node's own, with the step budget capped inline.
    pub fn limits(&self, limits: &Limits) -> Limits {
        match self.inline {
            Some(_) => Limits { max_steps: limits.max_steps.min(INLINE_STEPS), ..*limits },
            None => *limits,
        }
    }

    /// Between two items: an error once the inline allowance is spent (the attempt is then
    /// abandoned, whatever the caller makes of the error).
    pub fn tick(&self) -> Result<(), ExecutionError> {
        let Some((host, deadline)) = self.inline else { return Ok(()) };
        let count = self.since_check.get() + 1;
        if count < self.check_every.get() {
            self.since_check.set(count);
            return Ok(());
        }
        self.since_check.set(0);
        let now = host.now();
        if now > deadline {
            return Err(self.overrun());
        }
        let every = self.check_every.get();
        let next = if now - self.last_check.get() < CHEAP_GAP_MS {
            (every * 2).min(CHECK_EVERY_AT_MOST)
        } else {
            (every / 2).max(1)
        };
        self.check_every.set(next);
        self.last_check.set(now);
        Ok(())
    }

    /// An expression call's result: a step-budget error that only the inline cap caused means
    /// the allowance is spent (the call runs again with the full budget).
    pub fn checked<T>(
        &self,
        full: &Limits,
        result: Result<T, ExpressionError>,
    ) -> Result<T, ExpressionError> {
        if let Err(error) = &result {
            if self.inline.is_some() && full.max_steps > INLINE_STEPS && error.is_step_budget() {
                self.overran.set(true);
            }
        }
        result
    }

    /// Before work that cannot stop halfway (a sort): an error when `items` is more than an
    /// inline attempt should take on.
    pub fn expect(&self, items: usize) -> Result<(), ExecutionError> {
        /// About a millisecond of sorting or grouping.
        const INLINE_ITEMS: usize = 2_000;
        if self.inline.is_some() && items > INLINE_ITEMS {
            return Err(self.overrun());
        }
        Ok(())
    }

    fn overrun(&self) -> ExecutionError {
        self.overran.set(true);
        ExecutionError::internal("The node's inline allowance is spent; it continues on a worker")
    }
}

/// Runs `work` for `invocation`: inline within an allowance where the host has workers to move
/// it to, there at once when `items` says it is large, and directly where there are none.
pub(super) fn run_pure(
    invocation: Invocation,
    host: SharedHost,
    items: usize,
    work: fn(&Arc<Invocation>, &SharedHost, &Pace<'_>) -> NodeResult,
) -> BoxFuture<'static, NodeResult> {
    /// Inputs this large go to a worker without an inline attempt. At 4,096 items a cheap
    /// per-item call (a few hundred nanoseconds, as `item => ({ ...item, done: true })` costs)
    /// already outgrows the allowance, and the attempt's millisecond was thrown away before the
    /// work began again on a worker; a trip to a worker costs tens of microseconds.
    const OFFLOAD_ITEMS: usize = 4096;
    // Shared, so that work split into parts can hand it to the helpers (`host::in_parts`).
    let invocation = Arc::new(invocation);
    if !host.has_workers() {
        let result = work(&invocation, &host, &Pace::unbounded());
        return Box::pin(std::future::ready(result));
    }
    let started = host.now();
    if items < OFFLOAD_ITEMS && inline_time_left(started) {
        let pace = Pace::inline(&*host);
        let result = work(&invocation, &host, &pace);
        spent_inline(host.now() - started);
        if !pace.overran.get() {
            return Box::pin(std::future::ready(result));
        }
    }
    Box::pin(async move {
        let (job, worker_host) = (invocation.clone(), host.clone());
        offload(&host, move || work(&job, &worker_host, &Pace::unbounded())).await?
    })
}
