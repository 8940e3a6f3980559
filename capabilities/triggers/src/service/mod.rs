//! [`TriggerService`]: a session's triggers ([`FlowTriggers`]) over a [`TriggerStore`] — which
//! nodes of a flow are triggers, what each owes when the timer asks (`due`), and the answers of
//! `conductor.triggers`.
//!
//! The timer that calls `due` is the embedder's (one per conductor, armed for the `next` each
//! answer gives, and at least once a minute for what other processes on the store activated);
//! it starts each run `due` hands it, with the execution id and input given, and reports its
//! end (`ended`). Everything that decides is here and in the store.

mod files;
mod hooks;
mod unconfirmed;

pub use unconfirmed::{HistoryRuns, RunProbe, RunSeen};

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use atomiton_core::error::{ErrorCode, ExecutionError, Result};
use atomiton_core::format::iso_timestamp;
use atomiton_core::host::{BoxFuture, RunPermissions, SharedHost};
use atomiton_core::session::{
    ActiveTriggers, Deactivated, DueFires, FireInfo, FireInput, FireToStart, FlowTriggers,
    HookDelivery, HookRoute, MissedFires, SkippedFires, TriggerFires, TriggerInfo, TriggerRef,
    WebhookRequest,
};
use atomiton_core::value::Value;

use crate::file_watch::{FileWatchSpec, FolderWatcher, FILE_WATCH_TYPE};
use crate::misfire::{due, SkipReason, Skipped};
use crate::node::SCHEDULE_TYPE;
use crate::schedule::ScheduleSpec;
use crate::store::{Claim, FireClaim, FireRecord, FireStatus, TriggerId, TriggerRow, TriggerStore};
use crate::webhook::{Secrets, WebhookSpec, WEBHOOK_TYPE};

/// How long a claim holds before its run has begun: past it, another process takes the fire
/// over (this one died between claiming and starting it).
pub const LEASE_MS: i64 = 60_000;

/// How many keys past its own time an event's fire (a webhook delivery, a file event) tries for
/// its record before its run starts unlisted: keys are whole ms, and events of one trigger that
/// land in one ms take the next ones.
const EVENT_KEY_TRIES: i64 = 64;

/// How many taken keys an event's fire steps over one by one before it strides: past them the
/// stride doubles at each taken key, so a burst of N fires another process recorded just before
/// (their keys side by side) is stepped over in about log2(N) tries, and the key found is at most
/// about 2N ms from the event's own time.
const EVENT_KEY_STEPS: i64 = 8;

/// The node types that start a flow.
pub const TRIGGER_TYPES: &[&str] = &[SCHEDULE_TYPE, WEBHOOK_TYPE, FILE_WATCH_TYPE];

/// A session's triggers over `store`.
#[derive(Clone)]
pub struct TriggerService {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn TriggerStore>,
    host: SharedHost,
    /// This process, as its claims name it (unique among the processes sharing the store).
    owner: String,
    /// Each trigger's parameters as last read, by the text they were read from: the timer's step
    /// reads every active trigger, and parsing a pattern is most of that work.
    specs: Mutex<HashMap<TriggerId, Known>>,
    /// Where webhooks' secrets come from (none: hooks that need one refuse every request).
    secrets: OnceLock<Secrets>,
    /// Which watched folders changed (none: every step lists every watched folder).
    watcher: OnceLock<Arc<dyn FolderWatcher>>,
    /// What this process knows of each file watch's folder.
    watches: Mutex<HashMap<TriggerId, files::WatchState>>,
    /// Whether only schedules may be activated (a browser: no server, no files).
    schedules_only: bool,
    /// The last key this process gave an event's fire record: the next goes after it.
    last_event_key: AtomicI64,
    /// Where a fire's run is looked for (none: fires are never looked for, nor run again).
    runs: OnceLock<Arc<dyn RunProbe>>,
    /// When this process last looked for the runs of started fires.
    last_look: AtomicI64,
}

/// A trigger's spec, and what it was read from.
struct Known {
    parameters: String,
    activated_at: i64,
    spec: Arc<ScheduleSpec>,
}

