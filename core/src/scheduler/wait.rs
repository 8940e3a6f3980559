//! `wait` nodes in durable runs: the run parks at one (it starts nothing more, lets the nodes
//! running end, and ends `WAITING`), and a resumed run's wait node takes what woke it instead
//! of parking again (see `history::wait`).

use std::sync::Arc;

use super::Scheduler;
use crate::nodes::builtin::wait::{outcome, WAIT_TYPE};
use crate::nodes::NodeInput;
use crate::plan::NodeIx;
use crate::progress::NodeState;

impl Scheduler {
    /// For built-in `wait` leaf `ix` of a durable run: parks the run there, or gives the node
    /// what woke it; whether it did (otherwise the node runs as any other: a run that is not
    /// durable holds a time wait).
    pub(super) fn parks_or_wakes(&mut self, ix: NodeIx, input: &NodeInput) -> bool {
        let node = &self.plan.nodes[ix];
        if *node.node_type != *WAIT_TYPE || self.custom_types.contains(WAIT_TYPE) {
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
        match outcome::waiting(&parameters, &history.paths[ix], now) {
            Ok(waiting) => history.park(waiting.error()),
            Err(error) => {
                self.set_state(ix, NodeState::Executing, None);
                self.fail(ix, error);
            }
        }
        true
    }
}
