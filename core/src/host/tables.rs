//! The host's side of tables of records (`bulk-data`): the codec reads them on the host's
//! workers, several at once (see `value/tables`).

use std::sync::Arc;

use super::{in_parts, Part, SharedHost};
use crate::error::ExecutionError;
use crate::value::{Parallel, TableJob, Value};

/// The codec reads tables of records on the host's workers.
impl Parallel for SharedHost {
    fn parallelism(&self) -> usize {
        super::Host::parallelism(&**self)
    }

    fn run_jobs(&self, jobs: usize, job: TableJob) -> Result<Vec<Vec<Value>>, String> {
        let part: Part<Vec<Value>> = Arc::new(move |i| job(i).map_err(ExecutionError::validation));
        in_parts(self, jobs, part).map_err(|e| e.message)
    }
}
