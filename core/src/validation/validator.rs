//! The validator: one iterative depth-first walk over the flow (no recursion, so nesting depth
//! is bounded only by the configured limit).

use std::borrow::Cow;
use std::ops::Range;

use rustc_hash::FxHashMap as HashMap;

use crate::value::{Map, Value};

use super::{ValidationContext, ValidationIssue, ValidationReport};
use crate::error::ErrorCode;
use crate::graph::cycles::find_cycle;
use crate::graph::sibling_graph::{GroupLayout, LayoutCache, SiblingGraph};
use crate::graph::CYCLE_MESSAGE;
use crate::model::{small_map_get, NodeDefinition};

/// Checks a flow deeply: structure, ids, edges, cycles (named), node types, parameter schemas,
/// environment capabilities and size limits. Every problem is reported, not just the first.
pub fn validate(flow: &NodeDefinition, ctx: &ValidationContext<'_>) -> ValidationReport {
    validate_with_layouts(flow, ctx).0
}

/// [`validate`], also returning each valid group's levels and resolved edges for the planner.
pub(crate) fn validate_with_layouts(
    flow: &NodeDefinition,
    ctx: &ValidationContext<'_>,
) -> (ValidationReport, LayoutCache) {
    walk(flow, ctx, true)
}

/// The walk over `flow`; with `calls`, over the flows its sub-flows call as well (each once,
/// from the flow the run runs: a called flow's own calls are among them).
fn walk(
    flow: &NodeDefinition,
    ctx: &ValidationContext<'_>,
    calls: bool,
) -> (ValidationReport, LayoutCache) {
    let mut walker = Walker {
        format: crate::model::FlowFormat::of(flow.version.as_deref()),
        ctx,
        frames: Vec::new(),
        edge_inputs: Vec::new(),
        issues: Vec::new(),
        warnings: Vec::new(),
        layouts: LayoutCache::default(),
    };
    walker.run(flow);
    walker.layouts.node_count = walker.frames.len();
    if calls {
        walker.check_called_flows();
    }
    (ValidationReport { issues: walker.issues, warnings: walker.warnings }, walker.layouts)
}

struct Frame<'a> {
    node: &'a NodeDefinition,
    parent: Option<usize>,
    /// The node's id, or `[index]` among its siblings when it has none.
    label: Cow<'a, str>,
    depth: usize,
    /// Where, in [`Walker::edge_inputs`], the input keys its incoming edges deliver are:
    /// parameters of those names come from upstream. Each key comes with the index of its
    /// edge among the parent's when the edge names it (`targetHandle`), to check it is read.
    edge_inputs: Range<usize>,
}

struct Walker<'a, 'c> {
    ctx: &'c ValidationContext<'c>,
    /// The flow's data model (its root's `version`): what an edge without handles delivers.
    format: crate::model::FlowFormat,
    frames: Vec<Frame<'a>>,
    /// Input keys delivered by edges, grouped by target node (one buffer for the whole walk
    /// rather than a list per node).
    edge_inputs: Vec<(&'a str, Option<usize>)>,
    issues: Vec<ValidationIssue>,
    warnings: Vec<ValidationIssue>,
    layouts: LayoutCache,
}

impl<'a, 'c> Walker<'a, 'c> {
    fn run(&mut self, root: &'a NodeDefinition) {
        let label = root
            .id
            .as_deref()
            .filter(|id| !id.is_empty())
            .map_or(Cow::Borrowed("[root]"), Cow::Borrowed);
        self.frames.push(Frame { node: root, parent: None, label, depth: 0, edge_inputs: 0..0 });
        let mut stack = vec![0usize];
        while let Some(frame) = stack.pop() {
            if self.frames.len() > self.ctx.limits.max_nodes {
                self.report_at(
                    0,
                    ErrorCode::VALIDATION_FAILED,
                    format!(
                        "Flow has more than {} nodes, the configured limit",
                        self.ctx.limits.max_nodes
                    ),
                    None,
                );
                return;
            }
            let (node, depth) = (self.frames[frame].node, self.frames[frame].depth);
            if depth > self.ctx.limits.max_depth {
                self.report_at(
                    frame,
                    ErrorCode::VALIDATION_FAILED,
                    format!(
                        "Flow nesting is deeper than the configured limit of {} levels",
                        self.ctx.limits.max_depth
                    ),
                    None,
                );
                return;
            }
            self.check_node(frame, node);
            if self.is_for_each(node) {
                // Its parameters are its own (its children are its body).
                self.check_atomic(frame, node);
            }
            if node.is_group() {
                let edge_inputs = self.check_children(frame, node);
                let first_child = self.frames.len();
                for ((i, child), edge_inputs) in node.children().iter().enumerate().zip(edge_inputs)
                {
                    let label = child
                        .id
                        .as_deref()
                        .filter(|id| !id.is_empty())
                        .map_or_else(|| Cow::Owned(format!("[{i}]")), Cow::Borrowed);
                    self.frames.push(Frame {
                        node: child,
                        parent: Some(frame),
                        label,
                        depth: depth + 1,
                        edge_inputs,
                    });
                }
                // Reverse so that children are visited in definition order.
                stack.extend((first_child..self.frames.len()).rev());
            } else {
                self.check_atomic(frame, node);
            }
        }
    }

