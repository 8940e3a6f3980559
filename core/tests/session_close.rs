//! A session the embedder lets go of ends its runs: a run holds its session, so one waiting
//! forever (an executor call no one will answer) would otherwise keep both alive.

use std::sync::Arc;

use atomiton_core::host::SharedHost;
use atomiton_core::session::{ExecutorCalls, Notifier, RunPlacement, Session};
use atomiton_core::storage::{FlowStore, MemoryBackend};
use atomiton_core::testing::VirtualHost;
use atomiton_core::Engine;

#[test]
fn closing_a_session_ends_a_run_that_waits_forever_and_lets_both_go() {
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
    let placed = session.start_run(
        1,
        r#"{"id":"c","type":"mine"}"#.into(),
        r#"{"customTypes":["mine"]}"#.into(),
        vec![],
    );
    assert!(matches!(placed, RunPlacement::Driven));
    assert!(
        session.take_calls().contains(r#""kind":"call""#),
        "the run waits on its executor call"
    );
    assert!(Arc::strong_count(&session) > 1, "the waiting run holds the session");
    session.close();
    assert_eq!(Arc::strong_count(&session), 1, "closed: nothing but the embedder holds it");
    assert!(session.take_calls().contains(r#""kind":"abort""#), "the call is withdrawn");
}
