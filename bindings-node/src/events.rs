//! Events and executor calls reach JS in batches: Rust queues records and pokes a weak
//! threadsafe function at most once until JS drains the queue, so a burst of progress snapshots
//! or node calls costs one hop to the JS thread, not one per record.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use atomiton_core::host::{EngineEvent, EventSink};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;
use serde_json::{json, Value};

/// `() => void` called from any thread; weak so it never keeps Node's event loop alive.
pub(crate) type NotifyFn = ThreadsafeFunction<(), (), (), Status, false, true>;

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A queue of JSON records with a "data is waiting" signal to JS.
#[derive(Default)]
pub(crate) struct Mailbox {
    records: Mutex<Vec<String>>,
    notify: Mutex<Option<NotifyFn>>,
    scheduled: AtomicBool,
}

impl Mailbox {
    pub fn set_notifier(&self, notify: NotifyFn) {
        *lock(&self.notify) = Some(notify);
    }


    /// Queues a record and pokes JS unless a poke is already on its way.
    pub fn post(&self, record: String) {
        lock(&self.records).push(record);
        if !self.scheduled.swap(true, Ordering::AcqRel) {
            match lock(&self.notify).as_ref() {
                Some(notify) => {
                    notify.call((), ThreadsafeFunctionCallMode::NonBlocking);
                }
                None => self.scheduled.store(false, Ordering::Release),
            }
        }
    }

    /// Everything queued, as one JSON array text. Re-arms the poke first, so a record posted
    /// while draining schedules another.
    pub fn drain(&self) -> String {
        self.scheduled.store(false, Ordering::Release);
        let records = std::mem::take(&mut *lock(&self.records));
        let mut out = String::with_capacity(2 + records.iter().map(|r| r.len() + 1).sum::<usize>());
        out.push('[');
        for (i, record) in records.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(record);
        }
        out.push(']');
        out
    }
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
pub(crate) struct MailboxSink(pub std::sync::Arc<Mailbox>);

impl EventSink for MailboxSink {
    fn emit(&self, event: EngineEvent) {
        if let Ok(text) = serde_json::to_string(&event_json(&event)) {
            self.0.post(text);
        }
    }
}
