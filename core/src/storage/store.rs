//! The flow store: one human-readable YAML document per flow, keyed `<id>.flow.yaml`.

use std::sync::Arc;

use crate::json;
use crate::value::{Map, Value};
use serde::Serialize;

use super::list::{FlowListItem, FlowListPage, ListOptions, SortBy, SortOrder};
use super::{validate_flow_id, StorageBackend};
use crate::error::{ErrorCode, ExecutionError, Result};
use crate::format::{
    iso_timestamp, parse_json_value, parse_yaml_value, to_yaml_string, ParseLimits,
};
use crate::host::effects::EffectError;

const SUFFIX: &str = ".flow.yaml";
const STORAGE_VERSION: &str = "1.0.0";

/// What `onFlowSaved` listeners receive: the desktop's `{id, name, savedAt}` and the browser
/// type's `{flowId, timestamp}` in one object.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowSaved {
    pub id: String,
    pub flow_id: String,
    pub name: String,
    pub saved_at: String,
    pub timestamp: f64,
}

/// Saves, loads, lists and deletes flows through a backend.
#[derive(Clone)]
pub struct FlowStore {
    backend: Arc<dyn StorageBackend>,
    limits: ParseLimits,
}

fn storage_error(error: EffectError) -> ExecutionError {
    ExecutionError::new(ErrorCode::INTERNAL_ERROR, format!("Storage failed: {error}"))
}

fn key(id: &str) -> String {
    format!("{id}{SUFFIX}")
}

impl FlowStore {
    pub fn new(backend: Arc<dyn StorageBackend>) -> Self {
        FlowStore { backend, limits: ParseLimits::default() }
    }

    /// `saveFlow(flow)`: `{...flow, savedAt, version: "1.0.0"}` written atomically (a flow of
    /// version 2 or later keeps its version). A flow without an id gets `new_id`; `createdAt`
    /// is kept from an earlier save.
    pub async fn save(
        &self,
        flow: Value,
        now_ms: f64,
        new_id: impl FnOnce() -> String,
    ) -> Result<(Value, FlowSaved)> {
        let Value::Object(mut flow) = flow else {
            return Err(ExecutionError::validation("A flow must be an object"));
        };
        if flow.get("nodes").and_then(Value::as_array).is_none_or(|nodes| nodes.is_empty()) {
            return Err(ExecutionError::validation(crate::error::messages::EMPTY_FLOW));
        }
        let id = match flow.get("id").and_then(Value::as_str).filter(|id| !id.is_empty()) {
            Some(id) => id.to_owned(),
            None => new_id(),
        };
        validate_flow_id(&id)?;
        let saved_at = iso_timestamp(now_ms);
        let created_at = match self.read(&id).await? {
            Some(existing) => existing
                .get("createdAt")
                .and_then(Value::as_str)
                .map_or_else(|| saved_at.clone(), str::to_owned),
            None => saved_at.clone(),
        };
        flow.insert("id", json!(id));
        flow.insert("savedAt", json!(saved_at));
        flow.insert("createdAt", json!(created_at));
        // The TypeScript engine stamped every saved flow "1.0.0"; a flow of the ports model
        // (version 2 or later) keeps its version, which decides what its edges mean.
        let version = flow.get("version").and_then(Value::as_str);
        if !crate::model::FlowFormat::of(version).takes_ports() {
            flow.insert("version", json!(STORAGE_VERSION));
        }
        let flow = Value::Object(flow);
        let text = if self.backend.keeps_json() {
            crate::value::codec::to_json(&flow).map_err(|e| {
                ExecutionError::new(ErrorCode::SERIALIZATION_FAILED, format!("Flow {id}: {e}"))
            })?
        } else {
            to_yaml_string(&flow)
        };
        self.backend.write(&key(&id), text).await.map_err(storage_error)?;
        let name = flow.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
        let event = FlowSaved { id: id.clone(), flow_id: id, name, saved_at, timestamp: now_ms };
        Ok((flow, event))
    }

    /// `loadFlow(id)`: the stored flow; a flow saved as version `0.9.0` is returned as `1.0.0`.
    pub async fn load(&self, id: &str) -> Result<Value> {
        validate_flow_id(id)?;
        let mut flow = self.read(id).await?.ok_or_else(|| {
            ExecutionError::new(ErrorCode::NODE_NOT_FOUND, format!("Flow with id {id} not found"))
        })?;
        if flow.get("version").and_then(Value::as_str) == Some("0.9.0") {
            flow.insert("version", json!(STORAGE_VERSION));
        }
        Ok(Value::Object(flow))
    }

    async fn read(&self, id: &str) -> Result<Option<Map>> {
        let Some(text) = self.backend.read(&key(id)).await.map_err(storage_error)? else {
            return Ok(None);
        };
        // A store that keeps JSON answers JSON (YAML would read most of it, not all of it).
        let parsed = if self.backend.keeps_json() && text.trim_start().starts_with('{') {
            parse_json_value(&text, &self.limits)?
        } else {
            parse_yaml_value(&text, &self.limits)?
        };
        match parsed {
            Value::Object(map) => Ok(Some(map)),
            _ => Err(ExecutionError::deserialization(format!("Stored flow {id} is not an object"))),
        }
    }

    /// `listFlows(options)`: sorted, then paged; `total` counts every flow. Flows marked
    /// `deleted` are left out. Unreadable files are skipped rather than failing the listing.
    pub async fn list(&self, options: &ListOptions) -> Result<FlowListPage> {
        let keys = self.backend.keys().await.map_err(storage_error)?;
        let mut items = Vec::new();
        for key in keys {
            let Some(id) = key.strip_suffix(SUFFIX) else { continue };
            if validate_flow_id(id).is_err() {
                continue;
            }
            let Ok(Some(flow)) = self.read(id).await else { continue };
            if flow.get("deleted").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            let text = |k: &str| flow.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
            let saved_at = text("savedAt");
            let created_at = flow
                .get("createdAt")
                .and_then(Value::as_str)
                .map_or_else(|| saved_at.clone(), str::to_owned);
            items.push(FlowListItem {
                id: id.to_owned(),
                name: text("name"),
                node_count: flow.get("nodes").and_then(Value::as_array).map_or(0, Vec::len),
                updated_at: saved_at.clone(),
                modified_at: saved_at.clone(),
                saved_at,
                created_at,
                version: text("version"),
            });
        }
        items.sort_by(|a, b| {
            let ordering = match options.sort_by {
                SortBy::Name => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
                SortBy::SavedAt | SortBy::UpdatedAt => a.saved_at.cmp(&b.saved_at),
                SortBy::CreatedAt => a.created_at.cmp(&b.created_at),
            }
            .then_with(|| a.id.cmp(&b.id));
            if options.sort_order == SortOrder::Desc {
                ordering.reverse()
            } else {
                ordering
            }
        });
        let total = items.len();
        let flows = items.into_iter().skip(options.offset).take(options.limit).collect();
        Ok(FlowListPage { flows, total })
    }

    /// `deleteFlow(id)`; fails with "Flow with id <id> not found" when absent.
    pub async fn delete(&self, id: &str) -> Result<()> {
        validate_flow_id(id)?;
        if self.backend.remove(&key(id)).await.map_err(storage_error)? {
            Ok(())
        } else {
            Err(ExecutionError::new(
                ErrorCode::NODE_NOT_FOUND,
                format!("Flow with id {id} not found"),
            ))
        }
    }
}
