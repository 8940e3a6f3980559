//! The contract every [`TriggerStore`] meets, as one check each backend's tests run: activation
//! and its cursor, pausing, the cursor's compare-and-set, claims and their leases, `started`
//! only for the claimant, started fires unconfirmed until confirmed once or ended, skipped
//! ranges recorded once, expired claims, deactivation reaching claims, the fire listing, and
//! remembered webhook deliveries.

use crate::misfire::{SkipReason, Skipped};
use crate::schedule::Counted;
use crate::store::{Claim, Delivery, FireClaim, FireStatus, TriggerId, TriggerRow, TriggerStore};

/// A schedule trigger row for node `node` of `flow`, its cursor at `handled_through`.
pub fn trigger_row(flow: &str, node: &str, handled_through: i64) -> TriggerRow {
    TriggerRow {
        id: TriggerId::new(flow, node),
        kind: "schedule".to_owned(),
        parameters: r#"{"every":"1s"}"#.to_owned(),
        activated_at: 5,
        handled_through,
        paused: false,
    }
}

fn claim<'a>(trigger: &'a TriggerId, at: i64, owner: &'a str, now: i64) -> FireClaim<'a> {
    FireClaim { trigger, scheduled_at: at, owner, now, lease_ms: 100 }
}

/// Checks `store`, empty, against the contract. Run it on the executor its futures need.
pub async fn check_trigger_store(store: &dyn TriggerStore) {
    assert!(
        store.list().await.expect("the store answers").is_empty(),
        "an empty store has no triggers"
    );

    // Activation, and activating again.
    let a = TriggerId::new("flow-a", "every-second");
    let b = TriggerId::new("flow-b", "nightly");
    store.activate(trigger_row("flow-b", "nightly", 0)).await.expect("the store answers");
    store.activate(trigger_row("flow-a", "every-second", 1_000)).await.expect("the store answers");
    let listed = store.list().await.expect("the store answers");
    assert_eq!(
        listed,
        vec![trigger_row("flow-a", "every-second", 1_000), trigger_row("flow-b", "nightly", 0)]
    );
    assert!(store.advance(&a, 1_000, 2_000).await.expect("the store answers"));
    assert!(store.set_paused(&a, true).await.expect("the store answers"));
    let edited = TriggerRow {
        parameters: r#"{"every":"2s"}"#.to_owned(),
        ..trigger_row("flow-a", "every-second", 0)
    };
    store.activate(edited).await.expect("the store answers");
    let again = store.list().await.expect("the store answers").remove(0);
    assert_eq!(
        (again.parameters.as_str(), again.handled_through, again.paused),
        (r#"{"every":"2s"}"#, 2_000, true),
        "activating again changes the parameters, keeps the cursor and the pause"
    );
    assert_eq!(
        store.claim(claim(&a, 3_000, "p1", 3_000)).await.expect("the store answers"),
        Claim::Refused,
        "paused"
    );
    assert!(store.set_paused(&a, false).await.expect("the store answers"));
    assert!(!store
        .set_paused(&TriggerId::new("flow-a", "nope"), true)
        .await
        .expect("the store answers"));

    // The cursor moves only from where the caller saw it.
    assert!(!store.advance(&a, 1_000, 9_000).await.expect("the store answers"), "stale cursor");
    assert!(store.advance(&a, 2_000, 3_000).await.expect("the store answers"));
    assert_eq!(store.list().await.expect("the store answers")[0].handled_through, 3_000);

    // One claim wins; a lapsed claim (no run) is taken over; the stalled claimant cannot start.
    assert_eq!(
        store.claim(claim(&a, 3_000, "p1", 3_000)).await.expect("the store answers"),
        Claim::Won
    );
    assert_eq!(
        store.claim(claim(&a, 3_000, "p2", 3_050)).await.expect("the store answers"),
        Claim::Refused
    );
    assert_eq!(
        store.claim(claim(&a, 3_000, "p1", 3_050)).await.expect("the store answers"),
        Claim::Refused
    );
    assert!(
        store.expired(3_100).await.expect("the store answers").is_empty(),
        "the lease holds until 3,100"
    );
    let expired = store.expired(3_101).await.expect("the store answers");
    assert_eq!(expired.len(), 1);
    assert_eq!((expired[0].scheduled_at, expired[0].owner.as_str()), (3_000, "p1"));
    assert_eq!(
        store.claim(claim(&a, 3_000, "p2", 3_101)).await.expect("the store answers"),
        Claim::Won
    );
    assert!(!store.started(&a, 3_000, "p1", "exec_p1", 3_102).await.expect("the store answers"));
    assert!(store.started(&a, 3_000, "p2", "exec_p2", 3_102).await.expect("the store answers"));
    assert!(!store.started(&a, 3_000, "p2", "exec_again", 3_103).await.expect("the store answers"));
    assert_eq!(
        store.claim(claim(&a, 3_000, "p3", 99_000)).await.expect("the store answers"),
        Claim::Refused,
        "a started fire is never claimed again, however late"
    );
    assert!(store.expired(99_000).await.expect("the store answers").is_empty());

    // A started fire is unconfirmed from its start until a process confirms it (once) or its
    // run's end is recorded.
    assert!(
        store.unconfirmed(3_101, 10).await.expect("the store answers").is_empty(),
        "started at 3,102"
    );
    let unconfirmed = store.unconfirmed(3_102, 10).await.expect("the store answers");
    let seen: Vec<_> =
        unconfirmed.iter().map(|f| (f.scheduled_at, f.status, f.run_id.as_deref())).collect();
    assert_eq!(seen, vec![(3_000, FireStatus::Started, Some("exec_p2"))]);
    assert!(store.confirm(&a, 3_000).await.expect("the store answers"), "the first confirms");
    assert!(!store.confirm(&a, 3_000).await.expect("the store answers"), "only once");
    assert!(store.unconfirmed(99_000, 10).await.expect("the store answers").is_empty());
    assert_eq!(store.fires(&a, 1).await.expect("the store answers")[0].status, FireStatus::Running);
    store.ended(&a, 3_000, FireStatus::Succeeded).await.expect("the store answers");
    assert!(!store.confirm(&a, 3_000).await.expect("the store answers"), "ended: not started");

    // Skipped ranges, recorded once.
    let skipped = Skipped {
        first: 4_000,
        last: 9_000,
        count: Counted { count: 6, exact: true },
        reason: SkipReason::Coalesced { into: 10_000 },
    };
    store.skip(&a, skipped).await.expect("the store answers");
    store.skip(&a, skipped).await.expect("the store answers");
    assert_eq!(
        store.claim(claim(&a, 10_000, "p1", 10_000)).await.expect("the store answers"),
        Claim::Won
    );
    assert!(store.started(&a, 10_000, "p1", "exec_10", 10_001).await.expect("the store answers"));
    assert_eq!(store.unconfirmed(99_000, 10).await.expect("the store answers").len(), 1);
    store.ended(&a, 10_000, FireStatus::Failed).await.expect("the store answers");
    assert!(
        store.unconfirmed(99_000, 10).await.expect("the store answers").is_empty(),
        "an ended run's fire is not unconfirmed"
    );
    let far = Skipped {
        first: 11_000,
        last: 2_000_011_000,
        count: Counted { count: 100_000, exact: false },
        reason: SkipReason::OverCap { cap: 3 },
    };
    store.skip(&a, far).await.expect("the store answers");
    store.skip(&a, Skipped { reason: SkipReason::Missed, ..far }).await.expect("the store answers");

    // The listing: newest first, each as it was left.
    let fires = store.fires(&a, 10).await.expect("the store answers");
    let summary: Vec<_> = fires
        .iter()
        .map(|fire| (fire.scheduled_at, fire.status, fire.run_id.as_deref(), fire.fired_at))
        .collect();
    assert_eq!(
        summary,
        vec![
            (11_000, FireStatus::Skipped, None, None),
            (10_000, FireStatus::Failed, Some("exec_10"), Some(10_001)),
            (4_000, FireStatus::Skipped, None, None),
            (3_000, FireStatus::Succeeded, Some("exec_p2"), Some(3_102)),
        ]
    );
    assert_eq!(
        fires[0].skipped,
        Some(far),
        "a range is kept whole, and only the first recording of it"
    );
    assert_eq!(fires[2].skipped, Some(skipped));
    assert_eq!(fires[1].skipped, None);
    assert_eq!(store.fires(&a, 2).await.expect("the store answers").len(), 2);
    assert!(store.fires(&b, 10).await.expect("the store answers").is_empty());

    // Deactivating stops claims everywhere on the store; the records stay.
    assert_eq!(
        store.claim(claim(&b, 60_000, "p1", 60_000)).await.expect("the store answers"),
        Claim::Won
    );
    assert_eq!(store.deactivate("flow-b").await.expect("the store answers"), 1);
    assert_eq!(store.deactivate("flow-b").await.expect("the store answers"), 0);
    assert_eq!(
        store.claim(claim(&b, 120_000, "p2", 120_000)).await.expect("the store answers"),
        Claim::Refused
    );
    assert!(!store.advance(&b, 0, 120_000).await.expect("the store answers"));
    assert!(
        store.expired(1_000_000).await.expect("the store answers").is_empty(),
        "a claim of an inactive trigger is not recovered"
    );
    assert_eq!(store.fires(&b, 10).await.expect("the store answers").len(), 1);
    assert_eq!(store.list().await.expect("the store answers").len(), 1);

    // Unconfirmed fires: oldest first, at most `limit`, of active triggers only.
    let c = TriggerId::new("flow-c", "hourly");
    store.activate(trigger_row("flow-c", "hourly", 0)).await.expect("the store answers");
    for (at, fired) in [(70_000, 70_500), (71_000, 70_100), (72_000, 90_000)] {
        assert_eq!(
            store.claim(claim(&c, at, "p1", fired)).await.expect("the store answers"),
            Claim::Won
        );
        let run = format!("exec_c{at}");
        assert!(store.started(&c, at, "p1", &run, fired).await.expect("the store answers"));
    }
    let oldest = store.unconfirmed(80_000, 1).await.expect("the store answers");
    assert_eq!(oldest.iter().map(|f| f.scheduled_at).collect::<Vec<_>>(), vec![71_000]);
    let both = store.unconfirmed(80_000, 10).await.expect("the store answers");
    assert_eq!(both.iter().map(|f| f.scheduled_at).collect::<Vec<_>>(), vec![71_000, 70_000]);
    assert_eq!(both[1].fired_at, Some(70_500));
    assert_eq!(store.deactivate("flow-c").await.expect("the store answers"), 1);
    assert!(
        store.unconfirmed(1_000_000, 10).await.expect("the store answers").is_empty(),
        "an inactive trigger's fires are not looked at"
    );

    // Deliveries: a key is remembered until it expires, per trigger; the first run it named
    // is the answer meanwhile.
    let hook = TriggerId::new("flow-h", "hook");
    let delivery =
        |key, run_id, now, keep_until| Delivery { trigger: &hook, key, run_id, now, keep_until };
    let remember =
        |delivery| async move { store.remember(delivery).await.expect("the store answers") };
    assert_eq!(remember(delivery("idem:1", "exec_1", 1_000, 5_000)).await, None);
    assert_eq!(
        remember(delivery("idem:1", "exec_2", 2_000, 6_000)).await.as_deref(),
        Some("exec_1")
    );
    assert_eq!(remember(delivery("idem:2", "exec_3", 2_000, 6_000)).await, None, "another key");
    let other = Delivery { trigger: &a, ..delivery("idem:1", "exec_4", 2_000, 6_000) };
    assert_eq!(remember(other).await, None, "another trigger");
    assert_eq!(
        remember(delivery("idem:1", "exec_5", 5_000, 9_000)).await,
        None,
        "expired at 5,000: remembered anew"
    );
    assert_eq!(
        remember(delivery("idem:1", "exec_6", 8_999, 9_999)).await.as_deref(),
        Some("exec_5")
    );
}
