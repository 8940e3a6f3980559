//! One atomic node's future: slowMo pacing and animation, debug simulation, per-attempt
//! timeouts, retries with backoff, cancellation and panic containment.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures::channel::mpsc::UnboundedSender;
use futures::future::{select, Either};
use futures::FutureExt;

use super::debug::SimulatedError;
use super::Ended;
use crate::error::ExecutionError;
use crate::host::{BoxFuture, CancelToken, SharedHost};
use crate::nodes::{Invocation, NodeResult, NodeType};
use crate::plan::NodeIx;
use crate::progress::{progress_steps, COMPLETE_MESSAGE};
use crate::run::RetryPolicy;
use crate::telemetry::SpanRetry;
use std::sync::Arc;

/// What a leaf reports while it runs (with slowMo, or in a stream of rows).
pub(crate) enum LeafMessage {
    /// The slowMo pre-delay is over: the node is now executing.
    Started(NodeIx),
    /// An animation step.
    Progress(NodeIx, u8, &'static str),
    /// A streamed node's rows so far, and the bytes it read so far and in all (when known).
    Rows(NodeIx, u64, u64, Option<u64>),
    /// What a node that reports has made so far (see `NodeType::reports`).
    Text(NodeIx, Arc<str>),
}

/// A leaf's end: its result, or `None` when it was cancelled first.
pub(crate) type LeafOutcome = (NodeIx, Option<NodeResult>);

/// Who runs the node.
#[derive(Clone)]
pub(crate) enum Executor {
    /// A registered type, run by the executor a capability crate provides for it, if one did.
    Builtin(Arc<dyn NodeType>, Option<Arc<dyn crate::nodes::NodeExecutor>>),
    /// The host's custom (JS) executor.
    Custom,
}

/// Everything a leaf needs; it owns it all so the future is `'static`.
pub(crate) struct LeafJob {
    pub ix: NodeIx,
    /// Cloned for each attempt but the last, which takes it.
    pub invocation: Option<Invocation>,
    pub executor: Executor,
    pub host: SharedHost,
    pub weight: u32,
    pub slow_mo: f64,
    pub long_running_ms: f64,
    pub simulated_error: Option<SimulatedError>,
    pub simulated_panic: bool,
    pub timeout_ms: Option<f64>,
    pub max_attempts: u32,
    /// The waits between attempts (the invocation's own, kept here once it is handed over).
    pub retry: RetryPolicy,
    /// Present only with slowMo, which is the only time a leaf reports before it ends.
    pub messages: Option<UnboundedSender<LeafMessage>>,
    /// The input holds values the embedder keeps: have them written out before the node runs.
    pub materialize: bool,
    /// Where the attempt number goes as attempts start, when the run is recorded (a plain leaf
    /// makes exactly one attempt).
    pub attempts: Option<Arc<std::sync::atomic::AtomicU32>>,
}

impl LeafJob {
    /// No pacing, debug simulation, timeout or retry: the node is just called once.
    fn is_plain(&self) -> bool {
        self.slow_mo <= 0.0
            && self.long_running_ms <= 0.0
            && self.simulated_error.is_none()
            && !self.simulated_panic
            && self.timeout_ms.is_none()
            && self.max_attempts <= 1
    }
}

impl Executor {
    /// The node's own future for one attempt.
    fn start(&self, invocation: Invocation, host: &SharedHost) -> BoxFuture<'static, NodeResult> {
        match self {
            Executor::Builtin(_, Some(executor)) => executor.execute(invocation, host.clone()),
            Executor::Builtin(node_type, None) => node_type.execute(invocation, host.clone()),
            Executor::Custom => invocation.run.clone().embedder().execute(invocation),
        }
    }
}

/// `invocation` with the embedder's values in its input written out in full (a built-in node
/// reads data, not handles).
pub(super) async fn materialized(
    mut invocation: Invocation,
) -> Result<Invocation, crate::error::ExecutionError> {
    let values = invocation.input.entries().iter().map(|(_, v)| v.clone()).collect();
    let request = invocation.run.embedder().materialize(&invocation.run.execution_id, values);
    let written = request.await?;
    invocation.input = invocation.input.with_values(written);
    Ok(invocation)
}

/// The leaf as a future. It ends early (with `None`) when its signal is cancelled, dropping the
/// work — which drops HTTP requests, kills processes and releases JS executors.
pub(crate) fn leaf_future(mut job: LeafJob) -> BoxFuture<'static, Ended> {
    let ix = job.ix;
    let Some((signal, node_id)) =
        job.invocation.as_ref().map(|i| (i.signal.clone(), i.node_id.clone()))
    else {
        return without_invocation(ix);
    };
    if !job.is_plain() {
        return Box::pin(contained(ix, node_id, signal, paced(job)));
    }
    if job.materialize {
        let Some(invocation) = job.invocation.take() else {
            return without_invocation(ix);
        };
        let (executor, host) = (job.executor, job.host);
        return Box::pin(contained(ix, node_id, signal, async move {
            let invocation = materialized(invocation).await?;
            executor.start(invocation, &host).await
        }));
    }
    // A plain leaf is just the node's own future: without the state of pacing, timeouts and
    // retries, which made every leaf's future several times larger and slower to start.
    let Some(invocation) = job.invocation.take() else {
        return without_invocation(ix);
    };
    // A node type may panic while building its future, not only while it runs.
    match std::panic::catch_unwind(AssertUnwindSafe(|| job.executor.start(invocation, &job.host))) {
        Ok(execution) => Box::pin(contained(ix, node_id, signal, execution)),
        Err(panic) => ended(ix, Err(panicked(&node_id, &*panic))),
    }
}

