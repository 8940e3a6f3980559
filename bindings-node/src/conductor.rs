//! `NativeConductor`: one engine, host, storage and set of runs per `createConductor`.

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};

use atomiton_core::host::{CancelToken, SharedHost};
use atomiton_core::storage::{FlowStore, ListOptions, MemoryBackend};
use atomiton_core::{Engine, ExecutionError, ExecutionResult, RunOptions};
use atomiton_native_host::{FileStorage, NativeHost};
use futures::FutureExt;
use napi::bindgen_prelude::Function;
use napi_derive::napi;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::config::NativeConfig;
use crate::events::{lock, Mailbox, MailboxSink, NotifyFn};
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
    runs: Mutex<HashMap<String, CancelToken>>,
    events: Arc<Mailbox>,
    executor: Arc<JsExecutor>,
}

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
        let executor = Arc::new(JsExecutor::default());
        let mut host = NativeHost::new(runtime.clone()).with_custom_executor(executor.clone());
        if let Some(dir) = &config.working_directory {
            host = host.with_working_dir(dir.clone());
        }
        let store = match config.storage.kind.as_deref() {
            Some("memory") => FlowStore::new(Arc::new(MemoryBackend::new())),
            _ => FlowStore::new(Arc::new(FileStorage::new(config.storage_directory(), runtime))),
        };
        Ok(NativeConductor {
            state: Arc::new(State {
                engine: Engine::new(config.engine()),
                host: host.into_shared(),
                store,
                runs: Mutex::new(HashMap::new()),
                events: Arc::new(Mailbox::default()),
                executor,
            }),
        })
    }

    /// Called (with no arguments) whenever events are waiting in `takeEvents`.
    #[napi(catch_unwind)]
    pub fn set_event_notifier(&self, notify: Function<(), ()>) -> napi::Result<()> {
        let notify: NotifyFn = notify.build_threadsafe_function().callee_handled::<false>().weak::<true>().build()?;
        self.state.events.set_notifier(notify);
        Ok(())
    }

    /// Every waiting event, as a JSON array.
    #[napi(catch_unwind)]
    pub fn take_events(&self) -> String {
        self.state.events.drain()
    }

    /// Called whenever executor calls or aborts are waiting in `takeCalls`.
    #[napi(catch_unwind)]
    pub fn set_call_notifier(&self, notify: Function<(), ()>) -> napi::Result<()> {
        let notify: NotifyFn = notify.build_threadsafe_function().callee_handled::<false>().weak::<true>().build()?;
        self.state.executor.mailbox.set_notifier(notify);
        Ok(())
    }

    /// Every waiting `{kind: "call" | "abort", id, ...}` record, as a JSON array.
    #[napi(catch_unwind)]
    pub fn take_calls(&self) -> String {
        self.state.executor.mailbox.drain()
    }

    /// Answers executor call `id` with `{ok, value?, error?}`.
    #[napi(catch_unwind)]
    pub fn resolve_call(&self, id: f64, outcome_json: String) {
        self.state.executor.resolve(id as u64, &outcome_json);
    }

    /// Runs a flow (JSON text) and resolves with the `ExecutionResult` as JSON text. Never
    /// rejects: every failure, a panic included, is a result with `success: false`.
    #[napi]
    pub async fn run(&self, flow_json: String, options_json: String) -> String {
        let state = self.state.clone();
        let outcome = AssertUnwindSafe(state.clone().run(flow_json, options_json)).catch_unwind().await;
        let result = outcome.unwrap_or_else(|panic| failure(ExecutionError::internal(format!("The engine panicked: {}", panic_message(&*panic)))));
        serde_json::to_string(&result).unwrap_or_else(|e| serde_json::to_string(&failure(ExecutionError::from(e))).unwrap_or_default())
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
            let flow = atomiton_core::format::parse_definition_json(&flow_json, &self.state.engine.config().parse_limits)?;
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
    async fn run(self: Arc<Self>, flow_json: String, options_json: String) -> ExecutionResult {
        let request: RunRequest = match serde_json::from_str(&options_json) {
            Ok(request) => request,
            Err(e) => return failure(ExecutionError::validation(format!("Invalid run options: {e}"))),
        };
        let flow = match atomiton_core::format::parse_definition_json(&flow_json, &self.engine.config().parse_limits) {
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

/// A result for a run that could not start.
fn failure(error: ExecutionError) -> ExecutionResult {
    ExecutionResult { success: false, data: None, error: Some(error), duration: 0.0, executed_nodes: Vec::new(), context: None, trace: None }
}

