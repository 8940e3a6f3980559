//! A session's triggers over one store, on the virtual-time host: processes sharing the store
//! start each fire once, downtime and pauses follow the misfire policy, a dead process's claim
//! is taken over, a fire whose run never began is run again once, and activation refuses what
//! it cannot run.

use std::collections::BTreeMap;
use std::sync::Arc;

use atomiton_core::host::SharedHost;
use atomiton_core::json;
use atomiton_core::session::{FlowTriggers, TriggerRef};
use atomiton_core::storage::MemoryBackend;
use atomiton_core::testing::VirtualHost;
use atomiton_core::value::Value;
use atomiton_triggers::{
    Claim, FireClaim, KeyedTriggers, MemoryTriggers, RunProbe, RunSeen, TriggerId, TriggerService,
    TriggerStore,
};

fn flow(parameters: Value) -> Value {
    json!({"id": "flow", "nodes": [
        {"id": "tick", "type": "schedule", "parameters": parameters},
        {"id": "work", "type": "transform", "parameters": {}},
    ]})
}

fn tick() -> TriggerRef {
    TriggerRef { flow_id: "flow".into(), node_id: "tick".into() }
}

struct Fleet {
    host: VirtualHost,
    store: Arc<MemoryTriggers>,
    processes: Vec<TriggerService>,
}

fn fleet(processes: usize) -> Fleet {
    let host = VirtualHost::new();
    let store = Arc::new(MemoryTriggers::new());
    let shared: SharedHost = host.shared();
    let processes = (0..processes)
        .map(|n| TriggerService::new(store.clone(), shared.clone(), format!("process-{n}")))
        .collect();
    Fleet { host, store, processes }
}

#[test]
fn three_processes_on_one_store_start_each_fire_once() {
    let Fleet { host, processes, .. } = fleet(3);
    each_fire_starts_once(&host, processes);
}

#[test]
fn three_tabs_on_one_keyed_store_start_each_fire_once() {
    // A browser's tabs: each its own store object over the same keys (IndexedDB's), their
    // calls one after another as the Web Lock around them makes them.
    let host = VirtualHost::new();
    let (triggers, fires) = (Arc::new(MemoryBackend::new()), Arc::new(MemoryBackend::new()));
    let processes = (0..3)
        .map(|n| {
            let store = Arc::new(KeyedTriggers::new(triggers.clone(), fires.clone()));
            TriggerService::schedules_only(store, host.shared(), format!("tab-{n}"))
        })
        .collect();
    each_fire_starts_once(&host, processes);
}

#[test]
fn where_only_schedules_run_other_triggers_are_refused_saying_where_they_run() {
    let host = VirtualHost::new();
    let store = Arc::new(MemoryTriggers::new());
    let tab = TriggerService::schedules_only(store, host.shared(), "tab");
    for (kind, parameters) in [
        ("webhook", json!({"path": "orders", "auth": "none"})),
        ("file-watch", json!({"path": "./inbox"})),
    ] {
        let flow = json!({"id": "flow", "nodes": [{"id": "start", "type": kind, "parameters": parameters}]});
        let error = host.block_on(tab.activate("flow".into(), flow, None)).expect_err("refused");
        assert_eq!(error.code.as_str(), "IMPLEMENTATION_NOT_FOUND", "{kind}");
        assert!(error.message.contains("needs Node.js"), "{}", error.message);
        assert!(error.message.contains(kind), "{}", error.message);
    }
    let listed = host.block_on(tab.list()).expect("list");
    assert!(listed.triggers.is_empty(), "nothing refused was activated");
}

