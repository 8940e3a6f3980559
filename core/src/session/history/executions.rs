//! `executions.*`: the run history's calls, in sessions with execution history.

use std::sync::Arc;

use super::super::storage::guarded_future;
use super::super::{ExecutionsCall, Session};
use super::{Pruned, SessionHistory};
use crate::error::ExecutionError;
use crate::host::BoxFuture;
use crate::value::Value;

impl Session {
    /// One `executions.*` call by name, for bindings and transports that forward them as one
    /// method: `list` (`arg`: options JSON), `get` and `delete` (`arg`: the execution id),
    /// `prune` (`arg`: options JSON), `flush` (waits until every record written so far is
    /// stored; `null` also when history is off), `suspend` (`arg`: the execution id of a run going
    /// on, stopped to be resumed). An unknown name is a `VALIDATION_FAILED` outcome.
    pub fn executions(&self, op: &str, arg: String) -> BoxFuture<'static, String> {
        let call = match ExecutionsCall::parse_or_refuse(op, "executions") {
            Ok(call) => call,
            Err(error) => return guarded_future(async move { Err::<Value, _>(error) }),
        };
        match call {
            ExecutionsCall::List => self.executions_list(arg),
            ExecutionsCall::Get => self.executions_get(arg),
            ExecutionsCall::Counts => {
                let history = self.history.clone();
                guarded_future(async move { history_on(history)?.counts(&arg).await })
            }
            ExecutionsCall::Delete => self.executions_delete(arg),
            ExecutionsCall::Prune => self.executions_prune(arg),
            ExecutionsCall::Suspend => {
                let durable = self.history.as_ref().is_some_and(|history| history.durable);
                let found = super::super::mailbox::lock(&self.runs).get(&arg).map(|run| {
                    // A durable run stops at its node boundaries (see `Suspension`); the nodes
                    // still running after the grace, and any other run, are stopped at once.
                    run.suspension.cancel();
                    let grace = if durable { super::SUSPEND_GRACE_MS } else { 0.0 };
                    (run.cancel.clone(), self.host.sleep(grace))
                });
                let stop = found.map(|(cancel, grace)| {
                    let stop: BoxFuture<'static, ()> = Box::pin(async move {
                        grace.await;
                        cancel.cancel();
                    });
                    stop
                });
                let suspended = stop.is_some();
                if let Some(stop) = stop {
                    self.host.spawn(stop);
                }
                guarded_future(async move { Ok(suspended) })
            }
            ExecutionsCall::Signal | ExecutionsCall::Approve | ExecutionsCall::Due => {
                let (history, now) = (self.history.clone(), self.host.now());
                guarded_future(async move {
                    let history = history_on(history)?;
                    match call {
                        ExecutionsCall::Signal => {
                            history.signal(&arg, now).await.map(|()| Value::Null)
                        }
                        ExecutionsCall::Approve => {
                            history.approve(&arg, now).await.map(|()| Value::Null)
                        }
                        _ => crate::value::to_value(&history.wake_due(&arg, now).await?)
                            .map_err(|e| ExecutionError::internal(e.to_string())),
                    }
                })
            }
            ExecutionsCall::Differences => {
                let history = self.history.clone();
                guarded_future(async move { history_on(history)?.differences(&arg).await })
            }
            ExecutionsCall::Flush => {
                // The store answers in order: a read returns once every earlier write is stored.
                let history = self.history.clone();
                guarded_future(async move {
                    if let Some(history) = history {
                        history
                            .store()
                            .list(crate::history::ListQuery { limit: 0, ..Default::default() })
                            .await?;
                    }
                    Ok(Value::Null)
                })
            }
        }
    }

    /// `executions.list(options)`: `{executions, total}`.
    pub fn executions_list(&self, options_json: String) -> BoxFuture<'static, String> {
        let history = self.history.clone();
        guarded_future(async move { history_on(history)?.list(&options_json).await })
    }

    /// `executions.get(id)`: the run with its nodes.
    pub fn executions_get(&self, id: String) -> BoxFuture<'static, String> {
        let history = self.history.clone();
        guarded_future(async move { history_on(history)?.get(id).await })
    }

    /// `executions.delete(id)`.
    pub fn executions_delete(&self, id: String) -> BoxFuture<'static, String> {
        let history = self.history.clone();
        guarded_future(async move { history_on(history)?.delete(id).await.map(|()| Value::Null) })
    }

    /// `executions.prune({olderThan?, keep?})`: `{deleted}`.
    pub fn executions_prune(&self, options_json: String) -> BoxFuture<'static, String> {
        let history = self.history.clone();
        let now = self.host.now();
        guarded_future(async move {
            let deleted = history_on(history)?.prune(&options_json, now).await?;
            Ok(Pruned { deleted })
        })
    }
}

fn history_on(history: Option<Arc<SessionHistory>>) -> Result<Arc<SessionHistory>, ExecutionError> {
    history.ok_or_else(|| {
        ExecutionError::validation("Execution history is off for this conductor (history: false)")
    })
}
