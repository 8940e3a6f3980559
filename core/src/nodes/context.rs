//! The context one run's nodes share, resolved once from its options (`crate::run`) and
//! shared by every node of the run.

use std::sync::Arc;

use serde::ser::{SerializeMap, Serializer};

use super::{NodeInput, SharedEmbedder};
use crate::value::Value;

/// What every layer after the engine reads about a run: the scheduler, each node's
/// [`Invocation`](crate::nodes::Invocation), a group's `parentContext` and the result's
/// `context` all hold this one value, so a context field is resolved in one place and written
/// by one serializer ([`write_context`]).
#[derive(Debug)]
pub struct RunContext {
    pub execution_id: Arc<str>,
    /// `options.variables`, `{}` when absent.
    pub variables: Arc<Value>,
    /// The flow's input (`options.input`).
    pub input: NodeInput,
    /// `options.parentContext`, given back in the result's context.
    pub parent_context: Option<Value>,
    /// `options.slowMo` as given (the scheduler paces only by a finite positive one).
    pub slow_mo: Option<f64>,
    /// `options.debug`, absent when `null`.
    pub debug: Option<Arc<Value>>,
    /// Present when the run is traced (`options.telemetry`).
    pub telemetry: crate::telemetry::Traced,
    /// What the run went ahead with but should not have to (see [`RunWarning`]).
    pub warnings: std::sync::Mutex<Vec<RunWarning>>,
    /// The app around the engine: custom node types, values kept on its side, its tracer.
    pub embedder: SharedEmbedder,
    /// What the run's nodes printed (see [`NodeLog`]).
    pub logs: std::sync::Mutex<Vec<NodeLog>>,
}

/// Text a node printed while it ran (a `python` node's standard output or error, a plugin's log
/// lines). The result
/// lists them (`logs`), and the TypeScript layer writes them to its log.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeLog {
    pub node_id: String,
    /// `stdout` or `stderr` (a `python` node's), or the level a plugin logged at (`trace`,
    /// `debug`, `info`, `warn`, `error`).
    pub stream: &'static str,
    pub text: String,
}

/// The most log entries a run keeps, and the most bytes of each: a node printing in a loop does
/// not grow the result without bound.
const LOG_ENTRIES: usize = 1000;
const LOG_BYTES: usize = 64 * 1024;

impl std::fmt::Debug for dyn crate::telemetry::RunTracer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RunTracer")
    }
}

impl std::fmt::Debug for dyn super::Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Embedder")
    }
}

/// Something a run went ahead with that the flow probably did not mean: a name the engine does
/// not know, with `strictParameters: false`, or a template path that names nothing. The
/// result lists them (`warnings`), and the TypeScript layer logs them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunWarning {
    /// The node concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
    pub message: String,
}

impl RunContext {
    /// Notes a warning of node `node_id` (or of the run).
    pub fn warn(&self, node_id: Option<&str>, message: impl Into<String>) {
        let warning = RunWarning { node_id: node_id.map(str::to_owned), message: message.into() };
        let mut warnings = self.warnings.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // A template in a stream warns once per batch at most: one of each is enough.
        if warnings.len() < 100 && !warnings.contains(&warning) {
            warnings.push(warning);
        }
    }

    /// Notes what node `node_id` printed on `stream` (nothing when it printed nothing).
    pub fn log(&self, node_id: &str, stream: &'static str, mut text: String) {
        if text.is_empty() {
            return;
        }
        if text.len() > LOG_BYTES {
            let mut end = LOG_BYTES;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let dropped = text.len() - end;
            // A copy of what is kept: truncating would keep the whole allocation.
            text = format!("{}\n[{dropped} more bytes not kept]", &text[..end]);
        }
        let mut logs = self.logs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if logs.len() < LOG_ENTRIES {
            logs.push(NodeLog { node_id: node_id.to_owned(), stream, text });
        }
    }

    /// The logs noted so far, taken.
    pub fn take_logs(&self) -> Vec<NodeLog> {
        std::mem::take(&mut *self.logs.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// The run's embedder.
    pub fn embedder(&self) -> &dyn super::Embedder {
        &*self.embedder
    }

    /// The warnings noted so far, taken.
    pub fn take_warnings(&self) -> Vec<RunWarning> {
        std::mem::take(
            &mut *self.warnings.lock().unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

/// Which optional keys a context written by [`write_context`] carries.
#[derive(Clone, Copy)]
pub enum ContextKind {
    /// The result's `context`: with the run's `parentContext`.
    Result,
    /// A group's context as its children's executors see it: no `parentContext` of its own.
    Group,
}

/// Writes `{nodeId, executionId, variables, input, parentContext?, slowMo?, debug?}`: the
/// TypeScript engine's `ConductorExecutionContext` of node `node_id` receiving `input`.
pub fn write_context<S: Serializer>(
    serializer: S,
    node_id: &str,
    input: &NodeInput,
    run: &RunContext,
    kind: ContextKind,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(None)?;
    map.serialize_entry("nodeId", node_id)?;
    map.serialize_entry("executionId", &*run.execution_id)?;
    map.serialize_entry("variables", &*run.variables)?;
    map.serialize_entry("input", input)?;
    if let (ContextKind::Result, Some(parent)) = (kind, &run.parent_context) {
        map.serialize_entry("parentContext", parent)?;
    }
    if let Some(slow_mo) = run.slow_mo {
        map.serialize_entry("slowMo", &slow_mo)?;
    }
    if let Some(debug) = &run.debug {
        map.serialize_entry("debug", &**debug)?;
    }
    map.end()
}
