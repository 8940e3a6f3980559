//! `schedule`: a flow's entry node that says when the flow starts itself (see
//! `atomiton-triggers`, which fires it). When its run was started by a fire, its output is that
//! fire (the run's input `trigger`); run by hand, it is a fire of now.

mod schema;

use crate::host::{BoxFuture, SharedHost};
use crate::json;
use crate::nodes::descriptor::NodeDescriptor;
use crate::nodes::schema::NodeSchema;
use crate::nodes::{Invocation, NodeResult, NodeType, ParameterIssue};
use crate::value::{Map, Value};

/// The `schedule` node type's name.
pub const SCHEDULE_TYPE: &str = "schedule";

/// The `schedule` node type as every build knows it: its schema checked, its fire passed on.
pub struct ScheduleType;

impl NodeType for ScheduleType {
    fn type_name(&self) -> &str {
        SCHEDULE_TYPE
    }

    fn schema(&self) -> Option<&NodeSchema> {
        Some(&schema::SCHEMA)
    }

    fn descriptor(&self) -> Option<&NodeDescriptor> {
        Some(&schema::DESCRIPTOR)
    }

    fn check_parameters(&self, parameters: &Map) -> Vec<ParameterIssue> {
        schema::SCHEMA.check(parameters)
    }

    // Reporting its fire changes nothing outside the run.
    fn effects(&self, _parameters: &Map) -> bool {
        false
    }

    fn execute(&self, invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
        let output = match invocation.input_value("trigger") {
            Some(fire @ Value::Object(_)) => fire.clone(),
            _ => {
                let now = crate::format::iso_timestamp(host.now());
                json!({"type": SCHEDULE_TYPE, "nodeId": &*invocation.node_id, "scheduledAt": now.clone(), "firedAt": now, "manual": true})
            }
        };
        Box::pin(std::future::ready(Ok(Some(output))))
    }
}
