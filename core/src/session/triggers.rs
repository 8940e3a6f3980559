//! `triggers.*`: flows that start themselves, as a session offers them. The engine decides
//! nothing here about when a trigger fires or who starts its run: a capability does
//! (`atomiton-triggers` implements [`FlowTriggers`]), the session reads each call's argument,
//! loads a flow to activate from its storage, and answers with the capability's answer. A
//! session without the capability refuses every call with what it needs.

use std::sync::Arc;

use serde::Serialize;

use super::storage::guarded_future;
use super::Session;
use crate::error::{ErrorCode, ExecutionError, Result};
use crate::host::{BoxFuture, MaybeSend, MaybeSync};
use crate::options::read::Fields;
use crate::value::Value;

crate::named_calls! {
    /// A `triggers.*` call: activating flows' trigger nodes, their fires, and the timer's step.
    TriggersCall {
        /// Activates the trigger nodes of a saved flow (the argument is its id): `{triggers}`.
        /// Activating it again after an edit keeps each trigger's place and pause.
        Activate = "activate" -> ActiveTriggers,
        /// Deactivates every trigger of a flow (the argument is its id), in every process on the
        /// store: `{removed}`.
        Deactivate = "deactivate" -> Deactivated,
        /// Every active trigger: `{triggers}`.
        List = "list" -> ActiveTriggers,
        /// A trigger's latest fires, newest first (JSON `{trigger, limit?}`, `trigger` its id
        /// `flowId/nodeId`, or `{flowId, nodeId, limit?}`): `{fires}`.
        Fires = "fires" -> TriggerFires,
        /// Pauses a trigger (JSON `{trigger}` or `{flowId, nodeId}`); `false` when it is not
        /// active.
        Pause = "pause" -> bool,
        /// Resumes a paused trigger (as `pause`): fires it missed meanwhile follow its misfire
        /// policy; `false` when it is not active.
        Resume = "resume" -> bool,
        /// The timer's step: claims the fires whose time came (each once across every process
        /// on the store), records those its misfire policy skips, and answers `{start, next}`:
        /// the runs to start now, and when the next fire comes (or `null`).
        Due = "due" -> DueFires,
        /// Records how a fire's run ended (JSON `{flowId, nodeId, scheduledAt, success}`).
        Ended = "ended" -> (),
    }
}

/// One active trigger.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "TriggerInfo"))]
pub struct TriggerInfo {
    /// `flowId/nodeId`: how `triggers.fires`, `pause` and `resume` name it.
    pub id: String,
    pub flow_id: String,
    pub node_id: String,
    /// The node's type (`"schedule"`).
    #[serde(rename = "type")]
    pub kind: String,
    pub paused: bool,
    /// When the flow was first activated (ms since the Unix epoch).
    pub activated_at: f64,
    /// Every fire up to this instant is handled (ran, runs, or was skipped).
    pub handled_through: f64,
    /// The next fire after now (`null`: the pattern has no more).
    pub next: Option<f64>,
}

/// `triggers.list`'s and `activate`'s answer.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "ActiveTriggers"))]
pub struct ActiveTriggers {
    pub triggers: Vec<TriggerInfo>,
}

/// `triggers.deactivate`'s answer.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "DeactivatedTriggers"))]
pub struct Deactivated {
    /// How many triggers were active.
    pub removed: u64,
}

/// Fires that did not run, one record for the range.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "SkippedFires", optional_fields))]
pub struct SkippedFires {
    /// The first and last fire time of the range.
    pub first: f64,
    pub last: f64,
    /// How many fires (at least this many when `exact` is false).
    pub count: f64,
    pub exact: bool,
    /// `"missed"` (later than a minute, misfire `skip`), `"coalesced"` (one run, `into`, stood
    /// for them) or `"over-cap"` (misfire `all` with more missed than `cap`).
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub into: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap: Option<u32>,
}

/// One fire of a trigger.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "TriggerFire", optional_fields))]
pub struct FireInfo {
    /// The fire's time (ms since the Unix epoch).
    pub scheduled_at: f64,
    /// When its run started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fired_at: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_id: Option<String>,
    /// `"claimed"`, `"started"`, `"succeeded"`, `"failed"` or `"skipped"`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<SkippedFires>,
}

/// `triggers.fires`' answer.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "TriggerFires"))]
pub struct TriggerFires {
    pub fires: Vec<FireInfo>,
}

/// What a fire's run gets as its input's `trigger` (and the trigger node's output).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "FireInput"))]
pub struct FireInput {
    /// The trigger node's type.
    #[serde(rename = "type")]
    pub kind: String,
    pub flow_id: String,
    pub node_id: String,
    /// The fire's time and when it started, as ISO 8601 text in UTC.
    pub scheduled_at: String,
    pub fired_at: String,
}

/// A run `triggers.due` asks its caller to start now.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "FireToStart"))]
pub struct FireToStart {
    pub flow_id: String,
    pub node_id: String,
    pub scheduled_at: f64,
    /// The run's id: the fire's record names it.
    pub execution_id: String,
    /// The run's input is `{trigger: this}`.
    pub trigger: FireInput,
}

/// Fires a `triggers.due` recorded as not run (its misfire policy's doing), for the timer's
/// metrics: each range is reported once, by the process whose plan recorded it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "MissedFires"))]
pub struct MissedFires {
    pub flow_id: String,
    pub node_id: String,
    pub skipped: SkippedFires,
}

