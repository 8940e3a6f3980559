//! The boundary between the engine and its environment.
//!
//! The core never calls tokio, `std::time`, threads, the file system or the network itself:
//! each binding implements [`Host`] (tokio + native effects in Node, JS timers + `fetch` in the
//! browser, virtual time in tests), which is what lets one scheduler run everywhere.

mod cancel;
mod capabilities;
mod confinement;
pub mod effects;
mod events;
mod future;
mod parts;
mod permissions;
mod restricted;
mod spill;
mod tables;

use std::sync::Arc;

pub use cancel::{CancelToken, Cancelled};
pub use capabilities::Capabilities;
pub use confinement::Confinement;
pub use events::{EngineEvent, EventSink};
pub use future::{BoxCallback, BoxFuture, MaybeSend, MaybeSync, SharedFn};
pub use parts::{in_parts, Part};
pub use permissions::{CredentialAccess, FileAccess, HttpAccess, RunPermissions};
pub use restricted::{restricted, ConfinedEffects, Denied};
pub use spill::{SpillFile, SpillSpace};

use crate::error::ExecutionError;

/// Everything environmental the engine needs.
pub trait Host: MaybeSend + MaybeSync + 'static {
    /// Wall-clock time in milliseconds since the Unix epoch (timestamps, durations).
    fn now(&self) -> f64;

    /// A future that resolves after `ms` milliseconds.
    fn sleep(&self, ms: f64) -> BoxFuture<'static, ()>;

    /// A uniformly distributed number in `[0, 1)` (retry jitter, `"random"` debug targets, ids).
    fn random(&self) -> f64;

    /// Runs a task concurrently with the caller (a tokio task, a JS microtask, a test queue).
    fn spawn(&self, task: BoxFuture<'static, ()>);

    /// Runs CPU-heavy work (image processing, workbook parsing) where it does not hold up the
    /// scheduler: a blocking thread pool on native hosts. The default runs it at once, which is
    /// right for single-threaded hosts (browser, tests).
    fn run_blocking(&self, job: BoxCallback) {
        job();
    }

    /// Whether [`run_blocking`](Self::run_blocking) runs work on other threads: then pure
    /// built-in nodes move work that outgrows a small inline allowance there (see
    /// `nodes::builtin::pace`). Single-threaded hosts keep the default.
    fn has_workers(&self) -> bool {
        false
    }
    /// How many jobs [`run_blocking`](Self::run_blocking) runs at once (the worker pool's
    /// slots): large CPU work is split into that many parts at most ([`in_parts`]). 1 where
    /// work runs on the caller's thread.
    fn parallelism(&self) -> usize {
        1
    }

    /// What this environment can do for built-in node types that reach outside the data.
    fn capabilities(&self) -> Capabilities {
        Capabilities::NONE
    }

    /// The HTTP client, when the host has one.
    fn http(&self) -> Option<&dyn effects::HttpClient> {
        None
    }

    /// Room outside memory for a sort of more rows than memory should hold (see [`SpillSpace`]);
    /// `None` (the default): such a sort holds its rows in memory, within the output bound.
    /// Native hosts only (the WebAssembly engines run a run's work on one thread, in memory).
    #[cfg(not(target_arch = "wasm32"))]
    fn spill(&self) -> Option<Arc<dyn SpillSpace>> {
        None
    }

    /// The file system, when the host has one.
    fn files(&self) -> Option<&dyn effects::FileSystem> {
        None
    }

    /// Process spawning, when the host has it.
    fn processes(&self) -> Option<&dyn effects::ProcessRunner> {
        None
    }

    /// Python function calls, when the host has an interpreter (see [`effects::PythonRunner`]).
    fn python(&self) -> Option<&dyn effects::PythonRunner> {
        None
    }

    /// Database clients, when the host has them (see [`effects::DatabaseClient`]).
    fn databases(&self) -> Option<&dyn effects::DatabaseClient> {
        None
    }

    /// An SMTP client, when the host has one (see [`effects::MailSender`]).
    fn mail(&self) -> Option<&dyn effects::MailSender> {
        None
    }

    /// The credentials nodes name (see [`effects::CredentialSource`]), when the host keeps any.
    fn credentials(&self) -> Option<&dyn effects::CredentialSource> {
        None
    }

    /// The file system and HTTP client limited to the roots and hosts `permissions` grant, for a
    /// host that can check paths and URLs itself at each effect (symlinks resolved, every
    /// redirect hop). The default gives none: such grants are then refused at the effect.
    fn confine(&self, _permissions: &RunPermissions) -> ConfinedEffects {
        ConfinedEffects::default()
    }
}

/// Shared handle to a host.
pub type SharedHost = Arc<dyn Host>;

/// Frees `value` on another thread when the host has workers, else here. Freeing a large value
/// (a 10,000-object array is about 100,000 allocations) takes milliseconds; handed to a worker,
/// it no longer delays what the caller does next (handing a run's result over).
/// Header names and values, in order.
pub type TraceHeaders = Vec<(String, String)>;

pub fn drop_later<T: MaybeSend + 'static>(host: &SharedHost, value: T) {
    if host.has_workers() {
        host.spawn(Box::pin(async move { drop(value) }));
    } else {
        drop(value);
    }
}

/// Runs `work` through [`Host::run_blocking`] and waits for its value. A panic inside becomes an
/// `INTERNAL_ERROR`.
pub async fn offload<T: MaybeSend + 'static>(
    host: &SharedHost,
    work: impl FnOnce() -> T + MaybeSend + 'static,
) -> Result<T, ExecutionError> {
    let (sender, receiver) = futures::channel::oneshot::channel();
    host.run_blocking(Box::new(move || {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work))
            .map_err(|panic| crate::error::panic_message(&*panic));
        // The waiting side may have been cancelled; then nobody needs the value.
        let _ = sender.send(outcome);
    }));
    match receiver.await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(panic)) => {
            Err(ExecutionError::internal(format!("Offloaded work panicked: {panic}")))
        }
        Err(_) => Err(ExecutionError::internal("Offloaded work was dropped before it finished")),
    }
}

/// Inside an `impl Host for X`, forwards the clock, timers, random numbers and spawning to the
/// field `$inner` (itself a `Host`): what every host that wraps another (a narrowed run's, a
/// test's) passes through unchanged.
#[macro_export]
macro_rules! forward_host_basics {
    ($inner:ident) => {
        fn now(&self) -> f64 {
            self.$inner.now()
        }
        fn sleep(&self, ms: f64) -> $crate::host::BoxFuture<'static, ()> {
            self.$inner.sleep(ms)
        }
        fn random(&self) -> f64 {
            self.$inner.random()
        }
        fn spawn(&self, task: $crate::host::BoxFuture<'static, ()>) {
            self.$inner.spawn(task)
        }
    };
}
