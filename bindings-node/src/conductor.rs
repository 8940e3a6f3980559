//! `NativeConductor`: one engine, host, storage and set of runs per `createConductor`.

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};

use atomiton_core::host::{CancelToken, SharedHost};
use atomiton_core::storage::{FlowStore, ListOptions, MemoryBackend};
use atomiton_core::format::{parse_definition_json, parse_shallow_definition_json, SHALLOW_JSON_DEPTH};
use atomiton_core::{Engine, ExecutionError, ExecutionResult, NodeDefinition, RunOptions};
use atomiton_native_host::{FileStorage, NativeHost};
use futures::FutureExt;
use napi::bindgen_prelude::Function;
use napi_derive::napi;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::config::NativeConfig;
use crate::driver::{CompletedRun, Driver, RunOutput};
use crate::events::{lock, Mailbox, MailboxSink, Notifier, NotifyFn};
use crate::executor::JsExecutor;
use crate::guard::{guarded, panic_message};
use crate::runtime::handle;
use crate::wire::{outcome, to_napi};

/// Per-run options from `node.run(node, contextOverrides)`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RunRequest {
    execution_id: Option<String>,
    variables: Option<Value>,
    input: Option<Value>,
    parent_context: Option<Value>,
    slow_mo: Option<f64>,
    debug: Option<Value>,
    timeout: Option<f64>,
    /// Types `nodeExecutorFactory` provides for this flow.
    custom_types: Vec<String>,
    /// Whether anyone listens to progress (snapshots are only built then).
    events: bool,
}

struct State {
    engine: Engine,
    host: SharedHost,
    store: FlowStore,
    /// Cancel tokens of the runs going on, by execution id.
    runs: Mutex<HashMap<String, CancelToken>>,
    notifier: Arc<Notifier>,
    driver: Arc<Driver>,
    events: Arc<Mailbox>,
    executor: Arc<JsExecutor>,
}

/// Bits of the status every driving call returns: what JS should collect now.
const STATUS_COMPLETED: u32 = 1;
const STATUS_CALLS: u32 = 2;
const STATUS_EVENTS: u32 = 4;

/// Flow documents larger than this are parsed and run on a tokio worker rather than on the JS
/// thread, where parsing them would hold up the event loop for more than a few milliseconds.
/// Documents nested deeper than `SHALLOW_JSON_DEPTH` go to a worker too, whose stack is sized
/// for dropping deep values.
const INLINE_MAX_BYTES: usize = 1024 * 1024;

/// The engine behind one conductor object.
#[napi]
pub struct NativeConductor {
    state: Arc<State>,
}

#[napi]
impl NativeConductor {
    /// `configJson`: the serialisable part of `ConductorConfig`.
    #[napi(constructor, catch_unwind)]
    pub fn new(config_json: String) -> napi::Result<Self> {
        let config: NativeConfig = serde_json::from_str(&config_json).map_err(|e| to_napi(ExecutionError::validation(format!("Invalid conductor config: {e}"))))?;
        let runtime = handle();
        let notifier = Arc::new(Notifier::default());
        let executor = Arc::new(JsExecutor::new(Arc::new(Mailbox::new(notifier.clone()))));
        let mut host = NativeHost::new(runtime.clone()).with_custom_executor(executor.clone());
        if let Some(dir) = &config.working_directory {
            host = host.with_working_dir(dir.clone());
        }
        let store = match config.storage.kind.as_deref() {
            Some("memory") => FlowStore::new(Arc::new(MemoryBackend::new())),
            _ => FlowStore::new(Arc::new(FileStorage::new(config.storage_directory(), runtime.clone()))),
        };
        Ok(NativeConductor {
            state: Arc::new(State {
                engine: Engine::new(config.engine()),
                host: host.into_shared(),
                store,
                runs: Mutex::new(HashMap::new()),
                driver: Driver::new(runtime, notifier.clone(), panic_result),
                events: Arc::new(Mailbox::new(notifier.clone())),
                notifier,
                executor,
            }),
        })
    }

    /// Called (with no arguments, from any thread) when something is waiting for JS: JS then
    /// calls `drive` and collects what its status names.
    #[napi(catch_unwind)]
    pub fn set_notifier(&self, notify: Function<(), ()>) -> napi::Result<()> {
        let notify: NotifyFn = notify.build_threadsafe_function().callee_handled::<false>().weak::<true>().build()?;
        self.state.notifier.set(notify);
        Ok(())
    }