    fn path(&self, frame: usize) -> Vec<String> {
        let mut path = Vec::new();
        let mut cursor = Some(frame);
        while let Some(f) = cursor {
            path.push(self.frames[f].label.to_string());
            cursor = self.frames[f].parent;
        }
        path.reverse();
        path
    }

    fn report_at(&mut self, frame: usize, code: ErrorCode, message: String, field: Option<String>) {
        let node_id = self.frames[frame].node.id.clone().filter(|id| !id.is_empty());
        let path = self.path(frame);
        self.issues.push(ValidationIssue { code, message, node_id, path, field });
    }

    /// A name the engine does not know: an error, or with `strictParameters: false` a warning.
    fn report_unknown(&mut self, frame: usize, message: String, field: String) {
        if self.ctx.strict {
            self.report_at(frame, ErrorCode::VALIDATION_FAILED, message, Some(field));
        } else {
            self.warn_at(frame, message, field);
        }
    }

    /// What the run goes ahead with, said in the report's warnings.
    fn warn_at(&mut self, frame: usize, message: String, field: String) {
        self.report_at(frame, ErrorCode::VALIDATION_FAILED, message, Some(field));
        if let Some(issue) = self.issues.pop() {
            self.warnings.push(issue);
        }
    }

    fn check_node(&mut self, frame: usize, node: &NodeDefinition) {
        if node.id.as_deref().is_none_or(str::is_empty) {
            let message = match node.extra.get("id") {
                Some(v) if !v.is_null() => "Node id must be a string",
                _ => "Node must have an id",
            };
            self.report_at(frame, ErrorCode::INVALID_NODE, message.to_owned(), Some("id".into()));
        }
        if node.node_type.as_deref().is_none_or(str::is_empty) {
            let message = match node.extra.get("type") {
                Some(v) if !v.is_null() => "Node type must be a string",
                _ => "Node must have a type",
            };
            self.report_at(frame, ErrorCode::INVALID_NODE, message.to_owned(), Some("type".into()));
        }
        for (key, expected) in [
            ("version", "a string"),
            ("parentId", "a string"),
            ("name", "a string"),
            ("metadata", "an object"),
            ("parameters", "an object"),
            ("fields", "an object"),
            ("inputPorts", "an array of objects"),
            ("outputPorts", "an array of objects"),
            ("edges", "an array of objects"),
            ("nodes", "an array of node definitions"),
        ] {
            if node.extra.get(key).is_some_and(|v| !v.is_null()) {
                self.report_at(
                    frame,
                    ErrorCode::VALIDATION_FAILED,
                    format!("Field '{key}' must be {expected}"),
                    Some(key.into()),
                );
            }
        }
        for unknown in super::field_names::unknown_node_keys(node) {
            if unknown.mistake {
                self.report_unknown(frame, unknown.message, unknown.key);
            } else {
                self.warn_at(frame, unknown.message, unknown.key);
            }
        }
        if let Some(params) = &node.parameters {
            self.check_engine_parameters(frame, params);
            if node.is_group() && !self.is_for_each(node) {
                self.check_group_parameter_names(frame, params);
                if small_map_get(params, "onError").is_some() {
                    self.report_at(
                        frame,
                        ErrorCode::INVALID_PARAMETERS,
                        "Invalid parameters: onError: a group does not fail on its own (its children do): set onError on them".into(),
                        Some("parameters.onError".into()),
                    );
                }
            }
        }
        self.check_control_flow(frame, node);
    }