/// Processes taking turns calling `due` each second for a minute: every fire starts one run.
fn each_fire_starts_once(host: &VirtualHost, processes: Vec<TriggerService>) {
    let clock = host.shared();
    let count = processes.len();
    let started = host.block_on(async move {
        let activated =
            processes[0].activate("flow".into(), flow(json!({"every": "1s"})), None).await;
        let start = clock.now() as i64;
        assert_eq!(activated.expect("activated").triggers.len(), 1);
        let mut started: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for second in 0..60 {
            clock.sleep(1000.0).await;
            // Each process's timer fires in its own order.
            for n in 0..count {
                let process = &processes[(second + n) % count];
                let due = process.due().await.expect("due");
                assert!(due.missed.is_empty(), "every fire on time: none missed");
                for fire in due.start {
                    started
                        .entry(fire.scheduled_at as i64 - start)
                        .or_default()
                        .push(fire.execution_id);
                    process.ended(tick(), fire.scheduled_at, true).await.expect("ended");
                }
            }
        }
        started
    });
    let expected: Vec<i64> = (1..=60).map(|s| s * 1000).collect();
    assert_eq!(started.keys().copied().collect::<Vec<_>>(), expected, "every second fired");
    assert!(started.values().all(|runs| runs.len() == 1), "each fire started one run: {started:?}");
}

#[test]
fn downtime_is_coalesced_into_one_run_and_recorded() {
    let Fleet { host, processes, .. } = fleet(1);
    let clock = host.shared();
    let (start, due, fires) = host.block_on(async move {
        let process = &processes[0];
        process
            .activate("flow".into(), flow(json!({"every": "1m", "misfire": "coalesce"})), None)
            .await
            .expect("activated");
        let start = clock.now() as i64;
        // Down for eleven and a half minutes: nothing called `due`.
        clock.sleep(11.5 * 60_000.0).await;
        let due = process.due().await.expect("due");
        let fires = process.fires(tick(), 10).await.expect("fires");
        (start, due, fires)
    });
    let minute = 60_000.0;
    let runs: Vec<f64> = due.start.iter().map(|fire| fire.scheduled_at - start as f64).collect();
    assert_eq!(runs, vec![11.0 * minute], "the one fire still on time runs, for the backlog");
    assert_eq!(due.next, Some(start as f64 + 12.0 * minute));
    let skipped =
        fires.fires.iter().find_map(|fire| fire.skipped.clone()).expect("a skipped range");
    assert_eq!(
        (skipped.first - start as f64, skipped.last - start as f64),
        (minute, 10.0 * minute)
    );
    assert_eq!((skipped.count, skipped.exact, skipped.reason.as_str()), (10.0, true, "coalesced"));
    assert_eq!(skipped.into, Some(start as f64 + 11.0 * minute));
    let missed: Vec<_> = due
        .missed
        .iter()
        .map(|m| (m.node_id.as_str(), m.skipped.count, m.skipped.reason.as_str()))
        .collect();
    assert_eq!(missed, vec![("tick", 10.0, "coalesced")], "reported to the timer, for its metrics");
    let started = &fires.fires[0];
    assert_eq!(
        (started.status.as_str(), started.execution_id.as_deref()),
        ("started", Some(due.start[0].execution_id.as_str()))
    );
}

#[test]
fn a_claim_a_dead_process_left_is_taken_over_once_its_lease_passes() {
    let Fleet { host, store, processes } = fleet(1);
    let clock = host.shared();
    let (blocked, recovered, start) = host.block_on(async move {
        let process = &processes[0];
        process
            .activate("flow".into(), flow(json!({"every": "10s"})), None)
            .await
            .expect("activated");
        let start = clock.now() as i64;
        clock.sleep(10_000.0).await;
        // Another process claimed the first fire, then died before starting its run.
        let id = TriggerId::new("flow", "tick");
        let now = clock.now() as i64;
        let claim = FireClaim {
            trigger: &id,
            scheduled_at: start + 10_000,
            owner: "dead",
            now,
            lease_ms: 60_000,
        };
        assert_eq!(store.claim(claim).await.expect("claimed"), Claim::Won);
        let blocked = process.due().await.expect("due").start;
        clock.sleep(61_000.0).await;
        let recovered = process.due().await.expect("due").start;
        (blocked, recovered, start)
    });
    assert!(blocked.is_empty(), "held by the other process's claim");
    let times: Vec<i64> = recovered.iter().map(|fire| fire.scheduled_at as i64 - start).collect();
    assert_eq!(times.iter().filter(|at| **at == 10_000).count(), 1, "taken over once: {times:?}");
    assert!(times.contains(&70_000), "and the fires since, on time, run too: {times:?}");
}

