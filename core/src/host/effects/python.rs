//! Python functions as a host effect: the `python` node hands the host a function to call (inline
//! source or a module file, and the function's name) with JSON arguments, and the host calls it
//! in one of its Python worker processes. The engine never starts an interpreter itself.

use super::EffectResult;
use crate::host::{BoxFuture, CancelToken, MaybeSend, MaybeSync};

/// Where the function is defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PythonSource {
    /// Source text defining it (a `python` node's `code`).
    Code(String),
    /// A `.py` file defining it, as an absolute path.
    Module(String),
}

/// One call of a Python function.
#[derive(Debug, Clone)]
pub struct PythonCall {
    pub source: PythonSource,
    /// The function's name in its source.
    pub function: String,
    /// The function's one positional argument, as JSON text.
    pub data: String,
    /// Its keyword arguments, as the JSON text of an object.
    pub arguments: String,
    /// The call is abandoned and its worker process killed when this elapses.
    pub timeout_ms: Option<f64>,
    /// Cancelling abandons the call and kills its worker process.
    pub signal: CancelToken,
    /// What the OS should confine the worker running the call to (see
    /// [`ProcessSpec::confinement`](super::ProcessSpec::confinement)): a call runs only on a
    /// worker confined exactly so.
    pub confinement: Option<crate::host::Confinement>,
}

/// How a call ended, once the function returned or raised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonReturn {
    /// The returned value as JSON text, or what the function raised.
    pub outcome: Result<String, PythonException>,
    /// What the call wrote to its standard output.
    pub stdout: String,
    /// What it wrote to its standard error.
    pub stderr: String,
}

/// An exception the function (or loading its source) raised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonException {
    /// Its class, e.g. `ZeroDivisionError`.
    pub kind: String,
    pub message: String,
    /// The traceback as Python prints it.
    pub traceback: String,
}

/// Calls Python functions. An `Err` is the call failing around the function (no interpreter,
/// a worker that died, a timeout, a cancellation), never the function raising.
pub trait PythonRunner: MaybeSend + MaybeSync {
    fn call(&self, call: PythonCall) -> BoxFuture<'static, EffectResult<PythonReturn>>;
}
