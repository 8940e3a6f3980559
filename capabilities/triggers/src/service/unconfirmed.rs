//! Fires recorded `started` whose run may never have begun: a fire's record says `started`
//! before its run starts (so a stalled process that lost its claim never starts a second run),
//! and a process that dies between the two leaves a fire whose run is nowhere. Once a minute,
//! a process looks for the runs of fires that started more than ten minutes ago and that nobody
//! has seen in the run history yet:
//! - the run is in the history: its fire moves on (`running`, or how the run ended);
//! - it is not: of the processes that find it missing, the one whose `confirm` lands runs it
//!   again — the same execution id, the same input — and the others leave it.
//!
//! Ten minutes, not a lease: a run begins within milliseconds of its fire's record on a
//! conductor that runs it, but a queue's run only when a worker takes its job, which a backlog
//! delays. A run taken for missing while it was only that slow is started again under its own
//! execution id: the conductor that queued it (the timer knows its runs in flight) starts
//! nothing, and another finds the id's job already queued and queues no second one.

use std::sync::atomic::Ordering;

use atomiton_core::error::Result;
use atomiton_core::host::{BoxFuture, MaybeSend, MaybeSync};
use atomiton_core::session::DueFires;

use super::{fire_to_start, Inner};
use crate::node::SCHEDULE_TYPE;
use crate::store::{FireStatus, TriggerRow};

/// How often a process looks.
const LOOK_EVERY_MS: i64 = 60_000;

/// How many fires one look handles (the oldest; the rest wait for the next look).
const LOOK_AT_MOST: usize = 100;

/// How long after its start a fire's run is looked for (see the module's docs).
pub const LOOK_AFTER_MS: i64 = 10 * 60_000;

/// What the run history says of a fire's run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunSeen {
    /// No record of it: the run never began.
    Missing,
    /// Recorded and not ended (running, waiting, interrupted).
    Going,
    /// Recorded and ended: succeeded, or not (failed, cancelled, crashed).
    Ended { succeeded: bool },
}

impl RunSeen {
    /// A recorded run's status as the history writes it (`"running"`, `"success"`, ...).
    pub fn of_status(status: &str) -> RunSeen {
        match status {
            "success" => RunSeen::Ended { succeeded: true },
            "failed" | "cancelled" | "crashed" => RunSeen::Ended { succeeded: false },
            _ => RunSeen::Going,
        }
    }
}

/// Where the runs of fires are looked for: the run history the conductor records in.
pub trait RunProbe: MaybeSend + MaybeSync {
    /// What the history says of run `execution_id`.
    fn seen(&self, execution_id: String) -> BoxFuture<'static, Result<RunSeen>>;
}

/// The run history a conductor records in, as a [`RunProbe`].
pub struct HistoryRuns(pub atomiton_core::history::SharedHistory);

impl RunProbe for HistoryRuns {
    fn seen(&self, execution_id: String) -> BoxFuture<'static, Result<RunSeen>> {
        let record = self.0.get(execution_id);
        Box::pin(async move {
            Ok(match record.await? {
                None => RunSeen::Missing,
                Some(record) => RunSeen::of_status(record.summary.status.as_str()),
            })
        })
    }
}

impl Inner {
    /// Looks for the runs of started fires (at most once a minute), adding the ones to run again
    /// to `answer`.
    pub(super) async fn look_for_runs(
        &self,
        rows: &[TriggerRow],
        now: i64,
        answer: &mut DueFires,
    ) -> Result<()> {
        let Some(runs) = self.runs.get() else { return Ok(()) };
        if now.saturating_sub(self.last_look.load(Ordering::Relaxed)) < LOOK_EVERY_MS {
            return Ok(());
        }
        self.last_look.store(now, Ordering::Relaxed);
        let before = now.saturating_sub(LOOK_AFTER_MS);
        for fire in self.store.unconfirmed(before, LOOK_AT_MOST).await? {
            let Some(run_id) = fire.run_id.clone() else { continue };
            let Some(row) = rows.iter().find(|row| row.id == fire.trigger) else { continue };
            let (id, at) = (&fire.trigger, fire.scheduled_at);
            match runs.seen(run_id.clone()).await? {
                RunSeen::Going => {
                    self.store.confirm(id, at).await?;
                }
                RunSeen::Ended { succeeded } => {
                    let status = if succeeded { FireStatus::Succeeded } else { FireStatus::Failed };
                    self.store.ended(id, at, status).await?;
                }
                // An event's fire (a request, a file) has nothing kept to run it with again: it
                // is recorded as failed.
                RunSeen::Missing if row.kind != SCHEDULE_TYPE => {
                    self.store.ended(id, at, FireStatus::Failed).await?;
                }
                RunSeen::Missing => {
                    if self.store.confirm(id, at).await? {
                        // As it was first started: the same run, the same input.
                        let fired_at = fire.fired_at.unwrap_or(now);
                        answer.start.push(fire_to_start(row, at, fired_at, run_id));
                    }
                }
            }
        }
        Ok(())
    }
}
