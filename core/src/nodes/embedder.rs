//! What the app around the engine does for a run, beside what its [`Host`](crate::host::Host)
//! gives every node: it runs the node types it provides (JS executors from
//! `nodeExecutorFactory`), writes out the values it keeps on its side, and answers questions a
//! run asks while it goes (in a traced run: the span a request names). The bindings implement it with a
//! session's executor calls, tests with the virtual host. A run without one has no custom node
//! types, no values kept elsewhere and no tracer.

use std::sync::Arc;

use crate::error::{ErrorCode, ExecutionError};
use crate::host::{BoxFuture, MaybeSend, MaybeSync};
use crate::value::Value;

use super::{Invocation, NodeResult};

/// Shared handle to an embedder.
pub type SharedEmbedder = Arc<dyn Embedder>;

/// See the module documentation.
pub trait Embedder: MaybeSend + MaybeSync + 'static {
    /// Runs one attempt of a node whose type the run was told the embedder provides.
    fn execute(&self, invocation: Invocation) -> BoxFuture<'static, NodeResult> {
        let message = format!("No implementation found for node type: {}", invocation.node_type);
        Box::pin(async move { Err(ExecutionError::new(ErrorCode::NODE_TYPE_NOT_FOUND, message)) })
    }

    /// Writes out in full the values the embedder keeps on its side that `values` refer to (as
    /// [`crate::value::Ext::Js`] handles), for a built-in node of run `run` about to read them.
    /// Embedders that hand out no handles keep the default: the values as they are.
    fn materialize(
        &self,
        run: &str,
        values: Vec<Arc<Value>>,
    ) -> BoxFuture<'static, Result<Vec<Value>, ExecutionError>> {
        let _ = run;
        Box::pin(std::future::ready(Ok(written(values))))
    }

    /// Asks the embedder a question of `kind` while a run goes, and waits for the answer's value
    /// (`None`: no answer). `fields` are the question's members as JSON text, without braces
    /// (`"run":"..","node":3`); the session posts `{"kind": kind, "id": .., fields}` to JS. A
    /// traced run's `http-request` asks `"span"` for its span's trace context (see
    /// [`crate::telemetry::RunTracer::trace_headers`]). Embedders that answer nothing keep the
    /// default: no answer, which never fails a run.
    fn ask(&self, kind: &'static str, fields: String) -> BoxFuture<'static, Option<Value>> {
        let _ = (kind, fields);
        Box::pin(std::future::ready(None))
    }
}

/// Any matching closure is an embedder that runs custom node types (handy in Rust embeddings
/// and tests).
impl<F> Embedder for F
where
    F: Fn(Invocation) -> BoxFuture<'static, NodeResult> + MaybeSend + MaybeSync + 'static,
{
    fn execute(&self, invocation: Invocation) -> BoxFuture<'static, NodeResult> {
        self(invocation)
    }
}

/// Values as they are, unshared when nothing else holds them.
pub fn written(values: Vec<Arc<Value>>) -> Vec<Value> {
    values
        .into_iter()
        .map(|v| Arc::try_unwrap(v).unwrap_or_else(|shared| (*shared).clone()))
        .collect()
}

/// The embedder of a run that was given none: no custom node types, no values kept elsewhere,
/// no tracer.
pub fn default_embedder() -> SharedEmbedder {
    Arc::new(NoEmbedder)
}

struct NoEmbedder;

impl Embedder for NoEmbedder {}
