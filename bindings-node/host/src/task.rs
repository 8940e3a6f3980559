//! Running effects as tasks on the host's runtime, and racing them against limits.
//!
//! Effects run on the runtime the host holds rather than on whatever polls their futures: reqwest,
//! tokio timers and `tokio::process` need a tokio context, and the engine's futures may be
//! awaited from elsewhere (a test's executor, a napi async task). A task also isolates a panic
//! in an effect, which becomes an error instead of unwinding into the scheduler.

use std::future::Future;
use std::pin::{pin, Pin};
use std::task::{Context, Poll};
use std::time::Duration;

use atomiton_core::host::effects::{EffectError, EffectErrorKind, EffectResult};
use atomiton_core::host::{BoxFuture, CancelToken};
use tokio::runtime::Handle;
use tokio::task::{JoinError, JoinHandle};

/// A spawned effect whose task is aborted when this handle is dropped, so dropping the effect's
/// future (a node timed out, a run was cancelled) stops the work too.
struct EffectTask<T> {
    handle: JoinHandle<EffectResult<T>>,
    what: &'static str,
}

impl<T> Drop for EffectTask<T> {
    fn drop(&mut self) {
        // A no-op for finished tasks and for blocking tasks that already started.
        self.handle.abort();
    }
}

impl<T> Future for EffectTask<T> {
    type Output = EffectResult<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let what = self.what;
        Pin::new(&mut self.handle)
            .poll(cx)
            .map(|joined| joined.unwrap_or_else(|error| Err(join_error(what, error))))
    }
}

fn join_error(what: &str, error: JoinError) -> EffectError {
    if error.is_panic() {
        let detail = atomiton_core::error::panic_message(&*error.into_panic());
        EffectError::new(EffectErrorKind::Other, format!("internal error in {what}: {detail}"))
    } else {
        // Only aborts we did not ask for reach here: the runtime is shutting down.
        EffectError::new(
            EffectErrorKind::Other,
            format!("{what} was stopped: the runtime is shutting down"),
        )
    }
}

/// Runs `effect` as a task on `handle`; `what` names it in error messages.
pub(crate) fn spawn_effect<T, F>(
    handle: &Handle,
    what: &'static str,
    effect: F,
) -> BoxFuture<'static, EffectResult<T>>
where
    T: Send + 'static,
    F: Future<Output = EffectResult<T>> + Send + 'static,
{
    Box::pin(EffectTask { handle: handle.spawn(effect), what })
}

/// Runs blocking `work` (file system calls) on `handle`'s blocking pool.
pub(crate) fn blocking_effect<T, F>(
    handle: &Handle,
    what: &'static str,
    work: F,
) -> BoxFuture<'static, EffectResult<T>>
where
    T: Send + 'static,
    F: FnOnce() -> EffectResult<T> + Send + 'static,
{
    Box::pin(EffectTask { handle: handle.spawn_blocking(work), what })
}

/// How a bounded piece of work ended.
pub(crate) enum Outcome<T> {
    Done(T),
    TimedOut,
    Cancelled,
}

/// Runs `work` until it finishes, `limit` elapses or `signal` is cancelled — whichever comes
/// first, cancellation winning ties (a cancelled run must not report success). Must be polled
/// within a tokio runtime (the timer).
pub(crate) async fn bounded<T>(
    work: impl Future<Output = T>,
    limit: Option<Duration>,
    signal: &CancelToken,
) -> Outcome<T> {
    let mut work = pin!(work);
    let mut cancelled = pin!(signal.cancelled());
    let mut deadline = pin!(async move {
        match limit {
            Some(limit) => tokio::time::sleep(limit).await,
            None => std::future::pending().await,
        }
    });
    std::future::poll_fn(move |cx| {
        if cancelled.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Outcome::Cancelled);
        }
        if let Poll::Ready(value) = work.as_mut().poll(cx) {
            return Poll::Ready(Outcome::Done(value));
        }
        if deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Outcome::TimedOut);
        }
        Poll::Pending
    })
    .await
}

/// The error for an effect cancelled through its signal.
pub(crate) fn cancelled(what: &str) -> EffectError {
    EffectError::new(EffectErrorKind::Cancelled, format!("{what} was cancelled"))
}
