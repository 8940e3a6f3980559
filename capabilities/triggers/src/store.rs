//! What a trigger store keeps, and the contract every backend meets.
//!
//! Two tables' worth: the active triggers (one row per trigger node of an activated flow, with
//! the cursor `handled_through`), and the fires (one row per (trigger, fire time), the key no
//! two processes can both insert). Exactly once rests on three rules every backend keeps
//! atomically:
//! - [`advance`](TriggerStore::advance) moves a trigger's cursor only from where the caller
//!   saw it: of two processes planning the same backlog, one moves it and owns the plan;
//! - [`claim`](TriggerStore::claim) inserts a fire's row, or takes over one whose claimant let
//!   its lease pass before the run began (the process died): every other claim is refused;
//! - [`started`](TriggerStore::started) records the run only for the fire's current claimant,
//!   so a process that lost its claim while stalled does not start a second run;
//! - [`confirm`](TriggerStore::confirm) moves a started fire on once: of the processes that
//!   found its run missing from the history, one runs it again.
//!
//! Webhook deliveries have no fire time; a third table remembers their keys for a while
//! ([`remember`](TriggerStore::remember)), which is what refuses a replayed signature and makes a
//! retried `Idempotency-Key` start one run.

use atomiton_core::host::{BoxFuture, MaybeSend, MaybeSync};
use atomiton_core::Result;

use crate::misfire::Skipped;

/// A trigger: node `node` of flow `flow`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TriggerId {
    pub flow: String,
    pub node: String,
}

impl TriggerId {
    pub fn new(flow: impl Into<String>, node: impl Into<String>) -> TriggerId {
        TriggerId { flow: flow.into(), node: node.into() }
    }
}

impl std::fmt::Display for TriggerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.flow, self.node)
    }
}

/// An active trigger, as the store keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct TriggerRow {
    pub id: TriggerId,
    /// The node's type: `"schedule"`, `"webhook"`, `"file-watch"`.
    pub kind: String,
    /// The node's parameters as JSON text, as they were when the flow was activated.
    pub parameters: String,
    pub activated_at: i64,
    /// Every fire at or before this instant is handled: claimed, run or recorded as skipped.
    pub handled_through: i64,
    pub paused: bool,
}

/// Where a fire is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FireStatus {
    /// A process holds it and is about to start its run.
    Claimed,
    /// Its run was started: recorded before the run begins, so a process that dies in between
    /// leaves a fire whose run may never have begun (see [`TriggerStore::unconfirmed`]).
    Started,
    /// Its run is in the run history, seen there by a process that looked (the run's own
    /// record says the rest).
    Running,
    Succeeded,
    Failed,
    /// It did not run: see the record's `skipped`.
    Skipped,
}

impl FireStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FireStatus::Claimed => "claimed",
            FireStatus::Started => "started",
            FireStatus::Running => "running",
            FireStatus::Succeeded => "succeeded",
            FireStatus::Failed => "failed",
            FireStatus::Skipped => "skipped",
        }
    }

    pub fn parse(text: &str) -> Option<FireStatus> {
        Some(match text {
            "claimed" => FireStatus::Claimed,
            "started" => FireStatus::Started,
            "running" => FireStatus::Running,
            "succeeded" => FireStatus::Succeeded,
            "failed" => FireStatus::Failed,
            "skipped" => FireStatus::Skipped,
            _ => return None,
        })
    }
}

/// One fire (or, with `skipped`, one range of fires that did not run).
#[derive(Debug, Clone, PartialEq)]
pub struct FireRecord {
    pub trigger: TriggerId,
    /// The fire's time (a skipped range's first).
    pub scheduled_at: i64,
    /// When its run started.
    pub fired_at: Option<i64>,
    pub run_id: Option<String>,
    pub status: FireStatus,
    /// The process that claimed it.
    pub owner: String,
    /// Until when the claim holds without a run.
    pub lease_until: i64,
    pub skipped: Option<Skipped>,
}

/// A process's claim on fire `scheduled_at` of `trigger`, made at `now`, held `lease_ms`.
#[derive(Debug, Clone)]
pub struct FireClaim<'a> {
    pub trigger: &'a TriggerId,
    pub scheduled_at: i64,
    pub owner: &'a str,
    pub now: i64,
    pub lease_ms: i64,
}

