//! `executions.signal`, `executions.approve` and `executions.due`: waking runs parked at wait
//! nodes (see `history::wait`). Each checks the request against what the run waits for, then
//! wakes it in one store step, so that of two wakes racing one wins and the other is refused;
//! a refused request changes nothing. The caller resumes a woken run (`executions.resume`).

use serde::{Deserialize, Serialize};

use super::{not_found, SessionHistory};
use crate::error::{ExecutionError, Result};
use crate::history::{validate_execution_id, wait, ListQuery, RunStatus, WaitKind, Waiting, Wake};
use crate::nodes::builtin::wait::payload::check_payload;
use crate::value::{Map, Value};

/// `executions.signal`'s request.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SignalRequest {
    execution_id: String,
    name: String,
    #[serde(default)]
    payload: Value,
    /// `false`: the caller resumes the run later. A protocol server reads it (by default it
    /// resumes the run itself); an engine always leaves the resume to its caller.
    #[serde(default, rename = "resume")]
    _resume: Option<bool>,
}

/// `executions.approve`'s request.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ApproveRequest {
    execution_id: String,
    node_id: String,
    approved: bool,
    #[serde(default)]
    by: Option<String>,
    #[serde(default)]
    comment: Option<String>,
    /// As [`SignalRequest`]'s.
    #[serde(default, rename = "resume")]
    _resume: Option<bool>,
}

/// `executions.due`'s answer: the runs woken (to be resumed), and when the next parked run's
/// time comes (ms since the Unix epoch; `null`: none waits for a time).
#[derive(Debug, Default, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "WokenRuns"))]
pub struct WokenRuns {
    pub woken: Vec<String>,
    pub next: Option<f64>,
}

/// Parked runs looked at by one `due` (the rest wait for the next).
const DUE_PAGE: usize = 100_000;

fn refused(message: String) -> ExecutionError {
    ExecutionError::validation(message)
}

impl SessionHistory {
    /// What run `id` waits for; refused for an unknown run or one that is not waiting.
    async fn waiting_of(&self, id: &str) -> Result<Waiting> {
        validate_execution_id(id)?;
        let record = self.store.get(id.to_owned()).await?.ok_or_else(|| not_found(id))?;
        Waiting::of(&record.summary).ok_or_else(|| {
            refused(format!(
                "Execution {id} is not waiting (it is {})",
                record.summary.status.as_str()
            ))
        })
    }

    /// Wakes run `id` at `waiting` with `delivery`; refused when another wake came first.
    async fn wake(&self, id: String, waiting: &Waiting, delivery: Value) -> Result<()> {
        let wake = Wake {
            execution_id: id,
            node_id: waiting.node_id.clone(),
            since: waiting.since,
            delivery: with_permissions(delivery, waiting),
        };
        let id = wake.execution_id.clone();
        if self.store.wake(wake).await? {
            Ok(())
        } else {
            Err(refused(format!(
                "Execution {id} no longer waits at node '{}': it was woken first (by another signal or approval, or its time)",
                waiting.node_id
            )))
        }
    }

    /// `executions.signal({executionId, name, payload?})`.
    pub(crate) async fn signal(&self, request_json: &str, now: f64) -> Result<()> {
        let request: SignalRequest = serde_json::from_str(request_json).map_err(|e| {
            refused(format!("Invalid signal ({{executionId, name, payload?}}): {e}"))
        })?;
        let id = request.execution_id;
        let waiting = self.waiting_of(&id).await?;
        let expected = match (waiting.kind, &waiting.signal) {
            (WaitKind::Signal, Some(name)) => name,
            _ => {
                return Err(refused(format!(
                    "Execution {id} waits at node '{}' for {}, not a signal",
                    waiting.node_id,
                    what(waiting.kind)
                )))
            }
        };
        if *expected != request.name {
            return Err(refused(format!(
                "Execution {id} waits for signal '{expected}', not '{}'",
                request.name
            )));
        }
        if let Some(schema) = &waiting.payload_schema {
            check_payload(schema, &request.payload).map_err(|why| {
                refused(format!("Signal '{expected}' for execution {id} refused: {why}"))
            })?;
        }
        let fields = Map::from_iter([
            ("name".to_owned(), Value::from(request.name)),
            ("payload".to_owned(), request.payload),
        ]);
        self.wake(id, &waiting, wait::delivery("signal", now, fields)).await
    }