    /// Polls every run woken since the last call; returns the status bits (1: finished runs in
    /// `takeCompleted`, 2: executor calls in `takeCalls`, 4: events in `takeEvents`).
    #[napi(catch_unwind)]
    pub fn drive(&self) -> u32 {
        self.state.driver.drive(|| {});
        self.status()
    }

    /// Every waiting event, as a JSON array.
    #[napi(catch_unwind)]
    pub fn take_events(&self) -> String {
        self.state.events.drain()
    }

    /// Every waiting `{kind: "call" | "abort", id, ...}` record, as a JSON array.
    #[napi(catch_unwind)]
    pub fn take_calls(&self) -> String {
        self.state.executor.mailbox.drain()
    }

    /// Finished runs: `{runId, result, trace?}` with the `ExecutionResult` and its trace as
    /// JSON text.
    #[napi(catch_unwind)]
    pub fn take_completed(&self) -> Vec<CompletedRun> {
        self.state.driver.take_completed()
    }

    /// Answers executor calls, `[[id, {ok, value?, error?}], ...]` as JSON text, and carries
    /// the waiting runs on; returns the status bits.
    #[napi(catch_unwind)]
    pub fn resolve_calls(&self, answers_json: String) -> u32 {
        self.state.driver.drive(|| self.state.executor.resolve_batch(&answers_json));
        self.status()
    }

    /// Starts a flow (JSON text) as run `runId` (chosen by JS) and returns the status bits;
    /// the `ExecutionResult` arrives through `takeCompleted`, often before this returns. A run
    /// never fails to report: every failure, a panic included, is a result with
    /// `success: false`.
    #[napi(catch_unwind)]
    pub fn run(&self, run_id: u32, flow_json: String, options_json: String) -> u32 {
        let limits = &self.state.engine.config().parse_limits;
        // Small, shallow documents are parsed and run right here on the JS thread; the rest
        // (large or deep: slow to parse, deep to drop) on a worker.
        let parsed = if flow_json.len() > INLINE_MAX_BYTES {
            None
        } else if limits.max_depth < SHALLOW_JSON_DEPTH {
            Some(guarded("parse", || parse_definition_json(&flow_json, limits)))
        } else {
            guarded("parse", || Ok(parse_shallow_definition_json(&flow_json))).unwrap_or_else(|panic| Some(Err(panic)))
        };
        let inline = parsed.is_some();
        let state = self.state.clone();
        let future = Box::pin(async move {
            let flow = match parsed {
                Some(flow) => flow,
                None => parse_definition_json(&flow_json, &state.engine.config().parse_limits),
            };
            let outcome = AssertUnwindSafe(state.run(flow, options_json)).catch_unwind().await;
            let result = outcome.unwrap_or_else(|panic| failure(ExecutionError::internal(format!("The engine panicked: {}", panic_message(&*panic)))));
            run_output(result)
        });
        if inline {
            self.state.driver.start(run_id, future);
        } else {
            self.state.driver.spawn(run_id, future);
        }
        self.status()
    }

