//! A trigger store over text kept by key ([`StorageBackend`]): IndexedDB in a browser tab, files
//! in the WebAssembly engine's Node fallback, memory in tests.
//!
//! Two key spaces, so the timer's step reads only what it needs:
//! - `triggers`: one document per active trigger (`t.<flow>.<node>`), holding its row and its
//!   open claims (fires claimed and not yet started, with their leases). The step reads these
//!   and nothing else.
//! - `fires`: one record per fire that started or was skipped (`f.<flow>.<node>.<time>`, the time
//!   offset and zero-padded so keys sort by it), and remembered webhook deliveries
//!   (`d.<flow>.<node>.<key>`). Only `fires()` lists them.
//!
//! A key-value store has no transactions, so the contract's atomic rules rest on a lock around
//! every operation: this store's own (one process, one tab) and, across a browser's tabs, the
//! Web Lock the npm package holds around every trigger call into the engine. Each operation reads,
//! decides and writes under it. A fire's record is written before its claim is let go of: a
//! process that dies in between leaves a claim whose fire has a record, which the next claim
//! finds and drops (the fire is never started twice). Deactivating a trigger writes its open
//! claims down as records, which a claim after their lease takes over, as other stores do.

use std::sync::Arc;

use atomiton_core::error::{ExecutionError, Result};
use atomiton_core::host::effects::EffectError;
use atomiton_core::host::BoxFuture;
use atomiton_core::storage::StorageBackend;
use futures::lock::Mutex;
use serde_json::{json, Value};

use crate::misfire::Skipped;
use crate::store::{
    Claim, Delivery, FireClaim, FireRecord, FireStatus, TriggerId, TriggerRow, TriggerStore,
};

/// Triggers in `triggers`, fire records and deliveries in `fires` (see the module's docs).
pub struct KeyedTriggers {
    triggers: Arc<dyn StorageBackend>,
    fires: Arc<dyn StorageBackend>,
    lock: Mutex<()>,
}

impl KeyedTriggers {
    pub fn new(triggers: Arc<dyn StorageBackend>, fires: Arc<dyn StorageBackend>) -> Self {
        KeyedTriggers { triggers, fires, lock: Mutex::new(()) }
    }
}

/// A trigger's document: its row, its claims as `(fire time, owner, lease until)`, and the fires
/// recorded `started` whose run no process has yet seen in the history, as `(fire time, fired
/// at)` (see [`TriggerStore::unconfirmed`]): kept here so that looking for them reads only
/// these documents.
struct Document {
    row: TriggerRow,
    claims: Vec<(i64, String, i64)>,
    started: Vec<(i64, i64)>,
}

/// `text` as a key part: letters, digits, `_` and `-` as they are, every other byte `%XX`. No
/// `.` survives, so parts never run into each other, and a key is a file name on any system.
fn part(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-' {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn trigger_key(id: &TriggerId) -> String {
    format!("t.{}.{}", part(&id.flow), part(&id.node))
}

fn fires_prefix(id: &TriggerId) -> String {
    format!("f.{}.{}.", part(&id.flow), part(&id.node))
}

/// A fire time as 20 digits, offset from `i64::MIN`: keys sort as the times do.
fn fire_key(id: &TriggerId, at: i64) -> String {
    format!("{}{:020}", fires_prefix(id), (i128::from(at) - i128::from(i64::MIN)) as u64)
}

fn delivery_key(id: &TriggerId, key: &str) -> String {
    format!("d.{}.{}.{}", part(&id.flow), part(&id.node), part(key))
}

fn unkept(e: EffectError) -> ExecutionError {
    ExecutionError::internal(format!("Trigger store: {}", e.message))
}

fn unreadable(key: &str) -> ExecutionError {
    ExecutionError::internal(format!("Trigger store: the record '{key}' cannot be read"))
}

fn int(value: &Value, name: &str) -> Option<i64> {
    value.get(name)?.as_i64()
}

fn text(value: &Value, name: &str) -> Option<String> {
    value.get(name)?.as_str().map(str::to_owned)
}

