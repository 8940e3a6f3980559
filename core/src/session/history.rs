//! A session's execution history: recording each run, and the `executions.*` calls.

// `executions.*`: the calls that read and prune the history.
mod executions;
// `executions.signal`, `approve` and `due`: waking runs parked at wait nodes.
mod waits;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde::Deserialize;

use crate::engine::ExecutionResult;
use crate::error::{ErrorCode, ExecutionError, Result};
use crate::history::{
    differences, replay_reuse, validate_execution_id, Differences, DurabilityConfig, HistoryConfig,
    ListQuery, OwnerAlive, Prune, ResumeRequest, Resumed, RetryRequest, Reuse, RunBegun, RunCounts,
    RunRecorder, RunStatus, RunSummary, SharedHistory, SharedRecorder,
};
use crate::host::SharedHost;
use crate::nodes::NodeInput;

use super::recording::{SessionRecording, StartingPoint};

/// A session's history as the session holds it (shared with its calls' futures).
pub type SharedSessionHistory = Arc<SessionHistory>;

/// A run's flow as the history keeps it: its text and the binary data beside it.
pub(crate) type FlowText = (Arc<str>, Vec<Arc<[u8]>>);

impl super::Session {
    /// Records every run (unless a run says `history: false`) into `history`.
    pub fn with_history(mut self, history: SessionHistory) -> Self {
        self.history = Some(Arc::new(history));
        self
    }

    /// The execution history, when it is on.
    pub fn history(&self) -> Option<&SharedSessionHistory> {
        self.history.as_ref()
    }
}

/// Runs are pruned by retention once every this many ended runs (pruning reads every run's
/// summary, which per run would cost more than recording it).
const PRUNE_EVERY: usize = 64;

/// Where a session records runs and how.
pub struct SessionHistory {
    pub(crate) store: SharedHistory,
    config: HistoryConfig,
    /// Written into each run's record, so a later conductor can tell whether its process died.
    owner: Option<String>,
    ended: AtomicUsize,
    /// Every recorded run is durable (see `history::durable`).
    durable: bool,
}

/// Cancelled when a run going on is stopped to be resumed later (`executions.suspend`): a
/// durable run starts no more nodes, lets those running end (their outputs checkpointed), and
/// its end is recorded as `interrupted` rather than `cancelled` (see `RunRecorder::suspending`).
pub(crate) type Suspension = crate::host::CancelToken;

/// How long a suspended run's nodes that are running may take to end before they are stopped
/// (ms): a desktop app quitting waits about this long at most.
pub(crate) const SUSPEND_GRACE_MS: f64 = 10_000.0;

/// The nodes a resumed run's record already holds (not recorded again).
pub(crate) type Recorded = HashSet<String>;

/// Where a run starts (see [`StartingPoint`]).
type Start = StartingPoint<Recorded>;

impl SessionRecording for SessionHistory {
    type Shared = SharedSessionHistory;
    type Buffers = Vec<Arc<[u8]>>;
    type Flow = FlowText;
    type Suspension = Suspension;
    type Recorded = Recorded;

    fn keep_buffers(buffers: &[Arc<[u8]>]) -> Vec<Arc<[u8]>> {
        buffers.to_vec()
    }

    fn flow_text(json: Arc<str>, buffers: Vec<Arc<[u8]>>) -> FlowText {
        (json, buffers)
    }

    /// Starts recording run `execution_id` of flow `flow_id` (`resumed`: the nodes a resumed
    /// run has recorded; `suspension`: what stops a durable run at a node boundary).
    fn begin(
        &self,
        host: &SharedHost,
        embedder: &crate::nodes::SharedEmbedder,
        (execution_id, flow_id): (&str, &str),
        flow: FlowText,
        request: &crate::engine::RunOptions,
        (resumed, suspension): (Option<Recorded>, &Suspension),
    ) -> SharedRecorder {
        let (store, id) = (self.store.clone(), Arc::from(execution_id));
        // A resumed run was durable, and goes on so, whatever this conductor's config says.
        let recorder = match (self.durable, resumed) {
            (false, None) => RunRecorder::new(store, embedder.clone(), id),
            (_, resumed) => RunRecorder::with_permissions(
                RunRecorder::durable(store, embedder.clone(), id, resumed, suspension.clone()),
                request.permissions.clone(),
                request.caller.as_deref(),
            ),
        };
        recorder.begin(RunBegun {
            // Its flow is hashed by the store, off the run's thread; `durable` is the recorder's.
            summary: RunSummary {
                retry_of: request.retry.as_ref().map(|r| r.of.clone()),
                owner: self.owner.clone(),
                ..RunSummary::running(execution_id, flow_id, host.now())
            },
            flow_json: flow.0,
            flow_buffers: flow.1,
            input: request.input.clone().map(NodeInput::from_value).unwrap_or_default(),
            variables: Arc::new(request.variables.clone().unwrap_or_else(|| crate::json!({}))),
            values_pending: false,
        });
        recorder
    }