    /// The flows the flow calls through sub-flows: no cycle among them, and each valid as a flow
    /// of its own (its issues said as its).
    fn check_called_flows(&mut self) {
        let Some(flows) = self.ctx.flows else { return };
        if let Some(cycle) = &flows.cycle {
            self.report_at(
                0,
                ErrorCode::CIRCULAR_DEPENDENCY,
                format!("Sub-flows call each other in a cycle: {}", cycle.join(" → ")),
                None,
            );
            return;
        }
        let mut called: Vec<(&String, &crate::plan::Pinned)> = flows.iter().collect();
        called.sort_by(|a, b| a.0.cmp(b.0));
        for (id, pinned) in called {
            let (report, _) = walk(&pinned.flow, self.ctx, false);
            let root = self.frames.first().map(|f| f.label.to_string()).unwrap_or_default();
            for mut issue in report.issues {
                issue.message = format!("In flow '{id}' (which the flow calls): {}", issue.message);
                issue.path.insert(0, root.clone());
                self.issues.push(issue);
            }
        }
    }

    /// Whether `node` is the engine's `for-each` (not a JS executor's type of that name).
    fn is_for_each(&self, node: &NodeDefinition) -> bool {
        node.type_str() == crate::nodes::FOR_EACH_TYPE
            && matches!(
                crate::nodes::route(node.type_str(), self.ctx.registry, self.ctx.custom_types),
                Some(crate::nodes::Runtime::Registry(_))
            )
    }

    /// What the flow language asks of a node's place in its flow: a `for-each` has a body, and
    /// a body has no `wait` (a wait parks the whole run, not one item); a `merge` has inputs.
    fn check_control_flow(&mut self, frame: usize, node: &NodeDefinition) {
        let registered = |t: &str| {
            node.type_str() == t
                && matches!(
                    crate::nodes::route(t, self.ctx.registry, self.ctx.custom_types),
                    Some(crate::nodes::Runtime::Registry(_))
                )
        };
        if self.is_for_each(node) && node.children().is_empty() {
            self.report_at(
                frame,
                ErrorCode::VALIDATION_FAILED,
                "A for-each runs its child nodes once per item: it has none (nodes)".into(),
                Some("nodes".into()),
            );
        }
        if registered("wait") && self.in_for_each(frame) {
            self.report_at(
                frame,
                ErrorCode::VALIDATION_FAILED,
                "A wait cannot be in a for-each's body: it parks the whole run, not one item"
                    .into(),
                Some("type".into()),
            );
        }
        if let Some(flows) = self.ctx.flows {
            let called =
                crate::plan::flows_called_by(node, self.ctx.registry, self.ctx.custom_types);
            for crate::nodes::CalledFlow { field, flow_id: id, .. } in called {
                if flows.get(&id).is_some() {
                    continue;
                }
                let how = if flows.has_source {
                    "which is neither a saved flow nor a template"
                } else {
                    "and this engine has no flow storage to find it in"
                };
                let message = format!("{} ({field}) calls flow '{id}', {how}", node.type_str());
                self.report_at(
                    frame,
                    ErrorCode::NODE_NOT_FOUND,
                    message,
                    Some(format!("parameters.{field}")),
                );
            }
        }
        let Some(parent) = self.frames[frame].parent else { return };
        if registered(crate::nodes::MERGE_TYPE) {
            let id = node.id_str();
            let inputs = self.frames[parent]
                .node
                .edge_list()
                .iter()
                .filter(|e| e.target() == Some(id))
                .count();
            if inputs == 0 {
                self.report_at(
                    frame,
                    ErrorCode::VALIDATION_FAILED,
                    "A merge joins the edges that reach it: it has none, so it would never run with anything".into(),
                    Some("type".into()),
                );
            }
        }
    }