    /// Cancels a running execution; `false` when no such run is going on.
    #[napi(catch_unwind)]
    pub fn cancel(&self, execution_id: String) -> bool {
        match lock(&self.state.runs).get(&execution_id) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// Ids of the runs going on now.
    #[napi(catch_unwind)]
    pub fn running(&self) -> Vec<String> {
        lock(&self.state.runs).keys().cloned().collect()
    }

    /// Deep validation: `{ok, value: {valid, errors, issues}}`.
    #[napi(catch_unwind)]
    pub fn validate(&self, flow_json: String, custom_types_json: String) -> String {
        outcome(guarded("validate", || {
            let flow = parse_definition_json(&flow_json, &self.state.engine.config().parse_limits)?;
            let custom: HashSet<String> = serde_json::from_str(&custom_types_json).unwrap_or_default();
            let report = self.state.engine.validate(&flow, &custom, &self.state.host);
            let legacy = report.legacy();
            Ok(json!({"valid": legacy.valid, "errors": legacy.errors, "issues": report.issues}))
        }))
    }

    /// `storage.saveFlow`: resolves with `{ok, value: savedFlow}`; `flowSaved` goes to the events.
    #[napi]
    pub async fn save_flow(&self, flow_json: String) -> String {
        let state = self.state.clone();
        let result = async move {
            let flow: Value = atomiton_core::format::parse_json_value(&flow_json, &state.engine.config().parse_limits)?;
            let host = state.host.clone();
            let (saved, event) = state.store.save(flow, host.now(), || atomiton_core::engine::uuid_v4(|| host.random())).await?;
            let mut record = serde_json::to_value(&event).map_err(ExecutionError::from)?;
            record["type"] = json!("flowSaved");
            state.events.post(record.to_string());
            Ok(saved)
        };
        outcome(AssertUnwindSafe(result).catch_unwind().await.unwrap_or_else(|p| Err(ExecutionError::internal(panic_message(&*p)))))
    }

    /// `storage.loadFlow`.
    #[napi]
    pub async fn load_flow(&self, id: String) -> String {
        let store = self.state.store.clone();
        outcome(AssertUnwindSafe(async move { store.load(&id).await }).catch_unwind().await.unwrap_or_else(|p| Err(ExecutionError::internal(panic_message(&*p)))))
    }

    /// `storage.listFlows`: `{flows, total}`.
    #[napi]
    pub async fn list_flows(&self, options_json: String) -> String {
        let store = self.state.store.clone();
        let result = async move {
            let options: ListOptions = serde_json::from_str(&options_json).map_err(|e| ExecutionError::validation(format!("Invalid list options: {e}")))?;
            store.list(&options).await
        };
        outcome(AssertUnwindSafe(result).catch_unwind().await.unwrap_or_else(|p| Err(ExecutionError::internal(panic_message(&*p)))))
    }

    /// `storage.deleteFlow`.
    #[napi]
    pub async fn delete_flow(&self, id: String) -> String {
        let state = self.state.clone();
        let result = async move {
            state.store.delete(&id).await?;
            state.events.post(json!({"type": "flowDeleted", "id": id}).to_string());
            Ok(Value::Null)
        };
        outcome(AssertUnwindSafe(result).catch_unwind().await.unwrap_or_else(|p| Err(ExecutionError::internal(panic_message(&*p)))))
    }
}

impl State {
    async fn run(self: Arc<Self>, flow: Result<NodeDefinition, ExecutionError>, options_json: String) -> ExecutionResult {
        let request: RunRequest = match serde_json::from_str(&options_json) {
            Ok(request) => request,
            Err(e) => return failure(ExecutionError::validation(format!("Invalid run options: {e}"))),
        };
        let flow = match flow {
            Ok(flow) => flow,
            Err(error) => return failure(error),
        };
        let execution_id = request.execution_id.clone().unwrap_or_else(|| atomiton_core::engine::execution_id(|| self.host.random()));
        let cancel = CancelToken::new();
        lock(&self.runs).insert(execution_id.clone(), cancel.clone());
        let options = RunOptions {
            execution_id: Some(execution_id.clone()),
            variables: request.variables,
            input: request.input,
            parent_context: request.parent_context,
            slow_mo: request.slow_mo,
            debug: request.debug,
            timeout_ms: request.timeout,
            custom_types: Arc::new(request.custom_types.into_iter().collect()),
            cancel: Some(cancel),
            events: request.events.then(|| Arc::new(MailboxSink(self.events.clone())) as Arc<dyn atomiton_core::host::EventSink>),
        };
        let result = self.engine.run(flow, options, self.host.clone()).await;
        lock(&self.runs).remove(&execution_id);
        result
    }
}

impl NativeConductor {
    fn status(&self) -> u32 {
        let mut status = 0;
        if self.state.driver.has_completed() {
            status |= STATUS_COMPLETED;
        }
        if !self.state.executor.mailbox.is_empty() {
            status |= STATUS_CALLS;
        }
        if !self.state.events.is_empty() {
            status |= STATUS_EVENTS;
        }
        status
    }
}

/// A result as JSON text, its trace apart.
fn run_output(mut result: ExecutionResult) -> RunOutput {
    let trace = result.trace.take().and_then(|trace| serde_json::to_string(&trace).ok());
    let result = serde_json::to_string(&result).unwrap_or_else(|e| serde_json::to_string(&failure(ExecutionError::from(e))).unwrap_or_default());
    RunOutput { result, trace }
}

/// The output of a run whose poll panicked outside the engine's own containment.
fn panic_result(message: String) -> RunOutput {
    run_output(failure(ExecutionError::internal(format!("The engine panicked: {message}"))))
}

/// A result for a run that could not start.
fn failure(error: ExecutionError) -> ExecutionResult {
    ExecutionResult { success: false, data: None, error: Some(error), duration: 0.0, executed_nodes: Vec::new(), context: None, trace: None }
}

