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
        /// The protocol server's first step with a request to `/hooks/<path>` (JSON `{path,
        /// method}`): the active webhook there, and what reading the request needs.
        Hook = "hook" -> HookRoute,
        /// The protocol server's second step: the request to a hook (JSON `{trigger, method,
        /// path, query, headers, body, authenticated}`, the body in base64, `authenticated`
        /// whether the server's own authentication let the caller run flows), checked and made
        /// the run's input: `{start}`, `{replayed}` or `{refused}`.
        Deliver = "deliver" -> HookDelivery,
    }
}

/// Why a request to a hook is refused: the HTTP status to answer with, a code and a message.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "HookRefusal", optional_fields))]
pub struct HookRefusal {
    pub status: u16,
    /// An `ErrorCode` name.
    pub code: String,
    pub error: String,
    /// With status 405: the methods the hook accepts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow: Option<Vec<String>>,
}

impl HookRefusal {
    pub fn new(status: u16, code: &str, error: String) -> HookRefusal {
        HookRefusal { status, code: code.to_owned(), error, allow: None }
    }
}

/// `triggers.hook`'s answer: the hook at a path, or why the request is refused before its body
/// is read.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "HookRoute", optional_fields))]
pub struct HookRoute {
    /// The hook's trigger id (`flowId/nodeId`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<HookRefusal>,
    /// The largest body the hook accepts, in bytes.
    pub max_bytes: f64,
    /// The hook needs the server's own authentication.
    pub server_auth: bool,
    /// The hook's own run limits (the server's apply where it has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runs_per_minute: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concurrent_runs: Option<f64>,
}

/// A run a request to a hook starts.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "HookStart"))]
pub struct HookStart {
    pub flow_id: String,
    pub node_id: String,
    pub execution_id: String,
    /// The key of the delivery's fire record (when it was received, or the next whole ms no
    /// other record of the hook has), for `triggers.ended`; none when it found no free key.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub scheduled_at: Option<f64>,
    /// The run's input is `{trigger: this}`: the request.
    #[cfg_attr(test, ts(type = "unknown"))]
    pub trigger: Value,
    /// What the run may reach: the permissions its trigger was activated with (none: the
    /// conductor's own runs, unrestricted).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub permissions: Option<crate::host::RunPermissions>,
}

/// `triggers.deliver`'s answer: the run to start, the run an earlier delivery with the same
/// `Idempotency-Key` started, or why the request is refused; and how to answer the caller.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "HookDelivery", optional_fields))]
pub struct HookDelivery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<HookRefusal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<HookStart>,
    /// The execution id of the run an earlier delivery with this `Idempotency-Key` started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replayed: Option<String>,
    /// `"accepted"`, `"result"` or `"node"`.
    pub respond: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_node: Option<String>,
    /// How long the caller waits for the result, in ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_timeout: Option<f64>,
}

impl HookDelivery {
    /// An answer that starts nothing yet and answers `202` at once: what a hook with respond
    /// `accepted` gives, before its run or replay is added.
    pub fn accepted() -> HookDelivery {
        HookDelivery {
            refused: None,
            start: None,
            replayed: None,
            respond: "accepted".to_owned(),
            response_node: None,
            response_timeout: None,
        }
    }

    /// A refusal, answered at once.
    pub fn refused(refusal: HookRefusal) -> HookDelivery {
        HookDelivery { refused: Some(refusal), ..HookDelivery::accepted() }
    }
}

/// A request to a hook, as the protocol server read it.
#[derive(Debug, Clone, Default)]
pub struct WebhookRequest {
    /// Upper case.
    pub method: String,
    /// The hook's path (what follows `/hooks/`).
    pub path: String,
    /// The query string, without `?`.
    pub query: String,
    /// Names in lower case, in the order received (a repeated header once per value).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl WebhookRequest {
    /// The first value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
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
    /// `"claimed"`, `"started"`, `"running"` (its run seen in the history by a process that
    /// looked), `"succeeded"`, `"failed"` or `"skipped"`.
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
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "FireInput", optional_fields))]
pub struct FireInput {
    /// The trigger node's type.
    #[serde(rename = "type")]
    pub kind: String,
    pub flow_id: String,
    pub node_id: String,
    /// The fire's time and when it started, as ISO 8601 text in UTC (a file event's time is the
    /// file's modification, or when its deletion was seen).
    pub scheduled_at: String,
    pub fired_at: String,
    /// A file watch's: `"created"`, `"changed"` or `"deleted"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// A file watch's: the file's path (the folder's joined with `relativePath`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// A file watch's: the file's path relative to the folder, `/` between folders.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relative_path: Option<String>,
    /// A file watch's: the file's size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<f64>,
    /// A file watch's: when the file was last modified (ISO 8601, UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified_at: Option<String>,
}

