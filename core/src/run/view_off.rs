//! Builds without `debugger`: no run keeps a live view (the browser's default module follows
//! each run's progress snapshots and change events instead). See `view.rs`.

use std::sync::Arc;

use crate::plan::{NodeIx, Plan};
use crate::progress::NodeStatus;

/// No view in this build: nothing makes one, and the scheduler's calls do nothing.
#[derive(Clone)]
pub enum RunView {}

/// A run's live view as its handles hold it: never made, and known not to be by its type.
pub type SharedView = RunView;

impl RunView {
    pub(crate) fn begin(&self, _: &Arc<Plan>, _: f64) {}
    pub(crate) fn set(&self, _: NodeIx, _: &NodeStatus, _: u8) {}
    pub(crate) fn finish(&self, _: f64, _: u8) {}
}
