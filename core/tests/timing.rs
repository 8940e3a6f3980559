//! Timeouts, retries with backoff, cancellation and run time-outs, in virtual time.

mod common;

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;

use atomiton_core::engine::RunHandles;
use atomiton_core::host::{CancelToken, Host};
use atomiton_core::json;
use atomiton_core::{EngineConfig, ErrorCode, ExecutionError, RunOptions};
use common::*;

/// An executor failing with `code` for the first `failures` attempts, then returning "ok".
fn flaky(h: &mut Harness, code: ErrorCode, failures: u32) -> Arc<AtomicU32> {
    let attempts = Arc::new(AtomicU32::new(0));
    let counter = attempts.clone();
    h.sync("flaky", move |inv| {
        let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
        assert_eq!(inv.attempt, n, "attempt numbers are passed to executors");
        if n <= failures {
            Err(ExecutionError::new(code, format!("attempt {n} failed")))
        } else {
            Ok(Some(json!("ok")))
        }
    });
    attempts
}

#[test]
fn attempt_timeout_fails_with_timeout_and_aborts_the_attempt() {
    let mut h = Harness::new();
    let aborted = Arc::new(AtomicBool::new(false));
    let flag = aborted.clone();
    h.custom("hang", move |inv, host| {
        let flag = flag.clone();
        let sleep = host.sleep(10_000.0);
        let signal = inv.signal.clone();
        Box::pin(async move {
            futures::future::select(sleep, signal.cancelled()).await;
            flag.store(signal.is_cancelled(), Ordering::SeqCst);
            Ok(Some(json!("late")))
        })
    });
    let flow = node("n", "hang").with_param("timeout", 100).with_param("retries", 0);
    let result = h.run(flow);
    let error = result.error.unwrap();
    assert_eq!(error.code, ErrorCode::TIMEOUT);
    assert_eq!(error.message, "Node execution timed out after 100ms");
    assert_eq!(result.duration, 100.0);
    assert!(error.recovery.unwrap().retryable);
}

#[test]
fn retryable_failures_are_retried_with_exponential_backoff_and_jitter() {
    let mut h = Harness::with_config(EngineConfig { retry_delay_ms: 1000.0, ..Default::default() });
    let attempts = flaky(&mut h, ErrorCode::TRANSPORT_ERROR, 2);
    let result = h.run(node("n", "flaky").with_param("retries", 3));
    assert!(result.success, "{:?}", result.error);
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    // Backoff 1000·2^(k-1), half fixed and half random: [500, 1000] + [1000, 2000].
    assert!((1500.0..=3000.0).contains(&result.duration), "{}", result.duration);
    assert_ne!(result.duration, 1500.0, "jitter is applied");
}

#[test]
fn retries_are_capped_by_max_retries_and_exhaustion_reports_the_last_error() {
    let mut h = Harness::with_config(EngineConfig {
        max_retries: 2,
        retry_delay_ms: 10.0,
        ..Default::default()
    });
    let attempts = flaky(&mut h, ErrorCode::RATE_LIMIT_EXCEEDED, 100);
    let result = h.run(node("n", "flaky").with_param("retries", 10));
    assert_eq!(attempts.load(Ordering::SeqCst), 3, "1 + min(retries, maxRetries)");
    let error = result.error.unwrap();
    assert_eq!(error.code, ErrorCode::RATE_LIMIT_EXCEEDED);
    assert_eq!(error.message, "attempt 3 failed");
}

#[test]
fn logic_failures_are_never_retried() {
    let mut h = Harness::new();
    let attempts = flaky(&mut h, ErrorCode::EXECUTION_FAILED, 100);
    let result = h.run(node("n", "flaky").with_param("retries", 5));
    assert!(!result.success);
    assert_eq!(attempts.load(Ordering::SeqCst), 1);
    assert_eq!(result.duration, 0.0);
}

