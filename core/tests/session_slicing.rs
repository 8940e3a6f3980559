//! A session gives the embedder's thread back during a long run: one driving call stops once its
//! time budget is spent and pokes the embedder to call again. Time here is a clock that moves
//! only when read, so the test counts calls, not milliseconds.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use atomiton_core::host::{BoxFuture, Host, SharedHost};
use atomiton_core::session::{ExecutorCalls, Notifier, RunPlacement, Session};
use atomiton_core::storage::{FlowStore, MemoryBackend};
use atomiton_core::testing::VirtualHost;
use atomiton_core::Engine;

/// A host whose clock advances a quarter of a millisecond each time it is read: any loop that
/// keeps reading it runs out of a time budget after a fixed number of reads.
struct TickingClock {
    reads: AtomicU64,
}

impl Host for TickingClock {
    fn now(&self) -> f64 {
        self.reads.fetch_add(1, Ordering::SeqCst) as f64 * 0.25
    }
    fn sleep(&self, _ms: f64) -> BoxFuture<'static, ()> {
        // Nothing in these flows waits; a sleep that never ends would show up as a run that
        // never completes.
        Box::pin(futures::future::pending())
    }
    fn random(&self) -> f64 {
        0.5
    }
    fn spawn(&self, _task: BoxFuture<'static, ()>) {}
}

/// `count` independent quick nodes: far more node ends than one poll of a run handles.
fn many_quick_nodes(count: usize) -> String {
    let nodes: Vec<String> = (0..count)
        .map(|i| format!(r#"{{"id":"n{i}","type":"transform","parameters":{{"operation":"map","transformFunction":"x => x + 1","data":[{i}]}}}}"#))
        .collect();
    format!(r#"{{"id":"flow","type":"group","nodes":[{}],"edges":[]}}"#, nodes.join(","))
}

/// Starts the flow and counts the driving calls (the start included) until it completes.
fn driving_calls_until_done(host: SharedHost, flow: String) -> (usize, usize) {
    let notifier = Notifier::new();
    let pokes = Arc::new(AtomicUsize::new(0));
    let counter = pokes.clone();
    notifier.set(Box::new(move || {
        counter.fetch_add(1, Ordering::SeqCst);
    }));
    let calls = ExecutorCalls::new(notifier.clone());
    let store = FlowStore::new(Arc::new(MemoryBackend::new()));
    let session = Arc::new(Session::new(Engine::default(), host, store, notifier, calls));
    assert!(matches!(session.start_run(1, flow, "{}".into(), vec![]), RunPlacement::Driven));
    let mut driving_calls = 1;
    let completed = loop {
        let done = session.take_completed();
        if !done.is_empty() {
            break done;
        }
        // The embedder calls again only when poked; a run left behind without a poke would hang.
        assert!(
            pokes.load(Ordering::SeqCst) >= driving_calls,
            "the driver stopped without asking to be called again"
        );
        assert!(driving_calls < 10_000, "the run never completed");
        session.drive(|| {});
        driving_calls += 1;
    };
    assert!(completed[0].result.contains(r#""success":true"#), "{}", completed[0].result);
    (driving_calls, pokes.load(Ordering::SeqCst))
}

#[test]
fn a_long_run_is_driven_in_slices_when_the_clock_moves() {
    let (calls, _) = driving_calls_until_done(
        Arc::new(TickingClock { reads: AtomicU64::new(0) }),
        many_quick_nodes(3000),
    );
    assert!(calls > 1, "3000 nodes were run in one driving call despite the time budget");
}

#[test]
fn a_run_whose_clock_stands_still_finishes_in_one_call() {
    // Same flow, frozen time: the node-count slices alone never end a driving call early.
    let (calls, _) = driving_calls_until_done(VirtualHost::new().shared(), many_quick_nodes(3000));
    assert_eq!(calls, 1);
}
