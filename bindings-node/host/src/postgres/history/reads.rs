//! Reads and housekeeping: each a query or a few on the store's thread, answered after every
//! write queued before it.

use atomiton_core::history::{
    checkpoint_text, checksum, Checkpoints, ExecutionPage, ListQuery, NodeRecord, Prune, RunCounts,
    RunEnded, RunRecord, RunStatus, RunSummary, Wake,
};
use atomiton_core::progress::NodeState;
use atomiton_core::storage::SortOrder;
use atomiton_core::value::Value;
use std::time::Duration;

use crate::postgres::link::Described;
use postgres::{Client, Row};

use crate::history::stored::{from_json, prunable_sql, status, to_json, value};

const SUMMARY_COLUMNS: &str =
    "id, flow_id, flow_hash, status, start_time, end_time, duration, error, retry_of, owner, durable";

fn summary(row: &Row) -> Result<RunSummary, postgres::Error> {
    Ok(RunSummary {
        id: row.try_get(0)?,
        flow_id: row.try_get(1)?,
        flow_hash: row.try_get(2)?,
        status: status(row.try_get(3)?),
        start_time: row.try_get(4)?,
        end_time: row.try_get(5)?,
        duration: row.try_get(6)?,
        error: from_json(row.try_get(7)?),
        retry_of: row.try_get(8)?,
        owner: row.try_get(9)?,
        durable: row.try_get(10)?,
    })
}

fn node(row: &Row) -> Result<NodeRecord, postgres::Error> {
    Ok(NodeRecord {
        node_id: row.try_get(0)?,
        node_type: row.try_get(1)?,
        state: from_json(row.try_get(2)?).unwrap_or(NodeState::Error),
        attempts: u32::try_from(row.try_get::<_, i32>(3)?).unwrap_or(0),
        reused: row.try_get(4)?,
        reusable: row.try_get(5)?,
        input: value(row.try_get(6)?),
        output: value(row.try_get(7)?),
        error: from_json(row.try_get(8)?),
        start_time: row.try_get(9)?,
        end_time: row.try_get(10)?,
        cache_key: row.try_get(11)?,
        cache_age: row.try_get(12)?,
    })
}

pub(super) fn list(
    client: &mut Client,
    query: &ListQuery,
) -> Result<ExecutionPage, postgres::Error> {
    let filter = "WHERE ($1::TEXT IS NULL OR flow_id = $1) AND ($2::TEXT IS NULL OR status = $2)";
    let range =
        "AND ($3::FLOAT8 IS NULL OR start_time >= $3) AND ($4::FLOAT8 IS NULL OR start_time < $4)";
    let status = query.status.map(RunStatus::as_str);
    let (since, until) = (query.since, query.until);
    // The total from the counts the triggers keep (see `schema.rs`), not by counting the rows;
    // within a time range, counted (an index range: start time, after flow or status).
    let total: i64 = if since.is_none() && until.is_none() {
        client
            .query_one(
                &format!("SELECT COALESCE(SUM(runs), 0)::BIGINT FROM atomiton_run_counts {filter}"),
                &[&query.flow_id, &status],
            )?
            .try_get(0)?
    } else {
        client
            .query_one(
                &format!("SELECT COUNT(*) FROM atomiton_runs {filter} {range}"),
                &[&query.flow_id, &status, &since, &until],
            )?
            .try_get(0)?
    };
    let order = if query.sort_order == SortOrder::Asc { "ASC" } else { "DESC" };
    let limit = i64::try_from(query.limit).unwrap_or(i64::MAX);
    let offset = i64::try_from(query.offset).unwrap_or(i64::MAX);
    let rows = client.query(
        &format!("SELECT {SUMMARY_COLUMNS} FROM atomiton_runs {filter} {range} ORDER BY start_time {order}, seq {order} LIMIT $5 OFFSET $6"),
        &[&query.flow_id, &status, &since, &until, &limit, &offset],
    )?;
    let executions = rows.iter().map(summary).collect::<Result<Vec<_>, _>>()?;
    Ok(ExecutionPage { executions, total: usize::try_from(total).unwrap_or(0) })
}

/// Runs of a flow (or of every flow) in each status: from the counts kept per flow and status;
/// within a time range, counted (the start-time index's range).
pub(super) fn counts(client: &mut Client, query: &ListQuery) -> Result<RunCounts, postgres::Error> {
    let flow = "($1::TEXT IS NULL OR flow_id = $1)";
    let rows = if query.since.is_none() && query.until.is_none() {
        client.query(
            &format!("SELECT status, COALESCE(SUM(runs), 0)::BIGINT FROM atomiton_run_counts WHERE {flow} GROUP BY status"),
            &[&query.flow_id],
        )?
    } else {
        client.query(
            &format!("SELECT status, COUNT(*) FROM atomiton_runs WHERE {flow} AND ($2::FLOAT8 IS NULL OR start_time >= $2) AND ($3::FLOAT8 IS NULL OR start_time < $3) GROUP BY status"),
            &[&query.flow_id, &query.since, &query.until],
        )?
    };
    let mut counts = RunCounts::default();
    for row in rows {
        let runs: i64 = row.try_get(1)?;
        counts.add(status(row.try_get(0)?), usize::try_from(runs).unwrap_or(0));
    }
    Ok(counts)
}