impl TriggerService {
    /// Triggers kept in `store`, fired by this process as `owner`, on `host`'s clock.
    pub fn new(store: Arc<dyn TriggerStore>, host: SharedHost, owner: impl Into<String>) -> Self {
        TriggerService::made(store, host, owner.into(), false)
    }

    /// Triggers where only schedules can fire (a browser tab: no server answers webhooks, no
    /// file system has folders to watch): activating a flow with another trigger is refused
    /// with `IMPLEMENTATION_NOT_FOUND`, saying where it runs.
    pub fn schedules_only(
        store: Arc<dyn TriggerStore>,
        host: SharedHost,
        owner: impl Into<String>,
    ) -> Self {
        TriggerService::made(store, host, owner.into(), true)
    }

    fn made(
        store: Arc<dyn TriggerStore>,
        host: SharedHost,
        owner: String,
        schedules_only: bool,
    ) -> Self {
        let (specs, secrets, watcher, watches) =
            (Mutex::default(), OnceLock::new(), OnceLock::new(), Mutex::default());
        let last_event_key = AtomicI64::new(i64::MIN);
        let inner = Inner {
            store,
            host,
            owner,
            specs,
            secrets,
            watcher,
            watches,
            schedules_only,
            last_event_key,
            runs: OnceLock::new(),
            last_look: AtomicI64::new(i64::MIN),
        };
        TriggerService { inner: Arc::new(inner) }
    }

    /// Gives webhooks their secrets by name (the native addon: the process's environment
    /// variables). Set once; later calls change nothing.
    pub fn with_secrets(self, secrets: Secrets) -> Self {
        let _ = self.inner.secrets.set(secrets);
        self
    }

    /// Gives the service the run history to look in for the runs of fires recorded started:
    /// a fire whose process died before its run's first record is run again, once across the
    /// store (see `unconfirmed.rs`). Set once; later calls change nothing.
    pub fn with_runs(self, runs: Arc<dyn RunProbe>) -> Self {
        let _ = self.inner.runs.set(runs);
        self
    }

    /// Gives file watches a watcher that says which folders changed (the native addon's, on the
    /// operating system's file events). Set once; later calls change nothing.
    pub fn with_watcher(self, watcher: Arc<dyn FolderWatcher>) -> Self {
        let _ = self.inner.watcher.set(watcher);
        self
    }
}

impl Inner {
    fn now(&self) -> i64 {
        self.host.now() as i64
    }

    /// `row`'s spec, read once per text of its parameters.
    fn spec(&self, row: &TriggerRow) -> Result<Arc<ScheduleSpec>> {
        // A panic elsewhere while holding the lock leaves whole entries: go on with them.
        let mut specs = self.specs.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(known) = specs.get(&row.id) {
            if known.parameters == row.parameters && known.activated_at == row.activated_at {
                return Ok(known.spec.clone());
            }
        }
        let spec = Arc::new(spec_of(row)?);
        let known = Known {
            parameters: row.parameters.clone(),
            activated_at: row.activated_at,
            spec: spec.clone(),
        };
        specs.insert(row.id.clone(), known);
        Ok(spec)
    }
}

/// The trigger nodes of a flow, each with its parameters: its top-level nodes of a trigger type.
fn trigger_nodes(flow_id: &str, flow: &Value) -> Result<Vec<(String, String, Value)>> {
    let nodes = flow.get("nodes").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let found: Vec<_> = nodes
        .iter()
        .filter_map(|node| {
            let kind = node.get("type").and_then(Value::as_str)?;
            TRIGGER_TYPES.contains(&kind).then(|| {
                let id = node.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
                let parameters = node.get("parameters").cloned().unwrap_or(Value::Null);
                (id, kind.to_owned(), parameters)
            })
        })
        .collect();
    if found.is_empty() {
        return Err(ExecutionError::validation(format!(
            "Flow '{flow_id}' has no trigger node: add a '{SCHEDULE_TYPE}', '{WEBHOOK_TYPE}' or '{FILE_WATCH_TYPE}' node to say when it starts"
        )));
    }
    Ok(found)
}

