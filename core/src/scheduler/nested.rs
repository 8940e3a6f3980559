//! Runs inside a run: a `for-each`'s body once per item, a `sub-flow`'s flow. Each is a
//! scheduler of its own over a plan of its own, sharing the outer run's host, node types,
//! context (its id, variables, JS executors and permissions) and history: its nodes are
//! recorded, and checkpointed in a durable run, under a path below the node that runs it
//! (`loop[3]/call`), so that a resumed run reuses what its items and sub-flows finished.
//! It sends no events and keeps no trace of its own: the node that runs it reports its progress.

use std::collections::HashSet;
use std::sync::Arc;

use super::{RunHistory, RunRecording};
use super::{RunSetup, Scheduler};
use crate::error::{ErrorCode, ExecutionError};
use crate::host::{BoxFuture, CancelToken, SharedHost};
use crate::nodes::{CallFlow, FlowCalls, NodeInput, NodeRegistry};
use crate::plan::{NodeIx, NodeKind, Plan, PlanNode};
use crate::run::{EngineConfig, RunContext, RunHandles};
use crate::value::Value;

/// How deep sub-flows may call each other (a flow that calls itself, through flows pinned at
/// different times, ends here rather than without end).
pub(crate) const MAX_DEPTH: u32 = 16;

/// What a run gives the runs nested in it.
#[derive(Clone, Default)]
pub(crate) struct NestingSetup {
    /// The flows its `sub-flow` nodes call, pinned when the run started.
    pub flows: Option<Arc<crate::plan::PinnedFlows>>,
    /// How many runs it is nested in (0: the run itself).
    pub depth: u32,
    /// A nested run's root input (the run itself takes its options' `input`).
    pub root_input: Option<NodeInput>,
    /// In a nested run, the run's own node that it is nested in (a for-each, a sub-flow, an
    /// `llm` node calling a tool): what its nodes record on a traced run's spans (an HTTP
    /// status, tokens) goes on that node's span, the only one the tracer knows of them.
    pub span: Option<NodeIx>,
    /// Where a nested run is in the run itself: `each[3]/` for a for-each's fourth item,
    /// `call[sub]/each[0]/` deeper; its nodes' invocations carry it
    /// ([`Invocation::nested_in`](crate::nodes::Invocation::nested_in)). `None` for the run.
    pub path: Option<Arc<str>>,
}

/// Everything a nested run is made from, taken from the run it is in (cheap to clone: all
/// shared).
#[derive(Clone)]
pub(crate) struct Parts {
    pub host: SharedHost,
    pub registry: Arc<NodeRegistry>,
    /// The outer run's settings without a trace (a nested run keeps none).
    pub config: Arc<EngineConfig>,
    pub context: Arc<RunContext>,
    pub custom_types: Arc<HashSet<String>>,
    pub history: Option<<RunHistory as RunRecording>::Nesting>,
    pub flows: Option<Arc<crate::plan::PinnedFlows>>,
    pub depth: u32,
    /// The run's own node the nested run is in (see [`NestingSetup::span`]).
    pub span: NodeIx,
    /// Where the run making these parts is nested itself (see [`NestingSetup::path`]).
    pub path: Option<Arc<str>>,
}

impl Scheduler {
    /// What runs nested in node `ix` of this run are made from.
    pub(super) fn nesting_parts(&self, ix: NodeIx) -> Parts {
        Parts {
            host: self.host.clone(),
            registry: self.registry.clone(),
            config: Arc::new(EngineConfig { trace: false, ..(*self.config).clone() }),
            context: self.context.clone(),
            custom_types: self.custom_types.clone(),
            history: self.history.as_ref().map(RunHistory::nesting),
            flows: self.nesting.flows.clone(),
            depth: self.nesting.depth,
            span: self.nesting.span.unwrap_or(ix),
            path: self.nesting.path.clone(),
        }
    }
}

impl Scheduler {
    /// Runs node `ix` as `job` (a nested run's), as a leaf of this run: its signal is the job's,
    /// and the node's `timeout` bounds it.
    pub(super) fn start_nested(
        &mut self,
        ix: NodeIx,
        job: impl FnOnce(CancelToken) -> BoxFuture<'static, crate::nodes::NodeResult>,
    ) {
        use futures::FutureExt;
        let signal = self.cancel.child();
        self.slots[ix].signal = Some(signal.clone());
        self.running_count += 1;
        self.set_state(ix, crate::progress::NodeState::Executing, None);
        let run = job(signal);
        let timeout = self.plan.nodes[ix].timeout_ms;
        let host = self.host.clone();
        let bounded = async move {
            match timeout {
                None => run.await,
                Some(ms) => {
                    futures::select_biased! {
                        result = run.fuse() => result,
                        () = host.sleep(ms).fuse() => Err(ExecutionError::attempt_timed_out(ms)),
                    }
                }
            }
        };
        self.running
            .push(Box::pin(bounded.map(move |result| super::Ended::Leaf((ix, Some(result))))));
    }

