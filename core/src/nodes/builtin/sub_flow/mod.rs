//! `sub-flow`: runs a saved flow (from the conductor's flow storage, or a bundled template) by
//! its id, with an input, and gives its result. The flow called is the one the run found when
//! it started (pinned by its content hash: a run resumed days later calls the same), runs with
//! the caller's permissions, and calls nest only so deep.

mod schema;

/// The `sub-flow` node type's name.
pub(crate) const SUB_FLOW_TYPE: &str = "sub-flow";

builtin_node_type! {
    /// The `sub-flow` node type. What the flow it calls does is that flow's nodes' to say.
    SubFlow: "sub-flow",
    effects: |_| false,
    // The scheduler runs a sub-flow itself, with the flows the run pinned.
    execute: |_, _| {
        Box::pin(async {
            Err(crate::error::ExecutionError::internal("A sub-flow runs only within a run"))
        })
    },
}
