//! What a node executable receives.

use std::sync::Arc;

use crate::value::{Map, Value};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use super::context::{write_context, ContextKind, RunContext};
use super::NodeInput;
use crate::error::ExecutionError;
use crate::expression::Limits;
use crate::host::CancelToken;

/// What an executable returns: its output (`None` is JS `undefined`) or an error.
pub type NodeResult = Result<Option<Value>, ExecutionError>;

/// Takes the text a running node has made so far (see [`Invocation::report`]).
#[derive(Clone)]
pub struct NodeReport(crate::host::SharedFn<Arc<str>, ()>);

impl NodeReport {
    pub fn new(report: crate::host::SharedFn<Arc<str>, ()>) -> Self {
        NodeReport(report)
    }

    /// The node has made `text` so far (all of it, not what was added).
    pub fn text(&self, text: Arc<str>) {
        (self.0)(text);
    }
}

impl std::fmt::Debug for NodeReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NodeReport")
    }
}

/// The context of the group a node runs in, as custom executors see it in `parentContext`.
#[derive(Debug, Clone)]
pub struct ParentContext {
    pub node_id: Arc<str>,
    /// The group's input.
    pub input: NodeInput,
    pub run: Arc<RunContext>,
}

/// One attempt at running one node.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub node_id: Arc<str>,
    /// The index of the span the node's work is recorded on in a traced run: the node's own in
    /// the run, or, for a node in a for-each's item or a called flow (nested runs, which keep
    /// no spans), that of the run's node they are nested in.
    pub node_index: usize,
    /// Whether `node_index` is the node's own span (not the one of a node it is nested in).
    pub own_span: bool,
    pub node_type: Arc<str>,
    /// The run's context (id, `variables`, `slowMo`, `debug`), shared by every node.
    pub run: Arc<RunContext>,
    /// The node's `parameters`.
    pub parameters: Arc<Map>,
    /// Edge input, or the group's input when no edge delivered data.
    pub input: NodeInput,
    pub parent_context: Option<Arc<ParentContext>>,
    /// Cancelled when the run is cancelled or this attempt times out.
    pub signal: CancelToken,
    /// 1 for the first attempt, 2 for the first retry, ...
    pub attempt: u32,
    /// Budgets of each expression call this node makes (`EngineConfig::expression_limits`).
    pub expression_limits: Limits,
    /// Where the node reports what it has made so far (an `llm` node's answer as its tokens
    /// arrive): progress shows it as the node's `text`. Given to the types that say they report
    /// ([`crate::nodes::NodeType::reports`]), `None` otherwise.
    pub report: Option<NodeReport>,
    /// Runs the flows the node's parameters name (see
    /// [`crate::nodes::NodeType::called_flows`]); `None` for a node that names none.
    pub flows: Option<super::FlowCalls>,
    /// The waits between the engine's attempts at the node: its `retryDelay` (else the
    /// conductor's) and the conductor's `maxRetryDelay`. A node that tries a call again itself
    /// (an `llm` node's request) waits the same.
    pub retry: crate::error::RetryPolicy,
    /// Where the node runs nested in its run: `each[3]/` in the fourth item of for-each `each`,
    /// `call[sub]/each[0]/` deeper; `None` at the run's own level. The node's id with this is
    /// what tells its runs apart within one run (an `auto` idempotency key).
    pub nested_in: Option<Arc<str>>,
}

impl Invocation {
    /// `getInput(key)` of the TypeScript engine's executables: the input under `key` when present,
    /// otherwise the parameter of that name.
    pub fn get_input(&self, key: &str) -> Option<&Value> {
        self.input.get(key).or_else(|| crate::model::small_map_get(&self.parameters, key))
    }

    /// The input under `key` only.
    pub fn input_value(&self, key: &str) -> Option<&Value> {
        self.input.get(key)
    }

    /// The parameter `key` only.
    pub fn param(&self, key: &str) -> Option<&Value> {
        crate::model::small_map_get(&self.parameters, key)
    }

    /// The object a JS executable receives: `{...context, ...node.parameters}`, written
    /// straight to the serializer without building an intermediate object.
    pub fn executor_params(&self) -> ExecutorParams<'_> {
        ExecutorParams { invocation: self }
    }
}

/// Serialises as `{nodeId, executionId, variables, input, parentContext?, slowMo?, debug?,
/// ...parameters}`; a parameter named like a context key replaces it in place (JS spread).
pub struct ExecutorParams<'a> {
    invocation: &'a Invocation,
}

impl Serialize for ExecutorParams<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let inv = self.invocation;
        let params = &*inv.parameters;
        let mut map = serializer.serialize_map(None)?;
        // A parameter with a context key's name takes that key's place (JS spread order).
        macro_rules! context_entry {
            ($key:literal, $value:expr) => {
                match params.get($key) {
                    Some(overridden) => map.serialize_entry($key, overridden)?,
                    None => map.serialize_entry($key, $value)?,
                }
            };
        }
        context_entry!("nodeId", &*inv.node_id);
        context_entry!("executionId", &*inv.run.execution_id);
        context_entry!("variables", &*inv.run.variables);
        context_entry!("input", &inv.input);
        if let Some(parent) = &inv.parent_context {
            context_entry!("parentContext", &**parent);
        }
        if let Some(slow_mo) = &inv.run.slow_mo {
            context_entry!("slowMo", slow_mo);
        }
        if let Some(debug) = &inv.run.debug {
            context_entry!("debug", &**debug);
        }
        for (key, value) in params {
            let already_written = match key.as_str() {
                "nodeId" | "executionId" | "variables" | "input" => true,
                "parentContext" => inv.parent_context.is_some(),
                "slowMo" => inv.run.slow_mo.is_some(),
                "debug" => inv.run.debug.is_some(),
                _ => false,
            };
            if !already_written {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

impl Serialize for ParentContext {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        write_context(serializer, &self.node_id, &self.input, &self.run, ContextKind::Group)
    }
}
