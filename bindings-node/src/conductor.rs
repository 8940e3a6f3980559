//! `NativeConductor`: one [`Session`] per `createConductor`, on the addon's tokio runtime.

use std::sync::Arc;

use atomiton_cache::{CacheHandle, CacheStore, MemoryCache, PersistedCache, ResultCache};
use atomiton_core::history::{HistoryConfig, MemoryHistory, SharedHistory};
use atomiton_core::host::SharedHost;
use atomiton_core::session::catalog::execution_id;
use atomiton_core::session::{
    CompletedRun, EmbedderStorage, ExecutorCalls, Keepers, Notifier, Place, RunPlacement, Session,
    SessionConfig, SessionHistory,
};
use atomiton_core::storage::{FlowStore, MemoryBackend};
use atomiton_core::ExecutionError;
use atomiton_credentials::Vault;
use atomiton_native_host::cache::{sqlite_cache_backend, PostgresCache, RedisCache};
use atomiton_native_host::credentials_key::{key_source, Keeping};
use atomiton_native_host::history::{
    fleet_owner, mark_crashed, mark_lost, owner_alive, this_owner,
};
use atomiton_native_host::mail::{InProcess, Ledger};
use atomiton_native_host::spill::DEFAULT_SORT_MEMORY_BYTES;
use atomiton_native_host::triggers::{sqlite_triggers, PostgresTriggers, RedisTriggers};
use atomiton_native_host::{
    FileStorage, NativeHost, NativePython, PostgresHistory, PostgresStorage, ProcessLimits,
    RedisHistory, RedisStorage, SqliteHistory, WorkerPool,
};
use atomiton_triggers::{MemoryTriggers, TriggerService, TriggerStore};
use napi::bindgen_prelude::{Buffer, Function};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;
use napi_derive::napi;
use tokio::runtime::Handle;

use crate::runtime::handle;

/// `() => void` callable from any thread; weak, so it never keeps Node's event loop alive (the
/// TypeScript layer holds the loop open while runs are pending).
type NotifyFn = ThreadsafeFunction<(), (), (), Status, false, true>;

/// Flow documents larger than this are parsed and run on a tokio worker rather than on the JS
/// thread. Parsing takes time in proportion to the data on the JS thread (the values are
/// allocated there, and dropped there when the run ends), so a flow carrying a 10,000-object
/// array would hold up the event loop; below the threshold the JS thread's share stays small,
/// and small flows (whose thread hop would cost more than their run) stay put.
const WORKER_THRESHOLD_BYTES: usize = 64 * 1024;

/// Result arrays of at least this many items reach JS in slices (`FinishedRun::slices`).
const SLICE_ARRAYS_OF: usize = 2048;

/// A finished run: the `ExecutionResult` as codec text with the binary data its tags refer to,
/// and its trace apart (parsed lazily).
#[napi(object)]
pub struct FinishedRun {
    pub run_id: u32,
    pub result: String,
    pub buffers: Vec<Buffer>,
    /// The result's large arrays, apart: for each `slices` tag in `result`, by its number, the
    /// texts of arrays whose items, concatenated, are that array's (read a few at a time, so a
    /// large result never holds up the event loop in one piece).
    pub slices: Vec<Vec<String>>,
    /// The trace's id for `takeTrace` / `dropTrace`.
    pub trace: Option<u32>,
}

impl From<CompletedRun> for FinishedRun {
    fn from(run: CompletedRun) -> Self {
        FinishedRun {
            run_id: run.run_id,
            result: run.result,
            buffers: to_buffers(run.buffers),
            slices: run.slices,
            trace: run.trace,
        }
    }
}

fn to_buffers(buffers: Vec<Arc<[u8]>>) -> Vec<Buffer> {
    buffers.into_iter().map(|data| Buffer::from(data.to_vec())).collect()
}

fn from_buffers(buffers: Vec<Buffer>) -> Vec<Arc<[u8]>> {
    buffers.into_iter().map(|buffer| Arc::from(&*buffer)).collect()
}

