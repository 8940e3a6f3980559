//! `file-watch`: a flow's entry node that starts the flow when a file in a folder is created,
//! changed or deleted (see `atomiton-triggers`, which watches; native only). Its fire is the
//! file's event; run by hand, an event of now with no file.

mod schema;

use super::trigger_node::TriggerNodeType;
use crate::value::Map;

/// The `file-watch` node type's name.
pub const FILE_WATCH_TYPE: &str = "file-watch";

/// The `file-watch` node type as every build with history knows it.
pub const FILE_WATCH: TriggerNodeType = TriggerNodeType {
    schema: &schema::SCHEMA,
    descriptor: &schema::DESCRIPTOR,
    manual_fields: Map::default,
};
