//! `NativeHost`'s own duties: clock, timers, random numbers, spawning, capabilities and custom
//! executors.

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use atomiton_core::host::{BoxFuture, CancelToken, Capabilities, Host};
use atomiton_core::json;
use atomiton_core::nodes::{Invocation, NodeInput, NodeResult};
use atomiton_core::value::Map;
use atomiton_core::{ErrorCode, RunContext};
use atomiton_native_host::{CustomExecutor, NativeHost};
use common::block_on_plain_thread;
use futures::FutureExt;
use tokio::runtime::Handle;

fn host() -> NativeHost {
    NativeHost::new(Handle::current())
}

fn invocation(node_type: &str) -> Invocation {
    Invocation {
        node_id: Arc::from("n1"),
        node_index: 0,
        node_type: Arc::from(node_type),
        run: Arc::new(RunContext {
            execution_id: Arc::from("exec_test"),
            variables: Arc::new(json!({})),
            input: NodeInput::default(),
            parent_context: None,
            slow_mo: None,
            debug: None,
            telemetry: None,
            warnings: Default::default(),
        }),
        parameters: Arc::new(Map::new()),
        input: NodeInput::default(),
        parent_context: None,
        signal: CancelToken::new(),
        attempt: 1,
        expression_limits: Default::default(),
    }
}

#[tokio::test]
async fn now_is_the_wall_clock_in_milliseconds() {
    let expected = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_millis() as f64;
    let now = host().now();
    assert!((now - expected).abs() < 1000.0, "now {now}, expected about {expected}");
    assert!(host().now() >= now);
}

#[tokio::test]
async fn sleep_waits_at_least_the_time_asked() {
    let start = Instant::now();
    host().sleep(50.0).await;
    assert!(start.elapsed() >= Duration::from_millis(50), "woke after {:?}", start.elapsed());
}

#[tokio::test]
async fn non_positive_and_nan_sleeps_are_immediate() {
    for ms in [0.0, -1.0, -1e300, f64::NAN, f64::NEG_INFINITY] {
        assert_eq!(
            host().sleep(ms).now_or_never(),
            Some(()),
            "sleep({ms}) should be ready at once"
        );
    }
}

#[tokio::test]
async fn huge_sleeps_are_capped_not_a_panic() {
    for ms in [f64::INFINITY, 1e300, f64::MAX, 1e15] {
        let mut sleep = host().sleep(ms);
        assert!((&mut sleep).now_or_never().is_none(), "sleep({ms}) should still be pending");
        assert!(tokio::time::timeout(Duration::from_millis(20), sleep).await.is_err());
    }
}

#[test]
fn sleep_can_be_created_and_awaited_off_the_runtime() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let host = NativeHost::new(runtime.handle().clone());
    let start = Instant::now();
    block_on_plain_thread(host.sleep(30.0));
    assert!(start.elapsed() >= Duration::from_millis(30));
}

#[tokio::test]
async fn random_numbers_are_in_the_unit_interval_and_vary() {
    let host = host();
    let draws: Vec<f64> = (0..10_000).map(|_| host.random()).collect();
    assert!(draws.iter().all(|x| (0.0..1.0).contains(x)));
    let distinct: HashSet<u64> = draws.iter().map(|x| x.to_bits()).collect();
    assert!(distinct.len() > 9_900);
    let mean = draws.iter().sum::<f64>() / draws.len() as f64;
    assert!((mean - 0.5).abs() < 0.05, "mean {mean}");
}

#[test]
fn spawned_tasks_run_on_the_host_runtime() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let host = NativeHost::new(runtime.handle().clone());
    let (sender, receiver) = std::sync::mpsc::channel();
    // Spawned from a thread outside the runtime, as the engine may be driven from anywhere.
    host.spawn(Box::pin(async move {
        tokio::time::sleep(Duration::from_millis(10)).await;
        let _ = sender.send(Handle::try_current().is_ok());
    }));
    assert_eq!(receiver.recv_timeout(Duration::from_secs(5)), Ok(true));
}

#[tokio::test]
async fn the_native_host_offers_every_capability_and_effect() {
    let host = host();
    assert_eq!(host.capabilities(), Capabilities::ALL);
    assert!(host.http().is_some());
    assert!(host.files().is_some());
    assert!(host.processes().is_some());
}

/// A host with every default, to compare `NativeHost`'s behaviour without an executor against.
struct Bare;

impl Host for Bare {
    fn now(&self) -> f64 {
        0.0
    }
    fn sleep(&self, _ms: f64) -> BoxFuture<'static, ()> {
        Box::pin(async {})
    }
    fn random(&self) -> f64 {
        0.0
    }
    fn spawn(&self, _task: BoxFuture<'static, ()>) {}
}

#[tokio::test]
async fn without_an_executor_custom_nodes_fail_exactly_as_the_trait_default() {
    let ours = host().execute_custom(invocation("js-thing")).await.expect_err("no executor");
    let default = Bare.execute_custom(invocation("js-thing")).await.expect_err("no executor");
    assert_eq!(ours.code, ErrorCode::NODE_TYPE_NOT_FOUND);
    assert_eq!(ours, default);
}

#[tokio::test]
async fn a_custom_executor_receives_the_invocation() {
    let executor: Arc<dyn CustomExecutor> =
        Arc::new(|invocation: Invocation| -> BoxFuture<'static, NodeResult> {
            Box::pin(async move {
                Ok(Some(json!({"ran": &*invocation.node_type, "attempt": invocation.attempt})))
            })
        });
    let host = host().with_custom_executor(executor);
    let output = host.execute_custom(invocation("js-thing")).await.expect("executed");
    assert_eq!(output, Some(json!({"ran": "js-thing", "attempt": 1})));
}
