//! The JSON-text API every binding exposes, so that bindings stay thin.
//!
//! A [`Session`] is one conductor: an engine, a host, flow storage and the runs going on. The
//! embedder (the napi addon, the wasm module) starts runs with JSON text, drives them on its own
//! thread ([`driver`]), and collects finished runs, events and custom-executor calls in batches
//! ([`mailbox`]), guided by the status bits every driving call returns. A binding only adds what
//! is specific to it: how to poke its JS thread, where worker futures run, and value conversion
//! at the boundary.

mod boundary;
// `cache.*` calls (nothing removed, `enabled: false` without a cache).
mod cache;
mod calls;
mod capability;
pub mod catalog;
mod config;
// `credentials.*`, answered by the session's `CredentialVault` (`atomiton-credentials`).
mod credentials;
// Credentials in memory, for the WebAssembly engines that run nodes naming them.
mod memory_vault;
// Pause, resume, step and the live state.
mod debugger;
mod driver;
mod embedder_storage;
mod events;
mod flows;
mod guard;
mod mailbox;
mod output;
mod placement;
// What starting a run asks of a session's history (the `history` capability's side here).
mod recording;
mod start;
mod storage;
// `triggers.*`, answered by the session's `FlowTriggers` (`atomiton-triggers`).
mod triggers;
mod wire;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub use boundary::calls::{CacheCall, ExecutionsCall};
pub use cache::{CacheRemoved, CacheReport};
pub use calls::ExecutorCalls;
pub use capability::SessionCapability;
pub use config::{SessionConfig, StorageConfig};
pub use credentials::{CredentialInfo, CredentialList, CredentialVault, CredentialsCall};
pub use driver::CompletedRun;
pub use embedder_storage::EmbedderStorage;
pub use guard::guarded;
pub use mailbox::{Batch, Notifier, PokeFn};
pub use memory_vault::MemoryVault;
pub use placement::{Keepers, Place, Placement, RedisTarget};
#[doc(hidden)]
pub use storage::guarded_future;
pub use triggers::{
    ActiveTriggers, Deactivated, DueFires, FireInfo, FireInput, FireToStart, FlowTriggers,
    HookDelivery, HookRefusal, HookRoute, HookStart, MissedFires, SkippedFires, TriggerFires,
    TriggerInfo, TriggerRef, TriggersCall, WebhookRequest,
};
pub use wire::outcome;

use self::recording::SessionRecording;

cfg_if::cfg_if! {
    if #[cfg(feature = "history")] {
        // Recording runs, and the `executions.*` calls.
        mod history;
        pub use history::{SessionHistory, SharedSessionHistory};
        // The answer types, for the TypeScript generated from them.
        #[cfg(test)]
        pub(crate) use history::{Pruned, WokenRuns};
        /// How this build's sessions record runs: in their history, when they have one.
        type SessionRecorder = SessionHistory;
    } else {
        /// How this build's sessions record runs: not at all (see [`recording`]).
        type SessionRecorder = recording::NoSessionHistory;

        /// The session methods only history builds have are left out.
        #[doc(hidden)]
        #[macro_export]
        macro_rules! __session_gate_history {
            ($($item:tt)*) => {};
        }
    }
}

use self::driver::Driver;
use self::mailbox::{lock, Mailbox};
use crate::engine::Engine;
use crate::engine::SharedControl;
use crate::host::{BoxFuture, CancelToken, SharedHost};
use crate::storage::FlowStore;

/// Status bit: finished runs are waiting in [`Session::take_completed`].
pub const STATUS_COMPLETED: u32 = 1;
/// Status bit: executor calls or aborts are waiting in [`Session::take_calls`].
pub const STATUS_CALLS: u32 = 2;
/// Status bit: events are waiting in [`Session::take_events`].
pub const STATUS_EVENTS: u32 = 4;

/// Where a started run goes on.
pub enum RunPlacement {
    /// On the embedder's thread; it may already have finished.
    Driven,
    /// On a worker: the embedder must run this future there (it reports like any other run).
    Worker(BoxFuture<'static, ()>),
}

/// What reaches a run going on from outside it.
#[derive(Clone, Default)]
struct RunHandle {
    cancel: CancelToken,
    /// Pause, resume and step requests (`None` in builds without the debugger).
    control: Option<SharedControl>,
    /// Set when the run is stopped to be resumed later (`executions.suspend`; nothing in builds
    /// without history).
    suspension: <SessionRecorder as SessionRecording>::Suspension,
}

/// One conductor's engine, host, storage and runs.
pub struct Session {
    engine: Engine,
    host: SharedHost,
    store: FlowStore,
    /// The runs going on, by execution id.
    runs: Mutex<HashMap<String, RunHandle>>,
    driver: Arc<Driver>,
    events: Arc<Mailbox>,
    calls: Arc<ExecutorCalls>,
    /// What runs ask the app for (custom node types, kept values, trace headers): `calls`,
    /// unless a Rust embedding gives its own ([`Session::with_embedder`]).
    embedder: crate::nodes::SharedEmbedder,
    /// The binary data of the call batch last taken, until [`Session::take_call_buffers`].
    call_buffers: Mutex<Vec<Arc<[u8]>>>,
    /// Documents larger than this run on a worker (`None`: always on the embedder's thread).
    worker_threshold: Option<usize>,
    /// Result arrays of at least this many items are written apart in slices (`None`: never).
    slice_arrays_of: Option<usize>,
    /// What the debugger reads: the live state of the run started last, for `node.store`.
    debugging: debugger::Debugging,
    /// Where runs are recorded (`None`: execution history is off).
    history: Option<<SessionRecorder as SessionRecording>::Shared>,
    /// The node result cache its runs use (`None`: off).
    cache: Option<std::sync::Arc<dyn crate::cache::ResultCache>>,
    /// Its flows' triggers (`None`: `triggers.*` calls are refused).
    triggers: Option<Arc<dyn FlowTriggers>>,
    /// The credentials its runs' nodes name (`None`: `credentials.*` calls are refused).
    credentials: Option<Arc<dyn CredentialVault>>,
}

impl Session {
    /// A session whose runs send custom node types to `calls`, and whose queues poke the
    /// embedder through `notifier`.
    pub fn new(
        engine: Engine,
        host: SharedHost,
        store: FlowStore,
        notifier: Arc<Notifier>,
        calls: Arc<ExecutorCalls>,
    ) -> Self {
        Session {
            engine,
            driver: Driver::new(notifier.clone(), host.clone()),
            host,
            store,
            runs: Mutex::new(HashMap::new()),
            events: Arc::new(Mailbox::new(notifier)),
            embedder: calls.clone(),
            calls,
            call_buffers: Mutex::default(),
            debugging: Default::default(),
            worker_threshold: None,
            slice_arrays_of: None,
            history: None,
            cache: None,
            triggers: None,
            credentials: None,
        }
    }