    /// Starts sub-flow `ix`: the flow it calls (as the run pinned it) runs with its `input`, or
    /// the node's input; its result is the node's output.
    pub(super) fn start_sub_flow(&mut self, ix: NodeIx) {
        let (input, _) = self.input_for(ix);
        if !self.plan.nodes[ix].enabled {
            let output = Arc::new(input.to_value());
            self.complete(ix, Some(output), crate::progress::NodeState::Skipped);
            return;
        }
        if let Some(preset) = self.take_preset(ix) {
            self.slots[ix].status.start_time = Some(self.host.now());
            let state = if preset.pinned {
                crate::progress::NodeState::Pinned
            } else {
                crate::progress::NodeState::Completed
            };
            self.complete_as(ix, preset.output, state, !preset.pinned);
            return;
        }
        if let Some(history) = self.history.as_mut() {
            history.started(ix, &input);
        }
        let node = &self.plan.nodes[ix];
        let id =
            node.parameters.get("flowId").and_then(Value::as_str).unwrap_or_default().to_owned();
        let input = match node.parameters.get("input").filter(|v| !v.is_null()) {
            Some(given) => NodeInput::from_value(given.clone()),
            None => input,
        };
        let parts = self.nesting_parts(ix);
        let plan = parts.pinned_plan(&id, "sub-flow");
        let prefix = format!("{}[sub]/", self.plan.path(ix));
        self.start_nested(ix, move |signal| {
            Box::pin(async move {
                let output =
                    parts.run(plan?, input, prefix, signal.child()).await.map_err(|error| {
                        let node = error.node_id.clone().unwrap_or_default();
                        let mut failure = ExecutionError::new(
                            error.code,
                            format!("[sub-flow] flow '{id}' failed at '{node}': {}", error.message),
                        );
                        failure.context = error.context.clone();
                        failure
                    })?;
                Ok(output.map(|o| (*o).clone()))
            })
        });
    }
}

impl Parts {
    /// The plan of flow `id` as the run pinned it, for a call made by a node of type `caller`
    /// one level deeper than this run.
    fn pinned_plan(&self, id: &str, caller: &str) -> Result<Arc<Plan>, ExecutionError> {
        match self.flows.as_ref().and_then(|flows| flows.get(id)) {
            Some(pinned) if self.depth < MAX_DEPTH => {
                pinned.plan(&self.registry, &self.custom_types)
            }
            Some(_) => Err(ExecutionError::new(
                ErrorCode::EXECUTION_FAILED,
                format!("[{caller}] flow '{id}' is called {MAX_DEPTH} sub-flows deep: the deepest sub-flows may nest"),
            )),
            None => Err(ExecutionError::new(
                ErrorCode::NODE_NOT_FOUND,
                format!("[{caller}] the run has no flow '{id}' to call"),
            )),
        }
    }

    /// Runs `plan` (a group: its root's children run) with `input` as its root's input, its
    /// nodes recorded under `prefix`; resolves to the root's output, or the failure the run
    /// stopped at. `cancel` stops it.
    pub fn run(
        &self,
        plan: Arc<Plan>,
        input: NodeInput,
        prefix: String,
        cancel: CancelToken,
    ) -> BoxFuture<'static, Result<Option<Arc<Value>>, ExecutionError>> {
        let types = (&*self.registry, &*self.custom_types);
        // Through `map`: in builds without history a nesting cannot be, and a `match` arm
        // calling one would make the code after it unreachable.
        let nested =
            self.history.as_ref().map(|nesting| RunHistory::nested(nesting, &plan, &prefix, types));
        let (history, presets) = match nested {
            Some((history, presets)) => (Some(history), presets),
            None => (None, Vec::new()),
        };
        let handles = RunHandles { cancel: Some(cancel), ..RunHandles::default() };
        let scheduler = Scheduler::new(RunSetup {
            plan,
            host: self.host.clone(),
            registry: self.registry.clone(),
            config: self.config.clone(),
            context: self.context.clone(),
            debug: Default::default(),
            timeout_ms: None,
            custom_types: self.custom_types.clone(),
            start_time: self.host.now(),
            history,
            presets,
            run_to: None,
            breakpoints: Vec::new(),
            handles,
            state_events: false,
            cache: None,
            nesting: NestingSetup {
                flows: self.flows.clone(),
                depth: self.depth + 1,
                root_input: Some(input),
                span: Some(self.span),
                path: Some(Arc::from(format!("{}{prefix}", self.path.as_deref().unwrap_or("")))),
            },
        });
        Box::pin(scheduler.run_nested())
    }
}