impl Document {
    fn to_text(&self) -> String {
        let row = &self.row;
        let claims: Vec<Value> =
            self.claims.iter().map(|(at, owner, until)| json!([at, owner, until])).collect();
        let started: Vec<Value> =
            self.started.iter().map(|(at, fired)| json!([at, fired])).collect();
        json!({
            "flow": row.id.flow, "node": row.id.node, "kind": row.kind,
            "parameters": row.parameters, "activatedAt": row.activated_at,
            "handledThrough": row.handled_through, "paused": row.paused, "claims": claims,
            "started": started,
        })
        .to_string()
    }

    fn parse(text_: &str) -> Option<Document> {
        let value: Value = serde_json::from_str(text_).ok()?;
        let row = TriggerRow {
            id: TriggerId::new(text(&value, "flow")?, text(&value, "node")?),
            kind: text(&value, "kind")?,
            parameters: text(&value, "parameters")?,
            activated_at: int(&value, "activatedAt")?,
            handled_through: int(&value, "handledThrough")?,
            paused: value.get("paused")?.as_bool()?,
        };
        let claims = value
            .get("claims")?
            .as_array()?
            .iter()
            .map(|claim| {
                Some((
                    claim.get(0)?.as_i64()?,
                    claim.get(1)?.as_str()?.to_owned(),
                    claim.get(2)?.as_i64()?,
                ))
            })
            .collect::<Option<Vec<_>>>()?;
        // Absent from a document an earlier version wrote: none.
        let started = match value.get("started").and_then(Value::as_array) {
            None => Vec::new(),
            Some(kept) => kept
                .iter()
                .map(|fire| Some((fire.get(0)?.as_i64()?, fire.get(1)?.as_i64()?)))
                .collect::<Option<Vec<_>>>()?,
        };
        Some(Document { row, claims, started })
    }

    fn claimed(&self, at: i64) -> Option<&(i64, String, i64)> {
        self.claims.iter().find(|claim| claim.0 == at)
    }

    fn release(&mut self, at: i64) {
        self.claims.retain(|claim| claim.0 != at);
    }

    fn claim_record(&self, (at, owner, until): &(i64, String, i64)) -> FireRecord {
        FireRecord {
            trigger: self.row.id.clone(),
            scheduled_at: *at,
            fired_at: None,
            run_id: None,
            status: FireStatus::Claimed,
            owner: owner.clone(),
            lease_until: *until,
            skipped: None,
        }
    }
}

fn fire_text(fire: &FireRecord) -> String {
    json!({
        "status": fire.status.as_str(), "owner": fire.owner, "leaseUntil": fire.lease_until,
        "runId": fire.run_id, "firedAt": fire.fired_at,
        "skipped": fire.skipped.as_ref().map(Skipped::to_text),
    })
    .to_string()
}

fn parse_fire(id: &TriggerId, at: i64, text_: &str) -> Option<FireRecord> {
    let value: Value = serde_json::from_str(text_).ok()?;
    Some(FireRecord {
        trigger: id.clone(),
        scheduled_at: at,
        fired_at: int(&value, "firedAt"),
        run_id: text(&value, "runId"),
        status: FireStatus::parse(value.get("status")?.as_str()?)?,
        owner: text(&value, "owner").unwrap_or_default(),
        lease_until: int(&value, "leaseUntil").unwrap_or(0),
        skipped: value.get("skipped")?.as_str().and_then(|kept| Skipped::from_text(at, kept)),
    })
}

impl KeyedTriggers {
    async fn document(&self, id: &TriggerId) -> Result<Option<Document>> {
        let key = trigger_key(id);
        match self.triggers.read(&key).await.map_err(unkept)? {
            None => Ok(None),
            Some(kept) => Document::parse(&kept).map(Some).ok_or_else(|| unreadable(&key)),
        }
    }

    async fn save(&self, document: &Document) -> Result<()> {
        self.triggers
            .write(&trigger_key(&document.row.id), document.to_text())
            .await
            .map_err(unkept)
    }

