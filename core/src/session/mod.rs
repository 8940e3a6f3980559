//! The JSON-text API every binding exposes, so that bindings stay thin.
//!
//! A [`Session`] is one conductor: an engine, a host, flow storage and the runs going on. The
//! embedder (the napi addon, the wasm module) starts runs with JSON text, drives them on its own
//! thread ([`driver`]), and collects finished runs, events and custom-executor calls in batches
//! ([`mailbox`]), guided by the status bits every driving call returns. A binding only adds what
//! is specific to it: how to poke its JS thread, where worker futures run, and value conversion
//! at the boundary.

mod boundary;
mod calls;
pub mod catalog;
mod config;
mod driver;
mod events;
mod guard;
#[cfg(feature = "history")]
mod history;
mod mailbox;
mod output;
mod wire;

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::json;
use crate::value::Value;
use futures::FutureExt;

pub use calls::ExecutorCalls;
pub use config::{SessionConfig, StorageConfig};
pub use driver::CompletedRun;
pub use guard::guarded;
#[cfg(feature = "history")]
pub use history::SessionHistory;
pub use mailbox::{Batch, Notifier, PokeFn};
pub use wire::outcome;

use self::driver::Driver;
use self::events::MailboxSink;
use self::mailbox::{lock, Mailbox};
use self::wire::RunOutput;
use crate::engine::{uuid_v4, Engine, ExecutionResult, RunHandles, RunOptions, RunView};
#[cfg(feature = "debugger")]
use crate::engine::{RunCommand, RunControl};
use crate::error::{panic_message, ExecutionError};
use crate::format::{
    parse_definition_json, parse_definition_json_measured, parse_json_value,
    parse_shallow_definition_json, SHALLOW_JSON_DEPTH,
};
use crate::host::{BoxFuture, CancelToken, EventSink, SharedHost};
use crate::model::NodeDefinition;
use crate::storage::{FlowStore, ListOptions};
use crate::value::codec;

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

/// A run's flow as the history keeps it: its text and the binary data beside it.
#[cfg(feature = "history")]
type FlowText = (Arc<str>, Vec<Arc<[u8]>>);
#[cfg(not(feature = "history"))]
type FlowText = ();

/// What reaches a run going on from outside it.
#[derive(Clone, Default)]
struct RunHandle {
    cancel: CancelToken,
    #[cfg(feature = "debugger")]
    control: Arc<RunControl>,
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
    /// The binary data of the call batch last taken, until [`Session::take_call_buffers`].
    call_buffers: Mutex<Vec<Arc<[u8]>>>,
    /// Documents larger than this run on a worker (`None`: always on the embedder's thread).
    worker_threshold: Option<usize>,
    /// Result arrays of at least this many items are written apart in slices (`None`: never).
    slice_arrays_of: Option<usize>,
    /// The live state of the run started last, for `node.store`.
    #[cfg(feature = "run-state")]
    latest_view: Mutex<Option<Arc<RunView>>>,
    /// Where runs are recorded (`None`: execution history is off).
    #[cfg(feature = "history")]
    history: Option<Arc<SessionHistory>>,
}

