//! The engine: configuration, a node registry, and `validate` / `run`.

use std::collections::HashSet;
use std::sync::Arc;

// The flows a run calls, pinned when it starts (the plan's: validation and the scheduler read them).
pub use crate::plan::{content_hash, pin_key, pin_value, FlowSource, Pinned, PinnedFlows};

use crate::value::Value;

pub use crate::run::{
    uuid_v4, EngineConfig, ExecutionContext, ExecutionResult, RunCommand, RunContext, RunControl,
    RunHandles, RunOptions, RunView, SharedControl, SharedView,
};

use crate::error::{ErrorCode, ExecutionError};
use crate::host::{restricted, BoxFuture, EngineEvent, SharedHost};
use crate::model::NodeDefinition;
use crate::nodes::NodeRegistry;
use crate::plan::build_plan;
use crate::plan::PathIndex;
use crate::recording::Recording;
use crate::scheduler::debug::ResolvedDebug;
use crate::scheduler::partial::{finds_named_nodes, resolve_named_nodes, ResolvedRequest};
use crate::scheduler::{RunHistory, RunRecording};
use crate::scheduler::{RunSetup, Scheduler};
use crate::validation::{
    permission_issues, validate, validate_with_layouts, ValidationContext, ValidationReport,
};
use crate::History;

/// A configured engine. Cheap to clone; runs on it are independent (they share no progress,
/// debug settings or traces).
#[derive(Clone)]
pub struct Engine {
    registry: Arc<NodeRegistry>,
    config: Arc<EngineConfig>,
    /// Makes traced runs' tracers (see [`crate::telemetry`]); none: no run is traced.
    tracing: Option<Arc<dyn crate::telemetry::RunTracing>>,
    /// Flows a session's runs may call that no store holds (the bundled templates).
    bundled_flows: Option<Arc<dyn FlowSource>>,
}

impl Engine {
    /// An engine with the built-in node types, as the core declares them: those that need files
    /// and processes (`file-system`, `shell-command`, `image`, `python`, a workbook or a body
    /// file) answer that the environment lacks them. A host that has files and processes runs
    /// them with the executors of `atomiton-effects`:
    /// `Engine::with_registry(atomiton_effects::registry(), config)`.
    pub fn new(config: EngineConfig) -> Self {
        Self::with_registry(crate::nodes::builtin_registry(), config)
    }

    /// An engine with exactly the given node types.
    pub fn with_registry(registry: NodeRegistry, config: EngineConfig) -> Self {
        Engine {
            registry: Arc::new(registry),
            config: Arc::new(config),
            tracing: None,
            bundled_flows: None,
        }
    }

    /// This engine, its sessions' runs finding in `flows` the flows their `sub-flow` nodes call
    /// when no saved flow has the id (the catalog crate's bundled templates).
    pub fn with_bundled_flows(mut self, flows: Arc<dyn FlowSource>) -> Self {
        self.bundled_flows = Some(flows);
        self
    }

    /// The flows given by [`with_bundled_flows`](Self::with_bundled_flows).
    pub fn bundled_flows(&self) -> Option<&Arc<dyn FlowSource>> {
        self.bundled_flows.as_ref()
    }

    /// This engine, tracing the runs whose options ask for it (`telemetry`) with `tracing`.
    pub fn with_tracing(mut self, tracing: Arc<dyn crate::telemetry::RunTracing>) -> Self {
        self.tracing = Some(tracing);
        self
    }

    pub fn registry(&self) -> &NodeRegistry {
        &self.registry
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Deep validation for an environment with `capabilities` and host-provided `custom_types`.
    /// Sub-flows are not looked for (see [`validate_calling`](Self::validate_calling)).
    pub fn validate(
        &self,
        flow: &NodeDefinition,
        custom_types: &HashSet<String>,
        host: &SharedHost,
    ) -> ValidationReport {
        self.validate_with(flow, custom_types, host, None)
    }

    fn validate_with(
        &self,
        flow: &NodeDefinition,
        custom_types: &HashSet<String>,
        host: &SharedHost,
        flows: Option<&PinnedFlows>,
    ) -> ValidationReport {
        validate(
            flow,
            &ValidationContext {
                registry: &self.registry,
                custom_types,
                capabilities: host.capabilities(),
                limits: self.config.flow_limits,
                strict: self.config.strict_parameters,
                flows,
            },
        )
    }

    /// [`validate`](Self::validate), with the flows its sub-flow nodes call found in `source`
    /// (a missing one, and flows that call each other in a cycle, are issues; each called flow
    /// is validated too).
    pub async fn validate_calling(
        &self,
        flow: &NodeDefinition,
        custom_types: &HashSet<String>,
        host: &SharedHost,
        source: Option<Arc<dyn FlowSource>>,
    ) -> crate::error::Result<ValidationReport> {
        let no_pins = std::collections::HashMap::new();
        let flows = crate::plan::pin(flow, source, &no_pins, &self.registry, custom_types).await?;
        Ok(self.validate_with(flow, custom_types, host, Some(&flows)))
    }

    /// Runs a flow with no handles from outside (see [`run_with`](Self::run_with)).
    pub fn run(
        &self,
        flow: NodeDefinition,
        options: RunOptions,
        host: SharedHost,
    ) -> BoxFuture<'static, ExecutionResult> {
        self.run_with(flow, options, RunHandles::default(), host)
    }

