//! What an edge carries, and when: the port it leaves its source from.
//!
//! In a flow of the old data model (no `version`, or 1.x) an edge carries its source's whole
//! output and `sourceHandle` is not read, with two exceptions that no old flow can have: an edge
//! from a routing node (`if`, `switch`) leaves from one of its branches, and an edge from a node
//! with `onError: "route"` that names `error` leaves from its error port. In a flow of version 2
//! or later an edge also selects: it carries the field of the source's output its port names
//! (a node's main port when it names none).

use std::sync::Arc;

use crate::model::{small_map_get, FlowFormat, NodeDefinition};
use crate::nodes::NodeRegistry;
use crate::value::Value;

/// The port an edge leaves its source from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Port {
    /// The source's whole output, whenever the source ends without a failure.
    Whole,
    /// One field of the source's output (flows of version 2), whenever it ends without a failure.
    Field(Arc<str>),
    /// A branch of a routing node: the node's value, when that branch fires.
    Branch(Arc<str>),
    /// The error port of a node with `onError: "route"`: `{error}`, when the node failed.
    Error,
}

/// One incoming edge of a node: where from, the input key it delivers under, and its port.
#[derive(Debug, Clone)]
pub(crate) struct PlanInput {
    pub source: super::NodeIx,
    pub key: Arc<str>,
    pub port: Port,
}

/// What the engine does when a node fails (after its retries): `parameters.onError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum OnError {
    /// The run fails (the TypeScript engine's behaviour).
    #[default]
    Stop,
    /// The node's output is its error (`{error}`), and the run goes on.
    Continue,
    /// The error goes out of the node's `error` port; the node's other successors are skipped.
    Route,
}

impl OnError {
    /// The setting `value` names, or `None` when it names none.
    pub fn parse(value: &Value) -> Option<OnError> {
        match value.as_str()? {
            "stop" => Some(OnError::Stop),
            "continue" => Some(OnError::Continue),
            "route" => Some(OnError::Route),
            _ => None,
        }
    }

    /// A node definition's setting (the default when absent or unreadable).
    pub fn of(parameters: &crate::value::Map) -> OnError {
        small_map_get(parameters, "onError").and_then(OnError::parse).unwrap_or_default()
    }
}

/// The name of the port a node with `onError: "route"` sends its error from.
pub(crate) const ERROR_PORT: &str = "error";

/// The port of an edge leaving `source` from `handle` (`sourceHandle`, empty taken as absent).
pub(crate) fn port_of(
    handle: Option<&str>,
    source: &NodeDefinition,
    registry: &NodeRegistry,
    custom_types: &std::collections::HashSet<String>,
    format: FlowFormat,
) -> Port {
    let handle = handle.filter(|h| !h.is_empty());
    let routes_errors =
        source.parameters.as_ref().is_some_and(|p| OnError::of(p) == OnError::Route);
    if routes_errors && handle == Some(ERROR_PORT) {
        return Port::Error;
    }
    if source.is_group() {
        return Port::Whole;
    }
    let registered = match crate::nodes::route(source.type_str(), registry, custom_types) {
        Some(crate::nodes::Runtime::Registry(node_type)) => Some(node_type),
        _ => None,
    };
    if let Some(routing) = registered.filter(|t| t.routes()) {
        // An edge that names no port leaves a routing type of one port (a trigger) from it.
        let only = routing
            .descriptor()
            .filter(|d| d.output_ports.len() == 1)
            .and_then(|d| d.main_output());
        return Port::Branch(Arc::from(handle.or(only.map(|p| p.id)).unwrap_or_default()));
    }
    if !format.takes_ports() {
        return Port::Whole;
    }
    let Some(descriptor) = registered.and_then(|t| t.descriptor()) else { return Port::Whole };
    let port = match handle {
        Some(handle) => descriptor.output_ports.iter().find(|p| p.id == handle),
        None => descriptor.main_output(),
    };
    match port.and_then(|p| p.field) {
        Some(field) => Port::Field(Arc::from(field)),
        None => Port::Whole,
    }
}

/// The input key an edge delivers under: its `targetHandle`; without one, `default` in the old
/// data model, and in a flow of version 2 the target type's main input (`default` for a type
/// that declares none: a group, a JS executor's type).
pub(crate) fn input_key<'e>(
    target_handle: Option<&'e str>,
    target: &NodeDefinition,
    registry: &NodeRegistry,
    custom_types: &std::collections::HashSet<String>,
    format: FlowFormat,
) -> &'e str {
    if let Some(handle) = target_handle.filter(|h| !h.is_empty()) {
        return handle;
    }
    if !format.takes_ports() || target.is_group() {
        return "default";
    }
    match crate::nodes::route(target.type_str(), registry, custom_types) {
        Some(crate::nodes::Runtime::Registry(node_type)) => {
            node_type.descriptor().and_then(|d| d.main_input()).map_or("default", |port| port.id)
        }
        _ => "default",
    }
}
