//! Triggers in SQLite: the active triggers and their fires in two tables of a database file, on
//! the link the cache's table shares (`shared.rs`). Every rule of the store contract is one
//! statement, so processes sharing the file (WAL, a wait for the write lock) keep it between
//! them.

use std::path::Path;
use std::sync::Arc;

use atomiton_core::error::Result;
use atomiton_core::host::BoxFuture;
use atomiton_triggers::{
    Claim, Delivery, FireClaim, FireRecord, FireStatus, Skipped, TriggerId, TriggerRow,
    TriggerStore,
};
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::shared::SharedFile;

/// The trigger tables of the database at `path` (created, with the file, when absent).
pub fn sqlite_triggers(path: &Path) -> Result<Arc<dyn TriggerStore>> {
    Ok(Arc::new(SqliteTriggers { file: SharedFile::open(path, "Triggers", TABLES)? }))
}

/// The tables, made when absent.
const TABLES: &str = "
    CREATE TABLE IF NOT EXISTS triggers (
        flow_id TEXT NOT NULL,
        node_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        parameters TEXT NOT NULL,
        activated_at INTEGER NOT NULL,
        handled_through INTEGER NOT NULL,
        paused INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (flow_id, node_id)
    );
    CREATE TABLE IF NOT EXISTS trigger_fires (
        flow_id TEXT NOT NULL,
        node_id TEXT NOT NULL,
        scheduled_at INTEGER NOT NULL,
        status TEXT NOT NULL,
        owner TEXT NOT NULL,
        lease_until INTEGER NOT NULL,
        run_id TEXT,
        fired_at INTEGER,
        skipped TEXT,
        PRIMARY KEY (flow_id, node_id, scheduled_at)
    );
    CREATE INDEX IF NOT EXISTS trigger_fires_claimed ON trigger_fires (lease_until)
        WHERE status = 'claimed';
    CREATE INDEX IF NOT EXISTS trigger_fires_started ON trigger_fires (fired_at)
        WHERE status = 'started';
    CREATE TABLE IF NOT EXISTS trigger_deliveries (
        flow_id TEXT NOT NULL,
        node_id TEXT NOT NULL,
        key TEXT NOT NULL,
        run_id TEXT NOT NULL,
        keep_until INTEGER NOT NULL,
        PRIMARY KEY (flow_id, node_id, key)
    );
    CREATE INDEX IF NOT EXISTS trigger_deliveries_until ON trigger_deliveries (keep_until);";

struct SqliteTriggers {
    file: SharedFile,
}

impl SqliteTriggers {
    fn job<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> BoxFuture<'static, Result<T>> {
        self.file.job(job)
    }
}

const FIRE_COLUMNS: &str =
    "flow_id, node_id, scheduled_at, status, owner, lease_until, run_id, fired_at, skipped";

fn fire_of(row: &Row<'_>) -> rusqlite::Result<FireRecord> {
    let scheduled_at: i64 = row.get(2)?;
    let status: String = row.get(3)?;
    let skipped: Option<String> = row.get(8)?;
    Ok(FireRecord {
        trigger: TriggerId::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?),
        scheduled_at,
        // A status this version does not know reads as failed, not as one to claim again.
        status: FireStatus::parse(&status).unwrap_or(FireStatus::Failed),
        owner: row.get(4)?,
        lease_until: row.get(5)?,
        run_id: row.get(6)?,
        fired_at: row.get(7)?,
        skipped: skipped.and_then(|text| Skipped::from_text(scheduled_at, &text)),
    })
}

