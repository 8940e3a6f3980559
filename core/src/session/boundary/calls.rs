//! The sub-commands of the session methods that take one by name (`executions`, `cache`),
//! declared once with what each answers: the session parses them, and the TypeScript unions
//! and the answer of each call are generated from them.

#[cfg(test)]
use crate::history::{Differences, ExecutionPage, RunCounts, RunRecord};
#[cfg(test)]
use crate::session::{CacheRemoved, CacheReport, Pruned, WokenRuns};

crate::named_calls! {
    /// An `executions.*` call: the run history's reads and housekeeping.
    ExecutionsCall {
        /// `{executions, total}` for options JSON (`limit`, `offset`, filters).
        List = "list" -> ExecutionPage,
        /// One run's record (the argument is its execution id); `NOT_FOUND` when there is none.
        Get = "get" -> RunRecord,
        /// How many runs there are in all and in each status (options JSON `{flowId?, since?,
        /// until?}`): `{total, running, success, failed, cancelled, crashed, interrupted,
        /// waiting}`.
        Counts = "counts" -> RunCounts,
        /// Removes one run's record (the argument is its execution id).
        Delete = "delete" -> (),
        /// Removes records by age or count (options JSON `{olderThan?, keep?}`): `{deleted}`.
        Prune = "prune" -> Pruned,
        /// Waits until every record written so far is stored.
        Flush = "flush" -> (),
        /// Stops a run going on (the argument is its execution id) to be resumed later: a
        /// durable run ends `interrupted`, its checkpoints kept; `false` when no such run is
        /// going on.
        Suspend = "suspend" -> bool,
        /// The nodes of a replay whose output differs from the run it replayed (JSON `{of, run}`,
        /// two execution ids): `{differences: [{nodeId, recorded, replayed}]}`.
        Differences = "differences" -> Differences,
        /// Delivers a signal to a run parked at a wait node (JSON `{executionId, name,
        /// payload?}`): the run is made ready to resume (`executions.resume` goes on with it).
        Signal = "signal" -> (),
        /// Approves or rejects a run parked at an approval (JSON `{executionId, nodeId,
        /// approved, by?, comment?}`): made ready to resume, as a signal does.
        Approve = "approve" -> (),
        /// Wakes the parked runs whose time came (a duration, a date, a `waitTimeout`), or (JSON
        /// `{executionId}`) that run only: `{woken: [ids], next}`, `next` the earliest time another
        /// one comes (or `null`).
        Due = "due" -> WokenRuns,
    }
}

crate::named_calls! {
    /// A `cache.*` call: the node result cache's housekeeping.
    CacheCall {
        /// Removes every entry: `{removed}`.
        Clear = "clear" -> CacheRemoved,
        /// Removes the entries of a flow or a node (JSON `{flowId?, nodeId?}`): `{removed}`.
        Invalidate = "invalidate" -> CacheRemoved,
        /// `{enabled, entries?, bytes?, hits?, misses?, evictions?}`.
        Stats = "stats" -> CacheReport,
    }
}
