//! `WasmConductor`: one [`Session`] per `createConductor`, driven from JS's one thread.

use std::sync::Arc;

use atomiton_core::session::{
    ExecutorCalls, Keepers, Notifier, Place, RunPlacement, Session, SessionConfig,
};
use atomiton_core::storage::{FlowStore, MemoryBackend};
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::host::WasmHost;
use crate::js::{HostFunctions, StorageFunctions};
use crate::storage::JsStorage;

/// Result arrays of at least this many items arrive in slices (`slices` of `takeCompleted`).
const RESULT_SLICE_ITEMS: usize = 2048;

/// The engine behind one conductor object. Runs are driven on the JS thread: `run`, `drive`
/// and `resolveCalls` return status bits (1: finished runs in `takeCompleted`, 2: executor
/// calls in `takeCalls`, 4: events in `takeEvents`).
/// The capabilities this module was built with, which its sessions' engines get (see
/// `atomiton_core::session::SessionCapability`); the browser's default module has none.
const CAPABILITIES: &[&dyn atomiton_core::session::SessionCapability] = &[
    #[cfg(feature = "plugins")]
    &atomiton_plugins::Plugins,
    #[cfg(feature = "telemetry")]
    &atomiton_telemetry::Telemetry,
    // Node runs these processes: its limits are the native engine's, `allowUnconfined` applies.
    #[cfg(feature = "node")]
    &atomiton_processes::Processes,
    // Node has files and processes: the node types that need them run.
    #[cfg(feature = "node")]
    &atomiton_effects::Effects,
    #[cfg(feature = "catalog")]
    &atomiton_catalog::Templates,
    #[cfg(feature = "cache")]
    &atomiton_cache::Cache,
    #[cfg(feature = "triggers")]
    &atomiton_triggers::Triggers,
    #[cfg(feature = "llm")]
    &atomiton_llm::Llm,
];

#[wasm_bindgen]
pub struct WasmConductor {
    session: Arc<Session>,
    notifier: Arc<Notifier>,
}

impl Drop for WasmConductor {
    /// Freed by JS: its runs end (a run waiting forever on an executor call would keep the
    /// session alive).
    fn drop(&mut self) {
        self.session.close();
    }
}

#[wasm_bindgen]
impl WasmConductor {
    /// `configJson`: the serialisable part of `ConductorConfig`; `host`: time, timers and
    /// `fetch`; `storage`: IndexedDB functions, or `undefined` to keep flows in memory;
    /// `historyStorage`: where run records are kept (the same functions over another store),
    /// or `undefined` to keep them in memory (ignored by a module built without history);
    /// `cacheStorage` (modules built with the cache): where the node result cache is kept as
    /// well as in memory, when the config asks for a cache beside a kept history.
    /// `triggerStorage` and `fireStorage` (modules built with triggers): where active triggers
    /// and their fire records are kept beside a kept history (memory otherwise).
    #[cfg(feature = "triggers")]
    #[wasm_bindgen(constructor)]
    pub fn new(
        config_json: &str,
        host: HostFunctions,
        storage: Option<StorageFunctions>,
        history_storage: Option<StorageFunctions>,
        cache_storage: Option<StorageFunctions>,
        trigger_storage: Option<StorageFunctions>,
        fire_storage: Option<StorageFunctions>,
    ) -> Result<WasmConductor, JsError> {
        let triggers = trigger_storage.zip(fire_storage);
        Self::open(config_json, host, storage, history_storage, cache_storage, triggers)
    }

    /// The same without triggers.
    #[cfg(all(feature = "cache", not(feature = "triggers")))]
    #[wasm_bindgen(constructor)]
    pub fn new(
        config_json: &str,
        host: HostFunctions,
        storage: Option<StorageFunctions>,
        history_storage: Option<StorageFunctions>,
        cache_storage: Option<StorageFunctions>,
    ) -> Result<WasmConductor, JsError> {
        Self::open(config_json, host, storage, history_storage, cache_storage, None)
    }

