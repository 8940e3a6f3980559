//! Reads, prune and recover: each a script (or a pipeline of them) on the store's thread, its
//! answer turned back into records with the fields' shared readers.

use atomiton_core::history::{order_nodes, pruned_ids, ExecutionPage, ListQuery, NodeRecord, OwnerAlive, Prune, RunRecord, RunStatus, RunSummary};
use atomiton_core::storage::SortOrder;
use atomiton_core::value::Value;
use redis::Pipeline;

use super::super::stored::{from_json, status, value};
use super::link::Link;
use super::scripts;
use super::writes::number;

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
    })
}

/// A filter as `list.lua` takes it: `''`, or `'='` and the value.
fn filter(value: Option<&str>) -> String {
    value.map(|v| format!("={v}")).unwrap_or_default()
}

pub(super) fn list(link: &mut Link, query: &ListQuery) -> Result<ExecutionPage, String> {
    let offset = i64::try_from(query.offset).unwrap_or(i64::MAX);
    let last = offset.saturating_add(i64::try_from(query.limit).unwrap_or(i64::MAX)) - 1;
    let mut cmd = link.eval(scripts::LIST);
    cmd.arg(filter(query.flow_id.as_deref())).arg(filter(query.status.map(RunStatus::as_str))).arg(offset).arg(last);
    cmd.arg(if query.sort_order == SortOrder::Asc { "asc" } else { "desc" });
    let (total, rows): (usize, Vec<Row>) = link.query(|conn| cmd.query(conn))?;
    Ok(ExecutionPage { executions: rows.into_iter().filter_map(summary).collect(), total })
}

pub(super) fn get(link: &mut Link, id: &str) -> Result<Option<RunRecord>, String> {
    let mut cmd = link.eval(scripts::GET);
    cmd.arg(id);
    let found: Option<Found> = link.query(|conn| cmd.query(conn))?;
    let Some((row, flow, input, variables, nodes)) = found else { return Ok(None) };
    let Some(summary) = summary(row) else { return Ok(None) };
    let mut nodes: Vec<NodeRecord> = nodes.iter().filter_map(|text| serde_json::from_str(text).ok()).collect();
    order_nodes(&mut nodes);
    let field = |text: Option<String>| value(text).unwrap_or(Value::Null);
    Ok(Some(RunRecord { summary, flow: field(flow), input: field(input), variables: field(variables), nodes }))
}

/// Removes runs `ids`; how many went. `running_too: false` leaves runs still running.
pub(super) fn delete(link: &mut Link, ids: &[String], running_too: bool) -> Result<usize, String> {
    if ids.is_empty() {
        return Ok(0);
    }
    let mut pipe = Pipeline::new();
    for id in ids {
        let mut cmd = link.eval(scripts::DELETE);
        cmd.arg(id).arg(if running_too { "any" } else { "ended" });
        pipe.add_command(cmd);
    }
    let deleted: Vec<usize> = link.query(|conn| pipe.query(conn))?;
    Ok(deleted.into_iter().sum())
}

pub(super) fn prune(link: &mut Link, prune: Prune) -> Result<usize, String> {
    let cmd = link.eval(scripts::LISTED);
    let listed: Vec<(String, Option<String>, Option<String>)> = link.query(|conn| cmd.query(conn))?;
    let runs = listed.into_iter().map(|(id, start, state)| (start.and_then(|s| s.parse().ok()).unwrap_or(0.0), status(&state.unwrap_or_default()), id)).collect();
    // Listing and deleting are two steps, other processes writing between them: a run begun
    // meanwhile waits for the next prune, and one running when listed is never removed.
    delete(link, &pruned_ids(runs, prune), false)
}

pub(super) fn recover(link: &mut Link, alive: &OwnerAlive, now: f64) -> Result<usize, String> {
    let cmd = link.eval(scripts::RUNNING);
    let running: Vec<(String, Option<String>)> = link.query(|conn| cmd.query(conn))?;
    let mut pipe = Pipeline::new();
    for (id, _) in running.iter().filter(|(_, owner)| !owner.as_deref().is_some_and(alive)) {
        let mut cmd = link.eval(scripts::CRASH);
        cmd.arg(id).arg(number(now));
        pipe.add_command(cmd);
    }
    if pipe.is_empty() {
        return Ok(0);
    }
    let crashed: Vec<usize> = link.query(|conn| pipe.query(conn))?;
    Ok(crashed.into_iter().sum())
}