/// `work` with its panics turned into `INTERNAL_ERROR` results, ending early with `None` when
/// `signal` is cancelled.
async fn contained(
    ix: NodeIx,
    node_id: Arc<str>,
    signal: CancelToken,
    work: impl Future<Output = NodeResult>,
) -> Ended {
    let work = AssertUnwindSafe(work).catch_unwind();
    futures::pin_mut!(work);
    Ended::Leaf(match select(work, signal.cancelled()).await {
        Either::Left((Ok(result), _)) => (ix, Some(result)),
        Either::Left((Err(panic), _)) => (ix, Some(Err(panicked(&node_id, &*panic)))),
        Either::Right(_) => (ix, None),
    })
}

fn panicked(node_id: &str, panic: &(dyn std::any::Any + Send)) -> ExecutionError {
    ExecutionError::internal(format!(
        "Node '{node_id}' panicked: {}",
        crate::error::panic_message(panic)
    ))
}

/// A leaf that ended before it started.
fn ended(ix: NodeIx, result: NodeResult) -> BoxFuture<'static, Ended> {
    Box::pin(async move { Ended::Leaf((ix, Some(result))) })
}

fn without_invocation(ix: NodeIx) -> BoxFuture<'static, Ended> {
    ended(ix, Err(ExecutionError::internal("leaf started without an invocation")))
}

fn report(messages: &Option<UnboundedSender<LeafMessage>>, message: LeafMessage) {
    if let Some(messages) = messages {
        // The scheduler may already be gone (run aborted); nothing to report to then.
        let _ = messages.unbounded_send(message);
    }
}

/// slowMo pacing around the work, timed as in the TypeScript engine: a pre-delay, progress steps every
/// `slowMo` ms alongside the work, then `100 "Complete"` and half a step before completion. An
/// error stops the animation at once.
async fn paced(mut job: LeafJob) -> NodeResult {
    let step = job.slow_mo;
    if step <= 0.0 {
        return work(&mut job).await;
    }
    let host = job.host.clone();
    host.sleep(step).await;
    report(&job.messages, LeafMessage::Started(job.ix));
    let (ix, weight, messages) = (job.ix, job.weight, job.messages.clone());
    let animation = async {
        for &(percent, message) in progress_steps(weight).iter().skip(1) {
            host.sleep(step).await;
            report(&messages, LeafMessage::Progress(ix, percent, message));
        }
    };
    let result = {
        let work = work(&mut job);
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
        report(&job.messages, LeafMessage::Progress(job.ix, 100, COMPLETE_MESSAGE));
        host.sleep(step / 2.0).await;
    }
    result
}

/// Debug delays and simulated errors, then the attempts.
async fn work(job: &mut LeafJob) -> NodeResult {
    let delay = job.slow_mo.max(0.0) + job.long_running_ms;
    if delay > 0.0 {
        job.host.sleep(delay).await;
    }
    if job.simulated_panic {
        panic!("simulated panic (debug.simulatePanic)");
    }
    if let Some(simulated) = &job.simulated_error {
        if simulated.delay_ms > 0.0 {
            job.host.sleep(simulated.delay_ms).await;
        }
        return Err(ExecutionError::execution_failed(simulated.message.clone()));
    }
    let mut attempt = 1;
    loop {
        let invocation = if attempt >= job.max_attempts {
            job.invocation.take()
        } else {
            job.invocation.clone()
        };
        let Some(invocation) = invocation else {
            return Err(ExecutionError::internal("leaf ran out of invocations"));
        };
        let telemetry = invocation.run.telemetry.clone();
        if let Some(attempts) = &job.attempts {
            attempts.store(attempt, std::sync::atomic::Ordering::Relaxed);
        }
        match attempt_once(job, attempt, invocation).await {
            Err(error) if error.code.is_retryable_by_engine() && attempt < job.max_attempts => {
                let Some(delay) = retry_delay(job, attempt, &error) else { return Err(error) };
                if let Some(telemetry) = &telemetry {
                    let at = job.host.now();
                    let (code, message) = (error.code, error.message.clone());
                    telemetry.retried(job.ix, SpanRetry { attempt, at, code, message });
                }
                job.host.sleep(delay).await;
                attempt += 1;
            }
            outcome => return outcome,
        }
    }
}

async fn attempt_once(job: &LeafJob, attempt: u32, mut invocation: Invocation) -> NodeResult {
    invocation.attempt = attempt;
    if job.materialize {
        invocation = materialized(invocation).await?;
    }
    // A timed attempt gets its own signal so that timing out aborts just this attempt.
    let attempt_signal = job.timeout_ms.map(|_| invocation.signal.child());
    if let Some(signal) = &attempt_signal {
        invocation.signal = signal.clone();
    }
    let execution = job.executor.start(invocation, &job.host);
    let (Some(timeout), Some(signal)) = (job.timeout_ms, attempt_signal) else {
        return execution.await;
    };
    match select(execution, job.host.sleep(timeout)).await {
        Either::Left((outcome, _)) => outcome,
        Either::Right(((), _)) => {
            signal.cancel();
            Err(ExecutionError::attempt_timed_out(timeout))
        }
    }
}

/// How long to wait before the next attempt (see [`RetryPolicy`]); `None`: not retried.
fn retry_delay(job: &LeafJob, attempt: u32, error: &ExecutionError) -> Option<f64> {
    job.retry.delay_after(attempt, error, job.host.random())
}