/// A trigger node's own parameters (the engine's, such as `timeout`, are not the trigger's).
fn own_parameters(kind: &str, parameters: &Value) -> Value {
    let names = match kind {
        WEBHOOK_TYPE => crate::webhook::spec::PARAMETERS,
        FILE_WATCH_TYPE => crate::file_watch::spec::PARAMETERS,
        _ => crate::schedule::PARAMETERS,
    };
    let mut own = atomiton_core::value::Map::default();
    if let Some(map) = parameters.as_object() {
        for (key, value) in map.iter() {
            if names.contains(&key.as_str()) && !value.is_null() {
                own.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(own)
}

/// What activating a hook needs besides its own parameters: a path no other active hook has,
/// and the response node in the flow.
fn check_hook(flow: &Value, spec: &WebhookSpec, paths: &[(String, TriggerId)]) -> Result<()> {
    if let Some((_, other)) = paths.iter().find(|(path, _)| *path == spec.path) {
        return Err(ExecutionError::validation(format!(
            "the path /hooks/{} is already the webhook of {other}: each active webhook needs a path of its own",
            spec.path
        )));
    }
    if let crate::webhook::HookResponse::Node { node, .. } = &spec.response {
        let nodes = flow.get("nodes").and_then(Value::as_array).map(Vec::as_slice);
        let known = nodes
            .unwrap_or_default()
            .iter()
            .any(|n| n.get("id").and_then(Value::as_str) == Some(node));
        if !known {
            return Err(ExecutionError::validation(format!(
                "'responseNode' names '{node}', which is not a node of the flow"
            )));
        }
    }
    Ok(())
}

fn spec_of(row: &TriggerRow) -> Result<ScheduleSpec> {
    let (parameters, _) = stored(row)?;
    ScheduleSpec::read(&parameters, row.activated_at)
}

/// Where a row's stored parameters keep the permissions its trigger was activated with.
const PERMISSIONS_KEY: &str = "$permissions";

/// A row's stored parameters, and the permissions its runs get (none: unrestricted). A row
/// whose permissions cannot be read is an error: its trigger is left alone, never run with
/// more than it was given.
fn stored(row: &TriggerRow) -> Result<(Value, Option<RunPermissions>)> {
    let unreadable = |e: String| {
        ExecutionError::internal(format!("trigger {}: stored parameters unreadable: {e}", row.id))
    };
    let mut parameters: Value =
        serde_json::from_str(&row.parameters).map_err(|e| unreadable(e.to_string()))?;
    let permissions =
        match parameters.as_object_mut().and_then(|map| map.shift_remove(PERMISSIONS_KEY)) {
            Some(kept) => Some(RunPermissions::read(&kept).map_err(unreadable)?),
            None => None,
        };
    Ok((parameters, permissions))
}

/// The permissions of `row`'s runs; nothing at all when they cannot be read (see [`stored`]).
fn run_permissions(row: &TriggerRow) -> Option<RunPermissions> {
    stored(row).map_or_else(|_| Some(RunPermissions::default()), |(_, permissions)| permissions)
}

/// The run of fire `at` of `row`'s trigger, started at `now` as `execution_id`.
fn fire_to_start(row: &TriggerRow, at: i64, now: i64, execution_id: String) -> FireToStart {
    FireToStart {
        flow_id: row.id.flow.clone(),
        node_id: row.id.node.clone(),
        scheduled_at: at as f64,
        recorded: true,
        execution_id,
        permissions: run_permissions(row),
        trigger: FireInput {
            kind: row.kind.clone(),
            flow_id: row.id.flow.clone(),
            node_id: row.id.node.clone(),
            scheduled_at: iso_timestamp(at as f64),
            fired_at: iso_timestamp(now as f64),
            event: None,
            path: None,
            relative_path: None,
            size: None,
            modified_at: None,
        },
    }
}

/// Whether trigger `id` is among the `active` ones.
fn known(active: &[TriggerRow], id: &TriggerId) -> bool {
    active.iter().any(|row| row.id == *id)
}

fn info(row: &TriggerRow, now: i64) -> TriggerInfo {
    let next = if row.paused || row.kind != SCHEDULE_TYPE {
        None
    } else {
        spec_of(row).ok().and_then(|spec| spec.when.next_after(now))
    };
    TriggerInfo {
        id: row.id.to_string(),
        flow_id: row.id.flow.clone(),
        node_id: row.id.node.clone(),
        kind: row.kind.clone(),
        paused: row.paused,
        activated_at: row.activated_at as f64,
        handled_through: row.handled_through as f64,
        next: next.map(|at| at as f64),
    }
}

fn skipped_info(skipped: &Skipped) -> SkippedFires {
    let (reason, into, cap) = match skipped.reason {
        SkipReason::Missed => ("missed", None, None),
        SkipReason::Coalesced { into } => ("coalesced", Some(into as f64), None),
        SkipReason::OverCap { cap } => ("over-cap", None, Some(cap)),
    };
    SkippedFires {
        first: skipped.first as f64,
        last: skipped.last as f64,
        count: skipped.count.count as f64,
        exact: skipped.count.exact,
        reason: reason.to_owned(),
        into,
        cap,
    }
}

fn fire_info(record: FireRecord) -> FireInfo {
    FireInfo {
        scheduled_at: record.scheduled_at as f64,
        fired_at: record.fired_at.map(|at| at as f64),
        execution_id: record.run_id,
        status: record.status.as_str().to_owned(),
        skipped: record.skipped.as_ref().map(skipped_info),
    }
}

impl Inner {
    /// Claims fire `at` of `row`'s trigger and records its run as begun: the run to start, or
    /// `None` when another process holds or ran it.
    /// Claims fire `at` of `row`'s trigger for this process, at `now`: true when it holds it.
    async fn claims(&self, row: &TriggerRow, at: i64, now: i64) -> Result<bool> {
        let claim = FireClaim {
            trigger: &row.id,
            scheduled_at: at,
            owner: &self.owner,
            now,
            lease_ms: LEASE_MS,
        };
        Ok(self.store.claim(claim).await? == Claim::Won)
    }

    async fn claim_and_start(
        &self,
        row: &TriggerRow,
        at: i64,
        now: i64,
    ) -> Result<Option<FireToStart>> {
        if !self.claims(row, at, now).await? {
            return Ok(None);
        }
        let host = self.host.clone();
        let execution_id = atomiton_core::session::catalog::execution_id("", || host.random());
        if !self.store.started(&row.id, at, &self.owner, &execution_id, now).await? {
            return Ok(None);
        }
        Ok(Some(fire_to_start(row, at, now, execution_id)))
    }

    /// Records the fire of an event at `at` (a webhook delivery, a file event), whose run
    /// `execution_id` starts at `now`, so that `fires()` lists it like a schedule's: claimed and
    /// started at once under the first key from `at` on that no other fire of the trigger has.
    /// The key, or `None` when none of [`EVENT_KEY_TRIES`] tries found one free (the run starts
    /// unlisted).
    async fn record_event(
        &self,
        row: &TriggerRow,
        at: i64,
        now: i64,
        execution_id: &str,
    ) -> Result<Option<i64>> {
        let after_last = self.last_event_key.load(Ordering::Relaxed).saturating_add(1);
        let mut key = at.max(after_last);
        let mut stride = 1_i64;
        for tried in 0..EVENT_KEY_TRIES {
            if self.claims(row, key, now).await?
                && self.store.started(&row.id, key, &self.owner, execution_id, now).await?
            {
                self.last_event_key.fetch_max(key, Ordering::Relaxed);
                return Ok(Some(key));
            }
            // Taken, most likely by a burst another process recorded: step over it quickly
            // rather than one key at a time (64 side by side would leave this run unlisted).
            if tried >= EVENT_KEY_STEPS {
                stride = stride.saturating_mul(2);
            }
            key = key.saturating_add(stride);
        }
        Ok(None)
    }

    async fn due(&self) -> Result<DueFires> {
        let now = self.now();
        let rows = self.store.list().await?;
        let mut answer = DueFires::default();
        for row in rows.iter().filter(|row| !row.paused && row.kind == SCHEDULE_TYPE) {
            // A row this version cannot read (another version activated it) is left alone.
            let Ok(spec) = self.spec(row) else { continue };
            let plan = due(&spec.when, row.handled_through, now, spec.misfire);
            // Claims first, then the cursor: a process that dies in between leaves fires its
            // claims (or another process's) hold, never fires nobody will run.
            for at in &plan.run {
                answer.start.extend(self.claim_and_start(row, *at, now).await?);
            }
            if let Some(skipped) = plan.skipped {
                self.store.skip(&row.id, skipped).await?;
            }
            if !plan.run.is_empty() || plan.skipped.is_some() {
                let moved = self.store.advance(&row.id, row.handled_through, now).await?;
                // Reported by the process that moved the cursor past them: once in all.
                if let (true, Some(skipped)) = (moved, plan.skipped) {
                    answer.missed.push(MissedFires {
                        flow_id: row.id.flow.clone(),
                        node_id: row.id.node.clone(),
                        skipped: skipped_info(&skipped),
                    });
                }
            }
            if let Some(next) = spec.when.next_after(now) {
                answer.next =
                    Some(answer.next.map_or(next as f64, |known: f64| known.min(next as f64)));
            }
        }
        for row in rows.iter().filter(|row| !row.paused) {
            if let Some(spec) = files::watch_spec(row) {
                // A folder that cannot be listed now (removed, unmounted) is tried again at the
                // next step; it does not hold up the other triggers.
                let _ = self.file_fires(row, &spec, now, &mut answer).await;
            }
        }
        // A history that cannot be read now is looked in again at the next look.
        let _ = self.look_for_runs(&rows, now, &mut answer).await;
        for lapsed in self.store.expired(now).await? {
            // Only a schedule's fire can be started again from its record: an event's record
            // is claimed and started in one step, and what its run was given is not kept.
            let schedule =
                |row: &&TriggerRow| row.id == lapsed.trigger && row.kind == SCHEDULE_TYPE;
            if let Some(row) = rows.iter().find(schedule) {
                answer.start.extend(self.claim_and_start(row, lapsed.scheduled_at, now).await?);
            }
        }
        Ok(answer)
    }

    async fn activate(
        &self,
        flow_id: String,
        flow: Value,
        permissions: Option<RunPermissions>,
    ) -> Result<ActiveTriggers> {
        let now = self.now();
        let nodes = trigger_nodes(&flow_id, &flow)?;
        let mut rows = Vec::new();
        let active: Vec<TriggerRow> = self.store.list().await?;
        let mut paths: Vec<(String, TriggerId)> = active
            .iter()
            .filter(|row| row.id.flow != flow_id)
            .filter_map(|row| hooks::hook_spec(row).map(|spec| (spec.path, row.id.clone())))
            .collect();
        for (node_id, kind, parameters) in nodes {
            let own = own_parameters(&kind, &parameters);
            let located = |error: ExecutionError| {
                ExecutionError::new(error.code, format!("Node '{node_id}': {}", error.message))
                    .with_node(node_id.clone())
            };
            let id = TriggerId::new(flow_id.clone(), node_id.clone());
            if self.schedules_only && kind != SCHEDULE_TYPE {
                return Err(located(ExecutionError::new(
                    ErrorCode::IMPLEMENTATION_NOT_FOUND,
                    format!("a {kind} trigger needs Node.js (webhooks are answered by the protocol server, folders watched on its file system), which this environment does not provide: activate the flow on a conductor in Node, or start it with a schedule"),
                )));
            }
            if kind == WEBHOOK_TYPE {
                let spec = WebhookSpec::read(&own).map_err(located)?;
                check_hook(&flow, &spec, &paths).map_err(located)?;
                paths.push((spec.path, id));
            } else if kind == FILE_WATCH_TYPE {
                let spec = FileWatchSpec::read(&own).map_err(located)?;
                // Where a new watch starts: the files there now do not fire. Listed as its
                // runs may list (a folder outside their roots is refused), every time.
                let listed = self.baseline(&id, &spec, permissions.as_ref(), !known(&active, &id));
                listed.await.map_err(located)?;
            } else {
                ScheduleSpec::read(&own, now).map_err(located)?;
            }
            let mut own = own;
            if let (Some(map), Some(permissions)) = (own.as_object_mut(), &permissions) {
                let kept = atomiton_core::value::to_value(permissions)
                    .map_err(|e| ExecutionError::internal(e.to_string()))?;
                map.insert(PERMISSIONS_KEY.to_owned(), kept);
            }
            let text =
                serde_json::to_string(&own).map_err(|e| ExecutionError::internal(e.to_string()))?;
            rows.push(TriggerRow {
                id: TriggerId::new(flow_id.clone(), node_id),
                kind,
                parameters: text,
                activated_at: now,
                handled_through: now,
                paused: false,
            });
        }
        let active: Vec<TriggerRow> =
            active.into_iter().filter(|row| row.id.flow == flow_id).collect();
        let gone = active.iter().any(|old| rows.iter().all(|row| row.id != old.id));
        if gone {
            // A trigger node was removed from the flow: it stops; the others keep their place.
            self.store.deactivate(&flow_id).await?;
        }
        for mut row in rows {
            if let Some(old) = active.iter().find(|old| old.id == row.id) {
                row.activated_at = old.activated_at;
                row.handled_through = old.handled_through;
                row.paused = old.paused;
            }
            self.store.activate(row).await?;
        }
        Ok(ActiveTriggers {
            triggers: self
                .store
                .list()
                .await?
                .iter()
                .filter(|row| row.id.flow == flow_id)
                .map(|row| info(row, now))
                .collect(),
        })
    }
}

impl FlowTriggers for TriggerService {
    fn activate(
        &self,
        flow_id: String,
        flow: Value,
        permissions: Option<RunPermissions>,
    ) -> BoxFuture<'static, Result<ActiveTriggers>> {
        let inner = self.inner.clone();
        Box::pin(async move { inner.activate(flow_id, flow, permissions).await })
    }

    fn deactivate(&self, flow_id: String) -> BoxFuture<'static, Result<Deactivated>> {
        let inner = self.inner.clone();
        Box::pin(
            async move { Ok(Deactivated { removed: inner.store.deactivate(&flow_id).await? }) },
        )
    }

    fn list(&self) -> BoxFuture<'static, Result<ActiveTriggers>> {
        let inner = self.inner.clone();
        Box::pin(async move {
            let now = inner.now();
            let rows = inner.store.list().await?;
            Ok(ActiveTriggers { triggers: rows.iter().map(|row| info(row, now)).collect() })
        })
    }

    fn fires(&self, trigger: TriggerRef, limit: usize) -> BoxFuture<'static, Result<TriggerFires>> {
        let inner = self.inner.clone();
        Box::pin(async move {
            let id = TriggerId::new(trigger.flow_id, trigger.node_id);
            let records = inner.store.fires(&id, limit).await?;
            Ok(TriggerFires { fires: records.into_iter().map(fire_info).collect() })
        })
    }

    fn set_paused(&self, trigger: TriggerRef, paused: bool) -> BoxFuture<'static, Result<bool>> {
        let inner = self.inner.clone();
        Box::pin(async move {
            let id = TriggerId::new(trigger.flow_id, trigger.node_id);
            inner.store.set_paused(&id, paused).await
        })
    }

    fn due(&self) -> BoxFuture<'static, Result<DueFires>> {
        let inner = self.inner.clone();
        Box::pin(async move { inner.due().await })
    }

    fn ended(
        &self,
        trigger: TriggerRef,
        scheduled_at: f64,
        success: bool,
    ) -> BoxFuture<'static, Result<()>> {
        let inner = self.inner.clone();
        Box::pin(async move {
            if !(scheduled_at.is_finite() && scheduled_at.fract() == 0.0) {
                return Err(ExecutionError::new(
                    ErrorCode::VALIDATION_FAILED,
                    "Invalid trigger call: 'scheduledAt' must be a fire's time, whole ms since the Unix epoch",
                ));
            }
            let id = TriggerId::new(trigger.flow_id, trigger.node_id);
            let status = if success { FireStatus::Succeeded } else { FireStatus::Failed };
            inner.store.ended(&id, scheduled_at as i64, status).await
        })
    }

    fn hook(&self, path: String, method: String) -> BoxFuture<'static, Result<HookRoute>> {
        let inner = self.inner.clone();
        Box::pin(async move { inner.hook(path, method).await })
    }

    fn deliver(
        &self,
        trigger: TriggerRef,
        request: WebhookRequest,
        authenticated: bool,
    ) -> BoxFuture<'static, Result<HookDelivery>> {
        let inner = self.inner.clone();
        Box::pin(async move { inner.deliver(trigger, request, authenticated).await })
    }
}
