//! Flow storage through JS (IndexedDB in browsers, files through Node's `fs` in the Node
//! fallback): the core's `FlowStore` does ids, YAML, sorting and paging; this only moves text by
//! key.

use atomiton_core::host::effects::{EffectErrorKind, EffectResult};
use atomiton_core::host::BoxFuture;
use atomiton_core::storage::StorageBackend;
use js_sys::{Array, Promise};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::calls::effect_failure;
use crate::js::StorageFunctions;

/// A `StorageBackend` over JS promise-returning functions.
pub(crate) struct JsStorage(pub StorageFunctions);

async fn settle(promise: Promise) -> EffectResult<JsValue> {
    JsFuture::from(promise)
        .await
        .map_err(|error| effect_failure(&error, EffectErrorKind::Other, "storage failed"))
}

impl StorageBackend for JsStorage {
    fn keys(&self) -> BoxFuture<'static, EffectResult<Vec<String>>> {
        let promise = self.0.keys();
        Box::pin(async move {
            Ok(Array::from(&settle(promise).await?)
                .iter()
                .filter_map(|key| key.as_string())
                .collect())
        })
    }

    fn read(&self, key: &str) -> BoxFuture<'static, EffectResult<Option<String>>> {
        let promise = self.0.read(key);
        Box::pin(async move { Ok(settle(promise).await?.as_string()) })
    }

    fn write(&self, key: &str, text: String) -> BoxFuture<'static, EffectResult<()>> {
        let promise = self.0.write(key, &text);
        Box::pin(async move { settle(promise).await.map(|_| ()) })
    }

    fn remove(&self, key: &str) -> BoxFuture<'static, EffectResult<bool>> {
        let promise = self.0.remove(key);
        Box::pin(async move { Ok(settle(promise).await?.as_bool().unwrap_or(false)) })
    }
}
