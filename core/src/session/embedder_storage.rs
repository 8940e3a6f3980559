//! Flows kept in the app's own storage (`storage: {type: "embedder"}`, which the npm package
//! sets when an app hands its key-value storage to the conductor): the engine's `FlowStore`
//! decides ids, versions, sorting and paging as for every other store, and JS only moves each
//! flow's JSON text in and out of the app's storage, answering the session's `storage`
//! questions (see `calls.rs`).

use std::sync::Arc;

use super::ExecutorCalls;
use crate::host::effects::{EffectError, EffectErrorKind, EffectResult};
use crate::host::BoxFuture;
use crate::storage::StorageBackend;
use crate::value::Value;

/// A [`StorageBackend`] whose texts JS keeps.
pub struct EmbedderStorage {
    calls: Arc<ExecutorCalls>,
}

impl EmbedderStorage {
    /// Storage asked of JS through the session whose executor calls are `calls`.
    pub fn new(calls: Arc<ExecutorCalls>) -> Self {
        EmbedderStorage { calls }
    }

    /// Asks JS to do `op` on `key` (with `text` for a write); the answer's value.
    fn ask(
        &self,
        op: &str,
        key: &str,
        text: Option<String>,
    ) -> BoxFuture<'static, EffectResult<Option<Value>>> {
        // serde_json's `Display` writes a string as a JSON string literal, escapes and all.
        let quoted = |s: String| serde_json::Value::String(s).to_string();
        let mut fields = format!("\"op\":\"{op}\",\"key\":{}", quoted(key.to_owned()));
        if let Some(text) = text {
            fields.push_str(",\"text\":");
            fields.push_str(&quoted(text));
        }
        let answer = self.calls.ask_outcome("storage", fields);
        Box::pin(async move {
            answer.await.map_err(|error| EffectError::new(EffectErrorKind::Other, error.message))
        })
    }
}

impl StorageBackend for EmbedderStorage {
    fn keys(&self) -> BoxFuture<'static, EffectResult<Vec<String>>> {
        let answer = self.ask("keys", "", None);
        Box::pin(async move {
            Ok(match answer.await? {
                Some(Value::Array(keys)) => {
                    keys.iter().filter_map(Value::as_str).map(str::to_owned).collect()
                }
                _ => Vec::new(),
            })
        })
    }

    fn read(&self, key: &str) -> BoxFuture<'static, EffectResult<Option<String>>> {
        let answer = self.ask("read", key, None);
        Box::pin(async move {
            Ok(match answer.await? {
                Some(Value::String(text)) => Some(text.as_str().to_owned()),
                _ => None,
            })
        })
    }

    fn write(&self, key: &str, text: String) -> BoxFuture<'static, EffectResult<()>> {
        let answer = self.ask("write", key, Some(text));
        Box::pin(async move { answer.await.map(drop) })
    }

    fn remove(&self, key: &str) -> BoxFuture<'static, EffectResult<bool>> {
        let answer = self.ask("remove", key, None);
        Box::pin(async move { Ok(matches!(answer.await?, Some(Value::Bool(true)))) })
    }

    fn keeps_json(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::future::Future;
    use std::task::{Context, Poll};

    use super::*;
    use crate::session::Notifier;

    /// Answers every `storage` question the session posted, from `kept` (as the npm package
    /// answers them from an app's key-value storage).
    fn answer(calls: &ExecutorCalls, kept: &mut BTreeMap<String, String>) {
        let batch = calls.mailbox.drain_batch();
        let Ok(serde_json::Value::Array(records)) = serde_json::from_str(&batch.text) else {
            return;
        };
        let mut answers = Vec::new();
        for record in records {
            let text = |field: &str| record[field].as_str().unwrap_or_default().to_owned();
            let value = match record["op"].as_str() {
                Some("read") => {
                    kept.get(&text("key")).map_or(serde_json::Value::Null, |t| t.clone().into())
                }
                Some("write") => {
                    kept.insert(text("key"), text("text"));
                    serde_json::Value::Null
                }
                Some("remove") => kept.remove(&text("key")).is_some().into(),
                _ => kept.keys().cloned().collect::<Vec<_>>().into(),
            };
            answers.push(serde_json::json!([record["id"], {"ok": true, "value": value}]));
        }
        calls.resolve_batch(&serde_json::Value::Array(answers).to_string(), Vec::new());
    }

    #[test]
    fn the_apps_storage_meets_the_flow_storage_contract_and_is_handed_json() {
        let calls = ExecutorCalls::new(Notifier::new());
        let storage = EmbedderStorage::new(calls.clone());
        let mut kept = BTreeMap::new();
        let waker = futures::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        let mut check = Box::pin(crate::testing::flow_storage::check_flow_storage(&storage));
        // The session's side and JS's, taking turns as the JS thread and the engine do.
        while check.as_mut().poll(&mut cx) == Poll::Pending {
            answer(&calls, &mut kept);
        }
        assert!(storage.keeps_json());
    }

    #[test]
    fn what_the_app_fails_with_is_the_storage_calls_error() {
        let calls = ExecutorCalls::new(Notifier::new());
        let storage = EmbedderStorage::new(calls.clone());
        let waker = futures::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        let mut write = storage.write("a.flow.yaml", "{}".to_owned());
        assert!(write.as_mut().poll(&mut cx).is_pending());
        let batch = calls.mailbox.drain_batch();
        let records: serde_json::Value = serde_json::from_str(&batch.text).unwrap_or_default();
        let id = &records[0]["id"];
        assert_eq!(records[0]["op"], "write");
        assert_eq!(records[0]["text"], "{}");
        let failed = serde_json::json!([[id, {"ok": false, "error": {"message": "disk full"}}]]);
        calls.resolve_batch(&failed.to_string(), Vec::new());
        match write.as_mut().poll(&mut cx) {
            Poll::Ready(Err(error)) => assert!(error.message.contains("disk full"), "{error:?}"),
            other => panic!("expected the app's failure, got {other:?}"),
        }
    }
}
