//! Per-node runtime state of a run.

use std::sync::Arc;

use crate::value::Value;

use crate::host::CancelToken;
use crate::nodes::NodeInput;
use crate::progress::NodeStatus;

/// What the scheduler knows about one node while the run goes on.
pub(crate) struct Slot {
    /// State, progress and times, as snapshots and the run's view report them.
    pub status: NodeStatus,
    /// The node's output once done (`None` also for JS `undefined`).
    pub output: Option<Arc<Value>>,
    /// A group's input, handed to children that receive no edge data.
    pub input: Option<NodeInput>,
    /// Whether `output` (or a group's `input`) may hold values the embedder keeps on its side
    /// (a JS executor's output, or what passed one on): a built-in reading them needs them
    /// written out first.
    pub js: bool,
    /// Whether `output` summarizes rows that streamed through the node rather than holding them
    /// (see `crate::nodes::stream`).
    pub summarized: bool,
    /// Incoming edges whose source is not done yet.
    pub waiting_predecessors: u32,
    /// A group's children not yet done.
    pub waiting_children: u32,
    /// A sequential group's child that started and is not done yet (`parallel: false`: the
    /// others wait for it).
    pub child_in_flight: bool,
    /// The signal of a running leaf; `Some` exactly while the scheduler counts it as running.
    pub signal: Option<CancelToken>,
}

impl Slot {
    pub fn new(predecessors: u32) -> Self {
        Slot {
            status: NodeStatus::PENDING,
            output: None,
            input: None,
            js: false,
            summarized: false,
            waiting_predecessors: predecessors,
            waiting_children: 0,
            child_in_flight: false,
            signal: None,
        }
    }
}
