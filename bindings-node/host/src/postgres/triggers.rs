//! Triggers in PostgreSQL (migration 10's tables, and 11's remembered webhook deliveries), shared by every process that names the
//! database: the processes of a fleet fire each schedule once between them. Every rule of the
//! store contract is one statement, so no two processes can both pass it.

use atomiton_core::error::Result;
use atomiton_core::host::BoxFuture;
use atomiton_triggers::{
    Claim, Delivery, FireClaim, FireRecord, FireStatus, Skipped, TriggerId, TriggerRow,
    TriggerStore,
};
use postgres::Row;

use super::shared::SharedLink;

/// Triggers and their fires in a PostgreSQL database.
pub struct PostgresTriggers {
    link: SharedLink,
}

impl PostgresTriggers {
    /// The triggers of the database at `url` (a `postgres://` URL or key-value settings). A URL
    /// this client cannot use is an error; a server that cannot be reached yet is not.
    pub fn open(url: &str) -> std::result::Result<PostgresTriggers, String> {
        Ok(PostgresTriggers { link: SharedLink::open(url, "Triggers")? })
    }

    fn job<T: Send + 'static>(
        &self,
        job: impl FnMut(&mut postgres::Client) -> std::result::Result<T, postgres::Error>
            + Send
            + 'static,
    ) -> BoxFuture<'static, Result<T>> {
        self.link.job(job)
    }
}

const FIRE_COLUMNS: &str =
    "flow_id, node_id, scheduled_at, status, owner, lease_until, run_id, fired_at, skipped";

fn fire_of(row: &Row) -> std::result::Result<FireRecord, postgres::Error> {
    let scheduled_at: i64 = row.try_get(2)?;
    let status: String = row.try_get(3)?;
    let skipped: Option<String> = row.try_get(8)?;
    Ok(FireRecord {
        trigger: TriggerId::new(row.try_get::<_, String>(0)?, row.try_get::<_, String>(1)?),
        scheduled_at,
        // A status this version does not know reads as failed, not as one to claim again.
        status: FireStatus::parse(&status).unwrap_or(FireStatus::Failed),
        owner: row.try_get(4)?,
        lease_until: row.try_get(5)?,
        run_id: row.try_get(6)?,
        fired_at: row.try_get(7)?,
        skipped: skipped.and_then(|text| Skipped::from_text(scheduled_at, &text)),
    })
}

