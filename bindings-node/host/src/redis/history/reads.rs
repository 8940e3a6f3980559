//! Reads, deletes, prune and recover: each a script call (or a few, for many runs) on the store's
//! thread, its answer turned back into records with the fields' shared readers.

use atomiton_core::history::{
    order_nodes, Checkpoints, ExecutionPage, ListQuery, NodeRecord, Prune, RunEnded, RunRecord,
    RunStatus, RunSummary, Wake,
};
use atomiton_core::storage::SortOrder;
use atomiton_core::value::Value;
use std::time::Duration;

use super::scripts;
use super::writes::number;
use crate::history::stored::{from_json, status, value};
use crate::redis::link::Link;

/// Fields as a script answers them (`None`: absent).
type Row = Vec<Option<String>>;

/// `get.lua`'s answer: the summary's row, the definition, input, variables and node records.
type Found = (Row, Option<String>, Option<String>, Option<String>, Vec<String>);

/// A summary from `{id, then the prelude's SUMMARY fields}`; `None` for a run that is gone.
fn summary(row: Row) -> Option<RunSummary> {
    let mut fields = row.into_iter();
    let mut next = || fields.next().flatten();
    let (id, flow_id) = (next()?, next()?);
    let time = |text: Option<String>| text.and_then(|t| t.parse::<f64>().ok());
    Some(RunSummary {
        id,
        flow_id,
        flow_hash: next().unwrap_or_default(),
        status: status(&next().unwrap_or_default()),
        start_time: time(next()).unwrap_or(0.0),
        end_time: time(next()),
        duration: time(next()),
        error: from_json(next()),
        retry_of: next(),
        owner: next(),
        durable: next().as_deref() == Some("1"),
    })
}

/// A filter as `list.lua` takes it: `''`, or `'='` and the value.
fn filter(value: Option<&str>) -> String {
    value.map(|v| format!("={v}")).unwrap_or_default()
}

pub(super) fn list(link: &mut Link, query: &ListQuery) -> Result<ExecutionPage, String> {
    let offset = i64::try_from(query.offset).unwrap_or(i64::MAX);
    let last = offset.saturating_add(i64::try_from(query.limit).unwrap_or(i64::MAX)) - 1;
    let mut call = link.script(&scripts::LIST);
    call.cmd
        .arg(filter(query.flow_id.as_deref()))
        .arg(filter(query.status.map(RunStatus::as_str)))
        .arg(offset)
        .arg(last);
    call.cmd.arg(if query.sort_order == SortOrder::Asc { "asc" } else { "desc" });
    // The sorted sets' scores are start times: `until` is excluded.
    call.cmd
        .arg(query.since.filter(|s| s.is_finite()).map_or_else(|| "-inf".to_owned(), number))
        .arg(
            query
                .until
                .filter(|u| u.is_finite())
                .map_or_else(|| "+inf".to_owned(), |u| format!("({}", number(u))),
        );
    let (total, rows): (usize, Vec<Row>) = link.run(&call)?;
    Ok(ExecutionPage { executions: rows.into_iter().filter_map(summary).collect(), total })
}

pub(super) fn get(link: &mut Link, id: &str) -> Result<Option<RunRecord>, String> {
    let mut call = link.script(&scripts::GET);
    call.cmd.arg(id);
    let found: Option<Found> = link.run(&call)?;
    let Some((row, flow, input, variables, nodes)) = found else { return Ok(None) };
    let Some(summary) = summary(row) else { return Ok(None) };
    let mut nodes: Vec<NodeRecord> =
        nodes.iter().filter_map(|text| serde_json::from_str(text).ok()).collect();
    order_nodes(&mut nodes);
    let field = |text: Option<String>| value(text).unwrap_or(Value::Null);
    Ok(Some(RunRecord {
        summary,
        flow: field(flow),
        input: field(input),
        variables: field(variables),
        nodes,
    }))
}

/// Runs one script call changes at most: bounds how long it holds the server.
const STEP: usize = 256;

/// Removes runs `ids`; how many went. `running_too: false` leaves runs still running.
pub(super) fn delete(link: &mut Link, ids: &[String], running_too: bool) -> Result<usize, String> {
    let mut deleted = 0;
    for ids in ids.chunks(STEP) {
        let mut call = link.script(&scripts::DELETE);
        call.cmd.arg(if running_too { "any" } else { "ended" }).arg(ids);
        deleted += link.run::<usize>(&call)?;
    }
    Ok(deleted)
}

