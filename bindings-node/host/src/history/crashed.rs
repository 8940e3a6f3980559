//! Ending a run whose process died, from another process: queue mode's producer notices a worker
//! died mid-run (its lock lapsed) and records the run as crashed in the shared history.

use std::sync::Arc;

use atomiton_core::error::{ErrorCode, ExecutionError, Result};
use atomiton_core::history::{
    validate_execution_id, HistoryStore, HistoryWrite, ListQuery, RunEnded, RunStatus,
};

/// Ends run `execution_id` as `crashed` at `now` (ms since the epoch), with an `INTERNAL_ERROR`
/// saying `message`, when `store` has it and it is still `running`; whether it did. Resolves
/// once the change is stored (another process reading the store sees it).
///
/// Reading the run and ending it are two steps: a run that ends in between (its process was not
/// dead after all) is recorded as crashed all the same.
pub async fn mark_crashed(
    store: &dyn HistoryStore,
    execution_id: &str,
    message: &str,
    now: f64,
) -> Result<bool> {
    // An id no run can have is no run of the store's.
    if validate_execution_id(execution_id).is_err() {
        return Ok(false);
    }
    let Some(record) = store.get(execution_id.to_owned()).await? else { return Ok(false) };
    if record.summary.status != RunStatus::Running {
        return Ok(false);
    }
    let error = ExecutionError::new(ErrorCode::INTERNAL_ERROR, message);
    store.write(HistoryWrite::Ended(Box::new(RunEnded {
        execution_id: Arc::from(execution_id),
        status: RunStatus::Crashed,
        end_time: now,
        error: Some(error),
    })));
    // A read is answered after every write made before it: once it is, the end is stored.
    store.list(ListQuery { limit: 0, ..ListQuery::default() }).await?;
    Ok(true)
}