/// The engine behind one conductor object. Runs are driven on the JS thread: `run`, `drive`
/// and `resolveCalls` return status bits (1: finished runs in `takeCompleted`, 2: executor
/// calls in `takeCalls`, 4: events in `takeEvents`).
#[napi]
pub struct NativeConductor {
    session: Arc<Session>,
    notifier: Arc<Notifier>,
    runtime: Handle,
    host: SharedHost,
}

impl Drop for NativeConductor {
    /// Collected by JS: its runs end (a run waiting forever on an executor call would keep the
    /// session alive).
    fn drop(&mut self) {
        self.session.close();
    }
}

#[napi]
impl NativeConductor {
    /// `configJson`: the serialisable part of `ConductorConfig`.
    #[napi(constructor, catch_unwind)]
    pub fn new(config_json: String) -> napi::Result<Self> {
        let config = SessionConfig::from_json(&config_json).map_err(to_napi)?;
        let runtime = handle();
        let notifier = Notifier::new();
        let calls = ExecutorCalls::new(notifier.clone());
        let mut host = NativeHost::new(runtime.clone());
        if let Some(dir) = &config.working_directory {
            host = host.with_working_dir(dir.clone());
        }
        if let Some(limit) = config.http.max_requests_per_host.filter(|n| *n > 0) {
            host = host.with_http_per_host(limit);
        }
        host = host.with_workers(WorkerPool::shared(config.workers));
        let limits = process_limits(&config)?;
        host = host.with_process_limits(limits);
        if let Some(python) = python_workers(&config, &runtime)? {
            let python = python.with_limits(limits);
            host = host.with_python(python);
        }
        host = host.with_spill_dir(
            spill_directory(&config, &config.storage_directory(home().as_deref())),
            config.stream_sort_memory.filter(|n| *n > 0).unwrap_or(DEFAULT_SORT_MEMORY_BYTES),
        );
        // Where flows, runs and the cache are kept is the core's decision; this opens it.
        let placement = config.placement(Keepers::ALL).map_err(to_napi)?;
        let directory = config.storage_directory(home().as_deref());
        let storage_error = |e| to_napi(ExecutionError::validation(format!("Flow storage: {e}")));
        // The flow storage is also the ledger of mail sent under an idempotency key.
        let (ledger, keeping): (Arc<dyn Ledger>, Keeping) = match &placement.flows {
            Place::Kept => (
                Arc::new(FileStorage::new(directory.clone(), runtime.clone())),
                Keeping::Directory(directory.clone()),
            ),
            Place::Postgres(url) => (
                Arc::new(PostgresStorage::open(url).map_err(storage_error)?),
                Keeping::Shared("PostgreSQL"),
            ),
            Place::Redis(redis) => (
                Arc::new(RedisStorage::open(&redis.url, &redis.key_prefix).map_err(storage_error)?),
                Keeping::Shared("Redis"),
            ),
            Place::Memory => (Arc::new(InProcess::new(MemoryBackend::new())), Keeping::Memory),
            Place::Embedder => (
                Arc::new(InProcess::new(EmbedderStorage::new(calls.clone()))),
                Keeping::Directory(directory.clone()),
            ),
        };
        let backend = ledger.clone().into_storage();
        let store = FlowStore::new(backend.clone());
        // Credentials are kept beside the flows, sealed (see `atomiton-credentials`); the
        // host hands them to the nodes that name them, the session answers `credentials.*`.
        let vault = Vault::new(backend.clone(), key_source(keeping));
        // Mail sent with an idempotency key is recorded there too, for every process sharing it.
        let host = host.with_credentials(vault.clone()).with_mail_ledger(ledger).into_shared();
        let mut session = Session::new(
            config
                .new_engine(&[
                    &atomiton_plugins::Plugins,
                    &atomiton_telemetry::Telemetry,
                    &atomiton_processes::Python,
                    &atomiton_processes::Processes,
                    &atomiton_effects::Effects,
                    &atomiton_catalog::Templates,
                    &atomiton_cache::Cache,
                    &atomiton_triggers::Triggers,
                    &atomiton_database::Databases,
                    &atomiton_llm::Llm,
                    &atomiton_email::Email,
                ])
                .map_err(to_napi)?,
            host.clone(),
            store,
            notifier.clone(),
            calls,
        )
        .with_worker_threshold(WORKER_THRESHOLD_BYTES)
        .with_result_slices(SLICE_ARRAYS_OF)
        .with_credentials(vault);
        if let (Some(place), Some(history)) = (&placement.history, config.history()) {
            // A store processes on many machines share names its owners apart (pids repeat).
            let shared = matches!(place, Place::Redis(_) | Place::Postgres(_));
            let owner = if shared { fleet_owner() } else { this_owner() };
            let synced = config.durability.is_some_and(|durability| durability.sync);
            let store =
                open_history(place, &history, (&directory, synced), &owner).map_err(to_napi)?;
            // Runs a process that died left `running` are marked `crashed` (or `interrupted`)
            // before anything else reads the store (the store answers in the order it is asked).
            // A shared store judges its owners by when it last heard from them (pids name this
            // machine's processes only) and looks again every so often by itself.
            drop(runtime.spawn(store.recover(Box::new(owner_alive), host.now())));
            // Where the triggers look for a started fire's run (see `with_runs`).
            let runs = Arc::new(atomiton_triggers::HistoryRuns(store.clone()));
            let history = SessionHistory::new(store, history, Some(owner.clone()))
                .durable(config.durability)
                .map_err(to_napi)?;
            session = session.with_history(history);
            // Triggers are kept beside the history, and fired by this conductor as one owner.
            let triggers = open_triggers(place, &directory).map_err(to_napi)?;
            let owner = format!("{owner} {}", execution_id("", || host.random()));
            // A webhook's secret is an environment variable of the serving process, named by
            // the hook (never the secret itself in a flow).
            let secrets: atomiton_triggers::webhook::Secrets =
                Arc::new(|name: &str| std::env::var(name).ok());
            let service = TriggerService::new(triggers, host.clone(), owner)
                .with_secrets(secrets)
                .with_watcher(Arc::new(atomiton_native_host::folder_watcher::NotifyFolders::new()))
                .with_runs(runs);
            session = session.with_triggers(Arc::new(service));
        }
        if let Some(place) = &placement.cache {
            session =
                session.with_cache(open_cache(place, &config, &directory, &host).map_err(to_napi)?);
        }
        Ok(NativeConductor { session: Arc::new(session), notifier, runtime, host })
    }

