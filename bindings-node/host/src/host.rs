//! [`NativeHost`]: the [`Host`] the Node.js addon runs the engine on.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use atomiton_core::host::effects::{FileSystem, HttpClient, ProcessRunner, PythonRunner};
use atomiton_core::host::{
    BoxCallback, BoxFuture, Capabilities, ConfinedEffects, Host, RunPermissions, SharedHost,
};
use tokio::runtime::Handle;

use crate::duration::positive_ms;
use crate::files::NativeFiles;
use crate::http::NativeHttp;
use crate::process::NativeProcesses;
use crate::python::NativePython;
use crate::restricted::confined_effects;
use crate::workers::WorkerPool;

/// The native host: wall clock, tokio timers and tasks, and real HTTP, files and processes.
///
/// It holds a [`Handle`] rather than a runtime so the owner (the addon, which shares napi's
/// runtime) decides the runtime's lifetime. That runtime must have its I/O and time drivers
/// enabled (`Builder::enable_all`), as napi's and `#[tokio::main]`'s are.
#[derive(Clone)]
pub struct NativeHost {
    handle: Handle,
    http: NativeHttp,
    files: NativeFiles,
    processes: NativeProcesses,
    workers: Arc<WorkerPool>,
    spill: Option<Arc<dyn atomiton_core::host::SpillSpace>>,
    /// `python` nodes' worker processes, when an interpreter was found.
    python: Option<NativePython>,
    /// The `database` node's pools and drivers.
    databases: crate::database::NativeDatabases,
    /// The `email` node's SMTP client and its ledger of keyed mail.
    mail: crate::mail::NativeMail,
    /// The credentials nodes name (a conductor's vault), when it keeps any.
    credentials: Option<Arc<dyn atomiton_core::host::effects::CredentialSource>>,
}

impl NativeHost {
    /// A host whose tasks and effects run on `handle`'s runtime. Cheap: the HTTP client (and
    /// its TLS roots) are set up on the first request.
    pub fn new(handle: Handle) -> Self {
        NativeHost {
            http: NativeHttp::new(handle.clone()),
            files: NativeFiles::new(handle.clone()),
            processes: NativeProcesses::new(handle.clone()),
            databases: crate::database::NativeDatabases::new(handle.clone()),
            mail: crate::mail::NativeMail::new(handle.clone()),
            handle,
            workers: WorkerPool::shared(None),
            spill: None,
            python: None,
            credentials: None,
        }
    }

    /// Mail sent with an idempotency key is recorded in `ledger` (the conductor's flow
    /// storage), so no process sharing it sends that mail again.
    pub fn with_mail_ledger(mut self, ledger: Arc<dyn crate::mail::Ledger>) -> Self {
        self.mail = self.mail.with_ledger(ledger);
        self
    }

    /// Nodes that name a credential read it from `credentials` (a conductor's vault).
    pub fn with_credentials(
        mut self,
        credentials: Arc<dyn atomiton_core::host::effects::CredentialSource>,
    ) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Sorts of more rows than memory should hold write runs to `dir` (see [`crate::NativeSpill`]),
    /// each holding `memory_bytes` of rows in memory first.
    pub fn with_spill_dir(mut self, dir: std::path::PathBuf, memory_bytes: usize) -> Self {
        self.spill = Some(Arc::new(crate::spill::NativeSpill::new(dir, memory_bytes)));
        self
    }

    /// `python` nodes run on `python`'s workers (without, a flow with one fails validation).
    pub fn with_python(mut self, python: NativePython) -> Self {
        self.python = Some(python);
        self
    }

    /// At most `limit` HTTP requests in flight to one origin (default
    /// [`crate::http::DEFAULT_PER_HOST`]).
    pub fn with_http_per_host(mut self, limit: usize) -> Self {
        self.http = self.http.with_per_host_limit(limit);
        self
    }

    /// CPU-heavy work on `pool` (default: the process's pool, one slot per core).
    pub fn with_workers(mut self, pool: Arc<WorkerPool>) -> Self {
        self.workers = pool;
        self
    }

    /// Resolves relative file paths, and starts processes, in `dir` instead of the process's
    /// current directory.
    pub fn with_working_dir(mut self, dir: std::path::PathBuf) -> Self {
        self.files = self.files.with_working_dir(dir.clone());
        self.processes = self.processes.with_working_dir(dir);
        self
    }

    /// What the processes one node starts may use together, and whether a restricted run's
    /// processes may go unconfined.
    pub fn with_process_limits(mut self, limits: crate::process::ProcessLimits) -> Self {
        self.processes = self.processes.with_limits(limits);
        self
    }

    /// The runtime this host spawns on.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// This host as the engine takes it.
    pub fn into_shared(self) -> SharedHost {
        Arc::new(self)
    }
}

impl std::fmt::Debug for NativeHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeHost").finish_non_exhaustive()
    }
}

impl Host for NativeHost {
    fn now(&self) -> f64 {
        // Wall clock, as `Date.now()`: timestamps in results must be real dates. Sub-millisecond
        // precision is kept so short durations are not all zero.
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(since) => since.as_secs_f64() * 1000.0,
            // A clock set before 1970: report it as it is rather than panic.
            Err(before) => -(before.duration().as_secs_f64() * 1000.0),
        }
    }

    fn sleep(&self, ms: f64) -> BoxFuture<'static, ()> {
        match positive_ms(ms) {
            None => Box::pin(std::future::ready(())),
            Some(duration) => {
                // The timer binds to the runtime it is created in; entering ours first lets the
                // future be created and polled from any thread.
                let _runtime = self.handle.enter();
                Box::pin(tokio::time::sleep(duration))
            }
        }
    }

    fn random(&self) -> f64 {
        fastrand::f64()
    }

    fn spawn(&self, task: BoxFuture<'static, ()>) {
        // Detached: the engine awaits its own completion signals, not join handles.
        drop(self.handle.spawn(task));
    }

    /// On the process's worker pool: one job per core at most, never on the caller's thread.
    fn run_blocking(&self, job: BoxCallback) {
        self.workers.run(job);
    }

    fn has_workers(&self) -> bool {
        true
    }

    fn spill(&self) -> Option<Arc<dyn atomiton_core::host::SpillSpace>> {
        self.spill.clone()
    }

    fn parallelism(&self) -> usize {
        self.workers.stats().size
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities { python: self.python.is_some(), ..Capabilities::ALL }
    }

    fn http(&self) -> Option<&dyn HttpClient> {
        Some(&self.http)
    }

    fn files(&self) -> Option<&dyn FileSystem> {
        Some(&self.files)
    }

    fn processes(&self) -> Option<&dyn ProcessRunner> {
        Some(&self.processes)
    }

    fn python(&self) -> Option<&dyn PythonRunner> {
        self.python.as_ref().map(|python| python as &dyn PythonRunner)
    }

    fn databases(&self) -> Option<&dyn atomiton_core::host::effects::DatabaseClient> {
        Some(&self.databases)
    }

    fn mail(&self) -> Option<&dyn atomiton_core::host::effects::MailSender> {
        Some(&self.mail)
    }

    fn credentials(&self) -> Option<&dyn atomiton_core::host::effects::CredentialSource> {
        self.credentials.as_deref()
    }

    /// Files confined to the granted roots and HTTP to the granted hosts, checked at each effect.
    fn confine(&self, permissions: &RunPermissions) -> ConfinedEffects {
        confined_effects(&self.files, &self.http, permissions)
    }
}