/// A run `triggers.due` asks its caller to start now.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "FireToStart"))]
pub struct FireToStart {
    pub flow_id: String,
    pub node_id: String,
    /// The fire's time, and the key of its record: a schedule's fire time; for a file event,
    /// its time, or the next whole ms no other record of the trigger has.
    pub scheduled_at: f64,
    /// Whether the fire has a record (`triggers.ended` then says how its run ended). Always,
    /// for a schedule's; a file event finds no free key only when dozens land in one ms.
    pub recorded: bool,
    /// The run's id: the fire's record names it.
    pub execution_id: String,
    /// The run's input is `{trigger: this}`.
    pub trigger: FireInput,
    /// What the run may reach: the permissions its trigger was activated with (none: the
    /// conductor's own runs, unrestricted).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub permissions: Option<crate::host::RunPermissions>,
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
    /// Activates the triggers of `flow`; the runs they start get `permissions` (none: the
    /// conductor's own runs, unrestricted), and a file watch's folder must be within them.
    fn activate(
        &self,
        flow_id: String,
        flow: Value,
        permissions: Option<crate::host::RunPermissions>,
    ) -> BoxFuture<'static, Result<ActiveTriggers>>;
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
    /// The active webhook at `path`, for a request with `method`.
    fn hook(&self, path: String, method: String) -> BoxFuture<'static, Result<HookRoute>>;
    /// A request to hook `trigger`, checked and made the run's input.
    fn deliver(
        &self,
        trigger: TriggerRef,
        request: WebhookRequest,
        authenticated: bool,
    ) -> BoxFuture<'static, Result<HookDelivery>>;
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
                    let value = parse(&arg)?;
                    let fields =
                        Fields::of(Some(&value), "triggers.activate", &["flowId", "permissions"])?;
                    let flow_id = fields.text("flowId")?.ok_or_else(|| {
                        ExecutionError::validation("Invalid trigger call: 'flowId' is required")
                    })?;
                    let permissions = permissions_of(&value)?;
                    let flow = store.load(&flow_id).await?;
                    triggers.activate(flow_id, flow, permissions).await
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
            TriggersCall::Hook => guarded_future(async move {
                let value = parse(&arg)?;
                let fields = Fields::of(Some(&value), "triggers.hook", &["path", "method"])?;
                let path = fields.text("path")?.ok_or_else(|| needs("path"))?;
                let method = fields.text("method")?.ok_or_else(|| needs("method"))?;
                triggers.hook(path, method).await
            }),
            TriggersCall::Deliver => guarded_future(async move {
                let value = parse(&arg)?;
                let (trigger, request, authenticated) = delivery_of(&value)?;
                let server = permissions_of(&value)?;
                let mut delivery = triggers.deliver(trigger, request, authenticated).await?;
                // The run gets no more than its hook's activation granted, nor than the server
                // gives the runs of a request.
                if let (Some(start), Some(server)) = (delivery.start.as_mut(), server) {
                    start.permissions = Some(match start.permissions.take() {
                        Some(granted) => granted.narrowed_by(&server),
                        None => server,
                    });
                }
                Ok(delivery)
            }),
        }
    }
}

fn unavailable() -> ExecutionError {
    ExecutionError::new(
        ErrorCode::VALIDATION_FAILED,
        "This conductor has no triggers: they need execution history (a conductor with `history`: kept in SQLite, Redis or PostgreSQL natively, in IndexedDB in a browser, in files on the WebAssembly engine in Node, or in memory)",
    )
}

fn parse(arg: &str) -> Result<Value> {
    serde_json::from_str(arg).map_err(|e| crate::options::serde_error::invalid("trigger call", &e))
}

fn needs(field: &str) -> ExecutionError {
    ExecutionError::validation(format!("Invalid trigger call: '{field}' is required"))
}

/// A `triggers.deliver` argument: the hook, the request, and whether the server authenticated
/// its caller.
fn delivery_of(value: &Value) -> Result<(TriggerRef, WebhookRequest, bool)> {
    let known =
        ["trigger", "method", "path", "query", "headers", "body", "authenticated", "permissions"];
    let fields = Fields::of(Some(value), "triggers.deliver", &known)?;
    let mut headers = Vec::new();
    match fields.get("headers") {
        None | Some(Value::Null) => {}
        Some(Value::Array(pairs)) => {
            for pair in pairs {
                match pair.as_array().map(Vec::as_slice) {
                    Some([Value::String(name), Value::String(value)]) => {
                        headers.push((name.to_string().to_ascii_lowercase(), value.to_string()))
                    }
                    _ => return Err(needs("headers (a list of [name, value] pairs)")),
                }
            }
        }
        Some(_) => return Err(needs("headers (a list of [name, value] pairs)")),
    }
    let body = match fields.text("body")? {
        None => Vec::new(),
        Some(text) => {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.decode(text.as_bytes()).map_err(|_| {
                ExecutionError::validation("Invalid trigger call: 'body' must be base64")
            })?
        }
    };
    let request = WebhookRequest {
        method: fields.text("method")?.ok_or_else(|| needs("method"))?.to_ascii_uppercase(),
        path: fields.text("path")?.ok_or_else(|| needs("path"))?,
        query: fields.text("query")?.unwrap_or_default(),
        headers,
        body,
    };
    Ok((trigger_of(&fields)?, request, fields.flag("authenticated")?.unwrap_or(false)))
}

/// A call's `permissions` (none: unrestricted).
fn permissions_of(value: &Value) -> Result<Option<crate::host::RunPermissions>> {
    match value.get("permissions") {
        None | Some(Value::Null) => Ok(None),
        Some(given) => crate::host::RunPermissions::read(given)
            .map(Some)
            .map_err(|e| ExecutionError::validation(format!("Invalid permissions: {e}"))),
    }
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