    /// Whether node `frame` is inside a for-each's body.
    fn in_for_each(&self, frame: usize) -> bool {
        let mut parent = self.frames[frame].parent;
        while let Some(p) = parent {
            if self.is_for_each(self.frames[p].node) {
                return true;
            }
            parent = self.frames[p].parent;
        }
        false
    }

    /// A group with children runs no executable: its own parameters are the group type's and
    /// the engine's, and any other name is a mistake.
    fn check_group_parameter_names(&mut self, frame: usize, params: &Map) {
        let Some(schema) = self.ctx.registry.get("group").and_then(|group| group.schema()) else {
            return;
        };
        for issue in schema.check(params).into_iter().filter(|issue| issue.unknown) {
            self.report_unknown(
                frame,
                format!("Invalid group parameters: {}", issue.message),
                format!("parameters.{}", issue.field),
            );
        }
    }

    /// The base parameters every node type shares: `enabled`, `timeout`, `retries` and `cache`
    /// are read by the scheduler, `label` and `description` are strings.
    fn check_engine_parameters(&mut self, frame: usize, params: &Map) {
        for key in ["label", "description"] {
            if small_map_get(params, key).is_some_and(|v| !v.is_string() && !v.is_null()) {
                self.report_at(
                    frame,
                    ErrorCode::INVALID_PARAMETERS,
                    format!("Invalid parameters: {key}: must be a string"),
                    Some(format!("parameters.{key}")),
                );
            }
        }
        for key in ["enabled", "idempotent"] {
            if small_map_get(params, key).is_some_and(|v| !v.is_boolean()) {
                self.report_at(
                    frame,
                    ErrorCode::INVALID_PARAMETERS,
                    format!("Invalid parameters: {key}: must be a boolean"),
                    Some(format!("parameters.{key}")),
                );
            }
        }
        if let Some(v) = small_map_get(params, "timeout") {
            if !v.as_f64().is_some_and(|t| t > 0.0) {
                self.report_at(
                    frame,
                    ErrorCode::INVALID_PARAMETERS,
                    "Invalid parameters: timeout: must be a positive number of milliseconds".into(),
                    Some("parameters.timeout".into()),
                );
            }
        }
        if let Some(v) = small_map_get(params, "retryDelay") {
            if !v.as_f64().is_some_and(|d| d.is_finite() && d >= 0.0) {
                self.report_at(
                    frame,
                    ErrorCode::INVALID_PARAMETERS,
                    "Invalid parameters: retryDelay: must be a number of milliseconds of at least 0".into(),
                    Some("parameters.retryDelay".into()),
                );
            }
        }
        if let Some(v) = small_map_get(params, "onError") {
            if crate::plan::OnError::parse(v).is_none() {
                self.report_at(
                    frame,
                    ErrorCode::INVALID_PARAMETERS,
                    "Invalid parameters: onError: must be \"stop\", \"continue\" or \"route\""
                        .into(),
                    Some("parameters.onError".into()),
                );
            }
        }
        if let Some(v) = small_map_get(params, "retries") {
            if !v.as_f64().is_some_and(|r| r >= 0.0 && r.fract() == 0.0) {
                self.report_at(
                    frame,
                    ErrorCode::INVALID_PARAMETERS,
                    "Invalid parameters: retries: must be a non-negative integer".into(),
                    Some("parameters.retries".into()),
                );
            }
        }
        if let Some(v) = small_map_get(params, "cache") {
            if crate::cache::NodeCacheOption::from_value(v).is_none() {
                self.report_at(
                    frame,
                    ErrorCode::INVALID_PARAMETERS,
                    "Invalid parameters: cache: must be true, false or {ttlMs} with a positive number of milliseconds".into(),
                    Some("parameters.cache".into()),
                );
            }
        }
    }