/// A delivery to a webhook, remembered by its key (see [`TriggerStore::remember`]).
#[derive(Debug, Clone, Copy)]
pub struct Delivery<'a> {
    pub trigger: &'a TriggerId,
    pub key: &'a str,
    pub run_id: &'a str,
    pub now: i64,
    pub keep_until: i64,
}

/// The answer to a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The caller holds the fire: it starts the run.
    Won,
    /// Another process holds or ran it, or the trigger is paused or no longer active.
    Refused,
}

/// A trigger store: one per backend (memory here; SQLite, Redis, PostgreSQL in the native
/// addon, IndexedDB in browsers), all meeting [`crate::contract::check_trigger_store`].
pub trait TriggerStore: MaybeSend + MaybeSync {
    /// Makes `row` active. A trigger already active keeps its cursor and pause (the flow was
    /// activated again, perhaps edited): only its kind and parameters change.
    fn activate(&self, row: TriggerRow) -> BoxFuture<'_, Result<()>>;

    /// Makes every trigger of `flow` inactive, in every process on the store; their fire
    /// records stay. The number of triggers that were active.
    fn deactivate<'a>(&'a self, flow: &'a str) -> BoxFuture<'a, Result<u64>>;

    /// The active triggers, by flow and node.
    fn list(&self) -> BoxFuture<'_, Result<Vec<TriggerRow>>>;

    /// Pauses or resumes a trigger; false when it is not active.
    fn set_paused<'a>(&'a self, id: &'a TriggerId, paused: bool) -> BoxFuture<'a, Result<bool>>;

    /// Moves the cursor of `id` from `from` to `to`, only if it is still at `from`: true when
    /// this call moved it.
    fn advance<'a>(&'a self, id: &'a TriggerId, from: i64, to: i64) -> BoxFuture<'a, Result<bool>>;

    /// Claims a fire: see [`Claim`].
    fn claim<'a>(&'a self, claim: FireClaim<'a>) -> BoxFuture<'a, Result<Claim>>;

    /// Records that the fire's run `run_id` begins at `fired_at`, if `owner` still holds the
    /// claim: false otherwise (the caller must not start the run).
    fn started<'a>(
        &'a self,
        id: &'a TriggerId,
        scheduled_at: i64,
        owner: &'a str,
        run_id: &'a str,
        fired_at: i64,
    ) -> BoxFuture<'a, Result<bool>>;

    /// Fires of active triggers recorded `started` at or before `before` (their `fired_at`),
    /// oldest first, at most `limit`: runs no process has yet seen in the run history (a fire
    /// whose process died between recording it and its run's first record is among them).
    fn unconfirmed(&self, before: i64, limit: usize) -> BoxFuture<'_, Result<Vec<FireRecord>>>;

    /// Moves a `started` fire to `running`: true for the one call that moved it (of two
    /// processes that found its run missing, the one that runs it again).
    fn confirm<'a>(&'a self, id: &'a TriggerId, scheduled_at: i64) -> BoxFuture<'a, Result<bool>>;

    /// Records how a started fire's run ended (`Succeeded` or `Failed`).
    fn ended<'a>(
        &'a self,
        id: &'a TriggerId,
        scheduled_at: i64,
        status: FireStatus,
    ) -> BoxFuture<'a, Result<()>>;

    /// Records a range of fires that did not run (once per range: recording it again is a
    /// no-op).
    fn skip<'a>(&'a self, id: &'a TriggerId, skipped: Skipped) -> BoxFuture<'a, Result<()>>;

    /// Fires claimed but not started whose lease passed before `now`, of active triggers: a
    /// process died between claiming and starting them.
    fn expired(&self, now: i64) -> BoxFuture<'_, Result<Vec<FireRecord>>>;

    /// Remembers delivery `key` of webhook `id` (a signature, an `Idempotency-Key`) as having
    /// started run `run_id`, until `keep_until`, unless a delivery with that key is remembered
    /// and not expired at `now`: then the run that one started (and nothing changes). Of two
    /// processes remembering one key at once, one gets `None`.
    fn remember<'a>(&'a self, delivery: Delivery<'a>) -> BoxFuture<'a, Result<Option<String>>>;

    /// The latest `limit` fire records of `id`, newest first.
    fn fires<'a>(
        &'a self,
        id: &'a TriggerId,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<FireRecord>>>;
}
