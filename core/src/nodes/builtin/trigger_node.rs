//! What the trigger node types (`schedule`, `webhook`, `file-watch`) share: each sits at a
//! flow's entry and says when the flow starts itself (`atomiton-triggers` fires them). When a
//! trigger started the run, the node's output is the fire (the run's input `trigger`); run by
//! hand, it is a fire of now marked `manual`. Reporting a fire changes nothing outside the run.

use std::sync::LazyLock;

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

    fn execute(&self, invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
        let output = match invocation.input_value("trigger") {
            Some(fire @ Value::Object(_)) => fire.clone(),
            _ => {
                let now = Value::from(crate::format::iso_timestamp(host.now()));
                let mut fire = Map::default();
                fire.insert("type", Value::from(self.descriptor.node_type));
                fire.insert("nodeId", Value::from(&*invocation.node_id));
                fire.insert("scheduledAt", now.clone());
                fire.insert("firedAt", now);
                fire.extend((self.manual_fields)());
                fire.insert("manual", Value::Bool(true));
                Value::Object(fire)
            }
        };
        Box::pin(std::future::ready(Ok(Some(output))))
    }
}
