//! Helpers shared by the core integration tests.
#![allow(dead_code)]

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use atomiton_core::engine::RunHandles;
use atomiton_core::host::{EngineEvent, SharedHost};
use atomiton_core::json;
use atomiton_core::nodes::{Invocation, NodeRegistry, NodeResult};
use atomiton_core::testing::VirtualHost;
use atomiton_core::value::Value;
use atomiton_core::{
    Engine, EngineConfig, ErrorCode, ExecutionResult, NodeDefinition, NodeEdge, RunOptions,
};

/// An atomic node.
pub fn node(id: &str, node_type: &str) -> NodeDefinition {
    NodeDefinition::new(id, node_type)
}

/// A group with children and edges.
pub fn group(id: &str, nodes: Vec<NodeDefinition>, edges: Vec<NodeEdge>) -> NodeDefinition {
    NodeDefinition::group(id, nodes, edges)
}

/// `source → target` with a generated id.
pub fn edge(source: &str, target: &str) -> NodeEdge {
    NodeEdge::connect(&format!("{source}->{target}"), source, target)
}

/// `source → target` into `handle`.
pub fn edge_to(source: &str, target: &str, handle: &str) -> NodeEdge {
    edge(source, target).with("targetHandle", handle)
}

/// An engine on a virtual host with host-provided ("custom", like JS) executors.
pub struct Harness {
    pub host: VirtualHost,
    pub engine: Engine,
    pub custom: HashSet<String>,
    pub events: Arc<Mutex<Vec<EngineEvent>>>,
}

impl Harness {
    pub fn new() -> Self {
        Self::with_config(EngineConfig::default())
    }

    pub fn with_config(config: EngineConfig) -> Self {
        Self::with_registry(NodeRegistry::empty(), config)
    }

    pub fn with_registry(registry: NodeRegistry, config: EngineConfig) -> Self {
        Harness {
            host: VirtualHost::new(),
            engine: Engine::with_registry(registry, config),
            custom: HashSet::new(),
            events: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Registers a synchronous custom executor.
    pub fn sync(
        &mut self,
        node_type: &str,
        f: impl Fn(&Invocation) -> NodeResult + Send + Sync + 'static,
    ) -> &mut Self {
        self.host.register_sync(node_type, f);
        self.custom.insert(node_type.to_owned());
        self
    }

    /// Registers an asynchronous custom executor.
    pub fn custom(
        &mut self,
        node_type: &str,
        f: impl Fn(Invocation, VirtualHost) -> atomiton_core::host::BoxFuture<'static, NodeResult>
            + Send
            + Sync
            + 'static,
    ) -> &mut Self {
        self.host.register(node_type, f);
        self.custom.insert(node_type.to_owned());
        self
    }

    /// A custom executor that takes `ms` of virtual time and returns `value`.
    pub fn slow(&mut self, node_type: &str, ms: f64, value: Value) -> &mut Self {
        self.custom(node_type, move |_, host| {
            let value = value.clone();
            let sleep = atomiton_core::host::Host::sleep(&host, ms);
            Box::pin(async move {
                sleep.await;
                Ok(Some(value))
            })
        })
    }

    pub fn options(&self) -> RunOptions {
        RunOptions { custom_types: Arc::new(self.custom.clone()), ..Default::default() }
    }

    /// Handles that collect the run's events into `events`.
    pub fn handles(&self) -> RunHandles {
        let sink = self.events.clone();
        RunHandles {
            embedder: Arc::new(self.host.clone()),
            event_sink: Some(Arc::new(move |event: EngineEvent| sink.lock().unwrap().push(event))),
            ..Default::default()
        }
    }

    pub fn run(&self, flow: NodeDefinition) -> ExecutionResult {
        self.run_with(flow, self.options())
    }

    pub fn run_with(&self, flow: NodeDefinition, options: RunOptions) -> ExecutionResult {
        self.run_handled(flow, options, self.handles())
    }

    pub fn run_handled(
        &self,
        flow: NodeDefinition,
        options: RunOptions,
        handles: RunHandles,
    ) -> ExecutionResult {
        let future = self.engine.run_with(flow, options, handles, self.shared());
        self.host.block_on(future)
    }

    pub fn shared(&self) -> SharedHost {
        self.host.shared()
    }

    /// Progress values of every progress event so far.
    pub fn progress_values(&self) -> Vec<u8> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                EngineEvent::Progress(p) => Some(p.progress),
                _ => None,
            })
            .collect()
    }
}

/// Input under `default` as a number.
pub fn default_number(inv: &Invocation) -> f64 {
    inv.input.get("default").and_then(Value::as_f64).unwrap_or(0.0)
}

pub fn ids(result: &ExecutionResult) -> Vec<String> {
    result.executed_nodes.iter().map(|s| s.to_string()).collect()
}

pub fn strs(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

pub fn num(n: f64) -> Value {
    json!(n)
}

/// What two runs that must agree are compared on (streamed or not, cached or not): success,
/// data, error (code and message), the nodes that ran.
pub type Outcome = (bool, Option<Value>, Option<(ErrorCode, String)>, Vec<String>);

pub fn outcome(result: &ExecutionResult) -> Outcome {
    (
        result.success,
        result.data.clone(),
        result.error.as_ref().map(|e| (e.code, e.message.clone())),
        result.executed_nodes.iter().map(|id| id.to_string()).collect(),
    )
}
