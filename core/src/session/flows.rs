//! Where a session's runs find the flows their `sub-flow` nodes call: its flow storage, then
//! the flows its engine was given (the catalog's bundled templates, where a binding links it).

use crate::error::{ErrorCode, ExecutionError, Result};
use crate::host::BoxFuture;
use crate::model::NodeDefinition;
use crate::plan::FlowSource;
use crate::storage::FlowStore;

/// A session's saved flows and bundled ones, by id.
pub(crate) struct SessionFlows {
    pub store: FlowStore,
    pub bundled: Option<std::sync::Arc<dyn FlowSource>>,
}

impl FlowSource for SessionFlows {
    fn load(&self, id: &str) -> BoxFuture<'static, Result<Option<NodeDefinition>>> {
        let (store, bundled, id) = (self.store.clone(), self.bundled.clone(), id.to_owned());
        Box::pin(async move {
            match store.load(&id).await {
                Ok(saved) => {
                    crate::value::from_value::<NodeDefinition>(saved).map(Some).map_err(|e| {
                        ExecutionError::validation(format!(
                            "Saved flow '{id}' cannot be read as a flow: {e}"
                        ))
                    })
                }
                // Not saved (or not an id a flow can have): maybe a bundled one.
                Err(error)
                    if matches!(
                        error.code,
                        ErrorCode::NODE_NOT_FOUND | ErrorCode::VALIDATION_FAILED
                    ) =>
                {
                    match bundled {
                        Some(bundled) => bundled.load(&id).await,
                        None => Ok(None),
                    }
                }
                Err(error) => Err(error),
            }
        })
    }
}
