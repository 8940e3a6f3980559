//! Events, executor calls and finished runs reach JS in batches. Rust queues records; JS learns
//! that something is waiting either from the status a driving call returns (when the records
//! were queued on the JS thread, during that call) or from one poke of a weak threadsafe
//! function (when they were queued on another thread). A burst of progress snapshots or node
//! calls therefore costs at most one hop to the JS thread, not one per record.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use atomiton_core::host::{EngineEvent, EventSink};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;
use serde_json::{json, Value};

use crate::driver::driving;

/// `() => void` called from any thread; weak so it never keeps Node's event loop alive (the
/// TypeScript layer holds the loop open while runs are pending).
pub(crate) type NotifyFn = ThreadsafeFunction<(), (), (), Status, false, true>;

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The "something is waiting" signal to JS, shared by every queue of one conductor.
#[derive(Default)]
pub(crate) struct Notifier {
    notify: Mutex<Option<NotifyFn>>,
    scheduled: AtomicBool,
}

impl Notifier {
    pub fn set(&self, notify: NotifyFn) {
        *lock(&self.notify) = Some(notify);
    }

    /// Asks JS to drive. Skipped on the JS thread inside a driving call, whose returned status
    /// already tells JS what is waiting, and while a poke is already on its way.
    pub fn poke(&self) {
        if driving() || self.scheduled.swap(true, Ordering::AcqRel) {
            return;
        }
        match lock(&self.notify).as_ref() {
            Some(notify) => {
                notify.call((), ThreadsafeFunctionCallMode::NonBlocking);
            }
            None => self.scheduled.store(false, Ordering::Release),
        }
    }

    /// Called as JS starts draining: anything queued from now on needs a new poke.
    pub fn rearm(&self) {
        self.scheduled.store(false, Ordering::Release);
    }
}

/// A queue of JSON records.
pub(crate) struct Mailbox {
    records: Mutex<Vec<String>>,
    notifier: Arc<Notifier>,
}

impl Mailbox {
    pub fn new(notifier: Arc<Notifier>) -> Self {
        Mailbox { records: Mutex::new(Vec::new()), notifier }
    }

    /// Queues a record and lets JS know.
    pub fn post(&self, record: String) {
        lock(&self.records).push(record);
        self.notifier.poke();
    }

    pub fn is_empty(&self) -> bool {
        lock(&self.records).is_empty()
    }

    /// Everything queued, as one JSON array text.
    pub fn drain(&self) -> String {
        let records = std::mem::take(&mut *lock(&self.records));
        json_array(records.iter().map(String::as_str))
    }
}

/// `[a,b,...]` from pieces of JSON text.
pub(crate) fn json_array<'a>(items: impl Iterator<Item = &'a str> + Clone) -> String {
    let mut out = String::with_capacity(2 + items.clone().map(|r| r.len() + 1).sum::<usize>());
    out.push('[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(item);
    }
    out.push(']');
    out
}

/// The wire form of an engine event.
pub(crate) fn event_json(event: &EngineEvent) -> Value {
    match event {
        EngineEvent::Started { execution_id, node_id } => json!({"type": "started", "executionId": execution_id, "nodeId": node_id}),
        EngineEvent::Progress(progress) => {
            let mut value = serde_json::to_value(progress).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut value {
                map.insert("type".into(), json!("progress"));
            }
            value
        }
        EngineEvent::Completed { execution_id, node_id } => json!({"type": "completed", "executionId": execution_id, "nodeId": node_id}),
        EngineEvent::Error { execution_id, node_id, error } => json!({"type": "error", "executionId": execution_id, "nodeId": node_id, "error": error}),
    }
}

/// A run's event sink: every event goes to the conductor's mailbox.
pub(crate) struct MailboxSink(pub Arc<Mailbox>);

impl EventSink for MailboxSink {
    fn emit(&self, event: EngineEvent) {
        if let Ok(text) = serde_json::to_string(&event_json(&event)) {
            self.0.post(text);
        }
    }
}
