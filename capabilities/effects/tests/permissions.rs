//! Per-run permissions at the effect: a host that cannot check roots or hosts itself has the
//! engine's narrowing refuse partial grants there, and the node whose effect is refused fails
//! with `PERMISSION_DENIED`, nothing having reached the host.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use atomiton_core::host::effects::{
    DirEntry, EffectErrorKind, EffectResult, FileMetadata, FileSystem, ProcessOutput,
    ProcessRunner, ProcessSpec,
};
use atomiton_core::host::{
    restricted, BoxFuture, Capabilities, FileAccess, Host, RunPermissions, SharedHost,
};
use atomiton_core::testing::VirtualHost;
use atomiton_core::{EngineConfig, ErrorCode, NodeDefinition, RunOptions};

/// A host with a file system and processes that count what reaches them.
struct Effects {
    inner: VirtualHost,
    reached: Arc<AtomicUsize>,
}

impl FileSystem for Effects {
    fn stat(&self, _: &str) -> BoxFuture<'static, EffectResult<Option<FileMetadata>>> {
        self.reached.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Ok(None) })
    }
    fn read(&self, _: &str) -> BoxFuture<'static, EffectResult<Vec<u8>>> {
        self.reached.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Ok(b"contents".to_vec()) })
    }
    fn read_at(&self, _: &str, _: u64, _: usize) -> BoxFuture<'static, EffectResult<Vec<u8>>> {
        self.reached.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Ok(b"contents".to_vec()) })
    }
    fn write(&self, _: &str, _: Vec<u8>, _: bool) -> BoxFuture<'static, EffectResult<()>> {
        Box::pin(async { Ok(()) })
    }
    fn append(&self, _: &str, _: Vec<u8>) -> BoxFuture<'static, EffectResult<()>> {
        Box::pin(async { Ok(()) })
    }
    fn list(&self, _: &str) -> BoxFuture<'static, EffectResult<Vec<DirEntry>>> {
        Box::pin(async { Ok(Vec::new()) })
    }
    fn create_dir(&self, _: &str, _: bool) -> BoxFuture<'static, EffectResult<()>> {
        Box::pin(async { Ok(()) })
    }
    fn remove(&self, _: &str, _: bool) -> BoxFuture<'static, EffectResult<()>> {
        Box::pin(async { Ok(()) })
    }
    fn copy(&self, _: &str, _: &str) -> BoxFuture<'static, EffectResult<()>> {
        Box::pin(async { Ok(()) })
    }
    fn rename(&self, _: &str, _: &str) -> BoxFuture<'static, EffectResult<()>> {
        Box::pin(async { Ok(()) })
    }
    fn write_new(&self, _: &str, _: Vec<u8>, _: bool) -> BoxFuture<'static, EffectResult<()>> {
        Box::pin(async { Ok(()) })
    }
    fn rename_new(&self, _: &str, _: &str) -> BoxFuture<'static, EffectResult<()>> {
        Box::pin(async { Ok(()) })
    }
    fn temp_dir(&self) -> String {
        "/tmp".into()
    }
}

impl ProcessRunner for Effects {
    fn run(&self, _: ProcessSpec) -> BoxFuture<'static, EffectResult<ProcessOutput>> {
        self.reached.fetch_add(1, Ordering::SeqCst);
        Box::pin(async {
            Ok(ProcessOutput {
                exit_code: Some(0),
                stdout: Vec::new(),
                stderr: Vec::new(),
                timed_out: false,
                confined: false,
            })
        })
    }
}

impl Host for Effects {
    atomiton_core::forward_host_basics!(inner);
    fn capabilities(&self) -> Capabilities {
        Capabilities::ALL
    }
    fn files(&self) -> Option<&dyn FileSystem> {
        Some(self)
    }
    fn processes(&self) -> Option<&dyn ProcessRunner> {
        Some(self)
    }
}