    /// Called (with no arguments, from any thread) when something is waiting for JS: JS then
    /// calls `drive` and collects what its status names.
    #[napi(catch_unwind)]
    pub fn set_notifier(&self, notify: Function<(), ()>) -> napi::Result<()> {
        let notify: NotifyFn =
            notify.build_threadsafe_function().callee_handled::<false>().weak::<true>().build()?;
        self.notifier.set(Box::new(move || {
            notify.call((), ThreadsafeFunctionCallMode::NonBlocking);
        }));
        Ok(())
    }

    /// Starts a flow (codec text) as run `runId` (chosen by JS) with its options (codec text) and
    /// the binary data both refer to; returns the status bits. The `ExecutionResult` arrives
    /// through `takeCompleted`, often before this returns.
    #[napi(catch_unwind)]
    pub fn run(
        &self,
        run_id: u32,
        flow_json: String,
        options_json: String,
        buffers: Vec<Buffer>,
    ) -> u32 {
        let _context = self.enter();
        if let RunPlacement::Worker(future) =
            self.session.start_run(run_id, flow_json, options_json, from_buffers(buffers))
        {
            drop(self.runtime.spawn(future));
        }
        self.session.status()
    }

    /// Finished runs.
    #[napi(catch_unwind)]
    pub fn take_completed(&self) -> Vec<FinishedRun> {
        self.session.take_completed().into_iter().map(FinishedRun::from).collect()
    }

    /// Every waiting `{kind: "call" | "materialize" | "abort", id, ...}` record, as one codec
    /// array text; the binary data its tags refer to comes from `takeCallBuffers`.
    #[napi(catch_unwind)]
    pub fn take_calls(&self) -> String {
        self.session.take_calls()
    }

    /// The binary data of the batch `takeCalls` gave last (once).
    #[napi(catch_unwind)]
    pub fn take_call_buffers(&self) -> Vec<Buffer> {
        to_buffers(self.session.take_call_buffers())
    }