pub(super) fn prune(link: &mut Link, prune: Prune) -> Result<usize, String> {
    let mut pruned = 0;
    loop {
        let mut call = link.script(&scripts::PRUNE);
        // `inf` and `-inf` are numbers to the server too.
        call.cmd.arg(prune.cutoff().map(|b| b.to_string()).unwrap_or_default());
        call.cmd.arg(prune.keep.map(|k| k.to_string()).unwrap_or_default()).arg(STEP);
        let (removed, more): (usize, bool) = link.run(&call)?;
        pruned += removed;
        if !more {
            return Ok(pruned);
        }
    }
}

/// Ends the running runs whose owner has not been heard from within `timeout` and that `alive`
/// does not know alive (see liveness.rs): durable ones `interrupted`, the others `crashed`.
pub(super) fn recover(
    link: &mut Link,
    alive: &(dyn Fn(&str) -> bool + Send + Sync),
    timeout: Duration,
    now: f64,
) -> Result<usize, String> {
    let mut rows: Vec<Vec<String>> = link.run(&link.script(&scripts::RUNNING))?;
    let server_now = rows
        .pop()
        .and_then(|row| row.first().and_then(|now| now.parse::<f64>().ok()))
        .ok_or("the running-runs script did not give the server's clock")?;
    let timeout_ms = timeout.as_secs_f64() * 1000.0;
    let dead: Vec<&String> = rows
        .iter()
        .filter_map(|row| match row.as_slice() {
            [id, owner, seen] => {
                let seen = seen.parse::<f64>().unwrap_or(f64::NEG_INFINITY);
                let silent = server_now - seen > timeout_ms;
                (silent && (owner.is_empty() || !alive(owner))).then_some(id)
            }
            _ => None,
        })
        .collect();
    let mut crashed = 0;
    for ids in dead.chunks(STEP) {
        let mut call = link.script(&scripts::CRASH);
        call.cmd.arg(number(now)).arg(ids);
        crashed += link.run::<usize>(&call)?;
    }
    Ok(crashed)
}

/// Says `owner` is alive (`<p>:alive`).
pub(super) fn beat(link: &mut Link, owner: &str) -> Result<(), String> {
    let mut call = link.script(&scripts::BEAT);
    call.cmd.arg(owner);
    link.run::<i64>(&call).map(drop)
}

/// Run `id`'s checkpoints (see `checkpoints_key` in `lua/prelude.lua`); `None` when it has none.
/// A value whose checksum does not match is left out (its node runs again); a damaged input or
/// variables refuses the resume.
pub(super) fn checkpoints(link: &mut Link, id: &str) -> Result<Option<Checkpoints>, String> {
    let mut call = link.script(&scripts::CHECKPOINTS);
    call.cmd.arg(id);
    let Some(fields): Option<Vec<(String, String)>> = link.run(&call)? else { return Ok(None) };
    let mut checkpoints = Checkpoints::default();
    for (name, entry) in fields {
        checkpoints.add_entry(id, &name, &entry).map_err(|e| e.message)?;
    }
    Ok(Some(checkpoints))
}

/// Takes interrupted run `id` over for `owner`; whether it was interrupted (see `lua/claim.lua`).
pub(super) fn claim(link: &mut Link, id: &str, owner: &str) -> Result<bool, String> {
    let mut call = link.script(&scripts::CLAIM);
    call.cmd.arg(id).arg(owner);
    Ok(link.run::<i64>(&call)? == 1)
}

/// Wakes waiting run `wake.execution_id` at its wait; whether it waited there (see
/// `lua/wake.lua`).
pub(super) fn wake(link: &mut Link, wake: &Wake) -> Result<bool, String> {
    let mut call = link.script(&scripts::WAKE);
    call.cmd.arg(&wake.execution_id).arg(&wake.node_id).arg(super::writes::number(wake.since));
    call.cmd.arg(wake.entry());
    Ok(link.run::<i64>(&call)? == 1)
}

/// Ends run `ended`'s, lost by its process, when it is still running as `owner`'s (see
/// `lua/lost.lua`); whether it did.
pub(super) fn end_lost(link: &mut Link, ended: &RunEnded, owner: &str) -> Result<bool, String> {
    let mut call = link.script(&scripts::LOST);
    call.cmd.arg(&*ended.execution_id).arg(owner).arg(ended.status.as_str());
    call.cmd
        .arg(number(ended.end_time))
        .arg(ended.error.as_ref().map(crate::history::stored::to_json).unwrap_or_default());
    Ok(link.run::<i64>(&call)? == 1)
}
