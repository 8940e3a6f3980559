//! `python` nodes' calls: [`NativePython`] implements the core's [`PythonRunner`] with a pool of
//! long-lived worker processes (`worker.py` on the configured interpreter).
//!
//! A call takes an idle worker (or starts one, up to the pool's size; past it, calls wait for
//! one) and gives it back when the function returned or raised. A call that times out or is
//! cancelled kills its worker's whole process group, as does one whose worker stops answering;
//! the next call starts a fresh one. Workers live as long as the conductor's host, and die with
//! the process on Linux however it ends (see `process/command.rs`).

mod interpreter;
mod worker;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use atomiton_core::host::effects::{
    EffectError, EffectErrorKind, EffectResult, PythonCall, PythonReturn, PythonRunner,
    PythonSource,
};
use atomiton_core::host::{BoxFuture, Confinement};
use tokio::runtime::Handle;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::duration::limit;
use crate::process::ProcessLimits;
use crate::task::{bounded, cancelled, spawn_effect, Outcome};
use worker::{Broke, Worker};

pub use interpreter::find as find_interpreter;

/// A line no call's output holds by chance: where one call's output below Python ends.
fn marker() -> String {
    use std::hash::BuildHasher;
    // A hasher's keys are random per process and per instance.
    let random = std::collections::hash_map::RandomState::new().hash_one(std::process::id());
    format!("--atomiton-call-end-{random:016x}--")
}

/// Worker processes at most, unless the config says (`python.workers`).
pub const DEFAULT_WORKERS: usize = 2;

/// The native Python runner.
#[derive(Clone)]
pub struct NativePython {
    pool: Arc<Pool>,
}

struct Pool {
    handle: Handle,
    interpreter: PathBuf,
    working_dir: Option<PathBuf>,
    limits: ProcessLimits,
    idle: Mutex<Vec<Worker>>,
    /// One permit per worker that may exist.
    slots: Arc<Semaphore>,
    /// Workers at most.
    size: usize,
}

impl NativePython {
    /// Calls on `interpreter`, in at most `workers` processes started in `working_dir`.
    pub fn new(
        handle: Handle,
        interpreter: PathBuf,
        working_dir: Option<PathBuf>,
        workers: usize,
    ) -> Self {
        NativePython {
            pool: Arc::new(Pool {
                handle,
                interpreter,
                working_dir,
                limits: ProcessLimits::default(),
                idle: Mutex::new(Vec::new()),
                slots: Arc::new(Semaphore::new(workers.max(1))),
                size: workers.max(1),
            }),
        }
    }

    /// What each worker's processes may use together (before the first call).
    pub fn with_limits(mut self, limits: ProcessLimits) -> Self {
        if let Some(pool) = Arc::get_mut(&mut self.pool) {
            pool.limits = limits;
        }
        self
    }

    /// The interpreter calls run on.
    pub fn interpreter(&self) -> &Path {
        &self.pool.interpreter
    }

    /// Worker processes alive and idle now.
    pub fn idle_workers(&self) -> usize {
        self.pool.idle.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

impl PythonRunner for NativePython {
    fn call(&self, call: PythonCall) -> BoxFuture<'static, EffectResult<PythonReturn>> {
        if call.signal.is_cancelled() {
            return Box::pin(std::future::ready(Err(cancelled("Python call"))));
        }
        let pool = self.pool.clone();
        spawn_effect(&self.pool.handle, "Python call", async move { pool.call(call).await })
    }
}

impl Pool {
    async fn call(&self, call: PythonCall) -> EffectResult<PythonReturn> {
        let marker = marker();
        let request = self.request(&call, &marker)?;
        // The worker the call is on, kept out here: a call abandoned still has its worker to end.
        let mut held = None;
        // The node's timeout bounds the whole call, the wait for a free worker included.
        let outcome = bounded(
            self.on_a_worker(&request, &marker, call.confinement.as_ref(), &mut held),
            limit(call.timeout_ms),
            &call.signal,
        )
        .await;
        let abandoned = match outcome {
            Outcome::Done(answer) => return answer,
            Outcome::TimedOut => EffectError::new(
                EffectErrorKind::TimedOut,
                format!(
                    "the Python call did not end within {} ms; its worker process was killed",
                    call.timeout_ms.unwrap_or_default()
                ),
            ),
            Outcome::Cancelled => cancelled("Python call"),
        };
        // Killed and reaped before the node's error is told: nothing of it runs on after. (When
        // the engine's own timer ends the node first, dropping the call kills the group.)
        if let Some((worker, _slot)) = held.take() {
            worker.end().await;
        }
        Err(abandoned)
    }

