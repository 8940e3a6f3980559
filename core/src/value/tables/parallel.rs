//! What the codec needs of an embedder's workers to read tables of records several at once.
//! The codec knows no host: whoever decodes hands it something that runs jobs in parallel
//! ([`crate::host`] gives every host this).

use std::sync::Arc;

use super::super::Value;

/// One table's job: given the job's index, the records it read (or why it could not).
pub type TableJob = Arc<dyn Fn(usize) -> Result<Vec<Value>, String> + Send + Sync>;

/// Runs jobs at once on workers.
pub trait Parallel {
    /// How many jobs run at once; 1 where jobs run on the caller's thread only.
    fn parallelism(&self) -> usize;

    /// Runs `job(0)` … `job(jobs - 1)` and returns what they gave in order, up to and including
    /// the first error (later jobs are not run, or their results dropped).
    fn run_jobs(&self, jobs: usize, job: TableJob) -> Result<Vec<Vec<Value>>, String>;
}
