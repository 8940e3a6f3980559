//! Child processes: [`NativeProcesses`] implements the core's [`ProcessRunner`] with
//! `tokio::process`, never through a shell.
//!
//! Nothing a node starts outlives it: on Linux the program runs under a supervisor that ends
//! its whole tree when the node ends, times out, is cancelled or when the host dies, and that
//! holds the tree to the node's limits (`linux/supervisor.rs`); elsewhere the child leads a
//! process group, which is killed. A restricted run's grant confines the program on Linux
//! (Landlock, `linux/landlock.rs`), and is refused elsewhere unless the config allows
//! unconfined processes (`confine.rs`).

pub(crate) mod command;
pub(crate) mod confine;
pub(crate) mod group;
mod limits;
#[cfg(target_os = "linux")]
mod linux;
mod pipes;

pub use limits::ProcessLimits;

use std::time::Duration;

use atomiton_core::host::effects::{
    EffectError, EffectErrorKind, EffectResult, ProcessOutput, ProcessRunner, ProcessSpec,
};
use atomiton_core::host::BoxFuture;
use tokio::process::Child;
use tokio::runtime::Handle;

use crate::duration::limit;
use crate::task::{bounded, cancelled, spawn_effect, Outcome};
use group::GroupKiller;

/// How long to keep reading output still in the pipes after killing a child, and to wait for
/// the kill to be reaped. SIGKILL ends a process at once; this only bounds pathological cases
/// (a descendant that left the group and still holds the pipe, a process stuck in the kernel).
const AFTER_KILL_GRACE: Duration = Duration::from_millis(500);

/// How long a supervisor is given to end its tree when told to, before its group is killed
/// outright: a tree of thousands (a fork bomb at its limit) takes a few rounds of killing.
pub(crate) const SUPERVISOR_GRACE: Duration = Duration::from_secs(5);

/// The native process runner.
#[derive(Clone, Debug)]
pub struct NativeProcesses {
    handle: Handle,
    working_dir: Option<std::sync::Arc<std::path::PathBuf>>,
    limits: ProcessLimits,
}

impl NativeProcesses {
    /// Processes are spawned and awaited on `handle`'s runtime.
    pub fn new(handle: Handle) -> Self {
        NativeProcesses { handle, working_dir: None, limits: ProcessLimits::default() }
    }

    /// What each node's processes may use together.
    pub fn with_limits(mut self, limits: ProcessLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Children start in `dir` unless a spec names its own (relative ones resolve against it).
    pub fn with_working_dir(mut self, dir: std::path::PathBuf) -> Self {
        self.working_dir = Some(std::sync::Arc::new(dir));
        self
    }
}

impl ProcessRunner for NativeProcesses {
    fn run(&self, mut spec: ProcessSpec) -> BoxFuture<'static, EffectResult<ProcessOutput>> {
        if let Some(base) = &self.working_dir {
            let cwd = spec.cwd.take().unwrap_or_else(|| ".".to_owned());
            spec.cwd = Some(crate::files::resolve(Some(base), &cwd).to_string_lossy().into_owned());
        }
        if spec.signal.is_cancelled() {
            return Box::pin(std::future::ready(Err(cancelled("process"))));
        }
        spawn_effect(&self.handle, "process", run(spec, self.limits))
    }
}

async fn run(spec: ProcessSpec, limits: ProcessLimits) -> EffectResult<ProcessOutput> {
    let mut command = command::build(&spec)?;
    let cwd = spec.cwd.as_deref().map(std::path::Path::new);
    let mut prepared =
        confine::prepare(&spec.program, cwd, spec.confinement.as_ref(), &limits, &[])?;
    prepared.apply(&mut command);
    let spawned = command.spawn();
    prepared.spawned();
    let mut child = spawned.map_err(|e| command::spawn_error(&spec.program, &e))?;
    // Armed until the run ends normally: if this future is dropped mid-run, the tree dies.
    let mut killer = GroupKiller::new(child.id(), prepared.supervised);

    let mut stdin = child.stdin.take();
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let cap = usize::try_from(spec.max_output_bytes).unwrap_or(usize::MAX);
    let (mut out, mut err) = (Vec::new(), Vec::new());

    // Everything at once: feeding stdin while the child's output fills its pipes must not
    // deadlock, and the run is over only when the child exited and both pipes closed.
    let outcome = {
        let work = async {
            let (status, (), (), ()) = futures::join!(
                child.wait(),
                pipes::feed(stdin.take(), spec.stdin.as_deref()),
                pipes::drain(stdout.as_mut(), &mut out, cap),
                pipes::drain(stderr.as_mut(), &mut err, cap),
            );
            status
        };
        bounded(work, limit(spec.timeout_ms), &spec.signal).await
    };

    match outcome {
        Outcome::Done(Ok(status)) => {
            killer.disarm();
            if let Some(hit) = prepared.limit_hit() {
                return Err(hit.error(&limits, &format!("'{}'", spec.program)));
            }
            Ok(ProcessOutput {
                exit_code: status.code(),
                stdout: out,
                stderr: err,
                timed_out: false,
                confined: prepared.confined,
            })
        }
        Outcome::Done(Err(error)) => {
            kill(&mut killer, &mut child).await;
            Err(EffectError::new(
                EffectErrorKind::Other,
                format!("Waiting for '{}' failed: {error}", spec.program),
            ))
        }
        Outcome::Cancelled => {
            kill(&mut killer, &mut child).await;
            Err(cancelled(&format!("process '{}'", spec.program)))
        }
        Outcome::TimedOut => {
            let status = kill(&mut killer, &mut child).await;
            // Keep what the child wrote before it died.
            let _ = tokio::time::timeout(AFTER_KILL_GRACE, async {
                futures::join!(
                    pipes::drain(stdout.as_mut(), &mut out, cap),
                    pipes::drain(stderr.as_mut(), &mut err, cap)
                )
            })
            .await;
            Ok(ProcessOutput {
                exit_code: status.and_then(|s| s.code()),
                stdout: out,
                stderr: err,
                timed_out: true,
                confined: prepared.confined,
            })
        }
    }
}

/// Ends the child's processes and reaps it; its exit status when that was quick.
pub(crate) async fn kill(
    killer: &mut GroupKiller,
    child: &mut Child,
) -> Option<std::process::ExitStatus> {
    killer.end();
    if let Ok(Ok(status)) = tokio::time::timeout(SUPERVISOR_GRACE, child.wait()).await {
        killer.disarm();
        return Some(status);
    }
    // The supervisor did not end (or there is none): everything still in its group, now.
    killer.force();
    // Fails only when the child already exited, which is what we want anyway.
    let _ = child.start_kill();
    tokio::time::timeout(AFTER_KILL_GRACE, child.wait()).await.ok().and_then(Result::ok)
}