    async fn documents(&self) -> Result<Vec<Document>> {
        let mut keys: Vec<String> = self.triggers.keys().await.map_err(unkept)?;
        keys.retain(|key| key.starts_with("t."));
        keys.sort();
        let mut documents = Vec::with_capacity(keys.len());
        for key in keys {
            // Deactivated by another process since the keys were listed: gone, not an error.
            if let Some(kept) = self.triggers.read(&key).await.map_err(unkept)? {
                documents.push(Document::parse(&kept).ok_or_else(|| unreadable(&key))?);
            }
        }
        Ok(documents)
    }

    async fn fire(&self, id: &TriggerId, at: i64) -> Result<Option<FireRecord>> {
        let key = fire_key(id, at);
        match self.fires.read(&key).await.map_err(unkept)? {
            None => Ok(None),
            Some(kept) => parse_fire(id, at, &kept).map(Some).ok_or_else(|| unreadable(&key)),
        }
    }

    async fn put_fire(&self, fire: &FireRecord) -> Result<()> {
        let key = fire_key(&fire.trigger, fire.scheduled_at);
        self.fires.write(&key, fire_text(fire)).await.map_err(unkept)
    }

    async fn claim_locked(&self, claim: FireClaim<'_>) -> Result<Claim> {
        let Some(mut document) = self.document(claim.trigger).await? else {
            return Ok(Claim::Refused);
        };
        if document.row.paused {
            return Ok(Claim::Refused);
        }
        match self.fire(claim.trigger, claim.scheduled_at).await? {
            // A claim its trigger's deactivation wrote down, whose lease passed: taken over.
            Some(fire) if fire.status == FireStatus::Claimed && fire.lease_until < claim.now => {
                let key = fire_key(claim.trigger, claim.scheduled_at);
                self.fires.remove(&key).await.map_err(unkept)?;
            }
            Some(_) => {
                // Started (or skipped) already; a claim left beside its record is let go of.
                if document.claimed(claim.scheduled_at).is_some() {
                    document.release(claim.scheduled_at);
                    self.save(&document).await?;
                }
                return Ok(Claim::Refused);
            }
            None => {}
        }
        let until = claim.now.saturating_add(claim.lease_ms);
        match document.claimed(claim.scheduled_at) {
            Some((_, _, lease_until)) if *lease_until >= claim.now => return Ok(Claim::Refused),
            _ => {}
        }
        document.release(claim.scheduled_at);
        document.claims.push((claim.scheduled_at, claim.owner.to_owned(), until));
        self.save(&document).await?;
        Ok(Claim::Won)
    }

    async fn started_locked(
        &self,
        id: &TriggerId,
        at: i64,
        owner: &str,
        run_id: &str,
        fired_at: i64,
    ) -> Result<bool> {
        let Some(mut document) = self.document(id).await? else { return Ok(false) };
        let holds = document.claimed(at).is_some_and(|(_, holder, _)| holder == owner);
        let recorded = self.fire(id, at).await?;
        if !holds || recorded.is_some_and(|fire| fire.status != FireStatus::Claimed) {
            return Ok(false);
        }
        let mut fire = document.claim_record(&(at, owner.to_owned(), 0));
        (fire.status, fire.run_id, fire.fired_at) =
            (FireStatus::Started, Some(run_id.to_owned()), Some(fired_at));
        // The record first: see the module's docs.
        self.put_fire(&fire).await?;
        document.release(at);
        document.started.push((at, fired_at));
        self.save(&document).await?;
        Ok(true)
    }

    /// Sets fire `at`'s status to `status` (only from `started`, when `only_started`): whether
    /// it did; the trigger's document lets go of it as unconfirmed.
    async fn settle_locked(
        &self,
        id: &TriggerId,
        at: i64,
        status: FireStatus,
        only_started: bool,
    ) -> Result<bool> {
        let Some(mut fire) = self.fire(id, at).await? else { return Ok(false) };
        if only_started && fire.status != FireStatus::Started {
            return Ok(false);
        }
        fire.status = status;
        self.put_fire(&fire).await?;
        if let Some(mut document) = self.document(id).await? {
            if document.started.iter().any(|(started, _)| *started == at) {
                document.started.retain(|(started, _)| *started != at);
                self.save(&document).await?;
            }
        }
        Ok(true)
    }