    /// `executions.approve({executionId, nodeId, approved, by?, comment?})`.
    pub(crate) async fn approve(&self, request_json: &str, now: f64) -> Result<()> {
        let request: ApproveRequest = serde_json::from_str(request_json).map_err(|e| {
            refused(format!(
                "Invalid approval ({{executionId, nodeId, approved, by?, comment?}}): {e}"
            ))
        })?;
        let id = request.execution_id;
        let waiting = self.waiting_of(&id).await?;
        if waiting.kind != WaitKind::Approval {
            return Err(refused(format!(
                "Execution {id} waits at node '{}' for {}, not an approval",
                waiting.node_id,
                what(waiting.kind)
            )));
        }
        if waiting.node_id != request.node_id {
            return Err(refused(format!(
                "Execution {id} waits for an approval at node '{}', not '{}'",
                waiting.node_id, request.node_id
            )));
        }
        let mut fields = Map::from_iter([("approved".to_owned(), Value::from(request.approved))]);
        if let Some(by) = request.by {
            fields.insert("by".to_owned(), Value::from(by));
        }
        if let Some(comment) = request.comment {
            fields.insert("comment".to_owned(), Value::from(comment));
        }
        self.wake(id, &waiting, wait::delivery("approval", now, fields)).await
    }

    /// `executions.due(options?)`: wakes every parked run whose time came by `now`, or (options
    /// JSON `{executionId}`) that run only.
    pub(crate) async fn wake_due(&self, options_json: &str, now: f64) -> Result<WokenRuns> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        struct Only {
            execution_id: String,
        }
        let summaries = if options_json.trim().is_empty() {
            let query = ListQuery {
                status: Some(RunStatus::Waiting),
                limit: DUE_PAGE,
                ..ListQuery::default()
            };
            self.store.list(query).await?.executions
        } else {
            let only: Only = serde_json::from_str(options_json)
                .map_err(|e| refused(format!("Invalid due options ({{executionId?}}): {e}")))?;
            validate_execution_id(&only.execution_id)?;
            let record = self.store.get(only.execution_id).await?;
            record.map(|r| r.summary).into_iter().collect()
        };
        let mut answer = WokenRuns::default();
        let mut failed = None;
        for summary in summaries {
            let Some(waiting) = Waiting::of(&summary) else { continue };
            let Some(at) = waiting.wake_at else { continue };
            if at > now {
                answer.next = Some(answer.next.map_or(at, |next: f64| next.min(at)));
                continue;
            }
            let kind = match waiting.kind {
                WaitKind::Duration | WaitKind::Until => "time",
                WaitKind::Signal | WaitKind::Approval => "timeout",
            };
            let wake = Wake {
                execution_id: summary.id.clone(),
                node_id: waiting.node_id.clone(),
                since: waiting.since,
                delivery: with_permissions(wait::delivery(kind, now, Map::new()), &waiting),
            };
            // Another conductor on the store may wake it first: then it is theirs to resume. A
            // store that fails on one run does not hide the runs woken before it (they must be
            // resumed): it is said only when nothing was woken.
            match self.store.wake(wake).await {
                Ok(true) => answer.woken.push(summary.id),
                Ok(false) => {}
                Err(error) => failed = failed.or(Some(error)),
            }
        }
        match failed {
            Some(error) if answer.woken.is_empty() => Err(error),
            _ => Ok(answer),
        }
    }
}

/// `delivery` with the permissions the run parked with (the resumed run takes them back).
fn with_permissions(delivery: Value, waiting: &Waiting) -> Value {
    let (Value::Object(mut fields), Some(permissions)) = (delivery.clone(), &waiting.permissions)
    else {
        return delivery;
    };
    if let Ok(permissions) = crate::value::to_value(permissions) {
        fields.insert("permissions".to_owned(), permissions);
    }
    Value::Object(fields)
}

fn what(kind: WaitKind) -> &'static str {
    match kind {
        WaitKind::Duration | WaitKind::Until => "a time",
        WaitKind::Signal => "a signal",
        WaitKind::Approval => "an approval",
    }
}
