//! The host a run with [`RunPermissions`] sees: the same host, its effects narrowed. An effect
//! granted entirely is passed through and one not granted is refused outright. A grant limited
//! to roots or hosts needs the host itself to check paths and URLs at each effect (symlinks
//! resolved, every redirect hop): it gives such checked effects through [`Host::confine`];
//! a host that gives none has the effect refused.

use std::sync::Arc;

use super::effects::{
    DirEntry, EffectError, EffectResult, FileMetadata, FileSystem, HttpClient, HttpRequest,
    HttpResponse, ProcessOutput, ProcessRunner, ProcessSpec,
};
use super::permissions::{FileAccess, HttpAccess, RunPermissions};
use super::{BoxCallback, BoxFuture, Capabilities, Host, MaybeSend, SharedHost};

/// Effects a host checks itself for grants limited to roots or hosts.
#[derive(Default)]
pub struct ConfinedEffects {
    /// The file system limited to the granted roots.
    pub files: Option<Box<dyn FileSystem>>,
    /// HTTP limited to the granted hosts.
    pub http: Option<Box<dyn HttpClient>>,
}

/// `host` as a run with `permissions` may use it.
pub fn restricted(host: SharedHost, permissions: &RunPermissions) -> SharedHost {
    let confined = host.confine(permissions);
    let processes =
        ConfinedProcesses { inner: host.clone(), confinement: super::Confinement::of(permissions) };
    let credentials =
        GrantedCredentials { inner: host.clone(), access: permissions.credentials.clone() };
    Arc::new(Narrowed {
        inner: host,
        permissions: permissions.clone(),
        confined,
        processes,
        credentials,
    })
}

/// The host's credentials, the ones the run was granted only. Validation refuses a node naming
/// another first; this holds when a name reaches the host some other way.
struct GrantedCredentials {
    inner: SharedHost,
    access: super::CredentialAccess,
}

impl super::effects::CredentialSource for GrantedCredentials {
    fn credential(
        &self,
        name: &str,
    ) -> BoxFuture<'static, crate::error::Result<Option<super::effects::Credential>>> {
        if !self.access.allows(name) {
            let error = crate::error::ExecutionError::new(
                crate::error::ErrorCode::PERMISSION_DENIED,
                format!("Permission denied: this run may not use the credential '{name}'"),
            );
            return Box::pin(std::future::ready(Err(error)));
        }
        match self.inner.credentials() {
            Some(inner) => inner.credential(name),
            None => Box::pin(std::future::ready(Ok(None))),
        }
    }
}

/// The host's processes and Python calls with the run's confinement attached: the host applies
/// it (or refuses) when it starts them.
struct ConfinedProcesses {
    inner: SharedHost,
    confinement: Option<super::Confinement>,
}

impl ProcessRunner for ConfinedProcesses {
    fn run(&self, mut spec: ProcessSpec) -> BoxFuture<'static, EffectResult<ProcessOutput>> {
        let Some(inner) = self.inner.processes() else { return denied(NO_PROCESSES) };
        spec.confinement = self.confinement.clone();
        inner.run(spec)
    }
}

impl super::effects::PythonRunner for ConfinedProcesses {
    fn call(
        &self,
        mut call: super::effects::PythonCall,
    ) -> BoxFuture<'static, EffectResult<super::effects::PythonReturn>> {
        let Some(inner) = self.inner.python() else { return denied(NO_PROCESSES) };
        call.confinement = self.confinement.clone();
        inner.call(call)
    }
}

/// Refuses every effect: what a run gets for an effect it was not granted.
#[derive(Debug, Clone, Copy, Default)]
pub struct Denied;

fn denied<T: MaybeSend + 'static>(what: &'static str) -> BoxFuture<'static, EffectResult<T>> {
    Box::pin(std::future::ready(Err(EffectError::not_permitted(what))))
}

const NO_FILES: &str = "this run may not use files";
const NO_HTTP: &str = "this run may not make HTTP requests";
const NO_PROCESSES: &str = "this run may not start processes (shell)";