    async fn remember_locked(&self, delivery: Delivery<'_>) -> Result<Option<String>> {
        let key = delivery_key(delivery.trigger, delivery.key);
        let kept = self.fires.read(&key).await.map_err(unkept)?;
        let earlier = kept.and_then(|kept| serde_json::from_str::<Value>(&kept).ok());
        if let Some(earlier) = earlier {
            if int(&earlier, "until").is_some_and(|until| until > delivery.now) {
                return Ok(text(&earlier, "run"));
            }
        }
        let record = json!({"run": delivery.run_id, "until": delivery.keep_until});
        self.fires.write(&key, record.to_string()).await.map_err(unkept)?;
        Ok(None)
    }

    async fn fires_locked(&self, id: &TriggerId, limit: usize) -> Result<Vec<FireRecord>> {
        let prefix = fires_prefix(id);
        let mut keys: Vec<String> = self.fires.keys().await.map_err(unkept)?;
        keys.retain(|key| key.starts_with(&prefix));
        keys.sort_unstable_by(|a, b| b.cmp(a));
        let mut records = Vec::new();
        if let Some(document) = self.document(id).await? {
            records.extend(document.claims.iter().map(|claim| document.claim_record(claim)));
        }
        for key in keys.into_iter().take(limit) {
            let Some(at) = key[prefix.len()..]
                .parse::<u64>()
                .ok()
                .map(|offset| (i128::from(offset) + i128::from(i64::MIN)) as i64)
            else {
                continue;
            };
            if let Some(fire) = self.fire(id, at).await? {
                records.push(fire);
            }
        }
        records.sort_by_key(|fire| std::cmp::Reverse(fire.scheduled_at));
        records.truncate(limit);
        Ok(records)
    }
}

