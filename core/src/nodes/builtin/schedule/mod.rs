//! `schedule`: a flow's entry node that says when the flow starts itself (see
//! `atomiton-triggers`, which fires it): a cron pattern in a time zone, or an interval.

mod schema;

use super::trigger_node::TriggerNodeType;
use crate::value::Map;

/// The `schedule` node type's name.
pub const SCHEDULE_TYPE: &str = "schedule";

/// The `schedule` node type as every build with history knows it: its schema checked, its
/// fire passed on.
pub const SCHEDULE: TriggerNodeType = TriggerNodeType {
    schema: &schema::SCHEMA,
    descriptor: &schema::DESCRIPTOR,
    manual_fields: Map::default,
};