impl TriggerStore for PostgresTriggers {
    fn activate(&self, row: TriggerRow) -> BoxFuture<'_, Result<()>> {
        self.job(move |client| {
            client.execute(
                "INSERT INTO atomiton_triggers (flow_id, node_id, kind, parameters, activated_at, handled_through, paused)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (flow_id, node_id) DO UPDATE SET kind = EXCLUDED.kind, parameters = EXCLUDED.parameters",
                &[&row.id.flow, &row.id.node, &row.kind, &row.parameters, &row.activated_at, &row.handled_through, &row.paused],
            )?;
            Ok(())
        })
    }

    fn deactivate<'a>(&'a self, flow: &'a str) -> BoxFuture<'a, Result<u64>> {
        let flow = flow.to_owned();
        self.job(move |client| {
            client.execute("DELETE FROM atomiton_triggers WHERE flow_id = $1", &[&flow])
        })
    }

    fn list(&self) -> BoxFuture<'_, Result<Vec<TriggerRow>>> {
        self.job(|client| {
            let rows = client.query(
                "SELECT flow_id, node_id, kind, parameters, activated_at, handled_through, paused
                 FROM atomiton_triggers ORDER BY flow_id, node_id",
                &[],
            )?;
            rows.iter()
                .map(|row| {
                    Ok(TriggerRow {
                        id: TriggerId::new(
                            row.try_get::<_, String>(0)?,
                            row.try_get::<_, String>(1)?,
                        ),
                        kind: row.try_get(2)?,
                        parameters: row.try_get(3)?,
                        activated_at: row.try_get(4)?,
                        handled_through: row.try_get(5)?,
                        paused: row.try_get(6)?,
                    })
                })
                .collect()
        })
    }

    fn set_paused<'a>(&'a self, id: &'a TriggerId, paused: bool) -> BoxFuture<'a, Result<bool>> {
        let id = id.clone();
        self.job(move |client| {
            let changed = client.execute(
                "UPDATE atomiton_triggers SET paused = $3 WHERE flow_id = $1 AND node_id = $2",
                &[&id.flow, &id.node, &paused],
            )?;
            Ok(changed > 0)
        })
    }

    fn advance<'a>(&'a self, id: &'a TriggerId, from: i64, to: i64) -> BoxFuture<'a, Result<bool>> {
        let id = id.clone();
        self.job(move |client| {
            let changed = client.execute(
                "UPDATE atomiton_triggers SET handled_through = $4
                 WHERE flow_id = $1 AND node_id = $2 AND handled_through = $3",
                &[&id.flow, &id.node, &from, &to],
            )?;
            Ok(changed > 0)
        })
    }

    fn claim<'a>(&'a self, claim: FireClaim<'a>) -> BoxFuture<'a, Result<Claim>> {
        let (id, at, owner) = (claim.trigger.clone(), claim.scheduled_at, claim.owner.to_owned());
        let (now, lease_until) = (claim.now, claim.now.saturating_add(claim.lease_ms));
        self.job(move |client| {
            // Inserted only while the trigger is active and not paused; an existing row taken
            // over only while it is an unstarted claim whose lease has passed. (A connection
            // that broke after the server applied this and before it answered runs it again,
            // and is refused: the fire then waits for its lease, and runs once, late.)
            let changed = client.execute(
                "INSERT INTO atomiton_trigger_fires (flow_id, node_id, scheduled_at, status, owner, lease_until)
                 SELECT $1, $2, $3, 'claimed', $4, $6 FROM atomiton_triggers
                 WHERE flow_id = $1 AND node_id = $2 AND NOT paused
                 ON CONFLICT (flow_id, node_id, scheduled_at) DO UPDATE
                 SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until
                 WHERE atomiton_trigger_fires.status = 'claimed' AND atomiton_trigger_fires.lease_until < $5",
                &[&id.flow, &id.node, &at, &owner, &now, &lease_until],
            )?;
            Ok(if changed > 0 { Claim::Won } else { Claim::Refused })
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
        let (id, owner, run_id) = (id.clone(), owner.to_owned(), run_id.to_owned());
        self.job(move |client| {
            let changed = client.execute(
                "UPDATE atomiton_trigger_fires SET status = 'started', run_id = $5, fired_at = $6
                 WHERE flow_id = $1 AND node_id = $2 AND scheduled_at = $3
                   AND status = 'claimed' AND owner = $4",
                &[&id.flow, &id.node, &scheduled_at, &owner, &run_id, &fired_at],
            )?;
            Ok(changed > 0)
        })
    }

    fn ended<'a>(
        &'a self,
        id: &'a TriggerId,
        scheduled_at: i64,
        status: FireStatus,
    ) -> BoxFuture<'a, Result<()>> {
        let id = id.clone();
        self.job(move |client| {
            client.execute(
                "UPDATE atomiton_trigger_fires SET status = $4
                 WHERE flow_id = $1 AND node_id = $2 AND scheduled_at = $3",
                &[&id.flow, &id.node, &scheduled_at, &status.as_str()],
            )?;
            Ok(())
        })
    }

    fn unconfirmed(&self, before: i64, limit: usize) -> BoxFuture<'_, Result<Vec<FireRecord>>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.job(move |client| {
            let rows = client.query(
                &format!(
                    "SELECT {FIRE_COLUMNS} FROM atomiton_trigger_fires AS f
                     WHERE status = 'started' AND fired_at <= $1
                       AND EXISTS (SELECT 1 FROM atomiton_triggers AS t
                                   WHERE t.flow_id = f.flow_id AND t.node_id = f.node_id)
                     ORDER BY fired_at LIMIT $2"
                ),
                &[&before, &limit],
            )?;
            rows.iter().map(fire_of).collect()
        })
    }

    fn confirm<'a>(&'a self, id: &'a TriggerId, scheduled_at: i64) -> BoxFuture<'a, Result<bool>> {
        let id = id.clone();
        self.job(move |client| {
            let changed = client.execute(
                "UPDATE atomiton_trigger_fires SET status = 'running'
                 WHERE flow_id = $1 AND node_id = $2 AND scheduled_at = $3 AND status = 'started'",
                &[&id.flow, &id.node, &scheduled_at],
            )?;
            Ok(changed > 0)
        })
    }

    fn skip<'a>(&'a self, id: &'a TriggerId, skipped: Skipped) -> BoxFuture<'a, Result<()>> {
        let (id, text) = (id.clone(), skipped.to_text());
        self.job(move |client| {
            client.execute(
                "INSERT INTO atomiton_trigger_fires (flow_id, node_id, scheduled_at, status, owner, lease_until, skipped)
                 VALUES ($1, $2, $3, 'skipped', '', 0, $4)
                 ON CONFLICT (flow_id, node_id, scheduled_at) DO NOTHING",
                &[&id.flow, &id.node, &skipped.first, &text],
            )?;
            Ok(())
        })
    }

    fn expired(&self, now: i64) -> BoxFuture<'_, Result<Vec<FireRecord>>> {
        self.job(move |client| {
            let rows = client.query(
                &format!(
                    "SELECT {FIRE_COLUMNS} FROM atomiton_trigger_fires AS f
                     WHERE status = 'claimed' AND lease_until < $1
                       AND EXISTS (SELECT 1 FROM atomiton_triggers AS t
                                   WHERE t.flow_id = f.flow_id AND t.node_id = f.node_id)
                     ORDER BY scheduled_at"
                ),
                &[&now],
            )?;
            rows.iter().map(fire_of).collect()
        })
    }

    fn remember<'a>(&'a self, delivery: Delivery<'a>) -> BoxFuture<'a, Result<Option<String>>> {
        let (id, key, run) =
            (delivery.trigger.clone(), delivery.key.to_owned(), delivery.run_id.to_owned());
        let (now, until) = (delivery.now, delivery.keep_until);
        self.job(move |client| {
            // The insert takes an expired row's place; an unexpired one stays, and its run is
            // the answer. Deleted expired rows in between just mean asking again.
            loop {
                let inserted = client.query_opt(
                    "INSERT INTO atomiton_trigger_deliveries (flow_id, node_id, key, run_id, keep_until)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (flow_id, node_id, key) DO UPDATE
                        SET run_id = excluded.run_id, keep_until = excluded.keep_until
                        WHERE atomiton_trigger_deliveries.keep_until <= $6
                     RETURNING run_id",
                    &[&id.flow, &id.node, &key, &run, &until, &now],
                )?;
                if inserted.is_some() {
                    client.execute(
                        "DELETE FROM atomiton_trigger_deliveries WHERE keep_until <= $1",
                        &[&now],
                    )?;
                    return Ok(None);
                }
                let known = client.query_opt(
                    "SELECT run_id FROM atomiton_trigger_deliveries
                     WHERE flow_id = $1 AND node_id = $2 AND key = $3 AND keep_until > $4",
                    &[&id.flow, &id.node, &key, &now],
                )?;
                if let Some(row) = known {
                    return Ok(Some(row.try_get(0)?));
                }
            }
        })
    }

    fn fires<'a>(
        &'a self,
        id: &'a TriggerId,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<FireRecord>>> {
        let id = id.clone();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.job(move |client| {
            let rows = client.query(
                &format!(
                    "SELECT {FIRE_COLUMNS} FROM atomiton_trigger_fires WHERE flow_id = $1 AND node_id = $2
                     ORDER BY scheduled_at DESC LIMIT $3"
                ),
                &[&id.flow, &id.node, &limit],
            )?;
            rows.iter().map(fire_of).collect()
        })
    }
}
