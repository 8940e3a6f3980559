//! Progress: weighted computation, animation steps and the snapshot payload.

// A node served from the cache.
mod cache_hit;
mod event;
mod status;
mod steps;
// Rows and bytes of streamed nodes (none in builds without `streams`).
mod streamed;

pub use cache_hit::{CacheHit, CacheKey};
pub use event::{GraphEdge, NodeState, ProgressEvent, ProgressGraph, ProgressNode};
pub use status::NodeStatus;
pub use steps::{progress_steps, COMPLETE_MESSAGE};
pub use streamed::Streamed;

/// The TypeScript engine's weighted progress formula: completed and skipped weight plus executing
/// weight × its progress, over the total; error and pending nodes count 0. Kept incrementally in
/// integer units (weight × percent) so each update is O(1) and exact.
#[derive(Debug, Clone, Default)]
pub struct WeightedProgress {
    total_weight: u64,
    done_units: u64,
    executing_units: u64,
}

impl WeightedProgress {
    pub fn new(total_weight: u64) -> Self {
        WeightedProgress { total_weight, done_units: 0, executing_units: 0 }
    }

    /// Moves a node of `weight` from `(old_state, old_progress)` to `(new_state, new_progress)`.
    pub fn update(&mut self, weight: u64, old: (NodeState, u8), new: (NodeState, u8)) {
        let units = |state: NodeState, progress: u8| match state {
            NodeState::Completed | NodeState::Skipped | NodeState::Pinned | NodeState::Cached => {
                (weight * 100, 0)
            }
            NodeState::Executing => (0, weight * u64::from(progress)),
            NodeState::Pending | NodeState::Error => (0, 0),
        };
        let (old_done, old_exec) = units(old.0, old.1);
        let (new_done, new_exec) = units(new.0, new.1);
        self.done_units = self.done_units + new_done - old_done;
        self.executing_units = self.executing_units + new_exec - old_exec;
    }

    /// Adds done weight for nodes that are skipped wholesale (a disabled group's subtree).
    pub fn add_done(&mut self, weight: u64) {
        self.done_units += weight * 100;
    }

    /// `Math.round(...)` of the formula, in `0..=100`.
    pub fn percent(&self) -> u8 {
        if self.total_weight == 0 {
            return 0;
        }
        let ratio =
            (self.done_units + self.executing_units) as f64 / (self.total_weight as f64 * 100.0);
        (ratio * 100.0).round().clamp(0.0, 100.0) as u8
    }
}
