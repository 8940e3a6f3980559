//! One atomic node's task: slowMo pacing and animation, debug simulation, per-attempt timeouts,
//! retries with backoff, and panic containment.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::channel::mpsc::UnboundedSender;
use futures::future::{select, Either};
use futures::FutureExt;

use super::debug::SimulatedError;
use crate::error::{ErrorCode, ExecutionError};
use crate::host::SharedHost;
use crate::nodes::{Invocation, NodeResult, NodeType};
use crate::plan::NodeIx;
use crate::progress::{progress_steps, COMPLETE_MESSAGE};

/// What a running leaf reports to the scheduler.
pub(crate) enum LeafMessage {
    /// The slowMo pre-delay is over: the node is now executing.
    Started(NodeIx),
    /// An animation step.
    Progress(NodeIx, u8, &'static str),
    /// The final outcome (after retries).
    Finished(NodeIx, NodeResult),
}

/// Who runs the node.
pub(crate) enum Executor {
    Builtin(Arc<dyn NodeType>),
    /// The host's custom (JS) executor.
    Custom,
}

/// Everything a leaf task needs; it owns it all so the task is `'static`.
pub(crate) struct LeafJob {
    pub ix: NodeIx,
    pub invocation: Invocation,
    pub executor: Executor,
    pub host: SharedHost,
    pub weight: u32,
    pub slow_mo: f64,
    pub long_running_ms: f64,
    pub simulated_error: Option<SimulatedError>,
    pub timeout_ms: Option<f64>,
    pub max_attempts: u32,
    pub retry_delay_ms: f64,
    pub max_retry_delay_ms: f64,
    pub messages: UnboundedSender<LeafMessage>,
}

/// Runs the leaf and reports `Finished`. A panic anywhere inside becomes `INTERNAL_ERROR`.
pub(crate) async fn run_leaf(job: LeafJob) {
    let messages = job.messages.clone();
    let ix = job.ix;
    let node_id = job.invocation.node_id.clone();
    let result = AssertUnwindSafe(paced(job)).catch_unwind().await.unwrap_or_else(|panic| {
        let detail = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        Err(ExecutionError::internal(format!("Node '{node_id}' panicked: {detail}")))
    });
    // The scheduler may be gone (run aborted); nothing to report to then.
    let _ = messages.unbounded_send(LeafMessage::Finished(ix, result));
}

/// slowMo pacing around the work (reference §4.5): a pre-delay, progress steps every `slowMo` ms
/// alongside the work, then `100 "Complete"` and half a step before completion. An error stops
/// the animation at once.
async fn paced(job: LeafJob) -> NodeResult {
    let step = job.slow_mo;
    if step <= 0.0 {
        return work(&job).await;
    }
    let host = job.host.clone();
    host.sleep(step).await;
    let _ = job.messages.unbounded_send(LeafMessage::Started(job.ix));
    let animation = async {
        for &(percent, message) in progress_steps(job.weight).iter().skip(1) {
            host.sleep(step).await;
            let _ = job.messages.unbounded_send(LeafMessage::Progress(job.ix, percent, message));
        }
    };
    let result = {
        let work = work(&job);
        futures::pin_mut!(work, animation);
        match select(work, animation).await {
            Either::Left((result, animation)) => {
                if result.is_ok() {
                    animation.await;
                }
                result
            }
            Either::Right(((), work)) => work.await,
        }
    };
    if result.is_ok() {
        let _ = job.messages.unbounded_send(LeafMessage::Progress(job.ix, 100, COMPLETE_MESSAGE));
        host.sleep(step / 2.0).await;
    }
    result
}

/// Debug delays and simulated errors, then the attempts.
async fn work(job: &LeafJob) -> NodeResult {
    let delay = job.slow_mo.max(0.0) + job.long_running_ms;
    if delay > 0.0 {
        job.host.sleep(delay).await;
    }
    if let Some(simulated) = &job.simulated_error {
        if simulated.delay_ms > 0.0 {
            job.host.sleep(simulated.delay_ms).await;
        }
        return Err(ExecutionError::execution_failed(simulated.message.clone()));
    }
    let mut attempt = 1;
    loop {
        match attempt_once(job, attempt).await {
            Err(error) if error.code.is_retryable_by_engine() && attempt < job.max_attempts => {
                job.host.sleep(backoff(job, attempt)).await;
                attempt += 1;
            }
            outcome => return outcome,
        }
    }
}

async fn attempt_once(job: &LeafJob, attempt: u32) -> NodeResult {
    let mut invocation = job.invocation.clone();
    let signal = job.invocation.signal.child();
    invocation.signal = signal.clone();
    invocation.attempt = attempt;
    let execution = match &job.executor {
        Executor::Builtin(node_type) => node_type.execute(invocation, job.host.clone()),
        Executor::Custom => job.host.execute_custom(invocation),
    };
    let Some(timeout) = job.timeout_ms else { return execution.await };
    match select(execution, job.host.sleep(timeout)).await {
        Either::Left((outcome, _)) => outcome,
        Either::Right(((), _)) => {
            signal.cancel();
            Err(ExecutionError::new(ErrorCode::TIMEOUT, format!("Node execution timed out after {}ms", format_ms(timeout))))
        }
    }
}

/// Exponential backoff with "equal jitter": half the delay fixed, half random, so retries of
/// many nodes spread out without ever retrying immediately.
fn backoff(job: &LeafJob, attempt: u32) -> f64 {
    let exponential = job.retry_delay_ms * 2f64.powi(i32::try_from(attempt.saturating_sub(1)).unwrap_or(30).min(30));
    let capped = exponential.min(job.max_retry_delay_ms).max(0.0);
    capped * (0.5 + 0.5 * job.host.random())
}

/// `100` rather than `100.0` in messages.
pub(crate) fn format_ms(ms: f64) -> String {
    if ms.fract() == 0.0 && ms.abs() < 1e15 {
        format!("{}", ms as i64)
    } else {
        format!("{ms}")
    }
}