#[test]
fn a_host_that_cannot_check_roots_refuses_partial_grants_at_the_effect() {
    let reached = Arc::new(AtomicUsize::new(0));
    let virtual_host = VirtualHost::new();
    let host: SharedHost =
        Arc::new(Effects { inner: virtual_host.clone(), reached: reached.clone() });
    let read = |permissions: RunPermissions| {
        let narrowed = restricted(host.clone(), &permissions);
        let files = narrowed.files().expect("the host has files");
        virtual_host.block_on(files.read("/etc/passwd"))
    };
    let within = RunPermissions {
        files: FileAccess::Within { roots: vec!["/".into()] },
        ..RunPermissions::default()
    };
    let refused = read(within).expect_err("roots cannot be checked by this host");
    assert_eq!(refused.kind, EffectErrorKind::NotPermitted);
    assert_eq!(refused.message, "Permission denied: this run may not use files");
    assert_eq!(
        read(RunPermissions::default()).map_err(|e| e.kind),
        Err(EffectErrorKind::NotPermitted)
    );
    assert_eq!(reached.load(Ordering::SeqCst), 0, "nothing reached the file system");
    assert_eq!(
        read(RunPermissions { files: FileAccess::Any(true), ..RunPermissions::default() }),
        Ok(b"contents".to_vec())
    );
    assert_eq!(reached.load(Ordering::SeqCst), 1);
    let narrowed = restricted(host.clone(), &RunPermissions::default());
    let spec = ProcessSpec {
        program: "sh".into(),
        args: Vec::new(),
        cwd: None,
        env: Vec::new(),
        env_remove: Vec::new(),
        stdin: None,
        timeout_ms: None,
        capture_output: true,
        max_output_bytes: 1,
        signal: Default::default(),
        confinement: None,
    };
    let refused = virtual_host
        .block_on(narrowed.processes().expect("the host has processes").run(spec))
        .expect_err("shell denied");
    assert_eq!(refused.kind, EffectErrorKind::NotPermitted);
    assert!(narrowed.http().is_none(), "an effect the host lacks stays absent");
}

#[test]
fn a_refused_effect_fails_its_node_with_permission_denied() {
    let reached = Arc::new(AtomicUsize::new(0));
    let virtual_host = VirtualHost::new();
    let host: SharedHost =
        Arc::new(Effects { inner: virtual_host.clone(), reached: reached.clone() });
    // Validation passes (files are granted, within a root); only the effect can refuse the path.
    let flow = NodeDefinition::new("read", "file-system")
        .with_param("operation", "read")
        .with_param("path", "/srv/data.txt");
    let permissions = RunPermissions {
        files: FileAccess::Within { roots: vec!["/srv".into()] },
        ..RunPermissions::default()
    };
    let options = RunOptions { permissions: Some(permissions), ..RunOptions::default() };
    let result = virtual_host.block_on(
        atomiton_core::Engine::with_registry(atomiton_effects::registry(), EngineConfig::default())
            .run(flow, options, host),
    );
    let error = result.error.expect("refused");
    assert_eq!(error.code, ErrorCode::PERMISSION_DENIED, "{error:?}");
    assert_eq!(
        error.message,
        "[file-system] Read operation failed: Permission denied: this run may not use files"
    );
    assert_eq!(reached.load(Ordering::SeqCst), 0);
}

#[test]
fn the_core_declares_file_system_and_only_a_registry_given_its_executor_runs_it() {
    let reached = Arc::new(AtomicUsize::new(0));
    let virtual_host = VirtualHost::new();
    let host: SharedHost =
        Arc::new(Effects { inner: virtual_host.clone(), reached: reached.clone() });
    let flow = || {
        NodeDefinition::new("read", "file-system")
            .with_param("operation", "read")
            .with_param("path", "/srv/data.txt")
    };
    let declared_only = atomiton_core::Engine::with_registry(
        atomiton_core::nodes::builtin_registry(),
        EngineConfig::default(),
    );
    let result =
        virtual_host.block_on(declared_only.run(flow(), RunOptions::default(), host.clone()));
    let error = result.error.expect("no executor");
    assert_eq!(error.code, ErrorCode::IMPLEMENTATION_NOT_FOUND, "{error:?}");
    assert_eq!(
        error.message,
        "Node 'read' (file-system) needs a file system, which this environment does not provide"
    );
    assert_eq!(reached.load(Ordering::SeqCst), 0);
    let provided =
        atomiton_core::Engine::with_registry(atomiton_effects::registry(), EngineConfig::default());
    let result = virtual_host.block_on(provided.run(flow(), RunOptions::default(), host));
    // The counting host's file system has no such file: the executor asked it, and says so.
    let error = result.error.expect("the host has no such file");
    assert_eq!(error.code, ErrorCode::FILE_NOT_FOUND, "{error:?}");
    assert_eq!(
        error.message,
        "[file-system] Read operation failed: File does not exist: /srv/data.txt"
    );
    assert!(reached.load(Ordering::SeqCst) >= 1, "the provided executor read through the host");
}