/// A run history as the trigger service sees it: the runs it has, by id, with their status.
#[derive(Default)]
struct Runs(std::sync::Mutex<BTreeMap<String, RunSeen>>);

impl RunProbe for Runs {
    fn seen(
        &self,
        id: String,
    ) -> atomiton_core::host::BoxFuture<'static, atomiton_core::Result<RunSeen>> {
        let seen = self.0.lock().expect("runs").get(&id).copied().unwrap_or(RunSeen::Missing);
        Box::pin(std::future::ready(Ok(seen)))
    }
}

#[test]
fn a_fire_whose_process_died_before_its_run_began_is_run_again_once_and_others_are_settled() {
    let host = VirtualHost::new();
    let store = Arc::new(MemoryTriggers::new());
    let runs = Arc::new(Runs::default());
    let shared: SharedHost = host.shared();
    let live: Vec<TriggerService> = (0..2)
        .map(|n| {
            TriggerService::new(store.clone(), shared.clone(), format!("live-{n}"))
                .with_runs(runs.clone())
        })
        .collect();
    let clock = host.shared();
    let (again, fires, start) = host.block_on(async move {
        live[0].activate("flow".into(), flow(json!({"every": "10s"})), None).await.expect("on");
        let start = clock.now() as i64;
        clock.sleep(30_000.0).await;
        // A dead process started three fires: one run never began, one is running, one ended.
        let id = TriggerId::new("flow", "tick");
        for (n, seen) in
            [(1, None), (2, Some(RunSeen::Going)), (3, Some(RunSeen::Ended { succeeded: true }))]
        {
            let at = start + n * 10_000;
            let now = clock.now() as i64;
            let claim =
                FireClaim { trigger: &id, scheduled_at: at, owner: "dead", now, lease_ms: 60_000 };
            assert_eq!(store.claim(claim).await.expect("claimed"), Claim::Won);
            let run = format!("exec_dead_{n}");
            assert!(store.started(&id, at, "dead", &run, now).await.expect("started"));
            if let Some(seen) = seen {
                runs.0.lock().expect("runs").insert(run, seen);
            }
        }
        assert!(store.advance(&id, start, start + 30_000).await.expect("advanced"));
        // Within ten minutes of their start, nothing is looked at yet.
        clock.sleep(9.0 * 60_000.0).await;
        let early: Vec<_> = live[0].due().await.expect("due").start;
        assert!(early.iter().all(|fire| !fire.execution_id.starts_with("exec_dead")));
        clock.sleep(61_000.0).await;
        let mut again = Vec::new();
        for process in &live {
            let due = process.due().await.expect("due").start;
            again.extend(due.into_iter().filter(|fire| fire.execution_id.starts_with("exec_dead")));
        }
        let fires = live[1].fires(tick(), 100).await.expect("fires").fires;
        (again, fires, start)
    });
    assert_eq!(again.len(), 1, "run again once across the processes: {again:?}");
    let fire = &again[0];
    assert_eq!(fire.execution_id, "exec_dead_1", "as the same run");
    let iso = |at: i64| atomiton_core::format::iso_timestamp(at as f64);
    assert_eq!(
        (fire.scheduled_at as i64, &fire.trigger.scheduled_at, &fire.trigger.fired_at),
        (start + 10_000, &iso(start + 10_000), &iso(start + 30_000)),
        "its fire, with the input it was first started with"
    );
    let status = |run: &str| {
        fires.iter().find(|f| f.execution_id.as_deref() == Some(run)).map(|f| f.status.clone())
    };
    assert_eq!(status("exec_dead_1").as_deref(), Some("running"), "its run is going again");
    assert_eq!(status("exec_dead_2").as_deref(), Some("running"), "seen running");
    assert_eq!(status("exec_dead_3").as_deref(), Some("succeeded"), "seen ended");
}