impl Session {
    /// A session whose host sends custom node types to `calls`, and whose queues poke the
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
            calls,
            call_buffers: Mutex::default(),
            #[cfg(feature = "run-state")]
            latest_view: Mutex::default(),
            worker_threshold: None,
            slice_arrays_of: None,
            #[cfg(feature = "history")]
            history: None,
        }
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

    /// Records every run (unless a run says `history: false`) into `history`.
    #[cfg(feature = "history")]
    pub fn with_history(mut self, history: SessionHistory) -> Self {
        self.history = Some(Arc::new(history));
        self
    }

    /// The execution history, when it is on.
    #[cfg(feature = "history")]
    pub fn history(&self) -> Option<&Arc<SessionHistory>> {
        self.history.as_ref()
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

    /// Starts a flow (codec text) as run `run_id` (chosen by the embedder), with its options
    /// (codec text) and the binary data both texts' tags refer to. The result arrives through
    /// [`take_completed`](Self::take_completed), often before this returns. A run never fails to
    /// report: every failure, a panic included, is a result with `success: false`.
    pub fn start_run(
        self: &Arc<Self>,
        run_id: u32,
        flow_json: String,
        options_json: String,
        buffers: Vec<Arc<[u8]>>,
    ) -> RunPlacement {
        // The history keeps the flow's text as it ran (hashed and stored off this thread).
        let flow_json: Arc<str> = Arc::from(flow_json);
        let limits = &self.engine.config().parse_limits;
        // On this thread unless the document is large, or nested deeper than serde_json recurses
        // (its values are only safe to drop on a worker's large stack): then on a worker.
        // Its size counts the binary data beside the text: arrays of numbers and tables of
        // records are the bulk of a data-heavy flow, and reading them is work too.
        let size = flow_json.len() + buffers.iter().map(|b| b.len()).sum::<usize>();
        // wasm32 has one thread: every run is driven where it starts (and the code that places
        // runs on workers is left out of the module).
        #[cfg(target_arch = "wasm32")]
        let worker_threshold: Option<usize> = None;
        #[cfg(not(target_arch = "wasm32"))]
        let worker_threshold = self.worker_threshold;
        // The options first, on this thread: they are small (JS hands large inputs over as
        // handles), and the run's id in them lets a cancel reach the run while its flow is read.
        let registered = codec::decode(buffers.clone(), || RunOptions::from_json(&options_json))
            .map(|mut options| {
                let id = options.execution_id(|| self.host.random()).to_owned();
                let run = self.register(&id);
                (options, id, run)
            });
        let (options, execution_id, run) = match registered {
            Ok(registered) => registered,
            Err(error) => {
                let failed = Box::pin(async move {
                    RunOutput::from_result(ExecutionResult::failed(error), None)
                });
                self.driver.start(run_id, failed);
                return RunPlacement::Driven;
            }
        };
        let calls_embedder = !options.custom_types.is_empty();
        let registered = run.is_some();
        let parsed = codec::decode(buffers.clone(), || match worker_threshold {
            Some(bytes) if size > bytes => None,
            None => Some(guarded("parse", || parse_definition_json(&flow_json, limits))),
            Some(_) if limits.max_depth < SHALLOW_JSON_DEPTH => {
                Some(guarded("parse", || parse_definition_json(&flow_json, limits)))
            }
            Some(_) => guarded("parse", || Ok(parse_shallow_definition_json(&flow_json)))
                .unwrap_or_else(|panic| Some(Err(panic))),
        });
        let on_this_thread = parsed.is_some();
        // The history keeps the flow with the binary data its text refers to (the run's options
        // number theirs after the flow's, so all of them).
        #[cfg(feature = "history")]
        let flow_buffers = buffers.clone();
        // Set on a worker once the run is read: whether the embedder's thread drives it on.
        let hand_over = Arc::new(AtomicBool::new(false));
        let handing_over = hand_over.clone();
        let handing_over_output = hand_over.clone();
        let session = self.clone();
        let slice_arrays_of = self.slice_arrays_of;
        let host = self.host.clone();
        let future: BoxFuture<'static, RunOutput> = Box::pin(async move {
            let flow = match parsed {
                Some(flow) => flow,
                None => {
                    let parse = || {
                        let (flow, shallow) = parse_definition_json_measured(
                            &flow_json,
                            &session.engine.config().parse_limits,
                        );
                        // A run that calls the embedder's executors moves to the embedder's
                        // thread, unless its values may only be dropped on a worker's stack.
                        if shallow && calls_embedder {
                            handing_over.store(true, Ordering::Release);
                        }
                        flow
                    };
                    // On a worker, a flow's tables of records are read several at once.
                    #[cfg(feature = "bulk-data")]
                    let flow = codec::decode_with_workers(&session.host, buffers, parse);
                    #[cfg(not(feature = "bulk-data"))]
                    let flow = codec::decode(buffers, parse);
                    flow
                }
            };
            #[cfg(feature = "history")]
            let flow_text = (flow_json, flow_buffers);
            #[cfg(not(feature = "history"))]
            let flow_text = ();
            let outcome =
                AssertUnwindSafe(session.clone().run(flow, options, &execution_id, run, flow_text))
                    .catch_unwind()
                    .await;
            if registered {
                lock(&session.runs).remove(&execution_id);
            }
            let result = outcome.unwrap_or_else(|panic| {
                ExecutionResult::failed(ExecutionError::internal(format!(
                    "The engine panicked: {}",
                    panic_message(&*panic)
                )))
            });
            let on_worker = !on_this_thread && !handing_over_output.load(Ordering::Acquire);
            output::write_output(&host, result, slice_arrays_of, on_worker).await
        });
        #[cfg(not(target_arch = "wasm32"))]
        if !on_this_thread {
            return RunPlacement::Worker(self.driver.on_worker(run_id, future, hand_over));
        }
        #[cfg(target_arch = "wasm32")]
        let () = drop(hand_over);
        self.driver.start(run_id, future);
        RunPlacement::Driven
    }

    /// Registers run `execution_id`, so that `cancel` and `controlRun` find it from now on;
    /// `None` when a run with that id is going on (this one is then refused: cancel, pause and
    /// its events would reach both).
    fn register(&self, execution_id: &str) -> Option<RunHandle> {
        match lock(&self.runs).entry(execution_id.to_owned()) {
            std::collections::hash_map::Entry::Occupied(_) => None,
            std::collections::hash_map::Entry::Vacant(slot) => {
                Some(slot.insert(RunHandle::default()).clone())
            }
        }
    }

    /// Runs the flow with the handles only a session has: cancellation, events, control, the
    /// live view and the history (the only place a run's handles are made).
    async fn run(
        self: Arc<Self>,
        flow: Result<NodeDefinition, ExecutionError>,
        options: RunOptions,
        execution_id: &str,
        run: Option<RunHandle>,
        flow_text: FlowText,
    ) -> ExecutionResult {
        let flow = match flow {
            Ok(flow) => flow,
            Err(error) => return ExecutionResult::failed(error),
        };
        let Some(run) = run else {
            return ExecutionResult::failed(
                ExecutionError::validation("An execution with this id is already running")
                    .located(flow.id_str(), execution_id),
            );
        };
        #[cfg(feature = "history")]
        let reuse = match (&self.history, &options.retry) {
            (Some(history), Some(retry)) => match history.reuse(retry).await {
                Ok(reuse) => Some(reuse),
                Err(error) => {
                    return ExecutionResult::failed(error.located(flow.id_str(), execution_id))
                }
            },
            (None, Some(_)) => {
                return ExecutionResult::failed(ExecutionError::validation(
                    "Execution history is off for this conductor: there is nothing to retry",
                ))
            }
            _ => None,
        };
        #[cfg(feature = "history")]
        let recorder = match &self.history {
            Some(history) if options.history != Some(false) => {
                Some(history.begin(&self.host, execution_id, flow.id_str(), flow_text, &options))
            }
            _ => None,
        };
        #[cfg(not(feature = "history"))]
        let () = flow_text;
        let handles = RunHandles {
            cancel: Some(run.cancel),
            event_sink: options
                .listening
                .then(|| Arc::new(MailboxSink(self.events.clone())) as Arc<dyn EventSink>),
            view: self.watch(execution_id),
            // Without the debugger nothing pauses a run: the engine refuses breakpoints.
            #[cfg(feature = "debugger")]
            control: Some(run.control),
            #[cfg(not(feature = "debugger"))]
            control: None,
            #[cfg(feature = "history")]
            recorder: recorder.clone(),
            #[cfg(feature = "history")]
            reuse,
        };
        let result = self.engine.run_with(flow, options, handles, self.host.clone()).await;
        #[cfg(feature = "history")]
        if let (Some(history), Some(recorder)) = (&self.history, &recorder) {
            history.end(&self.host, recorder, &result).await;
        }
        result
    }

    /// The live view of run `execution_id`, which becomes the latest run `run_state` reads.
    #[cfg(feature = "run-state")]
    fn watch(&self, execution_id: &str) -> Option<Arc<RunView>> {
        let view = RunView::new(execution_id);
        // The previous run's view is let go outside the lock: its plan may go with it.
        let previous = lock(&self.latest_view).replace(view.clone());
        drop(previous);
        Some(view)
    }

    #[cfg(not(feature = "run-state"))]
    fn watch(&self, _execution_id: &str) -> Option<Arc<RunView>> {
        None
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

    /// The state of the run started last, as `node.store` shows it, in the shape of a progress
    /// snapshot (see [`RunView::to_json`]); `None` before any run, and after a run refused before
    /// any node could run.
    #[cfg(feature = "run-state")]
    pub fn run_state(&self) -> Option<String> {
        let view = lock(&self.latest_view).clone()?;
        view.to_json()
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

    /// Pauses, resumes or steps a running execution (`"pause" | "resume" | "step"`); `false`
    /// when no such run is going on, or for any other command.
    #[cfg(feature = "debugger")]
    pub fn control_run(&self, execution_id: &str, command: &str) -> bool {
        let Some(command) = RunCommand::parse(command) else { return false };
        match lock(&self.runs).get(execution_id) {
            Some(run) => {
                run.control.apply(command);
                true
            }
            None => false,
        }
    }

    /// Ids of the runs going on now.
    pub fn running(&self) -> Vec<String> {
        lock(&self.runs).keys().cloned().collect()
    }

    /// Deep validation: `{ok, value: {valid, errors, issues}}`.
    pub fn validate(&self, flow_json: &str, custom_types_json: &str) -> String {
        outcome(guarded("validate", || {
            let flow = parse_definition_json(flow_json, &self.engine.config().parse_limits)?;
            let custom: HashSet<String> =
                serde_json::from_str(custom_types_json).unwrap_or_default();
            let report = self.engine.validate(&flow, &custom, &self.host);
            let legacy = report.legacy();
            Ok(json!({"valid": legacy.valid, "errors": legacy.errors, "issues": report.issues}))
        }))
    }

    /// `storage.saveFlow`: `{ok, value: savedFlow}`; a `flowSaved` event is queued.
    pub fn save_flow(self: &Arc<Self>, flow_json: String) -> BoxFuture<'static, String> {
        let session = self.clone();
        guarded_future(async move {
            let flow: Value = parse_json_value(&flow_json, &session.engine.config().parse_limits)?;
            let host = session.host.clone();
            let (saved, event) =
                session.store.save(flow, host.now(), || uuid_v4(|| host.random())).await?;
            let record = serde_json::to_string(&event).map_err(ExecutionError::from)?;
            if let Some(record) = events::with_type("flowSaved", record) {
                session.events.post(record);
            }
            Ok(saved)
        })
    }

    /// `storage.loadFlow`.
    pub fn load_flow(&self, id: String) -> BoxFuture<'static, String> {
        let store = self.store.clone();
        guarded_future(async move { store.load(&id).await })
    }

    /// `storage.listFlows`: `{flows, total}`.
    pub fn list_flows(&self, options_json: String) -> BoxFuture<'static, String> {
        let store = self.store.clone();
        guarded_future(async move {
            let options: ListOptions = serde_json::from_str(&options_json)
                .map_err(|e| ExecutionError::validation(format!("Invalid list options: {e}")))?;
            store.list(&options).await
        })
    }

    /// `storage.deleteFlow`; a `flowDeleted` event is queued.
    pub fn delete_flow(self: &Arc<Self>, id: String) -> BoxFuture<'static, String> {
        let session = self.clone();
        guarded_future(async move {
            session.store.delete(&id).await?;
            session.events.post(json!({"type": "flowDeleted", "id": id}).to_string());
            Ok(Value::Null)
        })
    }
}

