//! Trigger stores on the native backends against the store contract, and claims and
//! confirmations made from separate connections to one database (as separate processes make
//! them) won once each.

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

/// A dead process's fires on a SQLite store beside a real SQLite history: the one whose run is
/// in the history moves on to how it ended, the one whose run is not is handed back to run again
/// as the same run, and a second conductor on the file runs nothing more.
#[test]
fn a_fire_whose_run_never_reached_the_sqlite_history_is_run_again_once() {
    use atomiton_core::history::{Capture, HistoryStore, RunStatus};
    use atomiton_core::session::{FlowTriggers, TriggerRef};
    use atomiton_native_host::{NativeHost, SqliteHistory};
    use atomiton_triggers::{HistoryRuns, TriggerService};
    use common::history::{ended, run};

    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let dir = TempDir::new("triggers-unconfirmed");
    let path = dir.path().join("history.sqlite");
    let history = Arc::new(SqliteHistory::open(&path, Capture::default()).expect("history"));
    let store = sqlite_triggers(&path).expect("triggers");
    let host = NativeHost::new(runtime.handle().clone()).into_shared();
    let conductor = |name: &str| {
        TriggerService::new(store.clone(), host.clone(), name)
            .with_runs(Arc::new(HistoryRuns(history.clone())))
    };
    let (first, second) = (conductor("first"), conductor("second"));
    let flow = atomiton_core::json!({"id": "nightly", "nodes": [
        {"id": "tick", "type": "schedule", "parameters": {"cron": "0 3 * * *"}},
    ]});
    runtime.block_on(first.activate("nightly".into(), flow, None)).expect("activated");
    // Eleven minutes ago, a process that then died started two fires; one run reached the history.
    let id = TriggerId::new("nightly", "tick");
    let then = host.now() as i64 - 11 * 60_000;
    for (at, run_id) in [(then - 2, "exec_lost"), (then - 1, "exec_kept")] {
        let claim = FireClaim {
            trigger: &id,
            scheduled_at: at,
            owner: "dead",
            now: then,
            lease_ms: 60_000,
        };
        assert_eq!(runtime.block_on(store.claim(claim)).expect("claimed"), Claim::Won);
        assert!(runtime.block_on(store.started(&id, at, "dead", run_id, then)).expect("started"));
    }
    history.write(run("exec_kept", then as f64));
    history.write(ended("exec_kept", RunStatus::Success, then as f64 + 5.0));

    let again = runtime.block_on(first.due()).expect("due").start;
    let later = runtime.block_on(second.due()).expect("due").start;
    let runs: Vec<_> = again.iter().map(|fire| fire.execution_id.as_str()).collect();
    assert_eq!(runs, vec!["exec_lost"], "the lost run, handed back as itself");
    assert_eq!(again[0].scheduled_at as i64, then - 2);
    assert!(later.is_empty(), "the second conductor runs nothing more");
    let trigger = TriggerRef { flow_id: "nightly".into(), node_id: "tick".into() };
    let fires = runtime.block_on(first.fires(trigger, 10)).expect("fires").fires;
    let status = |run: &str| {
        fires.iter().find(|f| f.execution_id.as_deref() == Some(run)).map(|f| f.status.clone())
    };
    assert_eq!(status("exec_kept").as_deref(), Some("succeeded"), "as its run ended");
    assert_eq!(status("exec_lost").as_deref(), Some("running"), "run again");
}

#[test]
fn connections_claiming_the_same_fires_on_one_sqlite_file_win_each_once() {
    let dir = TempDir::new("triggers-sqlite-race");
    // Each on a connection of its own, as each process of a fleet has: the stores of a process
    // on one path share one, so each names the file by a path of its own.
    let stores: Vec<Arc<dyn TriggerStore>> = (0..4)
        .map(|n| {
            let apart = dir.path().join(format!("p{n}"));
            std::fs::create_dir_all(&apart).expect("a folder");
            sqlite_triggers(&apart.join("..").join("history.db")).expect("opens")
        })
        .collect();
    claimed_once_each(stores.clone());
    confirmed_once_each(stores.clone());
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

/// Four stores on one database confirm the 100 fires `claimed_once_each` started, at once (four
/// processes that found the same runs missing): each fire is confirmed by exactly one, and none
/// is unconfirmed after.
fn confirmed_once_each(stores: Vec<Arc<dyn TriggerStore>>) {
    let unconfirmed = wait(stores[0].unconfirmed(1, 1_000)).expect("unconfirmed");
    assert_eq!(unconfirmed.len(), 100, "every started fire, before anyone confirms it");
    let threads: Vec<_> = stores
        .into_iter()
        .map(|store| {
            std::thread::spawn(move || {
                let id = TriggerId::new("flow", "tick");
                (0..100)
                    .filter(|at| wait(store.confirm(&id, *at)).expect("answered"))
                    .collect::<Vec<i64>>()
            })
        })
        .collect();
    let mut confirmed: Vec<i64> =
        threads.into_iter().flat_map(|thread| thread.join().expect("a thread")).collect();
    confirmed.sort_unstable();
    assert_eq!(confirmed, (0..100).collect::<Vec<_>>(), "each confirmed by exactly one");
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
    // Each on a connection of its own, as each process of a fleet has: the stores of a process
    // on one URL share one, so each names the database by a URL of its own.
    let stores: Vec<Arc<dyn TriggerStore>> = (0..4)
        .map(|n| {
            let apart = format!("{url}?application_name=p{n}");
            Arc::new(PostgresTriggers::open(&apart).expect("opens")) as Arc<dyn TriggerStore>
        })
        .collect();
    claimed_once_each(stores.clone());
    confirmed_once_each(stores.clone());
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
    // Each on a connection of its own, as each process of a fleet has: the stores of a process
    // on one URL share one, so each names the server by a URL of its own (database 0 each time).
    let urls = [url.clone(), format!("{url}/"), format!("{url}/0"), format!("{url}/00")];
    let stores: Vec<Arc<dyn TriggerStore>> = urls
        .iter()
        .map(|apart| {
            Arc::new(RedisTriggers::open(apart, "bull:race").expect("opens"))
                as Arc<dyn TriggerStore>
        })
        .collect();
    claimed_once_each(stores.clone());
    confirmed_once_each(stores.clone());
    remembered_once_each(stores);
}
