//! Ending a run whose process died, from another process: queue mode notices a worker died
//! mid-run (its lock lapsed) and records the run as crashed in the shared history, or, when the
//! run is durable, as interrupted for the worker that takes its job over to resume.

use std::sync::Arc;

use atomiton_core::error::{ErrorCode, ExecutionError, Result};
use atomiton_core::history::{validate_execution_id, HistoryStore, ListQuery, RunEnded, RunStatus};

/// Ends run `execution_id` as `crashed` at `now` (ms since the epoch), with an `INTERNAL_ERROR`
/// saying `message`, when `store` has it and it is still `running`; whether it did. Resolves
/// once the change is stored (another process reading the store sees it).
pub async fn mark_crashed(
    store: &dyn HistoryStore,
    execution_id: &str,
    message: &str,
    now: f64,
) -> Result<bool> {
    let before = lost(store, execution_id, message, now, false).await?;
    Ok(before == Some(RunStatus::Running))
}

/// Ends run `execution_id`, whose process was lost, when it is still `running`: `interrupted` (to
/// be resumed from its checkpoints) when it is durable and `store` keeps checkpoints, else
/// `crashed`, with an `INTERNAL_ERROR` saying `message`. The run's status afterwards (`None`: no
/// such run); a run that was not running is left as it was. Resolves once the change is stored.
pub async fn mark_lost(
    store: &dyn HistoryStore,
    execution_id: &str,
    message: &str,
    now: f64,
) -> Result<Option<RunStatus>> {
    lost(store, execution_id, message, now, true).await?;
    if validate_execution_id(execution_id).is_err() {
        return Ok(None);
    }
    Ok(store.get(execution_id.to_owned()).await?.map(|record| record.summary.status))
}

/// The run's status before; ends it as lost when that was `running`.
async fn lost(
    store: &dyn HistoryStore,
    execution_id: &str,
    message: &str,
    now: f64,
    resumable: bool,
) -> Result<Option<RunStatus>> {
    // An id no run can have is no run of the store's.
    if validate_execution_id(execution_id).is_err() {
        return Ok(None);
    }
    let Some(record) = store.get(execution_id.to_owned()).await? else { return Ok(None) };
    let status = record.summary.status;
    if status != RunStatus::Running {
        return Ok(Some(status));
    }
    let durable = resumable && record.summary.durable && store.keeps_checkpoints();
    let ended = RunEnded {
        execution_id: Arc::from(execution_id),
        status: if durable { RunStatus::Interrupted } else { RunStatus::Crashed },
        end_time: now,
        error: Some(ExecutionError::new(ErrorCode::INTERNAL_ERROR, message)),
    };
    // Still the dead owner's: a run another process took over in between is left alone.
    if !store.end_lost(ended, record.summary.owner).await? {
        return Ok(None);
    }
    // A read is answered after every write made before it: once it is, the end is stored.
    store.list(ListQuery { limit: 0, ..ListQuery::default() }).await?;
    Ok(Some(status))
}
