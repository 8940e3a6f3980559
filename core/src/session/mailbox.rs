//! Events, executor calls and finished runs reach the embedder (JS) in batches. Records are
//! queued here; the embedder learns that something is waiting either from the status a driving
//! call returns (records queued on its own thread, during that call) or from one poke (records
//! queued elsewhere: a timer, I/O, a worker). A burst of progress snapshots or node calls costs
//! at most one hop to the embedder's thread, not one per record.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// How the embedder is poked: a threadsafe function in Node, a scheduled microtask in a browser.
/// `Send + Sync` on native targets, where pokes come from worker threads.
#[cfg(not(target_arch = "wasm32"))]
pub type PokeFn = Box<dyn Fn() + Send + Sync>;
/// How the embedder is poked: a scheduled microtask (wasm32 has one thread).
#[cfg(target_arch = "wasm32")]
pub type PokeFn = Box<dyn Fn()>;

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A poisoned lock only means a panic elsewhere mid-update; the queues stay usable.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

thread_local! {
    static DRIVING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `drive` as a driving call on this thread: what it queues is reported by the call's
/// status, so the [`Notifier`] pokes no one meanwhile.
pub(crate) fn while_driving<R>(drive: impl FnOnce() -> R) -> R {
    let previous = DRIVING.with(|d| d.replace(true));
    let result = drive();
    DRIVING.with(|d| d.set(previous));
    result
}

/// Whether this thread is inside a driving call: whatever it queues is reported by the call's
/// status, with no poke needed.
fn driving() -> bool {
    DRIVING.with(Cell::get)
}

/// The "something is waiting" signal, shared by every queue of one session.
#[derive(Default)]
pub struct Notifier {
    poke: Mutex<Option<PokeFn>>,
    scheduled: AtomicBool,
}

impl Notifier {
    pub fn new() -> Arc<Self> {
        Arc::new(Notifier::default())
    }

    /// Sets the function that pokes the embedder.
    pub fn set(&self, poke: PokeFn) {
        *lock(&self.poke) = Some(poke);
    }

    /// Asks the embedder to drive. Skipped inside a driving call, whose returned status already
    /// says what is waiting, and while a poke is already on its way.
    pub fn poke(&self) {
        if driving() || self.scheduled.swap(true, Ordering::AcqRel) {
            return;
        }
        match lock(&self.poke).as_ref() {
            Some(poke) => poke(),
            None => self.scheduled.store(false, Ordering::Release),
        }
    }

    /// Called as the embedder starts draining: anything queued from now on needs a new poke.
    pub(crate) fn rearm(&self) {
        self.scheduled.store(false, Ordering::Release);
    }
}

/// What a drained mailbox holds: its records as one JSON array text, and the binary data the
/// records' `"i"` tags refer to.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Batch {
    pub text: String,
    pub buffers: Vec<Arc<[u8]>>,
}

struct Queue {
    records: Vec<String>,
    buffers: Vec<Arc<[u8]>>,
}

/// A queue of JSON records.
pub(crate) struct Mailbox {
    queue: Mutex<Queue>,
    notifier: Arc<Notifier>,
}

impl Mailbox {
    pub fn new(notifier: Arc<Notifier>) -> Self {
        Mailbox { queue: Mutex::new(Queue { records: Vec::new(), buffers: Vec::new() }), notifier }
    }

    /// Queues a record and lets the embedder know.
    pub fn post(&self, record: String) {
        lock(&self.queue).records.push(record);
        self.notifier.poke();
    }

    /// Queues the record `write` makes, which may put binary data beside it (numbered after
    /// what is already queued); nothing is queued when it returns `None`.
    pub fn post_with(&self, write: impl FnOnce(&mut Vec<Arc<[u8]>>) -> Option<String>) {
        {
            let mut queue = lock(&self.queue);
            let Some(record) = write(&mut queue.buffers) else { return };
            queue.records.push(record);
        }
        self.notifier.poke();
    }

    pub fn is_empty(&self) -> bool {
        lock(&self.queue).records.is_empty()
    }

    /// Everything queued, as one JSON array text.
    pub fn drain(&self) -> String {
        self.drain_batch().text
    }

    /// Everything queued, with its binary data.
    pub fn drain_batch(&self) -> Batch {
        let (records, buffers) = {
            let mut queue = lock(&self.queue);
            (std::mem::take(&mut queue.records), std::mem::take(&mut queue.buffers))
        };
        let mut text =
            String::with_capacity(2 + records.iter().map(|r| r.len() + 1).sum::<usize>());
        text.push('[');
        for (i, record) in records.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push_str(record);
        }
        text.push(']');
        Batch { text, buffers }
    }
}
