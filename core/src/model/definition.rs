//! `NodeDefinition`, the TypeScript engine's node shape (unknown fields kept): a node, or — when it has
//! children — a group/flow.

use crate::value::{Map, Value};

use super::{NodeEdge, NodeMetadata, NodePort};
use crate::value::deep::guard;

/// A node of a flow. A node with a non-empty `nodes` array is a group; otherwise it is atomic and
/// runs its type's executable, as in the TypeScript engine.
///
/// Known fields are typed; every other key lives in [`extra`](Self::extra), and a known key whose
/// value has an unexpected JSON type (say `"parameters": null`) is kept there verbatim too, so a
/// flow that is loaded and saved again is unchanged. The validator reports such values.
#[derive(Default)]
pub struct NodeDefinition {
    pub id: Option<String>,
    /// The executable key, e.g. `"transform"`. Serialised as `type`.
    pub node_type: Option<String>,
    pub version: Option<String>,
    pub parent_id: Option<String>,
    pub name: Option<String>,
    /// Editor position `{x, y}`; never read by the engine.
    pub position: Option<Value>,
    pub metadata: Option<NodeMetadata>,
    /// Flat runtime parameter values, merged into the executable's params.
    pub parameters: Option<Map>,
    /// UI form configuration; never read by the engine.
    pub fields: Option<Map>,
    pub input_ports: Option<Vec<NodePort>>,
    pub output_ports: Option<Vec<NodePort>>,
    /// Children: makes this node a group when non-empty.
    pub nodes: Option<Vec<NodeDefinition>>,
    /// Connections between the children.
    pub edges: Option<Vec<NodeEdge>>,
    /// Every other key, preserved in order.
    pub extra: Map,
}

impl NodeDefinition {
    /// An atomic node with an id and a type.
    pub fn new(id: impl Into<String>, node_type: impl Into<String>) -> Self {
        let mut node = NodeDefinition::default();
        node.id = Some(id.into());
        node.node_type = Some(node_type.into());
        node
    }

    /// A group node with the given children and edges.
    pub fn group(id: impl Into<String>, nodes: Vec<NodeDefinition>, edges: Vec<NodeEdge>) -> Self {
        let mut node = NodeDefinition::new(id, "group");
        node.nodes = Some(nodes);
        node.edges = Some(edges);
        node
    }

    /// Sets one parameter (builder style).
    pub fn with_param(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.parameters.get_or_insert_with(Map::new).insert(key.to_owned(), value.into());
        self
    }

    /// Sets the display name (builder style).
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The id, or `""` when absent.
    pub fn id_str(&self) -> &str {
        self.id.as_deref().unwrap_or("")
    }

    /// The type, or `""` when absent.
    pub fn type_str(&self) -> &str {
        self.node_type.as_deref().unwrap_or("")
    }

    /// `name || type`, the label used in progress displays.
    pub fn display_name(&self) -> &str {
        match self.name.as_deref() {
            Some(name) if !name.is_empty() => name,
            _ => self.type_str(),
        }
    }

    /// The children, or an empty slice.
    pub fn children(&self) -> &[NodeDefinition] {
        self.nodes.as_deref().unwrap_or(&[])
    }

    /// The edges, or an empty slice.
    pub fn edge_list(&self) -> &[NodeEdge] {
        self.edges.as_deref().unwrap_or(&[])
    }

    /// True when the node has at least one child, whatever its `type` (`nodes: []` is atomic).
    pub fn is_group(&self) -> bool {
        !self.children().is_empty()
    }

    /// One parameter by key.
    pub fn param(&self, key: &str) -> Option<&Value> {
        self.parameters.as_ref().and_then(|p| p.get(key))
    }

    /// Total number of nodes in this tree, this one included. Iterative.
    pub fn count_nodes(&self) -> usize {
        let mut count = 0;
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            count += 1;
            stack.extend(node.children());
        }
        count
    }
}

impl Drop for NodeDefinition {
    /// Drops deep trees without recursing: children are detached onto an explicit stack first.
    fn drop(&mut self) {
        let Some(children) = self.nodes.take() else { return };
        let mut stack = children;
        while let Some(mut node) = stack.pop() {
            if let Some(grandchildren) = node.nodes.take() {
                stack.extend(grandchildren);
            }
        }
    }
}

impl Clone for NodeDefinition {
    fn clone(&self) -> Self {
        guard(|| NodeDefinition {
            id: self.id.clone(),
            node_type: self.node_type.clone(),
            version: self.version.clone(),
            parent_id: self.parent_id.clone(),
            name: self.name.clone(),
            position: self.position.clone(),
            metadata: self.metadata.clone(),
            parameters: self.parameters.clone(),
            fields: self.fields.clone(),
            input_ports: self.input_ports.clone(),
            output_ports: self.output_ports.clone(),
            nodes: self.nodes.clone(),
            edges: self.edges.clone(),
            extra: self.extra.clone(),
        })
    }
}

impl PartialEq for NodeDefinition {
    fn eq(&self, other: &Self) -> bool {
        guard(|| {
            self.id == other.id
                && self.node_type == other.node_type
                && self.version == other.version
                && self.parent_id == other.parent_id
                && self.name == other.name
                && self.position == other.position
                && self.metadata == other.metadata
                && self.parameters == other.parameters
                && self.fields == other.fields
                && self.input_ports == other.input_ports
                && self.output_ports == other.output_ports
                && self.edges == other.edges
                && self.extra == other.extra
                && self.nodes == other.nodes
        })
    }
}

impl std::fmt::Debug for NodeDefinition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        guard(|| {
            let mut s = f.debug_struct("NodeDefinition");
            s.field("id", &self.id).field("type", &self.node_type);
            if let Some(name) = &self.name {
                s.field("name", name);
            }
            if let Some(parameters) = &self.parameters {
                s.field("parameters", parameters);
            }
            if let Some(nodes) = &self.nodes {
                s.field("nodes", nodes);
            }
            if let Some(edges) = &self.edges {
                s.field("edges", edges);
            }
            if !self.extra.is_empty() {
                s.field("extra", &self.extra);
            }
            s.finish()
        })
    }
}
