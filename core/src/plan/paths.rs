//! Naming nodes from outside a run: a node's *path* is the ids of its enclosing groups below the
//! root and its own, joined by `/` (ids are only unique among siblings). A top-level node's path
//! is its id; so is an atomic root's. Run records, pins, `runTo` and breakpoints all use paths.

use std::sync::Arc;

use super::{NodeIx, Plan};
use crate::error::{ExecutionError, Result};

impl Plan {
    /// Node `ix`'s path.
    pub fn path(&self, ix: NodeIx) -> Arc<str> {
        let mut ids = vec![&self.nodes[ix].id];
        let mut parent = self.nodes[ix].parent;
        while let Some(group) = parent.filter(|&g| g != 0) {
            ids.push(&self.nodes[group].id);
            parent = self.nodes[group].parent;
        }
        if ids.len() == 1 {
            return ids[0].clone();
        }
        ids.reverse();
        Arc::from(ids.iter().map(|id| &***id).collect::<Vec<&str>>().join("/"))
    }
}

/// Finds nodes by path for one run option (`what` names it in the error).
pub(crate) struct PathIndex {
    paths: Vec<Arc<str>>,
}

impl PathIndex {
    pub fn new(plan: &Plan) -> Self {
        PathIndex { paths: (0..plan.nodes.len()).map(|ix| plan.path(ix)).collect() }
    }

    /// The node at `path`, or a validation error naming the option and the path.
    pub fn find(&self, path: &str, what: &str) -> Result<NodeIx> {
        // A group root's path is its id, which a top-level node may share: the node is meant.
        let paths = self.paths();
        let found = paths.iter().skip(1).position(|p| **p == *path).map(|ix| ix + 1);
        found.or_else(|| (*paths[0] == *path).then_some(0)).ok_or_else(|| {
            ExecutionError::validation(format!("{what}: the flow has no node '{path}' (nested nodes are named by their path, e.g. 'group/node')"))
        })
    }

    /// Every node's path, by index (what run records name nodes by).
    pub fn paths(&self) -> &[Arc<str>] {
        &self.paths
    }
}
