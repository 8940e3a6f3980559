//! `NativeHost`'s own duties: clock, timers, random numbers, spawning and capabilities.

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use atomiton_core::host::{Capabilities, Host};
use atomiton_native_host::NativeHost;
use common::block_on_plain_thread;
use futures::FutureExt;
use tokio::runtime::Handle;

fn host() -> NativeHost {
    NativeHost::new(Handle::current())
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
    // Python only with the workers of an interpreter found (see tests/python_nodes.rs).
    assert_eq!(host.capabilities(), Capabilities { python: false, ..Capabilities::ALL });
    assert!(host.python().is_none());
    assert!(host.http().is_some());
    assert!(host.files().is_some());
    assert!(host.processes().is_some());
}
