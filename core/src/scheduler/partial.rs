//! Partial runs, for a debugging loop: outputs given instead of running nodes (pinned by the
//! caller, or reused from a recorded run by a retry), and `runTo`'s set of nodes (a node and what
//! it depends on, nothing else).

use std::sync::Arc;

use crate::error::Result;
use crate::plan::{NodeIx, PathIndex, Plan};
use crate::run::RunOptions;
use crate::value::Value;

/// An output that stands in for a node's run.
pub(crate) struct PresetOutput {
    /// `None`: the node returned `undefined`.
    pub output: Option<Arc<Value>>,
    /// Given with the run (shown as `pinned`), rather than reused from a recorded run.
    pub pinned: bool,
}

/// `pinned` (path → output) over `presets`, by node index. A pin wins over a reused output.
pub(crate) fn add_pins(
    plan: &Plan,
    paths: &PathIndex,
    pinned: Vec<(String, Value)>,
    presets: &mut Vec<Option<PresetOutput>>,
) -> Result<()> {
    if pinned.is_empty() {
        return Ok(());
    }
    presets.resize_with(plan.nodes.len(), || None);
    for (path, output) in pinned {
        let ix = paths.find(&path, "pinned")?;
        presets[ix] = Some(PresetOutput {
            output: (!output.is_undefined()).then(|| Arc::new(output)),
            pinned: true,
        });
    }
    Ok(())
}

/// The nodes a run to `target` runs: `target` (its whole subtree if it is a group), whatever its
/// input comes from, transitively — edge sources in full (a group's output needs all of it), and
/// enclosing groups only as far as they start (not their other children). A node with a preset
/// output (pinned, reused) needs nothing upstream of it. Each node is looked at once as a start
/// and once in full, so the work is linear in the flow's size whatever its shape.
pub(crate) fn run_to_set(
    plan: &Plan,
    target: NodeIx,
    presets: &[Option<PresetOutput>],
) -> Vec<bool> {
    let n = plan.nodes.len();
    let (mut needed, mut whole_done) = (vec![false; n], vec![false; n]);
    // (node, whole subtree)
    let mut stack = vec![(target, true)];
    while let Some((ix, whole)) = stack.pop() {
        if (whole && whole_done[ix]) || (!whole && needed[ix]) {
            continue;
        }
        let preset = presets.get(ix).is_some_and(Option::is_some);
        let inner =
            if whole && !preset { ix + 1..plan.nodes[ix].subtree_end } else { ix + 1..ix + 1 };
        if whole {
            whole_done[ix] = true;
            stack.extend(inner.map(|child| (child, true)));
        }
        if needed[ix] {
            continue;
        }
        needed[ix] = true;
        if !preset {
            stack.extend(plan.nodes[ix].inputs.iter().map(|input| (input.source, true)));
        }
        if let Some(group) = plan.nodes[ix].parent {
            stack.push((group, false));
        }
    }
    needed
}

impl super::Scheduler {
    /// The output given for node `ix` instead of running it (pinned, or reused by a retry),
    /// taken: each is used once.
    pub(super) fn take_preset(&mut self, ix: NodeIx) -> Option<PresetOutput> {
        self.presets.get_mut(ix).and_then(Option::take)
    }
}

/// Whether a run's options name nodes (`pinned`, `runTo`, `breakpoints`).
pub(crate) fn finds_named_nodes(options: &RunOptions) -> bool {
    options.names_nodes()
}

/// A run's debugging options resolved against its plan.
pub(crate) struct ResolvedRequest {
    pub run_to: Option<(NodeIx, Vec<bool>)>,
    /// Sorted indices.
    pub breakpoints: Vec<NodeIx>,
}

/// Finds the nodes a run's options name (`pinned`, `runTo`, `breakpoints`; `paths` is there
/// when they name any), taking them out of the options; pins go into `presets`. An unknown path
/// is a validation error naming the option.
pub(crate) fn resolve_named_nodes(
    options: &mut RunOptions,
    plan: &Plan,
    paths: Option<&PathIndex>,
    presets: &mut Vec<Option<PresetOutput>>,
) -> Result<ResolvedRequest> {
    let Some(paths) = paths.filter(|_| options.names_nodes()) else {
        return Ok(ResolvedRequest { run_to: None, breakpoints: Vec::new() });
    };
    add_pins(plan, paths, std::mem::take(&mut options.pinned), presets)?;
    let run_to = match &options.run_to {
        Some(path) => {
            let target = paths.find(path, "runTo")?;
            Some((target, run_to_set(plan, target, presets)))
        }
        None => None,
    };
    let mut breakpoints = options
        .breakpoints
        .iter()
        .map(|path| paths.find(path, "breakpoints"))
        .collect::<Result<Vec<NodeIx>>>()?;
    breakpoints.sort_unstable();
    breakpoints.dedup();
    Ok(ResolvedRequest { run_to, breakpoints })
}
