//! The trigger node types where triggers fire (`schedule`, `webhook`, `file-watch`): the engine's own (schema,
//! catalog entry, the fire as output) with their parameters also read as activation reads them —
//! a schedule's pattern parsed and zone found, a hook's path and the rules between its fields, a
//! file watch's globs —
//! so validating a flow refuses what activating it would.

use std::sync::Arc;

use atomiton_core::host::{BoxFuture, SharedHost};
use atomiton_core::nodes::descriptor::NodeDescriptor;
use atomiton_core::nodes::file_watch::FILE_WATCH;
use atomiton_core::nodes::schedule::SCHEDULE;
use atomiton_core::nodes::schema::NodeSchema;
use atomiton_core::nodes::webhook::WEBHOOK;
use atomiton_core::nodes::{Invocation, NodeResult, NodeType, ParameterIssue, TriggerNodeType};
use atomiton_core::value::{Map, Value};
use atomiton_core::Result;

use crate::file_watch::FileWatchSpec;
use crate::schedule::ScheduleSpec;
use crate::webhook::WebhookSpec;

pub use atomiton_core::nodes::schedule::SCHEDULE_TYPE;

/// A trigger node type, checked in full: the engine's type, then its parameters read by the
/// trigger's own reader.
pub struct TriggerNode {
    base: TriggerNodeType,
    /// The parameters the reader knows (the engine's own, such as `timeout`, are left out).
    own: &'static [&'static str],
    read: fn(&Value) -> Result<()>,
}

impl NodeType for TriggerNode {
    fn type_name(&self) -> &str {
        self.base.type_name()
    }

    fn schema(&self) -> Option<&NodeSchema> {
        self.base.schema()
    }

    fn descriptor(&self) -> Option<&NodeDescriptor> {
        self.base.descriptor()
    }

    fn check_parameters(&self, parameters: &Map) -> Vec<ParameterIssue> {
        let issues = self.base.check_parameters(parameters);
        if !issues.is_empty() {
            return issues;
        }
        let own: Map = parameters
            .iter()
            .filter(|(key, value)| self.own.contains(&key.as_str()) && !value.is_null())
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        match (self.read)(&Value::Object(own)) {
            Ok(()) => Vec::new(),
            Err(error) => {
                vec![ParameterIssue::new(self.field_of(&error.message), strip(&error.message))]
            }
        }
    }

    fn effects(&self, parameters: &Map) -> bool {
        self.base.effects(parameters)
    }

    fn routes(&self) -> bool {
        self.base.routes()
    }

    fn execute(&self, invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
        self.base.execute(invocation, host)
    }
}

impl TriggerNode {
    /// The parameter a reader's message names first (`'cron' ...`), else the first one.
    fn field_of(&self, message: &str) -> String {
        let named = self.own.iter().find(|name| message.contains(&format!("'{name}'")));
        named.or(self.own.first()).map_or_else(String::new, |name| (*name).to_owned())
    }
}

/// The `schedule` node type, for a registry.
pub fn schedule_node() -> Arc<dyn NodeType> {
    Arc::new(TriggerNode {
        base: SCHEDULE,
        own: crate::schedule::PARAMETERS,
        read: |own| ScheduleSpec::read(own, 0).map(drop),
    })
}

/// The `webhook` node type, for a registry.
pub fn webhook_node() -> Arc<dyn NodeType> {
    Arc::new(TriggerNode {
        base: WEBHOOK,
        own: crate::webhook::spec::PARAMETERS,
        read: |own| WebhookSpec::read(own).map(drop),
    })
}

/// The `file-watch` node type, for a registry.
pub fn file_watch_node() -> Arc<dyn NodeType> {
    Arc::new(TriggerNode {
        base: FILE_WATCH,
        own: crate::file_watch::spec::PARAMETERS,
        read: |own| FileWatchSpec::read(own).map(drop),
    })
}

/// The reader's message without its `Invalid ... trigger: ` lead.
fn strip(message: &str) -> String {
    message.split_once(": ").map_or(message, |(_, rest)| rest).to_owned()
}
