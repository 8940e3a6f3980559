//! A run's [`RunContext`], resolved from its options.

use std::sync::Arc;

use crate::nodes::{NodeInput, RunContext, SharedEmbedder};

/// The context of run `execution_id`, taking its options' context fields (nothing after this
/// reads them there, and the input can be large: moved, not copied).
pub(crate) fn resolve(
    execution_id: Arc<str>,
    options: &mut super::RunOptions,
    embedder: SharedEmbedder,
) -> RunContext {
    RunContext {
        execution_id,
        variables: Arc::new(options.variables.take().unwrap_or_else(|| crate::json!({}))),
        input: options.input.take().map(NodeInput::from_value).unwrap_or_default(),
        parent_context: options.parent_context.take(),
        slow_mo: options.slow_mo,
        debug: options.debug.take().filter(|d| !d.is_null()).map(Arc::new),
        // Set by the engine when its tracing makes one for the run's `telemetry` option.
        telemetry: None,
        warnings: std::sync::Mutex::new(Vec::new()),
        embedder,
        logs: std::sync::Mutex::new(Vec::new()),
    }
}
