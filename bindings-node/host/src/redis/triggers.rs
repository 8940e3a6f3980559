//! [`RedisTriggers`]: triggers in Redis, shared by every worker and producer of a queue. Keys,
//! all under the queue's history prefix, are described in `triggers/prelude.lua`; every rule of
//! the store contract is one Lua script (one atomic step), so no two processes both pass it.

use atomiton_core::error::Result;
use atomiton_core::host::BoxFuture;
use atomiton_triggers::{
    Claim, Delivery, FireClaim, FireRecord, FireStatus, Skipped, TriggerId, TriggerRow,
    TriggerStore,
};

use super::link::Link;
use crate::history::store_failure;
use crate::store_thread::Queue;

mod scripts {
    macro_rules! trigger_script {
        ($file:literal) => {
            concat!(
                include_str!("triggers/prelude.lua"),
                include_str!(concat!("triggers/", $file, ".lua"))
            )
        };
    }

    crate::redis::link::scripts! {
        ACTIVATE: trigger_script!("activate"),
        DEACTIVATE: trigger_script!("deactivate"),
        LIST: trigger_script!("list"),
        PAUSE: trigger_script!("pause"),
        ADVANCE: trigger_script!("advance"),
        CLAIM: trigger_script!("claim"),
        STARTED: trigger_script!("started"),
        ENDED: trigger_script!("ended"),
        SKIP: trigger_script!("skip"),
        EXPIRED: trigger_script!("expired"),
        UNCONFIRMED: trigger_script!("unconfirmed"),
        CONFIRM: trigger_script!("confirm"),
        FIRES: trigger_script!("fires"),
        REMEMBER: trigger_script!("remember"),
    }
}

/// Triggers and their fires in Redis, shared by every process that opens the same server and
/// prefix.
pub struct RedisTriggers {
    queue: Queue<Link>,
}

impl RedisTriggers {
    /// Connects to the server at `url`, keeping every key under `key_prefix`.
    pub fn open(url: &str, key_prefix: &str) -> Result<RedisTriggers> {
        let failed = |e: String| store_failure(format!("Triggers: {e}"));
        let link = Link::open(url, key_prefix, scripts::ALL).map_err(failed)?;
        let queue = Queue::jobs(link, "Triggers")
            .map_err(|e| failed(format!("cannot start its thread: {e}")))?;
        Ok(RedisTriggers { queue })
    }

    /// Runs `script` with `args` (after the prefix) on the store's thread.
    fn call<T: redis::FromRedisValue + Send + 'static>(
        &self,
        script: &'static super::link::Script,
        args: Vec<String>,
    ) -> BoxFuture<'static, Result<T>> {
        self.queue.read(move |link: &mut Link| {
            let mut call = link.script(script);
            for arg in &args {
                call.cmd.arg(arg);
            }
            link.run::<T>(&call)
        })
    }

    fn flag(
        &self,
        script: &'static super::link::Script,
        args: Vec<String>,
    ) -> BoxFuture<'static, Result<bool>> {
        let answer = self.call::<i64>(script, args);
        Box::pin(async move { Ok(answer.await? == 1) })
    }
}

/// A trigger's id as its keys name it: the JSON text of `[flow, node]` (unambiguous whatever the
/// ids hold).
fn key_of(id: &TriggerId) -> String {
    serde_json::json!([id.flow, id.node]).to_string()
}

fn id_of(key: &str) -> Option<TriggerId> {
    let (flow, node): (String, String) = serde_json::from_str(key).ok()?;
    Some(TriggerId::new(flow, node))
}

fn whole(text: Option<&String>) -> Option<i64> {
    text?.parse().ok()
}

type Fields = Vec<Option<String>>;

/// A fire as the scripts give it: `{id, at, s, o, l, r, f, k}`.
fn fire_of(fields: &Fields) -> Option<FireRecord> {
    let field = |n: usize| fields.get(n).and_then(Option::as_ref);
    let scheduled_at = whole(field(1))?;
    Some(FireRecord {
        trigger: id_of(field(0)?)?,
        scheduled_at,
        // A status this version does not know reads as failed, not as one to claim again.
        status: field(2).and_then(|s| FireStatus::parse(s)).unwrap_or(FireStatus::Failed),
        owner: field(3).cloned().unwrap_or_default(),
        lease_until: whole(field(4)).unwrap_or(0),
        run_id: field(5).cloned(),
        fired_at: whole(field(6)),
        skipped: field(7).and_then(|text| Skipped::from_text(scheduled_at, text)),
    })
}

fn fires_of(
    answer: BoxFuture<'static, Result<Vec<Fields>>>,
) -> BoxFuture<'static, Result<Vec<FireRecord>>> {
    Box::pin(async move { Ok(answer.await?.iter().filter_map(fire_of).collect()) })
}

