//! `NodeEdge`, the TypeScript engine's edge shape (unknown fields kept). The engine reads only `source`,
//! `target` and `targetHandle`.

use super::object::object_wrapper;

object_wrapper! {
    /// A connection between two sibling nodes. Editor-only fields (`animated`, `zIndex`, `data`,
    /// ...) are kept as they are.
    NodeEdge {
        /// The edge id.
        id => "id",
        /// Id of the node whose whole output flows along this edge.
        source => "source",
        /// Id of the node that receives it.
        target => "target",
        /// Editor handle on the source side; the engine does not use it to select a part of the output.
        source_handle => "sourceHandle",
        /// `"bezier" | "straight" | "step" | "smoothstep"`.
        edge_type => "type",
    }
}

impl NodeEdge {
    /// An edge `source → target` with the given id.
    pub fn connect(id: &str, source: &str, target: &str) -> Self {
        NodeEdge::new().with("id", id).with("source", source).with("target", target)
    }

    /// The input key under which the source's output arrives: `targetHandle || "default"`
    /// (an empty string or `null` handle also means `"default"`, as in JS).
    pub fn input_key(&self) -> &str {
        match self.target_handle() {
            Some(handle) if !handle.is_empty() => handle,
            _ => "default",
        }
    }

    /// The raw `targetHandle` when it is a string.
    pub fn target_handle(&self) -> Option<&str> {
        self.get("targetHandle").and_then(crate::value::Value::as_str)
    }
}