    /// The same without a cache (the browser's default module, within its size budget).
    #[cfg(not(feature = "cache"))]
    #[wasm_bindgen(constructor)]
    pub fn new(
        config_json: &str,
        host: HostFunctions,
        storage: Option<StorageFunctions>,
        history_storage: Option<StorageFunctions>,
    ) -> Result<WasmConductor, JsError> {
        Self::open(config_json, host, storage, history_storage, None, None)
    }

    fn open(
        config_json: &str,
        host: HostFunctions,
        storage: Option<StorageFunctions>,
        history_storage: Option<StorageFunctions>,
        cache_storage: Option<StorageFunctions>,
        trigger_storage: Option<(StorageFunctions, StorageFunctions)>,
    ) -> Result<WasmConductor, JsError> {
        let config = SessionConfig::from_json(config_json).map_err(to_js)?;
        let notifier = Notifier::new();
        let calls = ExecutorCalls::new(notifier.clone());
        let host = WasmHost::new(host);
        #[cfg(feature = "node")]
        let host = host.allowing_unconfined(
            atomiton_processes::ProcessConfig::of(&config)
                .map_err(to_js)?
                .allow_unconfined
                .unwrap_or(false),
        );
        let host = Arc::new(host);
        // Where flows, runs and the cache are kept is the core's decision, from what JS gave
        // storage for; this opens it.
        let keepers = Keepers {
            flows: storage.is_some(),
            history: history_storage.is_some(),
            cache: cache_storage.is_some(),
        };
        let placement = config.placement(keepers).map_err(to_js)?;
        let store = match (placement.flows, storage) {
            (Place::Kept, Some(functions)) => FlowStore::new(Arc::new(JsStorage(functions))),
            // Only Node's entries hand the engine an app's own storage: the browser modules
            // leave that store out (its bytes are theirs to spare).
            #[cfg(feature = "node")]
            (Place::Embedder, _) => FlowStore::new(Arc::new(
                atomiton_core::session::EmbedderStorage::new(calls.clone()),
            )),
            (Place::Redis(_) | Place::Postgres(_), _) => return Err(JsError::new(SHARED_FLOWS)),
            _ => FlowStore::new(Arc::new(MemoryBackend::new())),
        };
        // Large result arrays arrive in slices, read between turns of the page's (or the
        // worker relay's) event loop rather than parsed in one piece.
        let session = Session::new(
            config.new_engine(CAPABILITIES).map_err(to_js)?,
            host.clone(),
            store,
            notifier.clone(),
            calls,
        )
        .with_result_slices(RESULT_SLICE_ITEMS);
        #[cfg(feature = "llm")]
        let session = session.with_credentials(Arc::new(host.vault()));
        #[cfg(feature = "cache")]
        let session = with_cache(session, &config, placement.cache.as_ref(), &host, cache_storage)?;
        #[cfg(not(feature = "cache"))]
        drop(cache_storage);
        #[cfg(feature = "history")]
        let session = with_history(
            session,
            &config,
            placement.history.as_ref(),
            host.clone(),
            history_storage,
        )?;
        #[cfg(not(feature = "history"))]
        drop(history_storage);
        // After the history: a started fire's run is looked for there.
        #[cfg(feature = "triggers")]
        let session =
            with_triggers(session, &config, placement.history.as_ref(), &host, trigger_storage);
        #[cfg(not(feature = "triggers"))]
        drop(trigger_storage);
        Ok(WasmConductor { session: Arc::new(session), notifier })
    }

    /// Called when something became ready outside a driving call (a timer, a `fetch`); JS then
    /// calls `drive` (on a microtask: the call may come from inside the module).
    #[wasm_bindgen(js_name = setNotifier)]
    pub fn set_notifier(&self, notify: Function) {
        self.notifier.set(Box::new(move || {
            let _ = notify.call0(&JsValue::NULL);
        }));
    }

    /// Starts a flow (JSON text as UTF-8 bytes) as run `runId` (chosen by JS); returns the
    /// status bits. Bytes, not a string: wasm-bindgen copies a string in with a JS loop over
    /// its characters, while the platform's `TextEncoder` takes a fraction of that time.
    pub fn run(
        &self,
        run_id: u32,
        flow_json: Vec<u8>,
        options_json: String,
        buffers: Array,
    ) -> u32 {
        // TextEncoder output is always valid UTF-8; anything else is read as the text it can be.
        let flow_json = String::from_utf8(flow_json)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        // The session has no worker threshold here: every run is driven on this thread.
        if let RunPlacement::Worker(future) =
            self.session.start_run(run_id, flow_json, options_json, from_buffers(buffers))
        {
            wasm_bindgen_futures::spawn_local(future);
        }
        self.session.status()
    }