impl TriggerStore for RedisTriggers {
    fn activate(&self, row: TriggerRow) -> BoxFuture<'_, Result<()>> {
        let args = vec![
            key_of(&row.id),
            row.kind,
            row.parameters,
            row.activated_at.to_string(),
            row.handled_through.to_string(),
            if row.paused { "1" } else { "0" }.to_owned(),
        ];
        let answer = self.call::<i64>(&scripts::ACTIVATE, args);
        Box::pin(async move { answer.await.map(drop) })
    }

    fn deactivate<'a>(&'a self, flow: &'a str) -> BoxFuture<'a, Result<u64>> {
        // Every id of the flow starts so: `[` and the flow as JSON text, then a comma.
        let start = format!("[{},", serde_json::Value::from(flow));
        let answer = self.call::<i64>(&scripts::DEACTIVATE, vec![start]);
        Box::pin(async move { Ok(answer.await?.max(0) as u64) })
    }

    fn list(&self) -> BoxFuture<'_, Result<Vec<TriggerRow>>> {
        let answer = self.call::<Vec<Fields>>(&scripts::LIST, Vec::new());
        Box::pin(async move {
            let mut rows: Vec<TriggerRow> = answer
                .await?
                .iter()
                .filter_map(|fields| {
                    let field = |n: usize| fields.get(n).and_then(Option::as_ref);
                    Some(TriggerRow {
                        id: id_of(field(0)?)?,
                        kind: field(1)?.clone(),
                        parameters: field(2)?.clone(),
                        activated_at: whole(field(3))?,
                        handled_through: whole(field(4))?,
                        paused: field(5).is_some_and(|z| z == "1"),
                    })
                })
                .collect();
            rows.sort_by(|a, b| a.id.cmp(&b.id));
            Ok(rows)
        })
    }

    fn set_paused<'a>(&'a self, id: &'a TriggerId, paused: bool) -> BoxFuture<'a, Result<bool>> {
        self.flag(&scripts::PAUSE, vec![key_of(id), if paused { "1" } else { "0" }.to_owned()])
    }

    fn advance<'a>(&'a self, id: &'a TriggerId, from: i64, to: i64) -> BoxFuture<'a, Result<bool>> {
        self.flag(&scripts::ADVANCE, vec![key_of(id), from.to_string(), to.to_string()])
    }

    fn claim<'a>(&'a self, claim: FireClaim<'a>) -> BoxFuture<'a, Result<Claim>> {
        let args = vec![
            key_of(claim.trigger),
            claim.scheduled_at.to_string(),
            claim.owner.to_owned(),
            claim.now.to_string(),
            claim.now.saturating_add(claim.lease_ms).to_string(),
        ];
        let won = self.flag(&scripts::CLAIM, args);
        Box::pin(async move { Ok(if won.await? { Claim::Won } else { Claim::Refused }) })
    }

    fn started<'a>(
        &'a self,
        id: &'a TriggerId,
        scheduled_at: i64,
        owner: &'a str,
        run_id: &'a str,
        fired_at: i64,
    ) -> BoxFuture<'a, Result<bool>> {
        let args = vec![
            key_of(id),
            scheduled_at.to_string(),
            owner.to_owned(),
            run_id.to_owned(),
            fired_at.to_string(),
        ];
        self.flag(&scripts::STARTED, args)
    }

    fn ended<'a>(
        &'a self,
        id: &'a TriggerId,
        scheduled_at: i64,
        status: FireStatus,
    ) -> BoxFuture<'a, Result<()>> {
        let args = vec![key_of(id), scheduled_at.to_string(), status.as_str().to_owned()];
        let answer = self.call::<i64>(&scripts::ENDED, args);
        Box::pin(async move { answer.await.map(drop) })
    }

    fn skip<'a>(&'a self, id: &'a TriggerId, skipped: Skipped) -> BoxFuture<'a, Result<()>> {
        let args = vec![key_of(id), skipped.first.to_string(), skipped.to_text()];
        let answer = self.call::<i64>(&scripts::SKIP, args);
        Box::pin(async move { answer.await.map(drop) })
    }

    fn expired(&self, now: i64) -> BoxFuture<'_, Result<Vec<FireRecord>>> {
        fires_of(self.call(&scripts::EXPIRED, vec![now.to_string()]))
    }

    fn unconfirmed(&self, before: i64, limit: usize) -> BoxFuture<'_, Result<Vec<FireRecord>>> {
        if limit == 0 {
            return Box::pin(std::future::ready(Ok(Vec::new())));
        }
        let args = vec![before.to_string(), limit.min(1 << 30).to_string()];
        fires_of(self.call(&scripts::UNCONFIRMED, args))
    }

    fn confirm<'a>(&'a self, id: &'a TriggerId, scheduled_at: i64) -> BoxFuture<'a, Result<bool>> {
        self.flag(&scripts::CONFIRM, vec![key_of(id), scheduled_at.to_string()])
    }

    fn remember<'a>(&'a self, delivery: Delivery<'a>) -> BoxFuture<'a, Result<Option<String>>> {
        let args = vec![
            key_of(delivery.trigger),
            delivery.key.to_owned(),
            delivery.run_id.to_owned(),
            delivery.now.to_string(),
            delivery.keep_until.to_string(),
        ];
        self.call::<Option<String>>(&scripts::REMEMBER, args)
    }

    fn fires<'a>(
        &'a self,
        id: &'a TriggerId,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<FireRecord>>> {
        if limit == 0 {
            return Box::pin(std::future::ready(Ok(Vec::new())));
        }
        fires_of(self.call(&scripts::FIRES, vec![key_of(id), limit.min(1 << 30).to_string()]))
    }
}
