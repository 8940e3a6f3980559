//! Deadlines for waits on a store's thread, from one timer thread: a store's answer is awaited
//! from whatever executor polls the engine's futures (a napi task, a test's), so the timer
//! cannot be a runtime's.
//!
//! A store's synchronous client has no per-request timeout: a PostgreSQL server that stops
//! answering without closing its connections (SIGSTOP, a paused VM behind a live host) holds
//! the store's thread until it answers again. The caller does not wait that long: it gets a
//! coded, retryable error at the deadline, and the thread takes the request up again when the
//! server does (writes stay queued meanwhile).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::future::Future;
use std::sync::{Condvar, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use futures::channel::oneshot;
use futures::future::{select, Either};

/// How long a request to a store's server may take before its caller is told it did not answer.
pub(crate) const STORE_REQUEST: Duration = Duration::from_secs(30);

struct Timer {
    due: Mutex<BinaryHeap<Reverse<(Instant, u64)>>>,
    senders: Mutex<std::collections::HashMap<u64, oneshot::Sender<()>>>,
    changed: Condvar,
    next_id: std::sync::atomic::AtomicU64,
}

fn timer() -> Option<&'static Timer> {
    static TIMER: OnceLock<Option<&'static Timer>> = OnceLock::new();
    *TIMER.get_or_init(|| {
        let timer: &'static Timer = Box::leak(Box::new(Timer {
            due: Mutex::new(BinaryHeap::new()),
            senders: Mutex::new(std::collections::HashMap::new()),
            changed: Condvar::new(),
            next_id: std::sync::atomic::AtomicU64::new(0),
        }));
        std::thread::Builder::new()
            .name("atomiton-deadlines".into())
            .spawn(move || timer.run())
            .ok()
            .map(|_| timer)
    })
}

impl Timer {
    fn run(&self) {
        let mut due = self.due.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            let now = Instant::now();
            while let Some(Reverse((at, id))) = due.peek().copied() {
                if at > now {
                    break;
                }
                due.pop();
                let sender =
                    self.senders.lock().unwrap_or_else(PoisonError::into_inner).remove(&id);
                if let Some(sender) = sender {
                    let _ = sender.send(());
                }
            }
            due = match due.peek().map(|Reverse((at, _))| *at) {
                Some(at) => {
                    let wait = at.saturating_duration_since(Instant::now());
                    self.changed.wait_timeout(due, wait).unwrap_or_else(PoisonError::into_inner).0
                }
                None => self.changed.wait(due).unwrap_or_else(PoisonError::into_inner),
            };
        }
    }

    fn after(&self, wait: Duration) -> oneshot::Receiver<()> {
        let (sender, receiver) = oneshot::channel();
        let id = self.next_id.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.senders.lock().unwrap_or_else(PoisonError::into_inner).insert(id, sender);
        self.due
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Reverse((Instant::now() + wait, id)));
        self.changed.notify_one();
        receiver
    }
}

/// `work`'s output, or `None` once `limit` passed first. Without a limit, or a timer thread (the
/// OS refused one), `work` is awaited without a bound.
pub(crate) async fn within<T>(limit: Option<Duration>, work: impl Future<Output = T>) -> Option<T> {
    let (Some(limit), Some(timer)) = (limit, timer()) else { return Some(work.await) };
    let expired = timer.after(limit);
    match select(std::pin::pin!(work), expired).await {
        Either::Left((value, _)) => Some(value),
        Either::Right((Ok(()), _)) => None,
        // The timer dropped its sender without firing (it cannot): wait for the work.
        Either::Right((Err(_), work)) => Some(work.await),
    }
}
