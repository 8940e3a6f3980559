//! Trigger stores on the native backends against the store contract, and claims made from
//! separate connections to one database (as separate processes make them) won once each.

mod common;

use std::sync::Arc;

use atomiton_core::testing::wait;
use atomiton_native_host::triggers::sqlite_triggers;
use atomiton_native_host::triggers::{PostgresTriggers, RedisTriggers};
use atomiton_triggers::contract::{check_trigger_store, trigger_row};
use atomiton_triggers::{Claim, Delivery, FireClaim, TriggerId, TriggerStore};
use common::postgres_server::PostgresServer;
use common::redis_server::RedisServer;
use common::TempDir;

#[test]
fn sqlite_meets_the_trigger_store_contract_and_keeps_it_across_a_reopen() {
    let dir = TempDir::new("triggers-sqlite");
    let path = dir.path().join("history.db");
    wait(check_trigger_store(&*sqlite_triggers(&path).expect("opens")));
    let reopened = sqlite_triggers(&path).expect("opens again");
    let kept = wait(reopened.list()).expect("list");
    assert_eq!(kept.len(), 1, "flow-a's trigger is still active");
    let fires = wait(reopened.fires(&TriggerId::new("flow-a", "every-second"), 10)).expect("fires");
    assert_eq!(fires.len(), 4);
}

#[test]
fn connections_claiming_the_same_fires_on_one_sqlite_file_win_each_once() {
    let dir = TempDir::new("triggers-sqlite-race");
    let path = dir.path().join("history.db");
    let stores: Vec<Arc<dyn TriggerStore>> =
        (0..4).map(|_| sqlite_triggers(&path).expect("opens")).collect();
    claimed_once_each(stores.clone());
    remembered_once_each(stores);
}

/// Four stores on one database, each on a thread of its own, claim fires 0..100 of one
/// trigger and start the ones they win: each fire is won, and started, by exactly one.
fn claimed_once_each(stores: Vec<Arc<dyn TriggerStore>>) {
    wait(stores[0].activate(trigger_row("flow", "tick", 0))).expect("activated");
    let threads: Vec<_> = stores
        .into_iter()
        .enumerate()
        .map(|(n, store)| {
            std::thread::spawn(move || {
                let (id, owner) = (TriggerId::new("flow", "tick"), format!("p{n}"));
                let mut won = Vec::new();
                for at in 0..100 {
                    let claim = FireClaim {
                        trigger: &id,
                        scheduled_at: at,
                        owner: &owner,
                        now: 0,
                        lease_ms: 60_000,
                    };
                    if wait(store.claim(claim)).expect("answered") == Claim::Won {
                        assert!(wait(store.started(&id, at, &owner, &format!("run-{at}"), 1))
                            .expect("started"));
                        won.push(at);
                    }
                }
                won
            })
        })
        .collect();
    let mut won: Vec<i64> =
        threads.into_iter().flat_map(|thread| thread.join().expect("a thread")).collect();
    won.sort_unstable();
    assert_eq!(won, (0..100).collect::<Vec<_>>(), "each fire won by exactly one connection");
}

/// Four stores on one database remember the same 50 delivery keys at once (four servers given
/// the same webhook delivery): each key is new to exactly one, and the others are told its run.
fn remembered_once_each(stores: Vec<Arc<dyn TriggerStore>>) {
    let threads: Vec<_> = stores
        .into_iter()
        .enumerate()
        .map(|(n, store)| {
            std::thread::spawn(move || {
                let id = TriggerId::new("flow", "hook");
                let mut answers = Vec::new();
                for key in 0..50 {
                    let (key, run) = (format!("idem:{key}"), format!("run-{n}-{key}"));
                    let delivery = Delivery {
                        trigger: &id,
                        key: &key,
                        run_id: &run,
                        now: 0,
                        keep_until: 1_000,
                    };
                    let earlier = wait(store.remember(delivery)).expect("answered");
                    answers.push((key, run, earlier));
                }
                answers
            })
        })
        .collect();
    let answers: Vec<_> =
        threads.into_iter().flat_map(|thread| thread.join().expect("a thread")).collect();
    for key in 0..50 {
        let key = format!("idem:{key}");
        let of_key: Vec<_> = answers.iter().filter(|(k, _, _)| *k == key).collect();
        let new: Vec<_> = of_key.iter().filter(|(_, _, earlier)| earlier.is_none()).collect();
        assert_eq!(new.len(), 1, "{key} is new to exactly one connection");
        let first = &new[0].1;
        assert!(
            of_key.iter().all(|(_, run, earlier)| run == first || earlier.as_ref() == Some(first)),
            "the others are told the first one's run"
        );
    }
}

#[test]
fn postgres_meets_the_trigger_store_contract() {
    let server = PostgresServer::start();
    let url = server.database("triggers");
    wait(check_trigger_store(&PostgresTriggers::open(&url).expect("opens")));
    let reopened = PostgresTriggers::open(&url).expect("opens again");
    assert_eq!(wait(reopened.list()).expect("list").len(), 1);
}

#[test]
fn connections_claiming_the_same_fires_on_one_postgres_database_win_each_once() {
    let server = PostgresServer::start();
    let url = server.database("triggers_race");
    let stores: Vec<Arc<dyn TriggerStore>> = (0..4)
        .map(|_| Arc::new(PostgresTriggers::open(&url).expect("opens")) as Arc<dyn TriggerStore>)
        .collect();
    claimed_once_each(stores.clone());
    remembered_once_each(stores);
}

#[test]
fn redis_meets_the_trigger_store_contract() {
    let server = RedisServer::start();
    let url = server.url();
    wait(check_trigger_store(&RedisTriggers::open(&url, "bull:runs").expect("opens")));
    let reopened = RedisTriggers::open(&url, "bull:runs").expect("opens again");
    assert_eq!(wait(reopened.list()).expect("list").len(), 1);
    // Another queue's prefix on the same server is another store.
    let other = RedisTriggers::open(&url, "bull:other").expect("opens");
    assert!(wait(other.list()).expect("list").is_empty());
}

#[test]
fn connections_claiming_the_same_fires_on_one_redis_server_win_each_once() {
    let server = RedisServer::start();
    let url = server.url();
    let stores: Vec<Arc<dyn TriggerStore>> = (0..4)
        .map(|_| {
            Arc::new(RedisTriggers::open(&url, "bull:race").expect("opens"))
                as Arc<dyn TriggerStore>
        })
        .collect();
    claimed_once_each(stores.clone());
    remembered_once_each(stores);
}
