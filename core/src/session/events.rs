//! Engine events as the embedder receives them.

use std::sync::Arc;

use serde::Serialize;

use super::mailbox::Mailbox;
use crate::host::{EngineEvent, EventSink};

/// The wire form of an engine event: `{type, ...}`.
fn event_text(event: &EngineEvent) -> Option<String> {
    let (kind, execution_id, node_id, error) = match event {
        // `{"type":"progress",` then the snapshot's own fields.
        EngineEvent::Progress(progress) => {
            return with_type("progress", serde_json::to_string(progress).ok()?)
        }
        EngineEvent::NodeChanged { execution_id, node, progress } => {
            return super::debugger::node_changed_text(execution_id, node, *progress)
        }
        EngineEvent::Started { execution_id, node_id } => ("started", execution_id, node_id, None),
        EngineEvent::Completed { execution_id, node_id } => {
            ("completed", execution_id, node_id, None)
        }
        EngineEvent::Error { execution_id, node_id, error } => {
            ("error", execution_id, node_id, Some(error))
        }
        EngineEvent::Paused { execution_id, node_id, input } => {
            return super::debugger::paused_text(execution_id, node_id, input)
        }
    };
    serde_json::to_string(&Record { kind, execution_id, node_id, error }).ok()
}

/// An object's JSON text with `"type": kind` as its first field.
pub(crate) fn with_type(kind: &str, object: String) -> Option<String> {
    let fields = object.strip_prefix('{')?;
    let separator = if fields.starts_with('}') { "" } else { "," };
    Some(format!("{{\"type\":\"{kind}\"{separator}{fields}"))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Record<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub execution_id: &'a str,
    pub node_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'a crate::error::ExecutionError>,
}

/// A run's event sink: every event goes to the session's mailbox.
pub(crate) struct MailboxSink(pub Arc<Mailbox>);

impl EventSink for MailboxSink {
    fn emit(&self, event: EngineEvent) {
        if let Some(text) = event_text(&event) {
            self.0.post(text);
        }
    }
}