    /// Finished runs: `[{runId, result, buffers, trace?, slices?}]`, the result as codec text
    /// (its large arrays apart in `slices`) and the trace as JSON text.
    #[wasm_bindgen(js_name = takeCompleted)]
    pub fn take_completed(&self) -> Array {
        self.session
            .take_completed()
            .into_iter()
            .map(|run| {
                let object = Object::new();
                let _ = Reflect::set(&object, &"runId".into(), &run.run_id.into());
                let _ = Reflect::set(&object, &"result".into(), &run.result.into());
                let _ = Reflect::set(&object, &"buffers".into(), &to_buffers(run.buffers));
                let _ = Reflect::set(
                    &object,
                    &"trace".into(),
                    &run.trace.map_or(JsValue::NULL, JsValue::from),
                );
                if !run.slices.is_empty() {
                    let slices: Array = run
                        .slices
                        .into_iter()
                        .map(|texts| {
                            JsValue::from(texts.into_iter().map(JsValue::from).collect::<Array>())
                        })
                        .collect();
                    let _ = Reflect::set(&object, &"slices".into(), &slices);
                }
                JsValue::from(object)
            })
            .collect()
    }

    /// Every waiting `{kind: "call" | "materialize" | "abort", id, ...}` record, as one codec
    /// array text; the binary data its tags refer to comes from `takeCallBuffers`.
    #[wasm_bindgen(js_name = takeCalls)]
    pub fn take_calls(&self) -> String {
        self.session.take_calls()
    }

    /// The binary data of the batch `takeCalls` gave last (once).
    #[wasm_bindgen(js_name = takeCallBuffers)]
    pub fn take_call_buffers(&self) -> JsValue {
        to_buffers(self.session.take_call_buffers())
    }
}

impl WasmConductor {
    /// Runs are polled on this thread with nothing to enter (the native addon enters its tokio
    /// runtime here).
    fn enter(&self) {}
}

// Every method whose JS signature is the same in the native addon, from one definition.
atomiton_core::session_forwarders! {
    attribute: wasm_bindgen;
    class: WasmConductor;
    sync: [];
    promises: fn -> Promise = text_promise;
}

/// Binary data as JS passes it to the session's methods.
type Buffers = Array;

/// Records runs where `place` says: into `storage` (kept in memory as well, where queries run),
/// or in memory only.
#[cfg(feature = "history")]
fn with_history(
    session: Session,
    config: &SessionConfig,
    place: Option<&Place>,
    host: Arc<WasmHost>,
    storage: Option<StorageFunctions>,
) -> Result<Session, JsError> {
    use atomiton_core::history::{BackedHistory, MemoryHistory, SharedHistory};
    use atomiton_core::session::SessionHistory;
    let (Some(place), Some(history)) = (place, config.history()) else { return Ok(session) };
    let store: SharedHistory = match (place, storage) {
        (Place::Kept, Some(functions)) => {
            Arc::new(BackedHistory::open(Arc::new(JsStorage(functions)), history.capture(), host))
        }
        (Place::Redis(_) | Place::Postgres(_), _) => return Err(JsError::new(REDIS_UNAVAILABLE)),
        _ => Arc::new(MemoryHistory::new(history.capture())),
    };
    if config.durability.is_some_and(|durability| durability.sync) {
        return Err(to_js(atomiton_core::error::ExecutionError::validation(
            "Invalid conductor config: durability.sync is the native engine's (its files are flushed to the disk); this engine's checkpoints go where its host keeps them (Node's files, IndexedDB), which it cannot flush: leave sync out, or use the native engine",
        )));
    }
    // `durability` needs a kept store (`BackedHistory` keeps checkpoints; memory refuses it).
    let history =
        SessionHistory::new(store, history, None).durable(config.durability).map_err(to_js)?;
    Ok(session.with_history(history))
}

