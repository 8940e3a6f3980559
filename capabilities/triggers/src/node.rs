//! The `schedule` node type where triggers fire: the engine's own (`ScheduleType`: schema,
//! catalog entry, its fire as output) with its parameters also read as activation reads them —
//! one of `cron` and `every`, the pattern parsed, the zone found — so validating a flow refuses
//! what activating it would.

use std::sync::Arc;

use atomiton_core::host::{BoxFuture, SharedHost};
use atomiton_core::nodes::descriptor::NodeDescriptor;
use atomiton_core::nodes::schedule::ScheduleType;
use atomiton_core::nodes::schema::NodeSchema;
use atomiton_core::nodes::{Invocation, NodeResult, NodeType, ParameterIssue};
use atomiton_core::value::{Map, Value};

use crate::schedule::{ScheduleSpec, PARAMETERS};

pub use atomiton_core::nodes::schedule::SCHEDULE_TYPE;

/// The `schedule` node type, checked in full.
pub struct ScheduleNode;

impl NodeType for ScheduleNode {
    fn type_name(&self) -> &str {
        SCHEDULE_TYPE
    }

    fn schema(&self) -> Option<&NodeSchema> {
        ScheduleType.schema()
    }

    fn descriptor(&self) -> Option<&NodeDescriptor> {
        ScheduleType.descriptor()
    }

    fn check_parameters(&self, parameters: &Map) -> Vec<ParameterIssue> {
        let issues = ScheduleType.check_parameters(parameters);
        if !issues.is_empty() {
            return issues;
        }
        let own: Map = parameters
            .iter()
            .filter(|(key, value)| PARAMETERS.contains(&key.as_str()) && !value.is_null())
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        match ScheduleSpec::read(&Value::Object(own), 0) {
            Ok(_) => Vec::new(),
            Err(error) => {
                vec![ParameterIssue::new(field_of(&error.message), strip(&error.message))]
            }
        }
    }

    fn effects(&self, parameters: &Map) -> bool {
        ScheduleType.effects(parameters)
    }

    fn execute(&self, invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
        ScheduleType.execute(invocation, host)
    }
}

/// The node type, for a registry.
pub fn schedule_node() -> Arc<dyn NodeType> {
    Arc::new(ScheduleNode)
}

/// The parameter a reader's message names first (`'cron' ...`), else `cron`.
fn field_of(message: &str) -> String {
    PARAMETERS
        .iter()
        .find(|name| message.contains(&format!("'{name}'")))
        .map_or_else(|| "cron".to_owned(), |name| (*name).to_owned())
}

/// The reader's message without its `Invalid schedule trigger: ` lead.
fn strip(message: &str) -> String {
    message.split_once(": ").map_or(message, |(_, rest)| rest).to_owned()
}
