//! The store in memory meets the trigger store contract, and its claims hold under threads.

use std::sync::Arc;

use atomiton_triggers::contract::{check_trigger_store, trigger_row};
use atomiton_triggers::{Claim, FireClaim, MemoryTriggers, TriggerId, TriggerStore};
use futures::FutureExt;

#[test]
fn the_memory_store_meets_the_contract() {
    let store = MemoryTriggers::new();
    assert!(check_trigger_store(&store).now_or_never().is_some(), "every call answered at once");
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