    /// Ids of the runs going on now (here only: when `takeCompleted` fails, the TypeScript layer
    /// fails the pending runs that are not among them; without it, as in the wasm module, all).
    #[napi(catch_unwind)]
    pub fn running(&self) -> Vec<String> {
        self.session.running()
    }

    /// Records that the process running execution `executionId` died (queue mode: its worker's
    /// lock lapsed): when the history has the run and it is still `running`, it ends as `crashed`
    /// now, with an `INTERNAL_ERROR` saying `message`, and this resolves `true` once that is
    /// stored; otherwise (no such run, one that ended, history off) `false`. Rejects when the
    /// store cannot be read.
    #[napi]
    pub async fn mark_crashed(&self, execution_id: String, message: String) -> napi::Result<bool> {
        let Some(history) = self.session.history() else { return Ok(false) };
        let store = history.store().clone();
        mark_crashed(&*store, &execution_id, &message, self.host.now()).await.map_err(to_napi)
    }

    /// Records that the process running execution `executionId` was lost (queue mode: this
    /// worker took over its job after the lock lapsed): a run still `running` ends `interrupted`
    /// when it is durable (to be resumed from its checkpoints), else `crashed` with an
    /// `INTERNAL_ERROR` saying `message`. Resolves with the run's status afterwards (`""` when
    /// there is no such run or the history is off), once that is stored.
    #[napi]
    pub async fn mark_lost(&self, execution_id: String, message: String) -> napi::Result<String> {
        let Some(history) = self.session.history() else { return Ok(String::new()) };
        let store = history.store().clone();
        let status =
            mark_lost(&*store, &execution_id, &message, self.host.now()).await.map_err(to_napi)?;
        Ok(status.map(|s| s.as_str().to_owned()).unwrap_or_default())
    }
}

impl NativeConductor {
    /// Tokio timers, I/O and spawns need a runtime context when futures first use them: held
    /// while runs start or are polled.
    fn enter(&self) -> tokio::runtime::EnterGuard<'_> {
        self.runtime.enter()
    }
}

// Every method whose JS signature is the same in the wasm module, from one definition.
atomiton_core::session_forwarders! {
    attribute: napi;
    class: NativeConductor;
    // A panic in a synchronous call is a thrown error, not an abort of the process.
    sync: [catch_unwind];
    promises: async fn -> String;
}

/// Binary data as JS passes it to the session's methods.
type Buffers = Vec<Buffer>;

/// `processes: {...}` of the config over the defaults.
fn process_limits(config: &SessionConfig) -> napi::Result<ProcessLimits> {
    let set = atomiton_processes::ProcessConfig::of(config).map_err(to_napi)?;
    let defaults = ProcessLimits::default();
    Ok(ProcessLimits {
        memory_bytes: set.memory_limit.unwrap_or(defaults.memory_bytes),
        max_processes: set.max_processes.unwrap_or(defaults.max_processes),
        cpu_time_ms: set.cpu_time_limit.or(defaults.cpu_time_ms),
        max_open_files: set.max_open_files.unwrap_or(defaults.max_open_files),
        allow_unconfined: set.allow_unconfined.unwrap_or(defaults.allow_unconfined),
    })
}

/// `python` nodes' workers, on the interpreter the config names or the PATH has (`None`: none
/// there, and a flow with a `python` node fails validation). An interpreter or virtual
/// environment the config names and that is not there is an error now, not at the first run.
fn python_workers(
    config: &SessionConfig,
    runtime: &tokio::runtime::Handle,
) -> napi::Result<Option<NativePython>> {
    let settings = atomiton_processes::PythonConfig::of(config).map_err(to_napi)?;
    let found = atomiton_native_host::python::find_interpreter(
        settings.interpreter.as_deref(),
        settings.virtualenv.as_deref(),
        config.working_directory.as_deref(),
    )
    .map_err(|e| to_napi(ExecutionError::validation(format!("Invalid conductor config: {e}"))))?;
    Ok(found.map(|interpreter| {
        NativePython::new(
            runtime.clone(),
            interpreter,
            config.working_directory.clone(),
            settings.workers.unwrap_or(atomiton_native_host::python::DEFAULT_WORKERS),
        )
    }))
}