    /// Runs answer custom node types, kept values and trace headers with `embedder` instead of
    /// JS calls (a Rust embedding, or a test on the virtual host).
    pub fn with_embedder(mut self, embedder: crate::nodes::SharedEmbedder) -> Self {
        self.embedder = embedder;
        self
    }

    /// Runs documents over `bytes`, their binary data counted (and documents nested deeper than serde_json recurses, whose
    /// values are only safe to drop on a worker's large stack) on a worker instead of the
    /// embedder's thread, where parsing them would hold up its event loop.
    pub fn with_worker_threshold(mut self, bytes: usize) -> Self {
        self.worker_threshold = Some(bytes);
        self
    }

    /// Writes result arrays of at least `min_items` items apart, in slices the embedder can read
    /// a few at a time (see [`CompletedRun::slices`]).
    pub fn with_result_slices(mut self, min_items: usize) -> Self {
        self.slice_arrays_of = Some(min_items);
        self
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// What the embedder should collect now: `STATUS_*` bits.
    pub fn status(&self) -> u32 {
        let mut status = 0;
        if self.driver.has_completed() {
            status |= STATUS_COMPLETED;
        }
        if !self.calls.mailbox.is_empty() {
            status |= STATUS_CALLS;
        }
        if !self.events.is_empty() {
            status |= STATUS_EVENTS;
        }
        status
    }

    /// Ends the session's runs: each is cancelled, and those driven on the embedder's thread are
    /// dropped. For the binding to call when its object goes: a run holds the session, so a run
    /// that waits forever (an executor call no one will answer) would otherwise keep both alive.
    pub fn close(&self) {
        // Cancelled outside the lock: a cancellation runs callbacks.
        let tokens: Vec<CancelToken> =
            lock(&self.runs).values().map(|handle| handle.cancel.clone()).collect();
        for token in tokens {
            token.cancel();
        }
        self.driver.drop_runs();
    }

    /// Does `first` (which may wake runs), then polls every woken run; returns the status.
    pub fn drive(&self, first: impl FnOnce()) -> u32 {
        self.driver.drive(first);
        self.status()
    }

    /// Answers executor calls, `[[id, {ok, value?, error?}], ...]` as codec text with the
    /// binary data its tags refer to, carries the waiting runs on and returns the status.
    pub fn resolve_calls(&self, answers_json: &str, buffers: Vec<Arc<[u8]>>) -> u32 {
        self.drive(|| self.calls.resolve_batch(answers_json, buffers))
    }

    /// Every finished run not yet collected.
    pub fn take_completed(&self) -> Vec<CompletedRun> {
        self.driver.take_completed()
    }

    /// A finished run's trace as JSON text (see [`CompletedRun::trace`]); `None` once taken or
    /// dropped.
    pub fn take_trace(&self, id: u32) -> Option<String> {
        self.driver.take_trace(id)
    }

    /// Forgets a finished run's trace that will not be read.
    pub fn drop_trace(&self, id: u32) {
        self.driver.drop_trace(id);
    }

    /// Every waiting event, as a JSON array.
    pub fn take_events(&self) -> String {
        self.events.drain()
    }

    /// Every waiting `{kind: "call" | "materialize" | "abort", id, ...}` record, as one codec
    /// array text. The binary data its tags refer to (`"i": n`) waits for
    /// [`take_call_buffers`](Self::take_call_buffers) until the next batch is taken: most batches
    /// have none, and handing an empty list over with each one cost the embedder an object per
    /// executor call.
    pub fn take_calls(&self) -> String {
        let Batch { text, buffers } = self.calls.mailbox.drain_batch();
        *lock(&self.call_buffers) = buffers;
        text
    }

    /// The binary data of the batch [`take_calls`](Self::take_calls) gave last (once).
    pub fn take_call_buffers(&self) -> Vec<Arc<[u8]>> {
        std::mem::take(&mut *lock(&self.call_buffers))
    }

    /// Cancels a running execution; `false` when no such run is going on.
    pub fn cancel(&self, execution_id: &str) -> bool {
        match lock(&self.runs).get(execution_id) {
            Some(run) => {
                run.cancel.cancel();
                true
            }
            None => false,
        }
    }

    /// Ids of the runs going on now.
    pub fn running(&self) -> Vec<String> {
        lock(&self.runs).keys().cloned().collect()
    }
}
