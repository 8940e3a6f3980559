//! The debugging loop's side of a session: pausing, resuming and stepping its runs, the live
//! state of the run started last (`node.store`), and the events only a debugger asks for.

use std::sync::{Arc, Mutex};

use super::events::Record;
use super::mailbox::lock;
use super::Session;
use crate::engine::{RunCommand, RunView, SharedControl, SharedView};

/// What a session keeps for its debugger: the live state of the run started last.
#[derive(Default)]
pub(super) struct Debugging {
    latest_view: Mutex<Option<SharedView>>,
}

/// The pause, resume and step requests of a run about to start.
pub(super) fn new_control() -> Option<SharedControl> {
    Some(Arc::default())
}

impl Session {
    /// The state of the run started last, as `node.store` shows it, in the shape of a progress
    /// snapshot (see [`RunView::to_json`]); `None` before any run, and after a run refused
    /// before any node could run.
    pub fn run_state(&self) -> Option<String> {
        let view = lock(&self.debugging.latest_view).clone()?;
        view.to_json()
    }

    /// Pauses, resumes or steps a running execution (`"pause" | "resume" | "step"`); `false`
    /// when no such run is going on, or for any other command.
    pub fn control_run(&self, execution_id: &str, command: &str) -> bool {
        let Some(command) = RunCommand::parse(command) else { return false };
        match lock(&self.runs).get(execution_id).and_then(|run| run.control.as_ref()) {
            Some(control) => {
                control.apply(command);
                true
            }
            None => false,
        }
    }

    /// The live view of run `execution_id`, which becomes the latest run `run_state` reads.
    pub(super) fn watch(&self, execution_id: &str) -> Option<SharedView> {
        let view = RunView::new(execution_id);
        // The previous run's view is let go outside the lock: its plan may go with it.
        let previous = lock(&self.debugging.latest_view).replace(view.clone());
        drop(previous);
        Some(view)
    }
}

/// `{"type":"paused", executionId, nodeId, input}`, the input as self-contained codec text (what
/// JSON cannot say, binary data included, tagged) for the embedder to revive.
pub(super) fn paused_text(
    execution_id: &str,
    node_id: &str,
    input: &crate::value::Value,
) -> Option<String> {
    let input = crate::value::codec::to_json(input).ok()?;
    let record =
        serde_json::to_string(&Record { kind: "paused", execution_id, node_id, error: None })
            .ok()?;
    let fields = record.strip_suffix('}')?;
    Some(format!("{fields},\"input\":{input}}}"))
}

/// `{"type":"nodeChanged", executionId, cachedProgress, node}`.
pub(super) fn node_changed_text(
    execution_id: &str,
    node: &crate::progress::ProgressNode,
    progress: u8,
) -> Option<String> {
    let id = serde_json::to_string(execution_id).ok()?;
    let node = serde_json::to_string(node).ok()?;
    Some(format!("{{\"type\":\"nodeChanged\",\"executionId\":{id},\"cachedProgress\":{progress},\"node\":{node}}}"))
}