#[test]
fn a_timed_out_attempt_is_retried() {
    let mut h = Harness::with_config(EngineConfig { retry_delay_ms: 100.0, ..Default::default() });
    let calls = Arc::new(AtomicU32::new(0));
    let counter = calls.clone();
    h.custom("first-hangs", move |_, host| {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        let sleep = host.sleep(if n == 0 { 60_000.0 } else { 5.0 });
        Box::pin(async move {
            sleep.await;
            Ok(Some(json!(n)))
        })
    });
    let result = h.run(node("n", "first-hangs").with_param("timeout", 50).with_param("retries", 1));
    assert!(result.success);
    assert_eq!(result.data, Some(json!(1)));
    assert!(
        (50.0 + 50.0 + 5.0..=50.0 + 100.0 + 5.0).contains(&result.duration),
        "{}",
        result.duration
    );
}

#[test]
fn run_timeout_stops_the_run() {
    let mut h =
        Harness::with_config(EngineConfig { timeout_ms: Some(250.0), ..Default::default() });
    h.slow("step", 100.0, json!(1));
    let flow = group(
        "g",
        vec![node("a", "step"), node("b", "step"), node("c", "step")],
        vec![edge("a", "b"), edge("b", "c")],
    );
    let result = h.run(flow);
    let error = result.error.clone().unwrap();
    assert_eq!(error.code, ErrorCode::TIMEOUT);
    assert_eq!(error.message, "Execution timed out after 250ms");
    assert_eq!(result.duration, 250.0);
    assert_eq!(ids(&result), strs(&["a", "b"]));
    // A per-run timeout overrides the engine's.
    let result = h.run_with(
        group("g", vec![node("a", "step")], vec![]),
        RunOptions { timeout_ms: Some(50.0), ..h.options() },
    );
    assert_eq!(result.error.unwrap().message, "Execution timed out after 50ms");
}

#[test]
fn cancellation_is_prompt_aborts_running_nodes_and_starts_nothing_more() {
    let mut h = Harness::new();
    let started = Arc::new(AtomicU32::new(0));
    let signalled = Arc::new(AtomicBool::new(false));
    let (s, f) = (started.clone(), signalled.clone());
    h.custom("work", move |inv, host| {
        s.fetch_add(1, Ordering::SeqCst);
        let f = f.clone();
        let signal = inv.signal.clone();
        signal.on_cancel(move || f.store(true, Ordering::SeqCst));
        let sleep = host.sleep(100.0);
        Box::pin(async move {
            sleep.await;
            Ok(Some(json!(1)))
        })
    });
    let cancel = CancelToken::new();
    let trigger = cancel.clone();
    let timer = h.host.sleep(150.0);
    h.host.spawn(Box::pin(async move {
        timer.await;
        trigger.cancel();
    }));
    let flow = group(
        "g",
        vec![node("a", "work"), node("b", "work"), node("c", "work")],
        vec![edge("a", "b"), edge("b", "c")],
    );
    let result =
        h.run_handled(flow, h.options(), RunHandles { cancel: Some(cancel), ..h.handles() });
    let error = result.error.clone().unwrap();
    assert_eq!(error.code, ErrorCode::CANCELLED);
    assert_eq!(error.message, "Execution cancelled");
    assert_eq!(result.duration, 150.0, "prompt");
    assert_eq!(started.load(Ordering::SeqCst), 2, "c never started");
    assert!(signalled.load(Ordering::SeqCst), "the running node saw its signal");
    assert_eq!(ids(&result), strs(&["a"]));
}

#[test]
fn cancelling_before_the_start_runs_nothing() {
    let mut h = Harness::new();
    let ran = Arc::new(AtomicBool::new(false));
    let flag = ran.clone();
    h.sync("x", move |_| {
        flag.store(true, Ordering::SeqCst);
        Ok(None)
    });
    let cancel = CancelToken::new();
    cancel.cancel();
    let result = h.run_handled(
        node("n", "x"),
        h.options(),
        RunHandles { cancel: Some(cancel), ..h.handles() },
    );
    assert_eq!(result.error.unwrap().code, ErrorCode::CANCELLED);
    assert!(!ran.load(Ordering::SeqCst));
}