/// The history store at `place`: in Redis (queue mode), in `history.sqlite` beside the flows
/// (`synced`: durable runs' effect starts flushed to the disk), or in memory.
fn open_history(
    place: &Place,
    history: &HistoryConfig,
    (directory, synced): (&std::path::Path, bool),
    owner: &str,
) -> Result<SharedHistory, ExecutionError> {
    let hint = |e: ExecutionError| {
        ExecutionError::new(e.code, format!("{} (set history: false to run without it)", e.message))
    };
    Ok(match place {
        Place::Redis(redis) => Arc::new(
            RedisHistory::open(&redis.url, &redis.key_prefix, history.capture(), owner)
                .map_err(hint)?,
        ),
        Place::Kept => {
            let store = SqliteHistory::open(&directory.join("history.sqlite"), history.capture())
                .map_err(hint)?;
            store.sync_effect_starts(synced);
            Arc::new(store)
        }
        Place::Postgres(url) => {
            Arc::new(PostgresHistory::open(url, history.capture(), owner).map_err(hint)?)
        }
        // Never the history's place (flows only): memory, as beside flows an app keeps.
        Place::Memory | Place::Embedder => Arc::new(MemoryHistory::new(history.capture())),
    })
}

/// The node result cache at `place`: in Redis beside a queue's history, in the SQLite history
/// database beside the flows, or in memory.
fn open_cache(
    place: &Place,
    config: &SessionConfig,
    directory: &std::path::Path,
    host: &SharedHost,
) -> Result<Arc<dyn ResultCache>, ExecutionError> {
    let setting = &config.cache;
    let hint = |e: ExecutionError| {
        ExecutionError::new(
            e.code,
            format!("{} (set cache.store: \"memory\" to keep it in memory)", e.message),
        )
    };
    let store: Arc<dyn CacheStore> = match place {
        Place::Redis(redis) => {
            Arc::new(RedisCache::open(&redis.url, &redis.key_prefix, setting.limits).map_err(hint)?)
        }
        Place::Kept => {
            let backend = sqlite_cache_backend(&directory.join("history.sqlite")).map_err(hint)?;
            Arc::new(PersistedCache::open(backend, setting.limits, host))
        }
        Place::Postgres(url) => Arc::new(PostgresCache::open(url, setting.limits).map_err(hint)?),
        Place::Memory | Place::Embedder => Arc::new(MemoryCache::new(setting.limits)),
    };
    Ok(CacheHandle::shared(store, setting.ttl_ms))
}

/// The trigger store at `place`, the history's: the SQLite history database beside the flows,
/// Redis beside a queue's history, PostgreSQL beside a fleet's, or memory.
fn open_triggers(
    place: &Place,
    directory: &std::path::Path,
) -> Result<Arc<dyn TriggerStore>, ExecutionError> {
    Ok(match place {
        Place::Kept => sqlite_triggers(&directory.join("history.sqlite"))?,
        Place::Redis(redis) => Arc::new(RedisTriggers::open(&redis.url, &redis.key_prefix)?),
        Place::Postgres(url) => Arc::new(
            PostgresTriggers::open(url)
                .map_err(|e| ExecutionError::validation(format!("Triggers: {e}")))?,
        ),
        Place::Memory | Place::Embedder => Arc::new(MemoryTriggers::new()),
    })
}

/// Where sorts too large for memory write their runs: `spill/` under the flows' directory, or
/// under the system's temporary directory when flows are kept in memory.
fn spill_directory(config: &SessionConfig, directory: &std::path::Path) -> std::path::PathBuf {
    match config.memory_storage() || config.embedder_storage() {
        true => std::env::temp_dir().join("atomiton-spill"),
        false => directory.join("spill"),
    }
}

/// The user's home directory, where flows are kept when the config names no directory.
fn home() -> Option<std::path::PathBuf> {
    std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")).map(Into::into)
}

/// The domain error as a thrown JS error, for the constructor and `markCrashed` (the only calls
/// that throw or reject).
fn to_napi(error: ExecutionError) -> napi::Error {
    napi::Error::new(Status::GenericFailure, format!("{}: {}", error.code, error.message))
}