    /// Records the run's end; every so often, prunes by retention.
    async fn end(
        &self,
        host: &SharedHost,
        recorder: &SharedRecorder,
        result: &ExecutionResult,
        suspension: &Suspension,
    ) {
        let status = match &result.error {
            // Stopped to be resumed: its checkpoints stay, and it waits as interrupted.
            Some(error)
                if error.code == ErrorCode::CANCELLED
                    && recorder.is_durable()
                    && suspension.is_cancelled() =>
            {
                RunStatus::Interrupted
            }
            // Parked at a wait node: its checkpoints stay, and its error says what it waits for.
            Some(error) if error.code == ErrorCode::WAITING && recorder.is_durable() => {
                RunStatus::Waiting
            }
            None if result.success => RunStatus::Success,
            Some(error) if error.code == ErrorCode::CANCELLED => RunStatus::Cancelled,
            _ => RunStatus::Failed,
        };
        let now = host.now();
        recorder.end(status, now, result.error.clone()).await;
        if status == RunStatus::Waiting {
            // A parked run is kept before its result says so (whoever is told it waits may wake
            // it at once, from anywhere): a store whose writes land after `write` (files,
            // IndexedDB, a server) is waited for. A suspended run is not held so: a worker
            // stopping runs because its server is away must not wait for that server.
            if let Some(stored) = self.store.stored() {
                stored.await;
            }
        }
        if self.ended.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            // Pruning is housekeeping: its failure never fails a run.
            let _ = self.store.prune(self.config.retention(now)).await;
        }
    }

    /// Where a run starts (see [`StartingPoint`]): `options.retry` and `options.resume` read,
    /// and for a resume the run's whole input and variables put in `options`. Refused when the
    /// session records no runs (there is nothing to retry or resume), and a resume before the run
    /// is taken over when its flow no longer passes the checks (a node type this process does not
    /// provide): the run stays interrupted, as it was.
    async fn starting_point(
        history: Option<&SharedSessionHistory>,
        (engine, host): (&crate::engine::Engine, &SharedHost),
        flow: &crate::model::NodeDefinition,
        execution_id: &str,
        options: &mut crate::engine::RunOptions,
    ) -> Result<Start> {
        if let Some(replay) = options.replay.take() {
            let Some(history) = history else {
                return Err(ExecutionError::validation(
                    "Execution history is off for this conductor: there is no run to replay",
                ));
            };
            if options.retry.is_some() || options.resume.is_some() {
                return Err(ExecutionError::validation(
                    "A replay cannot also retry or resume an execution",
                ));
            }
            let record = history.get(replay.of).await?;
            return Ok(StartingPoint { reuse: Some(replay_reuse(&record)), recorded: None });
        }
        let Some(request) = options.resume.take() else {
            let reuse = Self::reuse_for(history, options.retry.as_ref()).await?;
            return Ok(StartingPoint { reuse, recorded: None });
        };
        let Some(history) = history else {
            return Err(ExecutionError::validation(
                "Execution history is off for this conductor: there is no run to resume",
            ));
        };
        if options.retry.is_some() {
            return Err(ExecutionError::validation(
                "A run cannot both retry one execution and resume another",
            ));
        }
        if let Some(error) = engine.validate(flow, &options.custom_types, host).to_error() {
            return Err(error);
        }
        let (resumed, recorded) = history.resume(execution_id, &request).await?;
        let Resumed { mut reuse, input, variables } = resumed;
        (options.input, options.variables) = (input, variables);
        // Resumed after its process died: the run goes on with the permissions it started
        // with, narrowed further by the resumer's own if it has some (never widened by them).
        // Who started it stays who started it, for audit.
        if let Some(started) = started_with(&mut reuse) {
            let StartedWith { permissions, caller } = started.map_err(|e| {
                ExecutionError::validation(format!(
                    "Cannot resume execution {execution_id}: the permissions it started with cannot be read ({e})"
                ))
            })?;
            if let Some(started) = permissions {
                options.permissions = Some(match options.permissions.take() {
                    Some(resumer) => started.narrowed_by(&resumer),
                    None => started,
                });
            }
            if caller.is_some() {
                options.caller = caller;
            }
        }
        // Woken from a wait: the run goes on with the permissions it parked with, whoever woke
        // it (a timer, a server's waits channel, a resume URL).
        if let Some(permissions) = reuse.deliveries.values().find_map(parked_permissions) {
            options.permissions = Some(permissions.map_err(|e| {
                ExecutionError::validation(format!(
                    "Cannot resume execution {execution_id}: the permissions it parked with cannot be read ({e})"
                ))
            })?);
        }
        Ok(StartingPoint { reuse: Some(reuse), recorded: Some(recorded) })
    }
}

