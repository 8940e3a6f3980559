//! Writes the history store tests make.

use std::sync::Arc;

use atomiton_core::history::{HistoryWrite, RunBegun, RunEnded, RunStatus, RunSummary};
use atomiton_core::nodes::NodeInput;
use atomiton_core::progress::NodeState;

/// Run `id` of flow `f` begins at `start`.
pub fn run(id: &str, start: f64) -> HistoryWrite {
    HistoryWrite::Begun(Box::new(RunBegun {
        summary: RunSummary::running(id, "f", start),
        flow_json: Arc::from(r#"{"id":"f"}"#),
        flow_buffers: Vec::new(),
        input: NodeInput::empty(),
        variables: Arc::new(atomiton_core::json!({})),
        values_pending: false,
    }))
}

/// [`run`] with its fields changed by `change`.
pub fn run_with(id: &str, start: f64, change: impl FnOnce(&mut RunBegun)) -> HistoryWrite {
    let HistoryWrite::Begun(mut begun) = run(id, start) else { unreachable!() };
    change(&mut begun);
    HistoryWrite::Begun(begun)
}

/// Run `id` ends with `status` at `at`.
pub fn ended(id: &str, status: RunStatus, at: f64) -> HistoryWrite {
    HistoryWrite::Ended(Box::new(RunEnded {
        execution_id: Arc::from(id),
        status,
        end_time: at,
        error: None,
    }))
}

/// Node `node` of run `run` completes at `at`.
pub fn node(run: &str, node: &str, at: f64) -> HistoryWrite {
    atomiton_core::testing::history_store::node(run, node, NodeState::Completed, None, None, at)
}