pub(super) fn get(client: &mut Client, id: &str) -> Result<Option<RunRecord>, postgres::Error> {
    let found = client.query_opt(
        &format!("SELECT {SUMMARY_COLUMNS}, seq, CASE atomiton_runs.flow WHEN '' THEN (SELECT flow FROM atomiton_flows WHERE hash = atomiton_runs.flow_hash) ELSE atomiton_runs.flow END, input, variables FROM atomiton_runs WHERE id = $1"),
        &[&id],
    )?;
    let Some(row) = found else { return Ok(None) };
    let seq: i64 = row.try_get(11)?;
    let field = |text: Option<String>| value(text).unwrap_or(Value::Null);
    let (flow, input, variables) = (row.try_get(12)?, row.try_get(13)?, row.try_get(14)?);
    let nodes = client
        .query("SELECT node_id, node_type, state, attempts, reused, reusable, input, output, error, start_time, end_time, cache_key, cache_age FROM atomiton_nodes WHERE run_seq = $1 ORDER BY end_time IS NULL, end_time, set_seq, at", &[&seq])?
        .iter()
        .map(node)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(RunRecord {
        summary: summary(&row)?,
        flow: field(flow),
        input: field(Some(input)),
        variables: field(Some(variables)),
        nodes,
    }))
}

/// Drops definitions no kept run ran.
fn forget_unused_flows(client: &mut impl postgres::GenericClient) -> Result<(), postgres::Error> {
    client.execute(
        "DELETE FROM atomiton_flows f WHERE NOT EXISTS (SELECT 1 FROM atomiton_runs r WHERE r.flow_hash = f.hash)",
        &[],
    )?;
    Ok(())
}

pub(super) fn delete(client: &mut Client, id: &str) -> Result<bool, postgres::Error> {
    let mut tx = client.transaction()?;
    let deleted = tx.execute("DELETE FROM atomiton_runs WHERE id = $1", &[&id])? > 0;
    forget_unused_flows(&mut tx)?;
    tx.commit()?;
    Ok(deleted)
}

/// Removes what `prune` says, on the server in one statement: the prunable runs (not
/// `running`, `interrupted` or `waiting`, as `atomiton_core::history::pruned_ids` says) ranked
/// newest first (of two begun together, the later written first), all past `keep` and those
/// begun before `before`. A retention pass every 64 runs used to read every run's summary.
pub(super) fn prune(client: &mut Client, prune: Prune) -> Result<usize, postgres::Error> {
    let keep = prune.keep.map(|keep| i64::try_from(keep).unwrap_or(i64::MAX));
    let statement = format!(
        "WITH ranked AS (
            SELECT seq, start_time, row_number() OVER (ORDER BY start_time DESC, seq DESC) AS rank
            FROM atomiton_runs WHERE {})
        DELETE FROM atomiton_runs WHERE seq IN
            (SELECT seq FROM ranked WHERE rank > $1::bigint OR start_time < $2::float8)",
        prunable_sql()
    );
    let mut tx = client.transaction()?;
    let deleted = tx.execute(&statement, &[&keep, &prune.cutoff()])?;
    if deleted > 0 {
        forget_unused_flows(&mut tx)?;
    }
    tx.commit()?;
    Ok(usize::try_from(deleted).unwrap_or(usize::MAX))
}

/// Ends the running runs whose owner has not been heard from within `timeout` and that `alive`
/// does not know alive (see liveness.rs): durable ones `interrupted`, the others `crashed`.
pub(super) fn recover(
    client: &mut Client,
    alive: &(dyn Fn(&str) -> bool + Send + Sync),
    timeout: Duration,
    now: f64,
) -> Result<usize, postgres::Error> {
    let silent = client.query(
        "SELECT id, owner FROM atomiton_runs r WHERE status = 'running'
            AND NOT EXISTS (SELECT 1 FROM atomiton_writers w
                WHERE w.owner = r.owner AND w.seen > now() - make_interval(secs => $1))",
        &[&timeout.as_secs_f64()],
    )?;
    let mut lost = Vec::new();
    for row in silent {
        let owner: Option<String> = row.try_get(1)?;
        if !owner.as_deref().is_some_and(alive) {
            lost.push(row.try_get::<_, String>(0)?);
        }
    }
    let crashed = if lost.is_empty() {
        0
    } else {
        client.execute(
            "UPDATE atomiton_runs SET status = CASE WHEN durable THEN 'interrupted' ELSE 'crashed' END,
                    end_time = COALESCE(end_time, $2)
                WHERE id = ANY($1) AND status = 'running'",
            &[&lost, &now],
        )?
    };
    // Writers not heard from for a day are forgotten (their batches can no longer come again).
    client.execute(
        "DELETE FROM atomiton_writers WHERE seen < now() - make_interval(days => 1)",
        &[],
    )?;
    Ok(usize::try_from(crashed).unwrap_or(usize::MAX))
}

