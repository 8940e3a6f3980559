//! The session's calls with a result: validation and flow storage, each answered as an outcome
//! envelope (`{ok, value}` or `{ok: false, error}`).

use std::collections::HashSet;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::FutureExt;

use super::{events, outcome, Session};
use crate::engine::uuid_v4;
use crate::error::{panic_message, ExecutionError};
use crate::format::{parse_definition_json, parse_json_value};
use crate::host::BoxFuture;
use crate::json;
use crate::storage::ListOptions;
use crate::value::Value;

impl Session {
    /// Deep validation: `{ok, value: {valid, errors, issues, warnings?}}` (`warnings` only when
    /// there are some, so a clean flow's answer is the TypeScript engine's shape).
    pub fn validate(
        &self,
        flow_json: String,
        custom_types_json: String,
    ) -> BoxFuture<'static, String> {
        let (engine, host) = (self.engine.clone(), self.host.clone());
        let flows: Arc<dyn crate::plan::FlowSource> = Arc::new(super::flows::SessionFlows {
            store: self.store.clone(),
            bundled: self.engine.bundled_flows().cloned(),
        });
        guarded_future(async move {
            engine.config().flow_limits.check_bytes(flow_json.len())?;
            let flow = parse_definition_json(&flow_json, &engine.config().parse_limits)?;
            let custom: HashSet<String> =
                serde_json::from_str(&custom_types_json).unwrap_or_default();
            let report = engine.validate_calling(&flow, &custom, &host, Some(flows)).await?;
            Ok(report.validated())
        })
    }

    /// `storage.saveFlow`: `{ok, value: savedFlow}`; a `flowSaved` event is queued.
    pub fn save_flow(self: &Arc<Self>, flow_json: String) -> BoxFuture<'static, String> {
        let session = self.clone();
        guarded_future(async move {
            let flow: Value = parse_json_value(&flow_json, &session.engine.config().parse_limits)?;
            let host = session.host.clone();
            let (saved, event) =
                session.store.save(flow, host.now(), || uuid_v4(|| host.random())).await?;
            let record = serde_json::to_string(&event).map_err(ExecutionError::from)?;
            if let Some(record) = events::with_type("flowSaved", record) {
                session.events.post(record);
            }
            Ok(saved)
        })
    }

    /// `storage.loadFlow`.
    pub fn load_flow(&self, id: String) -> BoxFuture<'static, String> {
        let store = self.store.clone();
        guarded_future(async move { store.load(&id).await })
    }

    /// `storage.listFlows`: `{flows, total}`.
    pub fn list_flows(&self, options_json: String) -> BoxFuture<'static, String> {
        let store = self.store.clone();
        guarded_future(async move {
            let options = ListOptions::from_json(&options_json)?;
            store.list(&options).await
        })
    }

    /// `storage.deleteFlow`; a `flowDeleted` event is queued.
    pub fn delete_flow(self: &Arc<Self>, id: String) -> BoxFuture<'static, String> {
        let session = self.clone();
        guarded_future(async move {
            session.store.delete(&id).await?;
            session.events.post(json!({"type": "flowDeleted", "id": id}).to_string());
            Ok(Value::Null)
        })
    }
}

/// A fallible operation as an outcome envelope, a panic included.
pub fn guarded_future<T: serde::Serialize>(
    work: impl std::future::Future<Output = Result<T, ExecutionError>>
        + crate::host::MaybeSend
        + 'static,
) -> BoxFuture<'static, String> {
    Box::pin(async move {
        outcome(
            AssertUnwindSafe(work)
                .catch_unwind()
                .await
                .unwrap_or_else(|panic| Err(ExecutionError::internal(panic_message(&*panic)))),
        )
    })
}