    /// Checks a group's children and edges; returns, per child, where the input keys its edges
    /// deliver are in [`Walker::edge_inputs`].
    fn check_children(&mut self, frame: usize, group: &'a NodeDefinition) -> Vec<Range<usize>> {
        let children = group.children();
        // (target position, input key) in edge order.
        let mut delivered: Vec<(usize, &'a str, Option<usize>)> = Vec::new();
        let group_label = self.frames[frame].label.to_string();
        let mut seen: HashMap<&str, ()> =
            HashMap::with_capacity_and_hasher(children.len(), Default::default());
        for child in children {
            let Some(id) = child.id.as_deref().filter(|id| !id.is_empty()) else { continue };
            if seen.insert(id, ()).is_some() {
                // Children get frames after this check; report at the group, naming the id.
                self.report_at(
                    frame,
                    ErrorCode::VALIDATION_FAILED,
                    format!("Duplicate node id '{id}' in group '{group_label}'"),
                    Some("nodes".into()),
                );
            }
        }
        let edges = group.edge_list();
        let graph = SiblingGraph::new(children, edges);
        let mut resolved = graph.edges.iter().peekable();
        for (i, edge) in edges.iter().enumerate() {
            for misspelt in super::field_names::misspelt_edge_keys(edge) {
                self.report_unknown(frame, misspelt.message, format!("edges.{i}.{}", misspelt.key));
            }
            let Some(r) = resolved.next_if(|r| r.index == i) else {
                let label = edge.id().map_or_else(|| format!("#{i}"), str::to_owned);
                self.report_at(
                    frame,
                    ErrorCode::VALIDATION_FAILED,
                    format!("Edge '{label}' must have a source and a target"),
                    Some(format!("edges.{i}")),
                );
                continue;
            };
            // Ids without a child are named in the message; only then look the fields up again.
            if r.source.is_none() {
                let source = edge.source().unwrap_or_default();
                self.report_at(
                    frame,
                    ErrorCode::NODE_NOT_FOUND,
                    format!("Edge references unknown source node: {source}"),
                    Some(format!("edges.{i}.source")),
                );
            }
            if r.target >= graph.real {
                let target = edge.target().unwrap_or_default();
                self.report_at(
                    frame,
                    ErrorCode::NODE_NOT_FOUND,
                    format!("Edge references unknown target node: {target}"),
                    Some(format!("edges.{i}.target")),
                );
            } else {
                // `input_key` without looking the handle up twice.
                let handle = edge.target_handle().filter(|h| !h.is_empty());
                let key = crate::plan::input_key(
                    handle,
                    &children[r.target],
                    self.ctx.registry,
                    self.ctx.custom_types,
                    self.format,
                );
                delivered.push((r.target, key, handle.map(|_| i)));
                self.check_source_handle(frame, i, edge, children, r.source);
            }
        }
        match graph.levels() {
            Some(levels) => {
                let layout = GroupLayout { levels, edges: graph.edges, real: graph.real };
                self.layouts.insert(children, layout);
            }
            None => {
                if let Some(cycle) = find_cycle(&graph) {
                    let names: Vec<&str> = cycle.iter().map(|&i| graph.ids[i]).collect();
                    self.report_at(
                        frame,
                        ErrorCode::CIRCULAR_DEPENDENCY,
                        format!("{CYCLE_MESSAGE}: {}", names.join(" → ")),
                        Some("edges".into()),
                    );
                }
            }
        }
        self.group_edge_inputs(children.len(), delivered)
    }

    /// A `sourceHandle` must name an output port of the source's type. Sources that are groups
    /// or JS executors' types are not checked (their outputs are whatever they return).
    fn check_source_handle(
        &mut self,
        frame: usize,
        index: usize,
        edge: &crate::model::NodeEdge,
        children: &[NodeDefinition],
        source: Option<usize>,
    ) {
        let label = || edge.id().map_or_else(|| format!("#{index}"), str::to_owned);
        let Some(source) = source.and_then(|s| children.get(s)) else { return };
        let handle = edge.source_handle().filter(|h| !h.is_empty());
        let source_id = edge.source().unwrap_or_default();
        let routes_errors = source
            .parameters
            .as_ref()
            .is_some_and(|p| crate::plan::OnError::of(p) == crate::plan::OnError::Route);
        if handle == Some(crate::plan::ERROR_PORT) {
            if !routes_errors {
                self.report_at(
                    frame,
                    ErrorCode::VALIDATION_FAILED,
                    format!(
                        "Edge '{}' leaves '{source_id}' from its error port, which only a node with parameters.onError: \"route\" has",
                        label()
                    ),
                    Some(format!("edges.{index}.sourceHandle")),
                );
            }
            return;
        }
        let Some(node_type) = self.built_in(source).and_then(|(t, _)| self.ctx.registry.get(t))
        else {
            return;
        };
        let Some(descriptor) = node_type.descriptor().copied() else { return };
        let params = source.parameters.clone().unwrap_or_default();
        let dynamic = node_type.output_ports(&params);
        let outputs: Vec<&str> = match &dynamic {
            Some(ports) => ports.iter().map(String::as_str).collect(),
            None => descriptor.output_ports.iter().map(|p| p.id).collect(),
        };
        let Some(handle) = handle else {
            // A routing type with one port (a trigger) leaves from it.
            if node_type.routes() && outputs.len() > 1 {
                self.report_at(
                    frame,
                    ErrorCode::VALIDATION_FAILED,
                    format!(
                        "Edge '{}' leaves {} '{source_id}' without naming the port it leaves from (sourceHandle): one of {}",
                        label(),
                        descriptor.node_type,
                        outputs.join(", ")
                    ),
                    Some(format!("edges.{index}.sourceHandle")),
                );
            }
            return;
        };
        if !outputs.contains(&handle) {
            let meant = crate::options::suggest::nearest(handle, outputs.iter().copied())
                .map(|m| format!(" (did you mean '{m}'?)"))
                .unwrap_or_default();
            // A routing node's port that is not there would never carry anything: an error
            // whatever `strictParameters` says.
            let message = format!(
                "Edge '{}' leaves '{source_id}' from '{handle}', an output {} does not have{meant}; its outputs: {}",
                label(),
                descriptor.node_type,
                outputs.join(", ")
            );
            if node_type.routes() {
                self.report_at(
                    frame,
                    ErrorCode::VALIDATION_FAILED,
                    message,
                    Some(format!("edges.{index}.sourceHandle")),
                );
                return;
            }
            self.report_unknown(frame, message, format!("edges.{index}.sourceHandle"));
        }
    }

    /// A node's built-in type and its schema, when it is atomic and not a JS executor's type.
    fn built_in<'n>(
        &self,
        node: &'n NodeDefinition,
    ) -> Option<(&'n str, &'c crate::nodes::schema::NodeSchema)> {
        if node.is_group() {
            return None;
        }
        let node_type = node.node_type.as_deref().filter(|t| !t.is_empty())?;
        let schema = crate::nodes::route(node_type, self.ctx.registry, self.ctx.custom_types)?
            .registered()?
            .schema()?;
        Some((node_type, schema))
    }