#[test]
fn a_paused_trigger_fires_nothing_and_resumed_skips_what_it_missed() {
    let Fleet { host, processes, .. } = fleet(1);
    let clock = host.shared();
    let (while_paused, resumed, fires, start) = host.block_on(async move {
        let process = &processes[0];
        process
            .activate("flow".into(), flow(json!({"every": "30s"})), None)
            .await
            .expect("activated");
        let start = clock.now() as i64;
        assert!(process.set_paused(tick(), true).await.expect("paused"));
        let listed = process.list().await.expect("list").triggers;
        assert!(listed[0].paused && listed[0].next.is_none());
        clock.sleep(5.0 * 60_000.0 + 10_000.0).await;
        let while_paused = process.due().await.expect("due").start.len();
        assert!(process.set_paused(tick(), false).await.expect("resumed"));
        let resumed = process.due().await.expect("due").start;
        let fires = process.fires(tick(), 10).await.expect("fires").fires;
        (while_paused, resumed, fires, start)
    });
    assert_eq!(while_paused, 0);
    // Back at 5m10s: the fires at 4m30s and 5m00s are within the minute; 30s..4m00s are skipped.
    let times: Vec<i64> = resumed.iter().map(|fire| fire.scheduled_at as i64 - start).collect();
    assert_eq!(times, vec![270_000, 300_000]);
    let skipped = fires.iter().find_map(|fire| fire.skipped.clone()).expect("skipped");
    assert_eq!((skipped.count, skipped.reason.as_str()), (8.0, "missed"));
}

#[test]
fn activation_refuses_what_it_cannot_run_and_deactivation_stops_every_process() {
    let Fleet { host, processes, .. } = fleet(2);
    let clock = host.shared();
    host.block_on(async move {
        let (a, b) = (&processes[0], &processes[1]);
        let none = json!({"id": "flow", "nodes": [{"id": "work", "type": "transform"}]});
        let error = a.activate("flow".into(), none, None).await.expect_err("no trigger node");
        assert!(error.message.contains("has no trigger node"), "{}", error.message);
        let error = a
            .activate(
                "flow".into(),
                flow(json!({"cron": "0 9 * * *", "timezone": "Mars/Base"})),
                None,
            )
            .await
            .expect_err("bad zone");
        assert!(
            error.message.starts_with("Node 'tick':") && error.message.contains("IANA"),
            "{}",
            error.message
        );
        assert!(
            a.list().await.expect("list").triggers.is_empty(),
            "nothing activated by a refused flow"
        );

        a.activate("flow".into(), flow(json!({"every": "1s"})), None).await.expect("activated");
        clock.sleep(1000.0).await;
        assert_eq!(b.due().await.expect("due").start.len(), 1);
        assert_eq!(a.deactivate("flow".into()).await.expect("deactivated").removed, 1);
        clock.sleep(5000.0).await;
        assert!(b.due().await.expect("due").start.is_empty(), "the other process stopped too");
        assert_eq!(b.fires(tick(), 10).await.expect("fires").fires.len(), 1, "the record stays");
    });
}

#[test]
fn the_runs_of_a_trigger_get_the_permissions_it_was_activated_with() {
    let Fleet { host, processes, .. } = fleet(1);
    let clock = host.shared();
    let granted =
        atomiton_core::host::RunPermissions::read(&json!({"http": {"hosts": ["api.example.com"]}}))
            .expect("permissions");
    let given = granted.clone();
    let (fires, listed) = host.block_on(async move {
        let process = &processes[0];
        process
            .activate("flow".into(), flow(json!({"every": "1s"})), Some(given))
            .await
            .expect("activated");
        clock.sleep(1000.0).await;
        let fires = process.due().await.expect("due").start;
        // Activated again by the app itself (no permissions): its runs are the conductor's own.
        process.activate("flow".into(), flow(json!({"every": "1s"})), None).await.expect("again");
        clock.sleep(1000.0).await;
        (fires, process.due().await.expect("due").start)
    });
    assert_eq!(fires.len(), 1);
    assert_eq!(fires[0].permissions.as_ref(), Some(&granted));
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].permissions, None);
}