impl FileSystem for Denied {
    fn stat(&self, _path: &str) -> BoxFuture<'static, EffectResult<Option<FileMetadata>>> {
        denied(NO_FILES)
    }
    fn read(&self, _path: &str) -> BoxFuture<'static, EffectResult<Vec<u8>>> {
        denied(NO_FILES)
    }
    fn write(
        &self,
        _path: &str,
        _contents: Vec<u8>,
        _create_parents: bool,
    ) -> BoxFuture<'static, EffectResult<()>> {
        denied(NO_FILES)
    }
    fn read_at(
        &self,
        _path: &str,
        _offset: u64,
        _len: usize,
    ) -> BoxFuture<'static, EffectResult<Vec<u8>>> {
        denied(NO_FILES)
    }
    fn append(&self, _path: &str, _contents: Vec<u8>) -> BoxFuture<'static, EffectResult<()>> {
        denied(NO_FILES)
    }
    fn list(&self, _path: &str) -> BoxFuture<'static, EffectResult<Vec<DirEntry>>> {
        denied(NO_FILES)
    }
    fn create_dir(&self, _path: &str, _recursive: bool) -> BoxFuture<'static, EffectResult<()>> {
        denied(NO_FILES)
    }
    fn remove(&self, _path: &str, _recursive: bool) -> BoxFuture<'static, EffectResult<()>> {
        denied(NO_FILES)
    }
    fn copy(&self, _from: &str, _to: &str) -> BoxFuture<'static, EffectResult<()>> {
        denied(NO_FILES)
    }
    fn rename(&self, _from: &str, _to: &str) -> BoxFuture<'static, EffectResult<()>> {
        denied(NO_FILES)
    }
    fn write_new(
        &self,
        _path: &str,
        _contents: Vec<u8>,
        _create_parents: bool,
    ) -> BoxFuture<'static, EffectResult<()>> {
        denied(NO_FILES)
    }
    fn rename_new(&self, _from: &str, _to: &str) -> BoxFuture<'static, EffectResult<()>> {
        denied(NO_FILES)
    }
    fn temp_dir(&self) -> String {
        String::new()
    }
}

impl HttpClient for Denied {
    fn send(&self, _request: HttpRequest) -> BoxFuture<'static, EffectResult<HttpResponse>> {
        denied(NO_HTTP)
    }
}

impl ProcessRunner for Denied {
    fn run(&self, _spec: ProcessSpec) -> BoxFuture<'static, EffectResult<ProcessOutput>> {
        denied(NO_PROCESSES)
    }
}

/// A host whose effects are narrowed to a run's permissions.
struct Narrowed {
    inner: SharedHost,
    permissions: RunPermissions,
    confined: ConfinedEffects,
    processes: ConfinedProcesses,
    credentials: GrantedCredentials,
}

impl Host for Narrowed {
    crate::forward_host_basics!(inner);
    fn run_blocking(&self, job: BoxCallback) {
        self.inner.run_blocking(job)
    }
    fn has_workers(&self) -> bool {
        self.inner.has_workers()
    }
    #[cfg(not(target_arch = "wasm32"))]
    fn spill(&self) -> Option<std::sync::Arc<dyn super::SpillSpace>> {
        // The engine's own room, not something a flow reaches: the same whatever the grant.
        self.inner.spill()
    }
    fn parallelism(&self) -> usize {
        self.inner.parallelism()
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    fn http(&self) -> Option<&dyn HttpClient> {
        let inner = self.inner.http()?;
        Some(match self.permissions.http {
            HttpAccess::Any(true) => inner,
            HttpAccess::Any(false) => &Denied,
            HttpAccess::To { .. } => self.confined.http.as_deref().unwrap_or(&Denied),
        })
    }
    fn files(&self) -> Option<&dyn FileSystem> {
        let inner = self.inner.files()?;
        Some(match self.permissions.files {
            FileAccess::Any(true) => inner,
            FileAccess::Any(false) => &Denied,
            FileAccess::Within { .. } => self.confined.files.as_deref().unwrap_or(&Denied),
        })
    }
    fn processes(&self) -> Option<&dyn ProcessRunner> {
        self.inner.processes()?;
        Some(if self.permissions.shell { &self.processes } else { &Denied })
    }
    // What a database node reaches is its credential's database, which the grant names.
    fn databases(&self) -> Option<&dyn super::effects::DatabaseClient> {
        self.inner.databases()
    }
    // A run reaches a server only through a credential it was granted, as with databases.
    fn mail(&self) -> Option<&dyn super::effects::MailSender> {
        self.inner.mail()
    }
    fn credentials(&self) -> Option<&dyn super::effects::CredentialSource> {
        self.inner.credentials()?;
        Some(&self.credentials)
    }
    // Python code runs with the process's whole authority: the same grant as a program.
    fn python(&self) -> Option<&dyn super::effects::PythonRunner> {
        self.inner.python()?;
        Some(if self.permissions.shell { &self.processes } else { &Denied })
    }
}

impl super::effects::PythonRunner for Denied {
    fn call(
        &self,
        _call: super::effects::PythonCall,
    ) -> BoxFuture<'static, EffectResult<super::effects::PythonReturn>> {
        denied(NO_PROCESSES)
    }
}