    /// Runs a flow with the handles its embedder attaches (cancellation, events, control, the
    /// live view, history). The returned future owns everything it needs, never panics outwards
    /// and never fails: errors are results with `success: false`. It validates first, so an
    /// invalid flow fails before any node has side effects.
    pub fn run_with(
        &self,
        flow: NodeDefinition,
        options: RunOptions,
        handles: RunHandles,
        host: SharedHost,
    ) -> BoxFuture<'static, ExecutionResult> {
        let engine = self.clone();
        Box::pin(async move { engine.run_flow(flow, options, handles, host).await })
    }

    async fn run_flow(
        self,
        flow: NodeDefinition,
        mut options: RunOptions,
        mut handles: RunHandles,
        host: SharedHost,
    ) -> ExecutionResult {
        let (recorder, reuse) = (handles.recorder.take(), handles.reuse.take());
        let cache = crate::scheduler::cache::for_run(handles.cache.take(), &options);
        let start_time = host.now();
        let execution_id: Arc<str> = Arc::from(options.execution_id(|| host.random()));
        if falsy(flow.id_str(), flow.extra.get("id"))
            || falsy(flow.type_str(), flow.extra.get("type"))
        {
            return invalid_definition(&host, &handles, flow.id_str(), &execution_id);
        }
        let mut context =
            crate::run::context::resolve(execution_id, &mut options, handles.embedder.clone());
        // A `telemetry` option the tracing cannot read fails the run with the flow's own errors,
        // before anything runs; an engine without tracing leaves the option unused.
        let mut refused = None;
        if let (Some(telemetry), Some(tracing)) = (options.telemetry.take(), &self.tracing) {
            match tracing.tracer(&telemetry) {
                Ok(tracer) => context.telemetry = Some(tracer),
                Err(error) => refused = Some(error),
            }
        }
        let context = Arc::new(context);
        let host = match &options.permissions {
            Some(permissions) => restricted(host, permissions),
            None => host,
        };
        // The flows its sub-flow nodes call: those a resumed (or replayed) run kept, else found
        // now, and pinned for the rest of the run.
        let mut reuse = reuse;
        let kept = History::take_pins(reuse.as_mut());
        let flows = match crate::plan::pin(
            &flow,
            handles.flows.clone(),
            &kept,
            &self.registry,
            &options.custom_types,
        )
        .await
        {
            Ok(flows) => flows,
            Err(error) => {
                let root_id = flow.id_str().to_owned();
                return reject(&host, &handles, error, &root_id, &context, start_time);
            }
        };
        let (mut report, layouts) = validate_with_layouts(
            &flow,
            &ValidationContext {
                registry: &self.registry,
                custom_types: &options.custom_types,
                capabilities: host.capabilities(),
                limits: self.config.flow_limits,
                strict: self.config.strict_parameters,
                flows: Some(&flows),
            },
        );
        if let Some(permissions) = &options.permissions {
            // First: a caller refused a capability learns that before any detail of the flow.
            report.issues.splice(
                0..0,
                permission_issues(&flow, &self.registry, &options.custom_types, permissions),
            );
        }
        let root_id = flow.id_str().to_owned();
        let rejected =
            |error: ExecutionError| reject(&host, &handles, error, &root_id, &context, start_time);
        if let Some(error) = refused.or_else(|| report.to_error()) {
            return rejected(error);
        }
        // Names the engine does not know, with `strictParameters: false`: the run goes ahead
        // and says so.
        for warning in &report.warnings {
            context.warn(warning.node_id.as_deref(), warning.to_legacy_string());
        }
        let plan = match build_plan(flow, &self.registry, &options.custom_types, layouts) {
            Ok(plan) => plan,
            Err(error) => return rejected(error),
        };
        let debug = match ResolvedDebug::resolve(context.debug.as_deref(), &plan, || host.random())
        {
            Ok(debug) => debug,
            Err(error) => return rejected(error),
        };
        // Nodes are found by path only for history, the cache and debugging (the browser's
        // default module has none of them: it refuses a run that names nodes).
        let records = recorder.is_some() || reuse.is_some() || cache.is_some();
        let paths = (records || finds_named_nodes(&options)).then(|| PathIndex::new(&plan));
        let (history, mut presets) = match RunHistory::prepare(
            &plan,
            paths.as_ref(),
            recorder,
            reuse,
            (&self.registry, &options.custom_types),
        ) {
            Ok(prepared) => prepared,
            Err(error) => return rejected(error),
        };
        if let Some(history) = &history {
            history.record_pins(&flows);
            history.record_permissions();
        }
        let ResolvedRequest { run_to, breakpoints } =
            match resolve_named_nodes(&mut options, &plan, paths.as_ref(), &mut presets) {
                Ok(resolved) => resolved,
                Err(error) => return rejected(error),
            };
        let cache = match cache {
            Some(handle) => {
                let setup = crate::scheduler::cache::setup(
                    handle,
                    paths.as_ref(),
                    &plan,
                    &mut options,
                    &context,
                );
                match setup.await {
                    Ok(cache) => cache,
                    Err(error) => return rejected(error),
                }
            }
            None => None,
        };
        let scheduler = Scheduler::new(RunSetup {
            plan: Arc::new(plan),
            host: host.clone(),
            registry: self.registry.clone(),
            config: self.config.clone(),
            context,
            debug,
            timeout_ms: options.timeout_ms.or(self.config.timeout_ms).filter(|t| *t > 0.0),
            custom_types: options.custom_types,
            start_time,
            history,
            presets,
            run_to,
            breakpoints,
            handles,
            state_events: options.state_events,
            cache,
            nesting: crate::scheduler::NestingSetup {
                flows: (!flows.is_empty()).then(|| Arc::new(flows)),
                ..Default::default()
            },
        });
        scheduler.run().await
    }
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new(EngineConfig::default())
    }
}