/// `triggers.due`'s answer.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "DueFires"))]
pub struct DueFires {
    pub start: Vec<FireToStart>,
    /// The ranges of fires this call recorded as not run.
    pub missed: Vec<MissedFires>,
    /// When the next fire comes (ms since the Unix epoch; `null`: none will).
    pub next: Option<f64>,
}

/// Which trigger a call is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriggerRef {
    pub flow_id: String,
    pub node_id: String,
}

/// What a session asks of its triggers (`atomiton-triggers` implements it).
pub trait FlowTriggers: MaybeSend + MaybeSync {
    /// Activates the trigger nodes of flow `flow_id`, whose saved definition is `flow`.
    fn activate(&self, flow_id: String, flow: Value) -> BoxFuture<'static, Result<ActiveTriggers>>;
    fn deactivate(&self, flow_id: String) -> BoxFuture<'static, Result<Deactivated>>;
    fn list(&self) -> BoxFuture<'static, Result<ActiveTriggers>>;
    fn fires(&self, trigger: TriggerRef, limit: usize) -> BoxFuture<'static, Result<TriggerFires>>;
    fn set_paused(&self, trigger: TriggerRef, paused: bool) -> BoxFuture<'static, Result<bool>>;
    fn due(&self) -> BoxFuture<'static, Result<DueFires>>;
    fn ended(
        &self,
        trigger: TriggerRef,
        scheduled_at: f64,
        success: bool,
    ) -> BoxFuture<'static, Result<()>>;
}

/// How many fires `triggers.fires` lists when the call names no `limit`.
const DEFAULT_FIRES: usize = 50;

impl Session {
    /// Gives this session its triggers (see [`FlowTriggers`]).
    pub fn with_triggers(mut self, triggers: Arc<dyn FlowTriggers>) -> Self {
        self.triggers = Some(triggers);
        self
    }

    /// One `triggers.*` call by name (see [`TriggersCall`]); `arg` is a flow id or JSON.
    pub fn triggers(&self, op: &str, arg: String) -> BoxFuture<'static, String> {
        let call = match TriggersCall::parse_or_refuse(op, "triggers") {
            Ok(call) => call,
            Err(error) => return guarded_future(async move { Err::<(), _>(error) }),
        };
        let Some(triggers) = self.triggers.clone() else {
            return guarded_future(async move { Err::<(), _>(unavailable()) });
        };
        match call {
            TriggersCall::Activate => {
                let store = self.store.clone();
                guarded_future(async move {
                    let flow = store.load(&arg).await?;
                    triggers.activate(arg, flow).await
                })
            }
            TriggersCall::Deactivate => guarded_future(triggers.deactivate(arg)),
            TriggersCall::List => guarded_future(triggers.list()),
            TriggersCall::Fires => guarded_future(async move {
                let value = parse(&arg)?;
                let fields = Fields::of(
                    Some(&value),
                    "triggers.fires",
                    &["trigger", "flowId", "nodeId", "limit"],
                )?;
                let limit = fields.whole::<usize>("limit")?.unwrap_or(DEFAULT_FIRES);
                triggers.fires(trigger_of(&fields)?, limit).await
            }),
            TriggersCall::Pause | TriggersCall::Resume => guarded_future(async move {
                let value = parse(&arg)?;
                let fields =
                    Fields::of(Some(&value), "triggers.pause", &["trigger", "flowId", "nodeId"])?;
                triggers.set_paused(trigger_of(&fields)?, call == TriggersCall::Pause).await
            }),
            TriggersCall::Due => guarded_future(triggers.due()),
            TriggersCall::Ended => guarded_future(async move {
                let value = parse(&arg)?;
                let known = ["flowId", "nodeId", "scheduledAt", "success"];
                let fields = Fields::of(Some(&value), "triggers.ended", &known)?;
                let at = fields.number("scheduledAt")?.ok_or_else(|| needs("scheduledAt"))?;
                let success = fields.flag("success")?.unwrap_or(false);
                triggers.ended(trigger_of(&fields)?, at, success).await
            }),
        }
    }
}

fn unavailable() -> ExecutionError {
    ExecutionError::new(
        ErrorCode::VALIDATION_FAILED,
        "This conductor has no triggers: they need execution history (a conductor with `history` kept in a store: SQLite, Redis or PostgreSQL natively)",
    )
}

fn parse(arg: &str) -> Result<Value> {
    serde_json::from_str(arg).map_err(|e| crate::options::serde_error::invalid("trigger call", &e))
}

fn needs(field: &str) -> ExecutionError {
    ExecutionError::validation(format!("Invalid trigger call: '{field}' is required"))
}

fn trigger_of(fields: &Fields<'_>) -> Result<TriggerRef> {
    if let Some(id) = fields.text("trigger")? {
        // Flow ids have no '/': the first one ends it.
        return match id.split_once('/') {
            Some((flow, node)) if !flow.is_empty() && !node.is_empty() => {
                Ok(TriggerRef { flow_id: flow.to_owned(), node_id: node.to_owned() })
            }
            _ => Err(ExecutionError::validation(format!(
                "Invalid trigger call: 'trigger' must be a trigger's id, flowId/nodeId, not {id:?}"
            ))),
        };
    }
    Ok(TriggerRef {
        flow_id: fields.text("flowId")?.ok_or_else(|| needs("flowId"))?,
        node_id: fields.text("nodeId")?.ok_or_else(|| needs("nodeId"))?,
    })
}
