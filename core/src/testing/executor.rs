//! The single-threaded executor and timer wheel behind `VirtualHost`.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use futures::task::{waker, ArcWake};

use crate::host::BoxFuture;

pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

struct Task {
    id: usize,
    queued: AtomicBool,
    ready: Arc<Mutex<VecDeque<usize>>>,
}

impl ArcWake for Task {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        if !arc_self.queued.swap(true, AtomicOrdering::AcqRel) {
            lock(&arc_self.ready).push_back(arc_self.id);
        }
    }
}

struct TimerState {
    fired: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

struct TimerEntry {
    deadline: f64,
    order: u64,
    state: Arc<TimerState>,
}

impl PartialEq for TimerEntry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for TimerEntry {}
impl PartialOrd for TimerEntry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for TimerEntry {
    /// Min-heap on (deadline, registration order): earliest first, ties in FIFO order.
    fn cmp(&self, other: &Self) -> Ordering {
        other.deadline.total_cmp(&self.deadline).then_with(|| other.order.cmp(&self.order))
    }
}

/// A spawned task's future and its waker handle.
type Spawned = (BoxFuture<'static, ()>, Arc<Task>);

/// Tasks, timers and the virtual clock.
pub(super) struct Runtime {
    pub now: Mutex<f64>,
    timers: Mutex<(BinaryHeap<TimerEntry>, u64)>,
    /// Spawned tasks by id; `None` once finished (ids stay stable).
    tasks: Mutex<Vec<Option<Spawned>>>,
    ready: Arc<Mutex<VecDeque<usize>>>,
}

impl Runtime {
    pub fn new(start: f64) -> Self {
        Runtime {
            now: Mutex::new(start),
            timers: Mutex::new((BinaryHeap::new(), 0)),
            tasks: Mutex::new(Vec::new()),
            ready: Arc::new(Mutex::new(VecDeque::new())),
        }
    }

    pub fn now(&self) -> f64 {
        *lock(&self.now)
    }

    pub fn spawn(&self, future: BoxFuture<'static, ()>) {
        let mut tasks = lock(&self.tasks);
        let id = tasks.len();
        let task = Arc::new(Task { id, queued: AtomicBool::new(true), ready: self.ready.clone() });
        tasks.push(Some((future, task)));
        lock(&self.ready).push_back(id);
    }

    pub fn sleep(self: &Arc<Self>, ms: f64) -> Sleep {
        let deadline = self.now() + if ms.is_finite() { ms.max(0.0) } else { f64::MAX / 4.0 };
        Sleep { runtime: self.clone(), deadline, state: None }
    }

    /// Polls one task; returns false when the ready queue is empty.
    fn run_one(&self) -> bool {
        let Some(id) = lock(&self.ready).pop_front() else { return false };
        let entry = lock(&self.tasks).get_mut(id).and_then(Option::take);
        let Some((mut future, task)) = entry else { return true };
        task.queued.store(false, AtomicOrdering::Release);
        let waker = waker(task.clone());
        let mut cx = Context::from_waker(&waker);
        if future.as_mut().poll(&mut cx).is_pending() {
            if let Some(slot) = lock(&self.tasks).get_mut(id) {
                *slot = Some((future, task));
            }
        }
        true
    }

    /// Moves time to the next timer and fires every timer due; false if there is none.
    fn advance(&self) -> bool {
        let mut timers = lock(&self.timers);
        let Some(next) = timers.0.peek().map(|t| t.deadline) else { return false };
        {
            let mut now = lock(&self.now);
            if next > *now {
                *now = next;
            }
        }
        let now = self.now();
        while timers.0.peek().is_some_and(|t| t.deadline <= now) {
            if let Some(timer) = timers.0.pop() {
                timer.state.fired.store(true, AtomicOrdering::Release);
                if let Some(w) = lock(&timer.state.waker).take() {
                    w.wake();
                }
            }
        }
        true
    }

    /// Runs until `done` reports a value; time advances only when nothing is runnable.
    pub fn run_until<T>(&self, mut done: impl FnMut() -> Option<T>) -> T {
        loop {
            while self.run_one() {
                if let Some(value) = done() {
                    return value;
                }
            }
            if let Some(value) = done() {
                return value;
            }
            assert!(self.advance(), "virtual host deadlock: no runnable task and no pending timer");
        }
    }
}

/// Virtual-time sleep.
pub(super) struct Sleep {
    runtime: Arc<Runtime>,
    deadline: f64,
    state: Option<Arc<TimerState>>,
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.runtime.now() >= self.deadline {
            return Poll::Ready(());
        }
        if let Some(state) = &self.state {
            if state.fired.load(AtomicOrdering::Acquire) {
                return Poll::Ready(());
            }
            *lock(&state.waker) = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let state = Arc::new(TimerState {
            fired: AtomicBool::new(false),
            waker: Mutex::new(Some(cx.waker().clone())),
        });
        {
            let mut timers = lock(&self.runtime.timers);
            timers.1 += 1;
            let order = timers.1;
            timers.0.push(TimerEntry { deadline: self.deadline, order, state: state.clone() });
        }
        self.state = Some(state);
        Poll::Pending
    }
}