impl TriggerStore for KeyedTriggers {
    fn activate(&self, row: TriggerRow) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let _held = self.lock.lock().await;
            let document = match self.document(&row.id).await? {
                Some(mut active) => {
                    active.row.kind = row.kind;
                    active.row.parameters = row.parameters;
                    active
                }
                None => Document { row, claims: Vec::new(), started: Vec::new() },
            };
            self.save(&document).await
        })
    }

    fn deactivate<'a>(&'a self, flow: &'a str) -> BoxFuture<'a, Result<u64>> {
        Box::pin(async move {
            let _held = self.lock.lock().await;
            let prefix = format!("t.{}.", part(flow));
            let keys: Vec<String> = self.triggers.keys().await.map_err(unkept)?;
            let mut removed = 0;
            for key in keys.iter().filter(|key| key.starts_with(&prefix)) {
                // Its open claims become records: fire records outlive their trigger.
                if let Some(kept) = self.triggers.read(key).await.map_err(unkept)? {
                    let document = Document::parse(&kept).ok_or_else(|| unreadable(key))?;
                    for claim in &document.claims {
                        self.put_fire(&document.claim_record(claim)).await?;
                    }
                }
                if self.triggers.remove(key).await.map_err(unkept)? {
                    removed += 1;
                }
            }
            Ok(removed)
        })
    }

    fn list(&self) -> BoxFuture<'_, Result<Vec<TriggerRow>>> {
        Box::pin(async move {
            let _held = self.lock.lock().await;
            let mut rows: Vec<TriggerRow> =
                self.documents().await?.into_iter().map(|document| document.row).collect();
            rows.sort_by(|a, b| a.id.cmp(&b.id));
            Ok(rows)
        })
    }

    fn set_paused<'a>(&'a self, id: &'a TriggerId, paused: bool) -> BoxFuture<'a, Result<bool>> {
        Box::pin(async move {
            let _held = self.lock.lock().await;
            let Some(mut document) = self.document(id).await? else { return Ok(false) };
            document.row.paused = paused;
            self.save(&document).await?;
            Ok(true)
        })
    }

    fn advance<'a>(&'a self, id: &'a TriggerId, from: i64, to: i64) -> BoxFuture<'a, Result<bool>> {
        Box::pin(async move {
            let _held = self.lock.lock().await;
            let Some(mut document) = self.document(id).await? else { return Ok(false) };
            if document.row.handled_through != from {
                return Ok(false);
            }
            document.row.handled_through = to;
            self.save(&document).await?;
            Ok(true)
        })
    }

    fn claim<'a>(&'a self, claim: FireClaim<'a>) -> BoxFuture<'a, Result<Claim>> {
        Box::pin(async move {
            let _held = self.lock.lock().await;
            self.claim_locked(claim).await
        })
    }

    fn started<'a>(
        &'a self,
        id: &'a TriggerId,
        scheduled_at: i64,
        owner: &'a str,
        run_id: &'a str,
        fired_at: i64,
    ) -> BoxFuture<'a, Result<bool>> {
        Box::pin(async move {
            let _held = self.lock.lock().await;
            self.started_locked(id, scheduled_at, owner, run_id, fired_at).await
        })
    }

    fn ended<'a>(
        &'a self,
        id: &'a TriggerId,
        scheduled_at: i64,
        status: FireStatus,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let _held = self.lock.lock().await;
            self.settle_locked(id, scheduled_at, status, false).await.map(drop)
        })
    }

    fn unconfirmed(&self, before: i64, limit: usize) -> BoxFuture<'_, Result<Vec<FireRecord>>> {
        Box::pin(async move {
            let _held = self.lock.lock().await;
            let mut due: Vec<(i64, TriggerId, i64)> = Vec::new();
            for document in self.documents().await? {
                let old = document.started.iter().filter(|(_, fired)| *fired <= before);
                due.extend(old.map(|(at, fired)| (*fired, document.row.id.clone(), *at)));
            }
            due.sort();
            let mut found = Vec::new();
            for (_, id, at) in due.into_iter().take(limit) {
                let fire = self.fire(&id, at).await?;
                found.extend(fire.filter(|fire| fire.status == FireStatus::Started));
            }
            Ok(found)
        })
    }

    fn confirm<'a>(&'a self, id: &'a TriggerId, scheduled_at: i64) -> BoxFuture<'a, Result<bool>> {
        Box::pin(async move {
            let _held = self.lock.lock().await;
            self.settle_locked(id, scheduled_at, FireStatus::Running, true).await
        })
    }

    fn skip<'a>(&'a self, id: &'a TriggerId, skipped: Skipped) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let _held = self.lock.lock().await;
            if self.fire(id, skipped.first).await?.is_some() {
                return Ok(());
            }
            self.put_fire(&FireRecord {
                trigger: id.clone(),
                scheduled_at: skipped.first,
                fired_at: None,
                run_id: None,
                status: FireStatus::Skipped,
                owner: String::new(),
                lease_until: 0,
                skipped: Some(skipped),
            })
            .await
        })
    }

    fn expired(&self, now: i64) -> BoxFuture<'_, Result<Vec<FireRecord>>> {
        Box::pin(async move {
            let _held = self.lock.lock().await;
            let mut expired = Vec::new();
            for document in self.documents().await? {
                let lapsed = document.claims.iter().filter(|(_, _, until)| *until < now);
                expired.extend(lapsed.map(|claim| document.claim_record(claim)));
            }
            Ok(expired)
        })
    }

    fn remember<'a>(&'a self, delivery: Delivery<'a>) -> BoxFuture<'a, Result<Option<String>>> {
        Box::pin(async move {
            let _held = self.lock.lock().await;
            self.remember_locked(delivery).await
        })
    }

    fn fires<'a>(
        &'a self,
        id: &'a TriggerId,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<FireRecord>>> {
        Box::pin(async move {
            let _held = self.lock.lock().await;
            self.fires_locked(id, limit).await
        })
    }
}