    /// The input each incoming edge names (`targetHandle`) must be one `schema` reads. An edge
    /// without a handle delivers under `default`, which no built-in reads: it orders the two
    /// nodes (the engine's documented data flow); one that names a handle means to deliver
    /// there. A disabled node passes its whole input on, so it reads every key. Reported at the
    /// parent, where the edge is.
    fn check_target_handles(
        &mut self,
        frame: usize,
        node_type: &str,
        schema: &crate::nodes::schema::NodeSchema,
        params: &Map,
        delivered: Range<usize>,
    ) {
        let (Some(parent), false) = (self.frames[frame].parent, delivered.is_empty()) else {
            return;
        };
        if matches!(small_map_get(params, "enabled"), Some(Value::Bool(false))) {
            return;
        }
        let edges = self.frames[parent].node.edge_list();
        for at in delivered {
            let (key, Some(index)) = self.edge_inputs[at] else { continue };
            if schema.reads_input(key) {
                continue;
            }
            let label = edges
                .get(index)
                .and_then(|edge| edge.id())
                .map_or_else(|| format!("#{index}"), str::to_owned);
            let inputs = schema.inputs.join(", ");
            let meant = crate::options::suggest::nearest(key, schema.inputs.iter().copied())
                .map(|m| format!(" (did you mean '{m}'?)"))
                .unwrap_or_default();
            let message = format!(
                "Edge '{label}' delivers to '{key}', an input {node_type} does not read{meant}; its inputs: {inputs}"
            );
            self.report_unknown(parent, message, format!("edges.{index}.targetHandle"));
        }
    }