/// `executions.prune`'s answer.
#[derive(serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "PrunedExecutions"))]
pub struct Pruned {
    /// How many run records went.
    pub deleted: usize,
}

#[cfg(test)]
pub(crate) use waits::WokenRuns;

/// `executions.prune({olderThan?, keep?})`: `olderThan` in ms before now. Any other field is
/// refused: a misspelt `olderThan` read as absent would prune by `keep` alone, deleting runs the
/// caller meant to keep.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub(crate) struct PruneRequest {
    pub older_than: Option<f64>,
    pub keep: Option<usize>,
}

impl SessionHistory {
    /// Records into `store` as `config` says; `owner` names this process.
    pub fn new(store: SharedHistory, config: HistoryConfig, owner: Option<String>) -> Self {
        SessionHistory { store, config, owner, ended: AtomicUsize::new(0), durable: false }
    }

    /// Makes every recorded run durable, as `durability` says; refused when the store keeps no
    /// checkpoints that outlive the process.
    pub fn durable(mut self, durability: Option<DurabilityConfig>) -> Result<Self> {
        if durability.is_some() && !self.store.keeps_checkpoints() {
            return Err(ExecutionError::validation(
                "Invalid conductor config: durability needs a run history kept where it outlives the process (in Node: storage type \"fs\", the default; in a browser: history: true, kept in IndexedDB)",
            ));
        }
        // When interrupted runs resume (`durability.resume`) is the conductor's to act on.
        self.durable = durability.is_some();
        Ok(self)
    }

    /// The store.
    pub fn store(&self) -> &SharedHistory {
        &self.store
    }

    /// What a run's `retry` reuses from the run it retries: `None` without a retry; refused when
    /// the session records no runs (there is nothing to retry).
    async fn reuse_for(
        history: Option<&SharedSessionHistory>,
        retry: Option<&RetryRequest>,
    ) -> Result<Option<Reuse>> {
        match (history, retry) {
            (Some(history), Some(retry)) => history.reuse(retry).await.map(Some),
            (None, Some(_)) => Err(ExecutionError::validation(
                "Execution history is off for this conductor: there is nothing to retry",
            )),
            (_, None) => Ok(None),
        }
    }

    /// What a retry of `of` from `from` reuses.
    pub(crate) async fn reuse(&self, request: &RetryRequest) -> Result<Reuse> {
        validate_execution_id(&request.of)?;
        let record =
            self.store.get(request.of.clone()).await?.ok_or_else(|| not_found(&request.of))?;
        Reuse::of(&record, &request.from)
    }

    /// Where run `execution_id` resumes from, as `request` decides: read from its checkpoints,
    /// then taken over for this process. Refused, changing nothing, for an unknown run, one
    /// that is not interrupted (still going on, in this or another process, or ended), one
    /// whose nodes with effects wait for a decision, or one another conductor took first.
    async fn resume(
        &self,
        execution_id: &str,
        request: &ResumeRequest,
    ) -> Result<(Resumed, Recorded)> {
        validate_execution_id(execution_id)?;
        let id = execution_id.to_owned();
        let record = self.store.get(id.clone()).await?.ok_or_else(|| not_found(&id))?;
        let status = record.summary.status;
        if status != RunStatus::Interrupted {
            let why = match status {
                RunStatus::Waiting => format!(
                    "it waits ({}): wake it with executions.signal or executions.approve",
                    record.summary.error.as_ref().map_or("", |e| e.message.as_str())
                ),
                RunStatus::Running => {
                    "it is still running (in this process or another one that is alive)".to_owned()
                }
                _ if !record.summary.durable => {
                    format!("it ended {} and was not durable: retry it instead", status.as_str())
                }
                _ => format!("it ended {}: retry it instead", status.as_str()),
            };
            return Err(ExecutionError::validation(format!("Cannot resume execution {id}: {why}")));
        }
        let checkpoints = self.store.checkpoints(id.clone()).await?.ok_or_else(|| {
            ExecutionError::validation(format!(
                "Cannot resume execution {id}: its checkpoints are gone"
            ))
        })?;
        let resumed = checkpoints.resumed(&id, request)?;
        if !self.store.claim(id.clone(), self.owner.clone()).await? {
            return Err(ExecutionError::validation(format!(
                "Cannot resume execution {id}: another conductor resumed it first"
            )));
        }
        Ok((resumed, record.nodes.into_iter().map(|n| n.node_id).collect()))
    }

