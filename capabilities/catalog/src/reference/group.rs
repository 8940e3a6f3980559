//! What the node reference (`docs/nodes.md`) says of this type beyond its schema: its output's
//! fields and its examples (run by the reference's test).

use super::super::{NodeExample, OutputField};

pub(crate) const OUTPUT: &[OutputField] = &[
    OutputField::new("result", "unknown", "An empty group: its input, as it came. (A group with children gives its last child's output.)"),
    OutputField::new("metadata", "object", "`{executedAt, nodeId, nodeType, childNodesExecuted, totalExecutionTime}`."),
];

pub(crate) const EXAMPLES: &[NodeExample] =
    &[NodeExample::new("An empty group passes its input on", r#"{}"#, r#"{"data": {"ok": true}}"#)];
