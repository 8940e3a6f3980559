//! What the trigger node types (`schedule`, `webhook`, `file-watch`) share: each sits at a
//! flow's entry and says when the flow starts itself (`atomiton-triggers` fires them). When a
//! trigger started the run, that trigger node's output is the fire (the run's input `trigger`),
//! and the flow's other trigger nodes fire nothing: they route (as `if` does) to no port, so
//! what only they lead to is skipped — a flow with a schedule and a webhook runs the schedule's
//! branch on a schedule fire, the webhook's on a request. Run by hand (no `trigger` input), every
//! trigger node gives a fire of now marked `manual`. Reporting a fire changes nothing outside
//! the run.

use std::sync::LazyLock;

use super::common_control::routed;
use crate::host::{BoxFuture, SharedHost};
use crate::nodes::descriptor::NodeDescriptor;
use crate::nodes::schema::NodeSchema;
use crate::nodes::{Invocation, NodeResult, NodeType, ParameterIssue};
use crate::value::{Map, Value};

/// A trigger node type: its schema, its catalog entry, and the fields a fire made by hand has
/// besides its type, node, times and `manual`.
#[derive(Clone, Copy)]
pub struct TriggerNodeType {
    pub schema: &'static LazyLock<NodeSchema>,
    pub descriptor: &'static NodeDescriptor,
    pub manual_fields: fn() -> Map,
}

impl NodeType for TriggerNodeType {
    fn type_name(&self) -> &str {
        self.descriptor.node_type
    }

    fn schema(&self) -> Option<&NodeSchema> {
        Some(self.schema)
    }

    fn descriptor(&self) -> Option<&NodeDescriptor> {
        Some(self.descriptor)
    }

    fn check_parameters(&self, parameters: &Map) -> Vec<ParameterIssue> {
        self.schema.check(parameters)
    }

    fn effects(&self, _parameters: &Map) -> bool {
        false
    }

    // Its one port, or none when the run is another trigger's.
    fn routes(&self) -> bool {
        true
    }

    fn execute(&self, invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
        let port = self.descriptor.main_output().map_or("", |port| port.id);
        let output = match invocation.input_value("trigger") {
            Some(fire @ Value::Object(fields)) => {
                let fired_here = match fields.get("nodeId").and_then(Value::as_str) {
                    Some(node) => node == &*invocation.node_id,
                    // A fire that names no node (given by hand as the run's input) is this one's.
                    None => true,
                };
                routed(if fired_here { vec![port] } else { Vec::new() }, fire.clone())
            }
            _ => {
                let now = Value::from(crate::format::iso_timestamp(host.now()));
                let mut fire = Map::default();
                fire.insert("type", Value::from(self.descriptor.node_type));
                fire.insert("nodeId", Value::from(&*invocation.node_id));
                fire.insert("scheduledAt", now.clone());
                fire.insert("firedAt", now);
                fire.extend((self.manual_fields)());
                fire.insert("manual", Value::Bool(true));
                routed(vec![port], Value::Object(fire))
            }
        };
        Box::pin(std::future::ready(Ok(Some(output))))
    }
}
