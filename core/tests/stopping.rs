//! Timeouts and cancellation reach built-in work in progress: an expression that would run for
//! hours stops within a few thousand steps of its run being cancelled or timing out — in
//! `transform` work moved off the scheduler, and in `loop` and `parallel` working inline.
//!
//! These tests run in real time on threads (a virtual clock cannot wait for a thread): the work
//! each one starts would take hours, so only a stop that does not work can fail them, by
//! hanging past the two-minute watchdog. Nothing here measures how fast anything is.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use atomiton_core::engine::RunHandles;
use atomiton_core::expression::Limits;
use atomiton_core::host::{BoxCallback, BoxFuture, CancelToken, Host};
use atomiton_core::json;
use atomiton_core::testing::wait;
use atomiton_core::value::Value;
use atomiton_core::{Engine, EngineConfig, ErrorCode, ExecutionResult, NodeDefinition, RunOptions};

/// A host on real time and plain threads: `sleep` and `spawn` use threads, and `run_blocking`
/// runs jobs on their own thread (as native hosts do: pure nodes move long work there), counting
/// the jobs still running.
#[derive(Default)]
struct ThreadHost {
    jobs_running: Arc<AtomicUsize>,
    jobs_started: Arc<AtomicUsize>,
}

impl Host for ThreadHost {
    fn now(&self) -> f64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    }

    fn sleep(&self, ms: f64) -> BoxFuture<'static, ()> {
        let (done, finished) = futures::channel::oneshot::channel::<()>();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs_f64(ms.clamp(0.0, 1e7) / 1000.0));
            let _ = done.send(());
        });
        Box::pin(async move {
            let _ = finished.await;
        })
    }

    fn random(&self) -> f64 {
        0.5
    }

    fn spawn(&self, task: BoxFuture<'static, ()>) {
        std::thread::spawn(move || wait(task));
    }

    fn has_workers(&self) -> bool {
        true
    }

    fn run_blocking(&self, job: BoxCallback) {
        let (running, started) = (self.jobs_running.clone(), self.jobs_started.clone());
        running.fetch_add(1, Ordering::SeqCst);
        started.fetch_add(1, Ordering::SeqCst);
        std::thread::spawn(move || {
            job();
            running.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// Runs `work` on a thread; fails the test if it has not ended within two minutes.
fn within_watchdog<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, ended) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(work());
    });
    ended
        .recv_timeout(Duration::from_secs(120))
        .expect("the work did not stop: hung past the watchdog")
}

/// An engine whose expressions may take 10^12 steps: hours of work per call.
fn patient_engine() -> Engine {
    Engine::new(EngineConfig {
        expression_limits: Limits { max_steps: 1_000_000_000_000, ..Limits::default() },
        ..EngineConfig::default()
    })
}

/// About 1.7 million steps per item: over 20,000 items (the size `transform` moves off the
/// scheduler), many hours.
const HEAVY: &str = "x => { const a = [...'abcdefghijklmnopqrstuvwxyz'.repeat(50)]; return a.map(v => a.reduce((s, w) => s + w.length, 0)).length }";

fn heavy_transform(items: usize) -> NodeDefinition {
    NodeDefinition::new("heavy", "transform")
        .with_param("operation", json!("map"))
        .with_param("transformFunction", json!(HEAVY))
        .with_param("data", Value::Array((0..items).map(|i| json!(i)).collect()))
}

/// Runs `flow` on a fresh thread host; returns the result and the host (to look at its jobs).
fn run(
    flow: NodeDefinition,
    options: RunOptions,
    handles: RunHandles,
) -> (ExecutionResult, Arc<ThreadHost>) {
    let host = Arc::new(ThreadHost::default());
    let future = patient_engine().run_with(flow, options, handles, host.clone());
    (wait(future), host)
}

/// Waits until the host's offloaded jobs have all ended (the watchdog bounds the wait).
fn jobs_ended(host: &ThreadHost) {
    assert!(
        host.jobs_started.load(Ordering::SeqCst) > 0,
        "the transform ran on the scheduler, not off it"
    );
    while host.jobs_running.load(Ordering::SeqCst) > 0 {
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_node_timeout_stops_transform_work_off_the_scheduler() {
    within_watchdog(|| {
        let (result, host) = run(
            heavy_transform(20_000).with_param("timeout", json!(200)),
            RunOptions::default(),
            RunHandles::default(),
        );
        let error = result.error.expect("the node times out");
        assert_eq!(error.code, ErrorCode::TIMEOUT);
        assert_eq!(error.message, "Node execution timed out after 200ms");
        jobs_ended(&host);
    });
}

#[test]
fn a_run_timeout_stops_transform_work_off_the_scheduler() {
    within_watchdog(|| {
        let (result, host) = run(
            heavy_transform(20_000),
            RunOptions { timeout_ms: Some(300.0), ..RunOptions::default() },
            RunHandles::default(),
        );
        let error = result.error.expect("the run times out");
        assert_eq!(error.code, ErrorCode::TIMEOUT);
        assert_eq!(error.message, "Execution timed out after 300ms");
        jobs_ended(&host);
    });
}

/// Cancels `token` from another thread once `started` says the work is under way.
fn cancel_later(token: CancelToken) {
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        token.cancel();
    });
}

#[test]
fn cancelling_a_run_stops_transform_work_off_the_scheduler() {
    within_watchdog(|| {
        let token = CancelToken::new();
        cancel_later(token.clone());
        let (result, host) = run(
            heavy_transform(20_000),
            RunOptions::default(),
            RunHandles { cancel: Some(token), ..RunHandles::default() },
        );
        assert_eq!(result.error.expect("cancelled").code, ErrorCode::CANCELLED);
        jobs_ended(&host);
    });
}

#[test]
fn cancelling_a_run_stops_a_transform_working_inline() {
    within_watchdog(|| {
        let token = CancelToken::new();
        cancel_later(token.clone());
        let (result, _) = run(
            heavy_transform(300),
            RunOptions::default(),
            RunHandles { cancel: Some(token), ..RunHandles::default() },
        );
        assert_eq!(result.error.expect("cancelled").code, ErrorCode::CANCELLED);
    });
}

#[test]
fn cancelling_a_run_stops_a_while_loop_whose_condition_is_long() {
    within_watchdog(|| {
        let token = CancelToken::new();
        cancel_later(token.clone());
        let condition = format!("({HEAVY})(iteration) > 0");
        let flow = NodeDefinition::new("spin", "loop")
            .with_param("loopType", json!("while"))
            .with_param("condition", json!(condition))
            .with_param("maxIterations", json!(1_000_000));
        let (result, _) = run(
            flow,
            RunOptions::default(),
            RunHandles { cancel: Some(token), ..RunHandles::default() },
        );
        assert_eq!(result.error.expect("cancelled").code, ErrorCode::CANCELLED);
    });
}

#[test]
fn cancelling_a_run_stops_parallel_operations() {
    within_watchdog(|| {
        let token = CancelToken::new();
        cancel_later(token.clone());
        let flow = NodeDefinition::new("fan", "parallel")
            .with_param("processFunction", json!(HEAVY))
            .with_param("operations", Value::Array((0..300).map(|i| json!(i)).collect()));
        let (result, _) = run(
            flow,
            RunOptions::default(),
            RunHandles { cancel: Some(token), ..RunHandles::default() },
        );
        let error = result.error.expect("cancelled");
        assert_eq!(error.code, ErrorCode::CANCELLED, "{}", error.message);
    });
}