#[cfg(feature = "history")]
impl Session {
    /// One `executions.*` call by name, for bindings and transports that forward them as one
    /// method: `list` (`arg`: options JSON), `get` and `delete` (`arg`: the execution id),
    /// `prune` (`arg`: options JSON), `flush` (waits until every record written so far is
    /// stored; `null` also when history is off). An unknown name is a `VALIDATION_FAILED` outcome.
    pub fn executions(&self, op: &str, arg: String) -> BoxFuture<'static, String> {
        match op {
            "list" => self.executions_list(arg),
            "get" => self.executions_get(arg),
            "delete" => self.executions_delete(arg),
            "prune" => self.executions_prune(arg),
            "flush" => {
                // The store answers in order: a read returns once every earlier write is stored.
                let history = self.history.clone();
                guarded_future(async move {
                    if let Some(history) = history {
                        history
                            .store()
                            .list(crate::history::ListQuery { limit: 0, ..Default::default() })
                            .await?;
                    }
                    Ok(Value::Null)
                })
            }
            _ => {
                let message = format!(
                    "Unknown executions call '{}': list, get, delete or prune",
                    op.chars().take(40).collect::<String>()
                );
                guarded_future(async move { Err::<Value, _>(ExecutionError::validation(message)) })
            }
        }
    }

    /// `executions.list(options)`: `{executions, total}`.
    pub fn executions_list(&self, options_json: String) -> BoxFuture<'static, String> {
        let history = self.history.clone();
        guarded_future(async move { history_on(history)?.list(&options_json).await })
    }

    /// `executions.get(id)`: the run with its nodes.
    pub fn executions_get(&self, id: String) -> BoxFuture<'static, String> {
        let history = self.history.clone();
        guarded_future(async move { history_on(history)?.get(id).await })
    }

    /// `executions.delete(id)`.
    pub fn executions_delete(&self, id: String) -> BoxFuture<'static, String> {
        let history = self.history.clone();
        guarded_future(async move { history_on(history)?.delete(id).await.map(|()| Value::Null) })
    }

    /// `executions.prune({olderThan?, keep?})`: `{deleted}`.
    pub fn executions_prune(&self, options_json: String) -> BoxFuture<'static, String> {
        let history = self.history.clone();
        let now = self.host.now();
        guarded_future(async move {
            let deleted = history_on(history)?.prune(&options_json, now).await?;
            Ok(json!({"deleted": deleted}))
        })
    }
}

#[cfg(feature = "history")]
fn history_on(history: Option<Arc<SessionHistory>>) -> Result<Arc<SessionHistory>, ExecutionError> {
    history.ok_or_else(|| {
        ExecutionError::validation("Execution history is off for this conductor (history: false)")
    })
}

/// A fallible operation as an outcome envelope, a panic included.
fn guarded_future<T: serde::Serialize>(
    work: impl std::future::Future<Output = Result<T, ExecutionError>>
        + crate::host::MaybeSend
        + 'static,
) -> BoxFuture<'static, String> {
    Box::pin(async move {
        outcome(
            AssertUnwindSafe(work)
                .catch_unwind()
                .await
                .unwrap_or_else(|panic| Err(ExecutionError::internal(panic_message(&*panic)))),
        )
    })
}