    /// Files (target, key) pairs by target into the shared buffer; returns each child's range.
    fn group_edge_inputs(
        &mut self,
        children: usize,
        mut delivered: Vec<(usize, &'a str, Option<usize>)>,
    ) -> Vec<Range<usize>> {
        delivered.sort_by_key(|&(target, _, _)| target);
        let mut ranges = Vec::with_capacity(children);
        let mut pairs = delivered.into_iter().peekable();
        for child in 0..children {
            let start = self.edge_inputs.len();
            while let Some((_, key, edge)) = pairs.next_if(|&(target, _, _)| target == child) {
                self.edge_inputs.push((key, edge));
            }
            ranges.push(start..self.edge_inputs.len());
        }
        ranges
    }

    fn check_atomic(&mut self, frame: usize, node: &NodeDefinition) {
        let Some(node_type) = node.node_type.as_deref().filter(|t| !t.is_empty()) else { return };
        let definition = match crate::nodes::route(
            node_type,
            self.ctx.registry,
            self.ctx.custom_types,
        ) {
            Some(crate::nodes::Runtime::Registry(definition)) => definition,
            Some(crate::nodes::Runtime::Embedder) => return,
            None => {
                let elsewhere = crate::nodes::ELSEWHERE.iter().find(|(t, _)| *t == node_type);
                let (code, message) = match elsewhere {
                        Some((_, needs)) => (
                            ErrorCode::IMPLEMENTATION_NOT_FOUND,
                            format!(
                                "Node '{}' ({node_type}) needs {needs}, which this environment does not provide",
                                self.frames[frame].label
                            ),
                        ),
                        None => (
                            ErrorCode::NODE_TYPE_NOT_FOUND,
                            format!("No implementation found for node type: {node_type}"),
                        ),
                    };
                self.report_at(frame, code, message, Some("type".into()));
                return;
            }
        };
        let empty = Map::new();
        let params = node.parameters.as_ref().unwrap_or(&empty);
        if let Some(missing) = self.ctx.capabilities.missing(&definition.requirements(params)) {
            let label = self.frames[frame].label.to_string();
            self.report_at(
                frame,
                ErrorCode::IMPLEMENTATION_NOT_FOUND,
                format!("Node '{label}' ({node_type}) needs {missing}, which this environment does not provide"),
                Some("type".into()),
            );
        }
        // A parameter delivered by an incoming edge of the same name is overridden at run time
        // (`getInput`), so its static value (or absence) is not an error.
        let from_edges = self.frames[frame].edge_inputs.clone();
        if let Some(schema) = definition.schema() {
            self.check_target_handles(frame, node_type, schema, params, from_edges.clone());
        }
        let from_edges = &self.edge_inputs[from_edges];
        let issues: Vec<_> = definition
            .check_parameters(params)
            .into_iter()
            .filter(|issue| {
                issue.unknown
                    || !from_edges.iter().any(|(key, _)| {
                        issue.field == *key || issue.field.starts_with(&format!("{key}."))
                    })
            })
            .collect();
        for issue in issues {
            if issue.unknown {
                self.report_unknown(
                    frame,
                    format!("Invalid {node_type} parameters: {}", issue.message),
                    format!("parameters.{}", issue.field),
                );
                continue;
            }
            self.report_at(
                frame,
                ErrorCode::INVALID_PARAMETERS,
                format!("Invalid {node_type} parameters: {}: {}", issue.field, issue.message),
                Some(format!("parameters.{}", issue.field)),
            );
        }
    }
}