/// Says `owner`'s store `writer` is alive.
pub(super) fn beat(client: &mut Client, owner: &str, writer: &str) -> Result<(), postgres::Error> {
    client.execute(
        "INSERT INTO atomiton_writers (writer, owner, batch, seen) VALUES ($1, $2, 0, now())
            ON CONFLICT (writer) DO UPDATE SET seen = now()",
        &[&writer, &owner],
    )?;
    Ok(())
}

/// Run `id`'s checkpoints; `None` when it has none. A value whose checksum does not match is
/// left out (its node runs again); a damaged input or variables refuses the resume.
pub(super) fn checkpoints(client: &mut Client, id: &str) -> Result<Option<Checkpoints>, String> {
    let rows = client
        .query("SELECT kind, node_id, node_type, idempotent, value, checksum FROM atomiton_checkpoints WHERE run_seq = (SELECT seq FROM atomiton_runs WHERE id = $1)", &[&id])
        .map_err(|e| e.described())?;
    let rows = rows
        .iter()
        .map(|row| {
            Ok((
                row.try_get(0)?,
                row.try_get(1)?,
                row.try_get(2)?,
                row.try_get(3)?,
                row.try_get(4)?,
                row.try_get(5)?,
            ))
        })
        .collect::<Result<Vec<_>, postgres::Error>>()
        .map_err(|e| e.described())?;
    crate::history::checkpoints::assemble(id, rows)
}

/// Takes interrupted run `id` over for `owner`: from then on only `owner` writes to it.
pub(super) fn claim(
    client: &mut Client,
    id: &str,
    owner: Option<&str>,
) -> Result<bool, postgres::Error> {
    let claimed = client.execute(
        "UPDATE atomiton_runs SET status = 'running', owner = $2, claimed = TRUE, end_time = NULL, duration = NULL, error = NULL WHERE id = $1 AND status = 'interrupted'",
        &[&id, &owner],
    )?;
    Ok(claimed == 1)
}

/// Wakes waiting run `wake.execution_id` at its wait: in one statement, when it still waits
/// there, its delivery is kept as the node's `wake` checkpoint and the run is interrupted;
/// whether it did (see `history::wait`).
pub(super) fn wake(client: &mut Client, wake: &Wake) -> Result<bool, postgres::Error> {
    let text = checkpoint_text(Some(&wake.delivery));
    let woken = client.query(
        "WITH woken AS (
            UPDATE atomiton_runs SET status = 'interrupted', error = NULL
            WHERE id = $1 AND status = 'waiting'
              AND (error::jsonb #>> '{context,nodeId}') = $2
              AND (error::jsonb #> '{context,since}')::float8 = $3
            RETURNING seq)
        INSERT INTO atomiton_checkpoints (run_seq, kind, node_id, node_type, idempotent, value, checksum)
            SELECT seq, 'wake', $2, 'wait', FALSE, $4, $5 FROM woken
        ON CONFLICT (run_seq, kind, node_id) DO UPDATE SET value = EXCLUDED.value, checksum = EXCLUDED.checksum
        RETURNING 1",
        &[&wake.execution_id, &wake.node_id, &wake.since, &text, &checksum(&text)],
    )?;
    Ok(!woken.is_empty())
}

/// Ends run `ended`'s, lost by its process, when it is still running as `owner`'s.
pub(super) fn end_lost(
    client: &mut Client,
    ended: &RunEnded,
    owner: Option<&str>,
) -> Result<bool, postgres::Error> {
    let mut tx = client.transaction()?;
    let updated = tx.execute(
        "UPDATE atomiton_runs SET status = $2, end_time = $3, duration = $3 - start_time, error = $4 WHERE id = $1 AND status = 'running' AND ($5::TEXT IS NULL OR owner = $5)",
        &[&&*ended.execution_id, &ended.status.as_str(), &ended.end_time, &ended.error.as_ref().map(to_json), &owner],
    )?;
    if updated > 0 && ended.status != RunStatus::Interrupted {
        tx.execute(
            "DELETE FROM atomiton_checkpoints WHERE run_seq = (SELECT seq FROM atomiton_runs WHERE id = $1)",
            &[&&*ended.execution_id],
        )?;
    }
    tx.commit()?;
    Ok(updated == 1)
}
