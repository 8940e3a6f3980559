//! The store in memory meets the trigger store contract, and its claims hold under threads.

use std::sync::Arc;

use atomiton_core::storage::MemoryBackend;
use atomiton_core::testing::wait;
use atomiton_triggers::contract::{check_trigger_store, trigger_row};
use atomiton_triggers::{Claim, FireClaim, KeyedTriggers, MemoryTriggers, TriggerId, TriggerStore};
use futures::FutureExt;

#[test]
fn the_memory_store_meets_the_contract() {
    let store = MemoryTriggers::new();
    assert!(check_trigger_store(&store).now_or_never().is_some(), "every call answered at once");
}

#[test]
fn the_store_over_text_by_key_meets_the_contract() {
    let store = KeyedTriggers::new(Arc::new(MemoryBackend::new()), Arc::new(MemoryBackend::new()));
    assert!(check_trigger_store(&store).now_or_never().is_some(), "every call answered at once");
}

#[test]
fn the_store_over_text_by_key_keeps_what_it_was_told_for_the_next_process() {
    // Two stores over the same keys are two tabs (or two conductors) on one IndexedDB: what one
    // claimed, the other refuses; what one started, the other lists.
    let (triggers, fires) = (Arc::new(MemoryBackend::new()), Arc::new(MemoryBackend::new()));
    let first = KeyedTriggers::new(triggers.clone(), fires.clone());
    let second = KeyedTriggers::new(triggers, fires);
    let id = TriggerId::new("odd flow/id.x", "tick");
    wait(first.activate(trigger_row("odd flow/id.x", "tick", 0))).expect("activated");
    let claim =
        |owner| FireClaim { trigger: &id, scheduled_at: 1_000, owner, now: 1_000, lease_ms: 100 };
    assert_eq!(wait(first.claim(claim("a"))).expect("claim"), Claim::Won);
    assert_eq!(wait(second.claim(claim("b"))).expect("claim"), Claim::Refused);
    assert!(wait(first.started(&id, 1_000, "a", "exec_1", 1_001)).expect("started"));
    let listed = wait(second.fires(&id, 10)).expect("fires");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].run_id.as_deref(), Some("exec_1"));
    // Past the lease, a started fire is still not claimed again.
    let late = FireClaim { now: 5_000, ..claim("b") };
    assert_eq!(wait(second.claim(late)).expect("claim"), Claim::Refused);
    assert_eq!(wait(second.deactivate("odd flow/id.x")).expect("deactivated"), 1);
    assert!(wait(first.list()).expect("list").is_empty());
}

#[test]
fn of_eight_threads_claiming_the_same_fires_one_wins_each() {
    let store = Arc::new(MemoryTriggers::new());
    store
        .activate(trigger_row("flow", "tick", 0))
        .now_or_never()
        .expect("at once")
        .expect("activated");
    let id = TriggerId::new("flow", "tick");
    let threads: Vec<_> = (0..8)
        .map(|thread| {
            let (store, id) = (store.clone(), id.clone());
            std::thread::spawn(move || {
                let owner = format!("p{thread}");
                (0..200)
                    .filter(|at| {
                        let claim = FireClaim {
                            trigger: &id,
                            scheduled_at: *at,
                            owner: &owner,
                            now: 0,
                            lease_ms: 1_000,
                        };
                        store.claim(claim).now_or_never().expect("at once").expect("answered")
                            == Claim::Won
                    })
                    .count()
            })
        })
        .collect();
    let won: usize = threads.into_iter().map(|thread| thread.join().expect("a thread")).sum();
    assert_eq!(won, 200);
}