#[test]
fn long_running_simulation_delays_only_its_target() {
    let mut h = Harness::new();
    h.sync("test", |_| Ok(Some(json!(1))));
    let flow = group(
        "g",
        vec![node("c1", "test"), node("c2", "test"), node("c3", "test")],
        vec![edge("c1", "c2"), edge("c2", "c3")],
    );
    let debug = json!({"simulateLongRunning": {"nodeId": "c2", "delayMs": 300}});
    let result = h.run_with(flow, RunOptions { debug: Some(debug), ..h.options() });
    assert!(result.success);
    assert_eq!(result.duration, 300.0);
    assert_eq!(ids(&result), strs(&["g", "c1", "c2", "c3"]));
    let debug = json!({"simulateLongRunning": {"nodeId": "non-existent-node", "delayMs": 5000}});
    let result = h.run_with(
        node("x", "test"),
        RunOptions { debug: Some(debug), slow_mo: Some(0.0), ..h.options() },
    );
    assert_eq!(result.duration, 0.0);
}

#[test]
fn simulated_error_waits_its_delay() {
    let mut h = Harness::new();
    h.sync("test", |_| Ok(Some(json!(1))));
    let debug = json!({"simulateError": {"nodeId": "n", "errorType": "network", "message": "Network failed halfway through", "delayMs": 150}});
    let result = h.run_with(
        node("n", "test"),
        RunOptions { debug: Some(debug), slow_mo: Some(50.0), ..h.options() },
    );
    assert_eq!(result.error.unwrap().message, "[NETWORK] Network failed halfway through");
    assert_eq!(result.duration, 50.0 + 50.0 + 150.0);
}

#[test]
fn debug_options_apply_to_their_run_only() {
    let mut h = Harness::new();
    h.sync("test", |_| Ok(Some(json!(1))));
    let debug = json!({"simulateError": {"nodeId": "n", "errorType": "generic"}});
    assert!(
        !h.run_with(
            node("n", "test"),
            RunOptions { debug: Some(debug), slow_mo: Some(20.0), ..h.options() }
        )
        .success
    );
    let next = h.run(node("n", "test"));
    assert!(next.success, "no sticky debug controller");
    assert_eq!(next.duration, 0.0, "no sticky slowMo");
}

#[test]
fn a_nodes_retry_delay_is_the_base_of_its_own_backoff() {
    let mut h = Harness::with_config(EngineConfig { retry_delay_ms: 1000.0, ..Default::default() });
    let attempts = flaky(&mut h, ErrorCode::TRANSPORT_ERROR, 1);
    let flow = node("n", "flaky").with_param("retries", 1).with_param("retryDelay", 10_000);
    let result = h.run(flow);
    assert!(result.success, "{:?}", result.error);
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    // One backoff from 10,000 ms, half fixed and half random: [5000, 10000]; the conductor's
    // 1000 would have waited at most 1000.
    assert!((5000.0..=10_000.0).contains(&result.duration), "{}", result.duration);
}

#[test]
fn a_group_with_parallel_false_runs_its_children_one_at_a_time() {
    let mut h = Harness::new();
    h.slow("step", 100.0, json!(1));
    let children = || vec![node("a", "step"), node("b", "step"), node("c", "step")];
    let together = h.run(group("g", children(), vec![]));
    assert!(together.success, "{:?}", together.error);
    assert_eq!(together.duration, 100.0, "independent children run at once by default");
    let one_by_one = h.run(group("g", children(), vec![]).with_param("parallel", false));
    assert!(one_by_one.success, "{:?}", one_by_one.error);
    assert_eq!(one_by_one.duration, 300.0, "parallel: false runs them in turn");
    assert_eq!(ids(&one_by_one), strs(&["g", "a", "b", "c"]));
}
