//! The wire between the engine and its embedder: a run's flow and options as the bindings hand
//! them to a session, and batches of answers to the engine's calls, all from outside.

use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use atomiton_core::host::SharedHost;
use atomiton_core::session::{ExecutorCalls, Notifier, RunPlacement, Session};
use atomiton_core::storage::{FlowStore, MemoryBackend};
use atomiton_core::testing::VirtualHost;
use atomiton_core::Engine;

/// Driving calls per input: enough for any flow a fuzz input makes to finish or to wait.
const DRIVES: usize = 8;

/// Input: flow text, NUL, run options text, NUL, an answers batch (`[[id, outcome], ...]`).
/// The session must take all of it without a panic, answer every driving call with a status,
/// and report every finished run as a result (`success` true or false) in codec text.
pub fn wire(data: &[u8]) {
    let (flow, rest) = crate::split(data);
    let (options, answers) = crate::split(rest);
    let (Ok(flow), Ok(options), Ok(answers)) =
        (std::str::from_utf8(flow), std::str::from_utf8(options), std::str::from_utf8(answers))
    else {
        return;
    };
    let notifier = Notifier::new();
    let calls = ExecutorCalls::new(notifier.clone());
    let host: SharedHost = VirtualHost::new().shared();
    let session = Arc::new(Session::new(
        Engine::default(),
        host,
        FlowStore::new(Arc::new(MemoryBackend::new())),
        notifier,
        calls,
    ));
    let mut worker = match session.start_run(1, flow.to_owned(), options.to_owned(), Vec::new()) {
        RunPlacement::Worker(future) => Some(future),
        RunPlacement::Driven => None,
    };
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..DRIVES {
        if let Some(future) = worker.as_mut() {
            if let Poll::Ready(()) = future.as_mut().poll(&mut cx) {
                worker = None;
            }
        }
        let _ = session.take_calls();
        session.resolve_calls(answers, Vec::new());
        session.drive(|| {});
        for run in session.take_completed() {
            let result: serde_json::Value =
                serde_json::from_str(&run.result).expect("a finished run's result is JSON text");
            assert!(
                result.get("success").is_some_and(serde_json::Value::is_boolean),
                "a result without success: {}",
                run.result
            );
        }
        let _ = session.take_events();
    }
    // The embedder lets go of the session, as a binding's object does when it is collected.
    drop(worker);
    session.close();
}
