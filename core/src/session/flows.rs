//! Where a session's runs find the flows their `sub-flow` nodes call: its flow storage, then
//! (in builds with the catalog) the bundled templates.

use crate::error::{ErrorCode, ExecutionError, Result};
use crate::host::BoxFuture;
use crate::model::NodeDefinition;
use crate::plan::FlowSource;
use crate::storage::FlowStore;

/// A session's saved flows and templates, by id.
pub(crate) struct SessionFlows {
    pub store: FlowStore,
}

impl FlowSource for SessionFlows {
    fn load(&self, id: &str) -> BoxFuture<'static, Result<Option<NodeDefinition>>> {
        let (store, id) = (self.store.clone(), id.to_owned());
        Box::pin(async move {
            match store.load(&id).await {
                Ok(saved) => {
                    crate::value::from_value::<NodeDefinition>(saved).map(Some).map_err(|e| {
                        ExecutionError::validation(format!(
                            "Saved flow '{id}' cannot be read as a flow: {e}"
                        ))
                    })
                }
                // Not saved (or not an id a flow can have): maybe a template.
                Err(error)
                    if matches!(
                        error.code,
                        ErrorCode::NODE_NOT_FOUND | ErrorCode::VALIDATION_FAILED
                    ) =>
                {
                    Ok(template(&id))
                }
                Err(error) => Err(error),
            }
        })
    }
}

#[cfg(feature = "catalog")]
fn template(id: &str) -> Option<NodeDefinition> {
    crate::catalog::get_template(id)
}

#[cfg(not(feature = "catalog"))]
fn template(_id: &str) -> Option<NodeDefinition> {
    None
}
