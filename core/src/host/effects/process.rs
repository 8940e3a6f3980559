//! Child processes as a host effect.

use super::EffectResult;
use crate::host::{BoxFuture, CancelToken, MaybeSend, MaybeSync};

/// A program to run, without a shell.
#[derive(Debug, Clone)]
pub struct ProcessSpec {
    pub program: String,
    pub args: Vec<String>,
    /// Working directory; the host's current directory when `None`.
    pub cwd: Option<String>,
    /// Variables set on top of the host's environment.
    pub env: Vec<(String, String)>,
    /// Variables removed from the environment (the dynamic-loader ones, always).
    pub env_remove: Vec<String>,
    /// Written to the child's stdin, which is then closed.
    pub stdin: Option<Vec<u8>>,
    /// The child is killed when this elapses (`timed_out` is set).
    pub timeout_ms: Option<f64>,
    /// Keep stdout/stderr (discarded otherwise).
    pub capture_output: bool,
    /// Output beyond this many bytes per stream is cut off.
    pub max_output_bytes: u64,
    /// Cancelling kills the child.
    pub signal: CancelToken,
    /// What the OS should confine the child and its descendants to (the run's grant); `None`:
    /// only the host's own limits. A host that cannot confine refuses the spec (unless told to
    /// run it unconfined) rather than run it with more than the grant.
    pub confinement: Option<crate::host::Confinement>,
}

/// How a process ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessOutput {
    /// `None` when killed by a signal.
    pub exit_code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub timed_out: bool,
    /// The OS confined the child to a run's grant (see [`ProcessSpec::confinement`]): a failure
    /// it reports as "permission denied" is that confinement refusing it.
    pub confined: bool,
}

/// Runs processes.
pub trait ProcessRunner: MaybeSend + MaybeSync {
    fn run(&self, spec: ProcessSpec) -> BoxFuture<'static, EffectResult<ProcessOutput>>;
}
