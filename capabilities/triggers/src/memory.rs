//! A trigger store in memory: one process's triggers (a test, or the WebAssembly engine
//! without a store). Its one lock makes each operation atomic, as the contract asks.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use atomiton_core::host::BoxFuture;
use atomiton_core::Result;

use crate::misfire::Skipped;
use crate::store::{
    Claim, Delivery, FireClaim, FireRecord, FireStatus, TriggerId, TriggerRow, TriggerStore,
};

/// Triggers and fires in memory.
#[derive(Default)]
pub struct MemoryTriggers {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    triggers: BTreeMap<TriggerId, TriggerRow>,
    fires: BTreeMap<(TriggerId, i64), FireRecord>,
    /// Remembered deliveries: their run and until when.
    deliveries: BTreeMap<(TriggerId, String), (String, i64)>,
}

impl MemoryTriggers {
    pub fn new() -> MemoryTriggers {
        MemoryTriggers::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves whole rows: go on with them.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn done<'a, T: Send + 'a>(value: T) -> BoxFuture<'a, Result<T>> {
    Box::pin(std::future::ready(Ok(value)))
}

impl TriggerStore for MemoryTriggers {
    fn activate(&self, row: TriggerRow) -> BoxFuture<'_, Result<()>> {
        let mut state = self.state();
        match state.triggers.get_mut(&row.id) {
            Some(active) => {
                active.kind = row.kind;
                active.parameters = row.parameters;
            }
            None => {
                state.triggers.insert(row.id.clone(), row);
            }
        }
        done(())
    }

    fn deactivate<'a>(&'a self, flow: &'a str) -> BoxFuture<'a, Result<u64>> {
        let mut state = self.state();
        let before = state.triggers.len();
        state.triggers.retain(|id, _| id.flow != flow);
        done((before - state.triggers.len()) as u64)
    }

    fn list(&self) -> BoxFuture<'_, Result<Vec<TriggerRow>>> {
        done(self.state().triggers.values().cloned().collect())
    }

    fn set_paused<'a>(&'a self, id: &'a TriggerId, paused: bool) -> BoxFuture<'a, Result<bool>> {
        let mut state = self.state();
        let row = state.triggers.get_mut(id);
        let found = row.is_some();
        if let Some(row) = row {
            row.paused = paused;
        }
        done(found)
    }

    fn advance<'a>(&'a self, id: &'a TriggerId, from: i64, to: i64) -> BoxFuture<'a, Result<bool>> {
        let mut state = self.state();
        let moved = match state.triggers.get_mut(id) {
            Some(row) if row.handled_through == from => {
                row.handled_through = to;
                true
            }
            _ => false,
        };
        done(moved)
    }

    fn claim<'a>(&'a self, claim: FireClaim<'a>) -> BoxFuture<'a, Result<Claim>> {
        let mut state = self.state();
        let active = state.triggers.get(claim.trigger).is_some_and(|row| !row.paused);
        let key = (claim.trigger.clone(), claim.scheduled_at);
        let answer = match state.fires.get_mut(&key) {
            _ if !active => Claim::Refused,
            None => {
                state.fires.insert(
                    key,
                    FireRecord {
                        trigger: claim.trigger.clone(),
                        scheduled_at: claim.scheduled_at,
                        fired_at: None,
                        run_id: None,
                        status: FireStatus::Claimed,
                        owner: claim.owner.to_owned(),
                        lease_until: claim.now + claim.lease_ms,
                        skipped: None,
                    },
                );
                Claim::Won
            }
            Some(fire) if fire.status == FireStatus::Claimed && fire.lease_until < claim.now => {
                fire.owner = claim.owner.to_owned();
                fire.lease_until = claim.now + claim.lease_ms;
                Claim::Won
            }
            Some(_) => Claim::Refused,
        };
        done(answer)
    }

    fn started<'a>(
        &'a self,
        id: &'a TriggerId,
        scheduled_at: i64,
        owner: &'a str,
        run_id: &'a str,
        fired_at: i64,
    ) -> BoxFuture<'a, Result<bool>> {
        let mut state = self.state();
        let started = match state.fires.get_mut(&(id.clone(), scheduled_at)) {
            Some(fire) if fire.status == FireStatus::Claimed && fire.owner == owner => {
                fire.status = FireStatus::Started;
                fire.run_id = Some(run_id.to_owned());
                fire.fired_at = Some(fired_at);
                true
            }
            _ => false,
        };
        done(started)
    }

    fn ended<'a>(
        &'a self,
        id: &'a TriggerId,
        scheduled_at: i64,
        status: FireStatus,
    ) -> BoxFuture<'a, Result<()>> {
        if let Some(fire) = self.state().fires.get_mut(&(id.clone(), scheduled_at)) {
            fire.status = status;
        }
        done(())
    }

    fn skip<'a>(&'a self, id: &'a TriggerId, skipped: Skipped) -> BoxFuture<'a, Result<()>> {
        self.state().fires.entry((id.clone(), skipped.first)).or_insert_with(|| FireRecord {
            trigger: id.clone(),
            scheduled_at: skipped.first,
            fired_at: None,
            run_id: None,
            status: FireStatus::Skipped,
            owner: String::new(),
            lease_until: 0,
            skipped: Some(skipped),
        });
        done(())
    }

    fn expired(&self, now: i64) -> BoxFuture<'_, Result<Vec<FireRecord>>> {
        let state = self.state();
        let expired = state
            .fires
            .values()
            .filter(|fire| fire.status == FireStatus::Claimed && fire.lease_until < now)
            .filter(|fire| state.triggers.contains_key(&fire.trigger))
            .cloned()
            .collect();
        done(expired)
    }

    fn unconfirmed(&self, before: i64, limit: usize) -> BoxFuture<'_, Result<Vec<FireRecord>>> {
        let state = self.state();
        let mut found: Vec<FireRecord> = state
            .fires
            .values()
            .filter(|fire| fire.status == FireStatus::Started)
            .filter(|fire| fire.fired_at.is_some_and(|at| at <= before))
            .filter(|fire| state.triggers.contains_key(&fire.trigger))
            .cloned()
            .collect();
        found.sort_by_key(|fire| fire.fired_at);
        found.truncate(limit);
        done(found)
    }

    fn confirm<'a>(&'a self, id: &'a TriggerId, scheduled_at: i64) -> BoxFuture<'a, Result<bool>> {
        let mut state = self.state();
        let moved = match state.fires.get_mut(&(id.clone(), scheduled_at)) {
            Some(fire) if fire.status == FireStatus::Started => {
                fire.status = FireStatus::Running;
                true
            }
            _ => false,
        };
        done(moved)
    }

    fn remember<'a>(&'a self, delivery: Delivery<'a>) -> BoxFuture<'a, Result<Option<String>>> {
        let mut state = self.state();
        state.deliveries.retain(|_, (_, until)| *until > delivery.now);
        let key = (delivery.trigger.clone(), delivery.key.to_owned());
        if let Some((run, _)) = state.deliveries.get(&key) {
            return done(Some(run.clone()));
        }
        state.deliveries.insert(key, (delivery.run_id.to_owned(), delivery.keep_until));
        done(None)
    }

    fn fires<'a>(
        &'a self,
        id: &'a TriggerId,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<FireRecord>>> {
        let state = self.state();
        let from = (id.clone(), i64::MIN);
        let through = (id.clone(), i64::MAX);
        done(
            state
                .fires
                .range(from..=through)
                .rev()
                .take(limit)
                .map(|(_, fire)| fire.clone())
                .collect(),
        )
    }
}