    /// Sends `request` to an idle worker (or a new one) and takes the answer; `held` has the
    /// worker (and its slot) while it works on the call.
    async fn on_a_worker(
        &self,
        request: &[u8],
        marker: &str,
        confinement: Option<&Confinement>,
        held: &mut Option<(Worker, OwnedSemaphorePermit)>,
    ) -> EffectResult<PythonReturn> {
        let slot = self.slots.clone().acquire_owned().await.map_err(|_| {
            EffectError::new(EffectErrorKind::Other, "the Python workers were shut down")
        })?;
        let (mut idle, other) = self.idle_worker(confinement);
        if let Some(other) = other {
            // Confined otherwise: ended, so that the pool stays within its size.
            other.end().await;
        }
        // One that died while idle (killed for memory, say) is let go, not given the call.
        let worker = match idle.take_if(|worker| worker.alive()) {
            Some(worker) => worker,
            None => {
                Worker::start(
                    &self.interpreter,
                    self.working_dir.as_ref(),
                    confinement,
                    &self.limits,
                )
                .await?
            }
        };
        let (worker, _) = held.insert((worker, slot));
        let answer = worker.call(request, marker).await;
        let Some((worker, _slot)) = held.take() else {
            return Err(EffectError::new(EffectErrorKind::Other, "the Python worker went missing"));
        };
        match answer {
            Ok(answer) => {
                // Nothing the call started outlives it.
                worker.tidy();
                self.idle.lock().unwrap_or_else(PoisonError::into_inner).push(worker);
                Ok(answer)
            }
            Err(Broke(why)) => {
                let how = worker.end().await;
                Err(EffectError::new(
                    EffectErrorKind::Other,
                    format!("the Python worker stopped during the call ({why}: {how})"),
                ))
            }
        }
    }

    /// An idle worker confined as `confinement` is, if one; else, when the pool is full, an
    /// idle worker confined otherwise, to end.
    fn idle_worker(&self, confinement: Option<&Confinement>) -> (Option<Worker>, Option<Worker>) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(at) = idle.iter().rposition(|w| w.confinement.as_ref() == confinement) {
            return (Some(idle.swap_remove(at)), None);
        }
        let full = idle.len() >= self.size;
        (None, if full { idle.pop() } else { None })
    }

    /// The request line for `call` (a module's path made absolute: workers keep modules by
    /// path).
    fn request(&self, call: &PythonCall, marker: &str) -> EffectResult<Vec<u8>> {
        let (key, source) = match &call.source {
            PythonSource::Code(code) => ("code", code.clone()),
            PythonSource::Module(path) => {
                let path = crate::files::resolve(self.working_dir.as_ref(), path);
                if !path.is_file() {
                    return Err(EffectError::new(
                        EffectErrorKind::NotFound,
                        format!("no Python module at {}", path.display()),
                    ));
                }
                ("module", path.to_string_lossy().into_owned())
            }
        };
        let request = serde_json::json!({
            key: source,
            "function": call.function,
            "data": call.data,
            "arguments": call.arguments,
            "marker": marker,
        });
        serde_json::to_vec(&request).map_err(|e| {
            EffectError::new(EffectErrorKind::Other, format!("cannot write the call: {e}"))
        })
    }
}