/// The flows one node calls itself (an `llm` node's tools), run as a `sub-flow` runs its flow:
/// nested in the node, each call's nodes recorded under `<node path>[<key>]/`.
struct NodeFlows {
    parts: Parts,
    path: Arc<str>,
    node_type: Arc<str>,
}

impl CallFlow for NodeFlows {
    fn flow(&self, id: &str) -> Option<Arc<crate::model::NodeDefinition>> {
        self.parts.flows.as_ref()?.get(id).map(|pinned| pinned.flow.clone())
    }

    fn call(
        &self,
        id: &str,
        input: NodeInput,
        key: &str,
        cancel: CancelToken,
    ) -> BoxFuture<'static, Result<Option<Arc<Value>>, ExecutionError>> {
        match self.parts.pinned_plan(id, &self.node_type) {
            Ok(plan) => self.parts.run(plan, input, format!("{}[{key}]/", self.path), cancel),
            Err(error) => Box::pin(std::future::ready(Err(error))),
        }
    }
}

impl Scheduler {
    /// What node `ix` calls the flows its parameters name through, when they name any.
    pub(super) fn flow_calls(&self, ix: NodeIx) -> Option<FlowCalls> {
        let node = &self.plan.nodes[ix];
        if !node.calls_flows {
            return None;
        }
        Some(FlowCalls(Arc::new(NodeFlows {
            parts: self.nesting_parts(ix),
            path: self.plan.path(ix),
            node_type: node.node_type.clone(),
        })))
    }
}

impl Scheduler {
    /// Drives a nested run to its end: the root's output, or why it stopped.
    async fn run_nested(mut self) -> Result<Option<Arc<Value>>, ExecutionError> {
        self.drive().await;
        if self.aborted.is_some() {
            return Err(ExecutionError::new(
                ErrorCode::CANCELLED,
                crate::error::messages::EXECUTION_CANCELLED,
            ));
        }
        if let Some((_, error)) = self.failure.take() {
            return Err(error);
        }
        if !self.slots[0].status.state.is_done() {
            return Err(ExecutionError::internal("A nested run ended with nodes left unfinished"));
        }
        Ok(self.slots[0].output.take())
    }
}

/// The plan of node `ix`'s subtree on its own: the node as a group (its children run), indices
/// from 0. What a for-each's items run.
pub(super) fn subtree_plan(plan: &Plan, ix: NodeIx) -> Plan {
    let end = plan.nodes[ix].subtree_end;
    let shift = |i: NodeIx| i - ix;
    let nodes = (ix..end)
        .map(|i| {
            let node = &plan.nodes[i];
            PlanNode {
                id: node.id.clone(),
                node_type: node.node_type.clone(),
                name: node.name.clone(),
                parent: if i == ix { None } else { node.parent.map(shift) },
                depth: node.depth - plan.nodes[ix].depth,
                level: node.level,
                weight: node.weight,
                children: node.children.iter().map(|&c| shift(c)).collect(),
                subtree_end: shift(node.subtree_end),
                leaf_weight: node.leaf_weight,
                inputs: if i == ix {
                    Vec::new()
                } else {
                    node.inputs
                        .iter()
                        .map(|input| crate::plan::PlanInput {
                            source: shift(input.source),
                            ..input.clone()
                        })
                        .collect()
                },
                outputs: if i == ix {
                    Vec::new()
                } else {
                    node.outputs.iter().map(|&(target, k)| (shift(target), k)).collect()
                },
                kind: if i == ix { NodeKind::Group } else { node.kind },
                on_error: node.on_error,
                parameters: node.parameters.clone(),
                enabled: true,
                timeout_ms: if i == ix { None } else { node.timeout_ms },
                retries: if i == ix { 0 } else { node.retries },
                retry_delay_ms: node.retry_delay_ms,
                sequential: if i == ix { false } else { node.sequential },
                reports: i != ix && node.reports,
                calls_flows: i != ix && node.calls_flows,
            }
        })
        .collect();
    Plan { nodes, root_children_by_definition: Vec::new(), bulky: false }
}
