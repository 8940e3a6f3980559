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
    /// Which of its ports carried something when it ended.
    pub fired: Fired,
    /// Incoming edges that carried something (see [`Fired`]): a node whose every incoming edge
    /// carried nothing is skipped.
    pub live_inputs: u32,
    /// Whether it was put in the ready heap (or skipped) already: a `merge` that takes its
    /// first input is ready before its last predecessor ends.
    pub queued: bool,
    /// Reached only by edges that carried nothing: it is skipped when it comes to start.
    pub dead: bool,
    /// A `merge` that takes its first input: which of its inputs arrived first.
    pub first_input: Option<u32>,
    /// Its failure, handled by its `onError` (its output is `{error}`), recorded when it ends.
    pub handled: Option<crate::error::ExecutionError>,
    /// Fields of `output` that edges select (flows of version 2), taken out once.
    pub fields: Vec<(Arc<str>, Arc<Value>)>,
}

/// Which ports of a node carried something when it ended.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum Fired {
    /// Nothing: not ended, or skipped because nothing reached it.
    #[default]
    Nothing,
    /// Its output: every port but a routing node's branches and the error port.
    Output,
    /// A routing node's value, from these branches.
    Branches(Vec<Arc<str>>),
    /// A failure handled by `onError: "route"`: `{error}` from the error port.
    Error,
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
            fired: Fired::Nothing,
            live_inputs: 0,
            queued: false,
            dead: false,
            first_input: None,
            handled: None,
            fields: Vec::new(),
        }
    }
}