impl TriggerStore for SqliteTriggers {
    fn activate(&self, row: TriggerRow) -> BoxFuture<'_, Result<()>> {
        self.job(move |conn| {
            conn.prepare_cached(
                "INSERT INTO triggers (flow_id, node_id, kind, parameters, activated_at, handled_through, paused)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (flow_id, node_id) DO UPDATE SET kind = excluded.kind, parameters = excluded.parameters",
            )?
            .execute(params![
                row.id.flow,
                row.id.node,
                row.kind,
                row.parameters,
                row.activated_at,
                row.handled_through,
                row.paused
            ])
            .map(drop)
        })
    }

    fn deactivate<'a>(&'a self, flow: &'a str) -> BoxFuture<'a, Result<u64>> {
        let flow = flow.to_owned();
        self.job(move |conn| {
            conn.prepare_cached("DELETE FROM triggers WHERE flow_id = ?1")?
                .execute(params![flow])
                .map(|n| n as u64)
        })
    }

    fn list(&self) -> BoxFuture<'_, Result<Vec<TriggerRow>>> {
        self.job(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT flow_id, node_id, kind, parameters, activated_at, handled_through, paused
                 FROM triggers ORDER BY flow_id, node_id",
            )?;
            let rows = statement.query_map([], |row| {
                Ok(TriggerRow {
                    id: TriggerId::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?),
                    kind: row.get(2)?,
                    parameters: row.get(3)?,
                    activated_at: row.get(4)?,
                    handled_through: row.get(5)?,
                    paused: row.get(6)?,
                })
            })?;
            rows.collect()
        })
    }

    fn set_paused<'a>(&'a self, id: &'a TriggerId, paused: bool) -> BoxFuture<'a, Result<bool>> {
        let id = id.clone();
        self.job(move |conn| {
            conn.prepare_cached(
                "UPDATE triggers SET paused = ?3 WHERE flow_id = ?1 AND node_id = ?2",
            )?
            .execute(params![id.flow, id.node, paused])
            .map(|n| n > 0)
        })
    }

    fn advance<'a>(&'a self, id: &'a TriggerId, from: i64, to: i64) -> BoxFuture<'a, Result<bool>> {
        let id = id.clone();
        self.job(move |conn| {
            conn.prepare_cached(
                "UPDATE triggers SET handled_through = ?4
                 WHERE flow_id = ?1 AND node_id = ?2 AND handled_through = ?3",
            )?
            .execute(params![id.flow, id.node, from, to])
            .map(|n| n > 0)
        })
    }

    fn claim<'a>(&'a self, claim: FireClaim<'a>) -> BoxFuture<'a, Result<Claim>> {
        let (id, at, owner) = (claim.trigger.clone(), claim.scheduled_at, claim.owner.to_owned());
        let (now, lease_until) = (claim.now, claim.now.saturating_add(claim.lease_ms));
        self.job(move |conn| {
            // One statement: the row is inserted only while the trigger is active and not
            // paused, and an existing row is taken over only while it is an unstarted claim
            // whose lease has passed. A row written (or not) by this statement is the answer.
            conn.prepare_cached(
                "INSERT INTO trigger_fires (flow_id, node_id, scheduled_at, status, owner, lease_until)
                 SELECT ?1, ?2, ?3, 'claimed', ?4, ?6 FROM triggers
                 WHERE flow_id = ?1 AND node_id = ?2 AND paused = 0
                 ON CONFLICT (flow_id, node_id, scheduled_at) DO UPDATE
                 SET owner = excluded.owner, lease_until = excluded.lease_until
                 WHERE trigger_fires.status = 'claimed' AND trigger_fires.lease_until < ?5",
            )?
            .execute(params![id.flow, id.node, at, owner, now, lease_until])
            .map(|n| if n > 0 { Claim::Won } else { Claim::Refused })
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
        self.job(move |conn| {
            conn.prepare_cached(
                "UPDATE trigger_fires SET status = 'started', run_id = ?5, fired_at = ?6
                 WHERE flow_id = ?1 AND node_id = ?2 AND scheduled_at = ?3
                   AND status = 'claimed' AND owner = ?4",
            )?
            .execute(params![id.flow, id.node, scheduled_at, owner, run_id, fired_at])
            .map(|n| n > 0)
        })
    }

    fn ended<'a>(
        &'a self,
        id: &'a TriggerId,
        scheduled_at: i64,
        status: FireStatus,
    ) -> BoxFuture<'a, Result<()>> {
        let id = id.clone();
        self.job(move |conn| {
            conn.prepare_cached(
                "UPDATE trigger_fires SET status = ?4 WHERE flow_id = ?1 AND node_id = ?2 AND scheduled_at = ?3",
            )?
            .execute(params![id.flow, id.node, scheduled_at, status.as_str()])
            .map(drop)
        })
    }

    fn unconfirmed(&self, before: i64, limit: usize) -> BoxFuture<'_, Result<Vec<FireRecord>>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.job(move |conn| {
            let mut statement = conn.prepare_cached(&format!(
                "SELECT {FIRE_COLUMNS} FROM trigger_fires AS f
                 WHERE status = 'started' AND fired_at <= ?1
                   AND EXISTS (SELECT 1 FROM triggers AS t WHERE t.flow_id = f.flow_id AND t.node_id = f.node_id)
                 ORDER BY fired_at LIMIT ?2"
            ))?;
            let fires = statement.query_map(params![before, limit], fire_of)?;
            fires.collect()
        })
    }

    fn confirm<'a>(&'a self, id: &'a TriggerId, scheduled_at: i64) -> BoxFuture<'a, Result<bool>> {
        let id = id.clone();
        self.job(move |conn| {
            conn.prepare_cached(
                "UPDATE trigger_fires SET status = 'running'
                 WHERE flow_id = ?1 AND node_id = ?2 AND scheduled_at = ?3 AND status = 'started'",
            )?
            .execute(params![id.flow, id.node, scheduled_at])
            .map(|n| n > 0)
        })
    }

    fn skip<'a>(&'a self, id: &'a TriggerId, skipped: Skipped) -> BoxFuture<'a, Result<()>> {
        let id = id.clone();
        self.job(move |conn| {
            conn.prepare_cached(
                "INSERT INTO trigger_fires (flow_id, node_id, scheduled_at, status, owner, lease_until, skipped)
                 VALUES (?1, ?2, ?3, 'skipped', '', 0, ?4)
                 ON CONFLICT (flow_id, node_id, scheduled_at) DO NOTHING",
            )?
            .execute(params![id.flow, id.node, skipped.first, skipped.to_text()])
            .map(drop)
        })
    }

    fn expired(&self, now: i64) -> BoxFuture<'_, Result<Vec<FireRecord>>> {
        self.job(move |conn| {
            let mut statement = conn.prepare_cached(&format!(
                "SELECT {FIRE_COLUMNS} FROM trigger_fires AS f
                 WHERE status = 'claimed' AND lease_until < ?1
                   AND EXISTS (SELECT 1 FROM triggers AS t WHERE t.flow_id = f.flow_id AND t.node_id = f.node_id)
                 ORDER BY scheduled_at"
            ))?;
            let fires = statement.query_map(params![now], fire_of)?;
            fires.collect()
        })
    }

    fn remember<'a>(&'a self, delivery: Delivery<'a>) -> BoxFuture<'a, Result<Option<String>>> {
        let (id, key, run) =
            (delivery.trigger.clone(), delivery.key.to_owned(), delivery.run_id.to_owned());
        let (now, until) = (delivery.now, delivery.keep_until);
        self.job(move |conn| {
            // One write transaction: the insert, or the run of the unexpired row it met.
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            tx.prepare_cached("DELETE FROM trigger_deliveries WHERE keep_until <= ?1")?
                .execute(params![now])?;
            let known: Option<String> = tx
                .prepare_cached(
                    "SELECT run_id FROM trigger_deliveries WHERE flow_id = ?1 AND node_id = ?2 AND key = ?3",
                )?
                .query_row(params![id.flow, id.node, key], |row| row.get(0))
                .optional()?;
            if known.is_none() {
                tx.prepare_cached(
                    "INSERT INTO trigger_deliveries (flow_id, node_id, key, run_id, keep_until)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![id.flow, id.node, key, run, until])?;
            }
            tx.commit()?;
            Ok(known)
        })
    }

    fn fires<'a>(
        &'a self,
        id: &'a TriggerId,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<FireRecord>>> {
        let id = id.clone();
        self.job(move |conn| {
            let mut statement = conn.prepare_cached(&format!(
                "SELECT {FIRE_COLUMNS} FROM trigger_fires WHERE flow_id = ?1 AND node_id = ?2
                 ORDER BY scheduled_at DESC LIMIT ?3"
            ))?;
            let fires = statement.query_map(
                params![id.flow, id.node, limit.min(i64::MAX as usize) as i64],
                fire_of,
            )?;
            fires.collect()
        })
    }
}
