//! Engine events as the embedder receives them.

use std::sync::Arc;

use serde_json::{json, Value};

use super::mailbox::Mailbox;
use crate::host::{EngineEvent, EventSink};

/// The wire form of an engine event.
fn event_json(event: &EngineEvent) -> Value {
    match event {
        EngineEvent::Started { execution_id, node_id } => json!({"type": "started", "executionId": execution_id, "nodeId": node_id}),
        EngineEvent::Progress(progress) => {
            let mut value = serde_json::to_value(progress).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut value {
                map.insert("type".into(), json!("progress"));
            }
            value
        }
        EngineEvent::Completed { execution_id, node_id } => json!({"type": "completed", "executionId": execution_id, "nodeId": node_id}),
        EngineEvent::Error { execution_id, node_id, error } => json!({"type": "error", "executionId": execution_id, "nodeId": node_id, "error": error}),
    }
}

/// A run's event sink: every event goes to the session's mailbox.
pub(crate) struct MailboxSink(pub Arc<Mailbox>);

impl EventSink for MailboxSink {
    fn emit(&self, event: EngineEvent) {
        if let Ok(text) = serde_json::to_string(&event_json(&event)) {
            self.0.post(text);
        }
    }
}
