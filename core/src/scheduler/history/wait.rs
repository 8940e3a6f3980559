//! `wait` nodes in durable runs: the run parks at one (it starts nothing more, lets the nodes
//! running end, and ends `WAITING`), and a resumed run's wait node takes what woke it instead
//! of parking again (see `history::wait`).

use std::sync::Arc;

use crate::error::ExecutionError;
use crate::history::{WaitKind, Waiting};
use crate::nodes::builtin::wait::outcome::{self, text, until_ms};
use crate::nodes::builtin::wait::WAIT_TYPE;
use crate::nodes::NodeInput;
use crate::plan::NodeIx;
use crate::progress::NodeState;
use crate::scheduler::RunRecording;
use crate::scheduler::Scheduler;
use crate::value::{Map, Value};

impl Scheduler {
    /// For built-in `wait` leaf `ix` of a durable run: parks the run there, or gives the node
    /// what woke it; whether it did (otherwise the node runs as any other: a run that is not
    /// durable holds a time wait).
    pub(in crate::scheduler) fn parks_or_wakes(&mut self, ix: NodeIx, input: &NodeInput) -> bool {
        let node = &self.plan.nodes[ix];
        // The type first: every leaf passes here, and looking a type up costs a hash or two.
        if *node.node_type != *WAIT_TYPE {
            return false;
        }
        let built_in = crate::nodes::route(WAIT_TYPE, &self.registry, &self.custom_types)
            .is_some_and(|runtime| runtime.registered().is_some());
        if !built_in {
            return false;
        }
        let Some(history) = self.history.as_mut().filter(|h| h.recorder.is_durable()) else {
            return false;
        };
        let (parameters, node_id) = (node.parameters.clone(), node.id.clone());
        let now = self.host.now();
        if let Some(delivery) = history.deliveries[ix].take() {
            history.started(ix, input);
            self.slots[ix].status.start_time = Some(now);
            match outcome::delivered(&parameters, &node_id, input, &delivery) {
                Ok(output) => self.complete(ix, output.map(Arc::new), NodeState::Completed),
                Err(error) => {
                    self.set_state(ix, NodeState::Executing, None);
                    self.fail(ix, error);
                }
            }
            return true;
        }
        let parked = waiting(&parameters, &history.paths[ix], now).map(|mut waiting| {
            // Kept with the wait, so that whoever wakes it resumes it with the same reach.
            waiting.permissions = history.recorder.permissions().cloned();
            waiting
        });
        match parked {
            Ok(waiting) => history.park(waiting.error()),
            Err(error) => {
                self.set_state(ix, NodeState::Executing, None);
                self.fail(ix, error);
            }
        }
        true
    }
}

/// What the wait node at `path` (its parameters checked by validation) parks the run on, at
/// `now`.
fn waiting(parameters: &Map, path: &str, now: f64) -> Result<Waiting, ExecutionError> {
    let kind = match text(parameters, "mode").unwrap_or("duration") {
        "until" => WaitKind::Until,
        "signal" => WaitKind::Signal,
        "approval" => WaitKind::Approval,
        _ => WaitKind::Duration,
    };
    let number = |name: &str| parameters.get(name).and_then(Value::as_f64);
    let wake_at = match kind {
        WaitKind::Duration => Some(now + number("duration").unwrap_or(0.0)),
        WaitKind::Until => Some(
            until_ms(parameters.get("until").unwrap_or(&Value::Null))
                .map_err(ExecutionError::validation)?,
        ),
        WaitKind::Signal | WaitKind::Approval => number("waitTimeout").map(|ms| now + ms),
    };
    Ok(Waiting {
        node_id: path.to_owned(),
        kind,
        since: now,
        wake_at,
        signal: text(parameters, "signal").filter(|_| kind == WaitKind::Signal).map(str::to_owned),
        payload_schema: parameters.get("payloadSchema").filter(|v| !v.is_null()).cloned(),
        permissions: None,
    })
}