/// A run refused before any node ran (validation, debug options), in the shape the TypeScript
/// engine gave a run whose graph analysis failed — `executedNodes: [root]`, context present, no trace.
fn reject(
    host: &SharedHost,
    handles: &RunHandles,
    error: ExecutionError,
    root_id: &str,
    context: &Arc<RunContext>,
    start_time: f64,
) -> ExecutionResult {
    let now = host.now();
    let execution_id = &context.execution_id;
    let error = error.located(root_id, execution_id).with_timestamp(now);
    if let Some(sink) = &handles.event_sink {
        sink.emit(EngineEvent::Started {
            execution_id: execution_id.to_string(),
            node_id: root_id.to_owned(),
        });
        sink.emit(EngineEvent::Error {
            execution_id: execution_id.to_string(),
            node_id: root_id.to_owned(),
            error: error.clone(),
        });
    }
    ExecutionResult {
        duration: now - start_time,
        executed_nodes: if root_id.is_empty() { Vec::new() } else { vec![Arc::from(root_id)] },
        context: Some(ExecutionContext { node_id: Arc::from(root_id), run: context.clone() }),
        ..ExecutionResult::failed(error)
    }
}

/// JavaScript's `!node.<field>` for a string field (a mistyped value is kept in `extra`).
fn falsy(field: &str, mistyped: Option<&Value>) -> bool {
    field.is_empty() && mistyped.is_none_or(|raw| !crate::expression::is_truthy(raw))
}

/// The TypeScript engine's `node.run` answer to a root without `id` or `type` (`INVALID_NODE`): nothing
/// ran, so no context and no executed nodes.
fn invalid_definition(
    host: &SharedHost,
    handles: &RunHandles,
    root_id: &str,
    execution_id: &str,
) -> ExecutionResult {
    let node_id = if root_id.is_empty() { "unknown" } else { root_id };
    let error = ExecutionError::new(
        ErrorCode::INVALID_NODE,
        crate::error::messages::INVALID_NODE_DEFINITION,
    )
    .located(node_id, execution_id)
    .with_timestamp(host.now());
    if let Some(sink) = &handles.event_sink {
        sink.emit(EngineEvent::Error {
            execution_id: execution_id.to_owned(),
            node_id: node_id.to_owned(),
            error: error.clone(),
        });
    }
    ExecutionResult::failed(error)
}