/// Triggers beside the history, as the native addon keeps them: in `storage` (active triggers,
/// fire records) where the history is kept, else in memory; none without a history. This
/// conductor fires them as an owner of its own among every tab or process sharing the store.
/// In a browser only schedules fire (no server answers webhooks, no folders are watched).
#[cfg(feature = "triggers")]
fn with_triggers(
    session: Session,
    config: &SessionConfig,
    place: Option<&Place>,
    host: &Arc<WasmHost>,
    storage: Option<(StorageFunctions, StorageFunctions)>,
) -> Session {
    use atomiton_triggers::{KeyedTriggers, MemoryTriggers, TriggerService, TriggerStore};
    let (Some(place), Some(_)) = (place, config.history()) else { return session };
    let store: Arc<dyn TriggerStore> = match (place, storage) {
        (Place::Kept, Some((triggers, fires))) => {
            Arc::new(KeyedTriggers::new(Arc::new(JsStorage(triggers)), Arc::new(JsStorage(fires))))
        }
        _ => Arc::new(MemoryTriggers::new()),
    };
    let shared: atomiton_core::host::SharedHost = host.clone();
    let random = shared.clone();
    let owner = atomiton_core::session::catalog::execution_id("", || random.random());
    #[cfg(feature = "node")]
    let service = TriggerService::new(store, shared, owner);
    #[cfg(not(feature = "node"))]
    let service = TriggerService::schedules_only(store, shared, owner);
    let service = match session.history() {
        Some(history) => {
            service.with_runs(Arc::new(atomiton_triggers::HistoryRuns(history.store().clone())))
        }
        None => service,
    };
    session.with_triggers(Arc::new(service))
}

/// The node result cache where `place` says: in `storage` as well as in memory, or in memory.
#[cfg(feature = "cache")]
fn with_cache(
    session: Session,
    config: &SessionConfig,
    place: Option<&Place>,
    host: &Arc<WasmHost>,
    storage: Option<StorageFunctions>,
) -> Result<Session, JsError> {
    use atomiton_cache::{CacheHandle, CacheStore, MemoryCache, PersistedCache};
    let Some(place) = place else { return Ok(session) };
    let setting = &config.cache;
    let store: Arc<dyn CacheStore> = match (place, storage) {
        (Place::Kept, Some(functions)) => {
            let shared: atomiton_core::host::SharedHost = host.clone();
            Arc::new(PersistedCache::open(Arc::new(JsStorage(functions)), setting.limits, &shared))
        }
        (Place::Redis(_) | Place::Postgres(_), _) => return Err(JsError::new(REDIS_UNAVAILABLE)),
        _ => Arc::new(MemoryCache::new(setting.limits)),
    };
    Ok(session.with_cache(CacheHandle::shared(store, setting.ttl_ms)))
}

/// Flows kept in a database (`storage: {type: "postgres"}`, or beside a queue's shared history)
/// are the native addon's to open.
const SHARED_FLOWS: &str =
    "VALIDATION_FAILED: Invalid conductor config: flows kept in PostgreSQL or Redis need the native engine";

/// A history or cache in Redis is the queue's, which runs on the native addon.
#[cfg(any(feature = "history", feature = "cache"))]
const REDIS_UNAVAILABLE: &str =
    "VALIDATION_FAILED: Invalid conductor config: a history in Redis or PostgreSQL needs the native engine";

fn to_js(error: atomiton_core::ExecutionError) -> JsError {
    JsError::new(&format!("{}: {}", error.code, error.message))
}

fn to_buffers(buffers: Vec<Arc<[u8]>>) -> JsValue {
    buffers
        .into_iter()
        .map(|data| JsValue::from(Uint8Array::from(&*data)))
        .collect::<Array>()
        .into()
}

fn from_buffers(buffers: Array) -> Vec<Arc<[u8]>> {
    buffers.iter().map(|buffer| Arc::from(Uint8Array::new(&buffer).to_vec())).collect()
}

fn text_promise(work: atomiton_core::host::BoxFuture<'static, String>) -> Promise {
    future_to_promise(async move { Ok(JsValue::from(work.await)) })
}
