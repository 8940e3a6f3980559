//! `webhook`: a flow's entry node that starts the flow when an HTTP request reaches
//! `/hooks/<path>` on the protocol server (see `atomiton-triggers`, which answers it; native
//! only). Its fire is the request; run by hand, an empty `POST` of now.

mod schema;

use super::trigger_node::TriggerNodeType;
use crate::json;
use crate::value::Map;

/// The `webhook` node type's name.
pub const WEBHOOK_TYPE: &str = "webhook";

/// The `webhook` node type as every build with history knows it.
pub const WEBHOOK: TriggerNodeType = TriggerNodeType {
    schema: &schema::SCHEMA,
    descriptor: &schema::DESCRIPTOR,
    manual_fields: || {
        Map::from_iter([
            ("method".to_owned(), json!("POST")),
            ("path".to_owned(), json!("")),
            ("query".to_owned(), json!({})),
            ("headers".to_owned(), json!({})),
            ("body".to_owned(), json!(null)),
        ])
    },
};
