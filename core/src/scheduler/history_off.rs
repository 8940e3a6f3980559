//! The scheduler's side of execution history in builds without it (the browser module): types
//! with no values, so every history path in the scheduler is provably dead and compiled out; and
//! no `wait` node or durable run, so nothing parks.

use std::sync::atomic::AtomicU32;
use std::sync::Arc;

use super::partial::PresetOutput;
use crate::error::ExecutionError;
use crate::history::{Reuse, SharedRecorder};
use crate::nodes::NodeInput;
use crate::plan::{NodeIx, PathIndex, Plan};
use crate::progress::NodeState;
use crate::value::Value;

/// Never exists without the `history` feature.
pub(crate) enum RunHistory {}

impl super::Scheduler {
    /// Never parks: see `history/wait.rs`.
    #[inline(always)]
    pub(in crate::scheduler) fn parks_or_wakes(&mut self, _ix: NodeIx, _input: &NodeInput) -> bool {
        false
    }
}

/// Never exists without the `history` feature.
#[derive(Clone)]
pub(crate) enum Nesting {}

impl Nesting {
    pub fn run(
        &self,
        _plan: &Plan,
        _prefix: &str,
        _types: (&crate::nodes::NodeRegistry, &std::collections::HashSet<String>),
    ) -> (RunHistory, Vec<Option<PresetOutput>>) {
        match *self {}
    }
}

/// Nothing to record or reuse: neither a recorder nor a retry's outputs can be made here.
pub(crate) fn prepare(
    _plan: &Plan,
    _paths: Option<&PathIndex>,
    recorder: Option<SharedRecorder>,
    reuse: Option<Reuse>,
    _types: (&crate::nodes::NodeRegistry, &std::collections::HashSet<String>),
) -> Result<(Option<RunHistory>, Vec<Option<PresetOutput>>), ExecutionError> {
    if let Some(recorder) = recorder {
        match recorder {}
    }
    if let Some(reuse) = reuse {
        match reuse {}
    }
    Ok((None, Vec::new()))
}

impl RunHistory {
    pub fn nesting(&self) -> Nesting {
        match *self {}
    }

    pub fn record_pins(&self, _flows: &crate::plan::PinnedFlows) {
        match *self {}
    }

    pub fn record_permissions(&self) {
        match *self {}
    }

    pub fn started(&mut self, _ix: NodeIx, _input: &NodeInput) {
        match *self {}
    }

    pub fn attempt_counter(&mut self, _ix: NodeIx) -> Arc<AtomicU32> {
        match *self {}
    }

    pub fn attempts_left(&self, _ix: NodeIx, _max: u32) -> u32 {
        match *self {}
    }

    pub fn suspending(&self) -> bool {
        match *self {}
    }

    pub fn parked(&self) -> bool {
        match *self {}
    }

    pub fn parked_error(&self) -> Option<&ExecutionError> {
        match *self {}
    }

    pub fn poll_writes(&self, _cx: &mut std::task::Context<'_>) {
        match *self {}
    }

    pub fn write_ahead(
        &self,
        _plan: &Plan,
        _ix: NodeIx,
        _executor: &super::leaf::Executor,
    ) -> Option<crate::host::BoxFuture<'static, ()>> {
        match *self {}
    }

    #[allow(clippy::too_many_arguments)]
    pub fn ended(
        &mut self,
        _plan: &Plan,
        _ix: NodeIx,
        _state: NodeState,
        _output: Option<Arc<Value>>,
        _error: Option<ExecutionError>,
        _times: (Option<f64>, Option<f64>),
        _flags: (bool, bool, bool),
        _cache: Option<(String, f64)>,
    ) {
        match *self {}
    }
}