    /// `executions.differences({of, run})`: the nodes of replay `run` whose output differs from
    /// recorded execution `of`'s.
    pub(crate) async fn differences(&self, request_json: &str) -> Result<Differences> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Pair {
            of: String,
            run: String,
        }
        let pair: Pair = serde_json::from_str(request_json).map_err(|e| {
            ExecutionError::validation(format!("Invalid differences request ({{of, run}}): {e}"))
        })?;
        let (recorded, replay) = (self.get(pair.of).await?, self.get(pair.run).await?);
        Ok(differences(&recorded, &replay))
    }

    /// `executions.list`.
    pub(crate) async fn list(&self, options_json: &str) -> Result<crate::history::ExecutionPage> {
        let query: ListQuery = serde_json::from_str(options_json)
            .map_err(|e| crate::options::serde_error::invalid("list options", &e))?;
        self.store.list(query).await
    }

    /// `executions.counts({flowId?, since?, until?})`.
    pub(crate) async fn counts(&self, options_json: &str) -> Result<RunCounts> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        struct Filters {
            flow_id: Option<String>,
            since: Option<f64>,
            until: Option<f64>,
        }
        let filters: Filters = serde_json::from_str(options_json)
            .map_err(|e| crate::options::serde_error::invalid("counts options", &e))?;
        let Filters { flow_id, since, until } = filters;
        self.store.counts(ListQuery { flow_id, since, until, ..ListQuery::default() }).await
    }

    /// `executions.get`.
    pub(crate) async fn get(&self, id: String) -> Result<crate::history::RunRecord> {
        validate_execution_id(&id)?;
        self.store.get(id.clone()).await?.ok_or_else(|| not_found(&id))
    }

    /// `executions.delete`.
    pub(crate) async fn delete(&self, id: String) -> Result<()> {
        validate_execution_id(&id)?;
        if self.store.delete(id.clone()).await? {
            Ok(())
        } else {
            Err(not_found(&id))
        }
    }

    /// `executions.prune`: how many runs went.
    pub(crate) async fn prune(&self, options_json: &str, now: f64) -> Result<usize> {
        let request: PruneRequest = serde_json::from_str(options_json)
            .map_err(|e| crate::options::serde_error::invalid("prune options", &e))?;
        if request.older_than.is_none() && request.keep.is_none() {
            return Err(ExecutionError::validation("prune needs olderThan (ms) or keep (runs)"));
        }
        self.store
            .prune(Prune { before: request.older_than.map(|age| now - age), keep: request.keep })
            .await
    }

    /// Marks runs left `running` by processes that are gone as `crashed`.
    pub async fn recover(&self, alive: OwnerAlive, now: f64) -> Result<usize> {
        self.store.recover(alive, now).await
    }
}

/// What a durable run started with: its permissions (none: unrestricted) and who started it.
struct StartedWith {
    permissions: Option<crate::host::RunPermissions>,
    caller: Option<String>,
}

/// What a durable run started with, taken out of what its resume reuses (the `$permissions`
/// entry is the run's, not a node's).
fn started_with(
    reuse: &mut crate::history::Reuse,
) -> Option<std::result::Result<StartedWith, String>> {
    let (_, output) = reuse.outputs.remove(crate::scheduler::history::PERMISSIONS_KEY)?;
    let entry = output.as_deref();
    let caller = entry.and_then(|o| o.get("caller")).and_then(|c| c.as_str()).map(str::to_owned);
    let permissions = match entry.and_then(|o| o.get("permissions")) {
        Some(granted) => match crate::host::RunPermissions::read(granted) {
            Ok(read) => Some(read),
            Err(e) => return Some(Err(e)),
        },
        None if caller.is_some() => None,
        None => return Some(Err("the entry holds no permissions".to_owned())),
    };
    Some(Ok(StartedWith { permissions, caller }))
}

/// The permissions a wait's delivery hands the resumed run (see `waits.rs`); an error when they
/// cannot be read (the run must not go on with more than it had).
fn parked_permissions(
    delivery: &crate::value::Value,
) -> Option<std::result::Result<crate::host::RunPermissions, String>> {
    let permissions = delivery.get("permissions")?.clone();
    Some(crate::value::from_value(permissions).map_err(|e| e.to_string()))
}

fn not_found(id: &str) -> ExecutionError {
    ExecutionError::new(ErrorCode::NODE_NOT_FOUND, format!("Execution {id} not found"))
}

/// Expands the session methods only history builds have (see `boundary/forwarders.rs`).
#[doc(hidden)]
#[macro_export]
macro_rules! __session_gate_history {
    ($($item:tt)*) => { $($item)* };
}
