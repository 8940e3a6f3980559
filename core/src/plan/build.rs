//! Flattening a validated `NodeDefinition` tree into a [`Plan`], iteratively and in place:
//! definitions are emptied where they lie (a `NodeDefinition` is a large struct; moving every
//! one through work queues was a measurable share of the per-node cost).

use std::sync::{Arc, OnceLock};

use crate::value::{Map, Value};
use rustc_hash::FxHashMap as HashMap;

use super::{port_of, NodeIx, NodeKind, OnError, Plan, PlanInput, PlanNode, Port};
use crate::error::{ExecutionError, Result};
use crate::graph::sibling_graph::{GroupLayout, LayoutCache, SiblingGraph};
use crate::model::{small_map_get, FlowFormat, NodeDefinition};
use crate::nodes::NodeRegistry;

/// A group whose children are being placed.
struct Frame {
    group: NodeIx,
    depth: u32,
    children: Vec<NodeDefinition>,
    /// Positions of children in sequential order, and the level of each position.
    order: Vec<usize>,
    level_of: Vec<u32>,
    next: usize,
    /// Plan index of each child position, filled as children are placed.
    child_ix: Vec<NodeIx>,
    /// (source position, target position, input key, port) in edge order.
    edges: Vec<(usize, usize, Arc<str>, Port)>,
}

/// Nodes without parameters share one empty map.
fn empty_parameters() -> Arc<Map> {
    static EMPTY: OnceLock<Arc<Map>> = OnceLock::new();
    EMPTY.get_or_init(|| Arc::new(Map::new())).clone()
}

/// Consumes a flow that passed validation. Fails (with `INTERNAL_ERROR`) only if it did not.
/// `layouts` (from validation) saves resolving each group's edges and levels again.
pub(crate) fn build_plan(
    mut root: NodeDefinition,
    registry: &NodeRegistry,
    custom_types: &std::collections::HashSet<String>,
    layouts: LayoutCache,
) -> Result<Plan> {
    let mut nodes: Vec<PlanNode> = Vec::with_capacity(layouts.node_count);
    let mut frames: Vec<Frame> = Vec::new();
    let mut root_children_by_definition = Vec::new();
    let format = FlowFormat::of(root.version.as_deref());
    let shared = &mut Shared { registry, custom_types, format, layouts, types: HashMap::default() };
    place(&mut root, None, 0, 0, shared, &mut nodes, &mut frames)?;
    while let Some(frame) = frames.last_mut() {
        if frame.next == frame.order.len() {
            let Some(done) = frames.pop() else { break };
            if done.group == 0 {
                root_children_by_definition = done.child_ix.clone();
            }
            wire(&mut nodes, done)?;
            continue;
        }
        let position = frame.order[frame.next];
        frame.next += 1;
        frame.child_ix[position] = nodes.len();
        let (group, depth, level) = (frame.group, frame.depth + 1, frame.level_of[position]);
        // Borrow the children list out of the frame (cheap) so `place` can push a new frame;
        // the child is emptied where it lies.
        let index = frames.len() - 1;
        let mut children = std::mem::take(&mut frames[index].children);
        let placed = place(
            &mut children[position],
            Some(group),
            depth,
            level,
            shared,
            &mut nodes,
            &mut frames,
        );
        frames[index].children = children;
        placed?;
    }
    finish_subtrees(&mut nodes);
    // Only threaded hosts free it elsewhere (see `Plan::bulky`).
    let bulky = cfg!(not(target_arch = "wasm32"))
        && (nodes.len() >= BULKY_ITEMS
            || nodes.iter().map(|n| top_level_items(&n.parameters)).sum::<usize>() >= BULKY_ITEMS);
    Ok(Plan { nodes, root_children_by_definition, bulky })
}

/// Items in parameters (nodes, or items of top-level arrays and objects) from which a plan is
/// freed off the run's thread: 10,000 records take a millisecond or more to free.
const BULKY_ITEMS: usize = 4096;

/// The items of a node's parameters, looking one level into arrays and objects.
fn top_level_items(parameters: &Map) -> usize {
    parameters
        .values()
        .map(|v| match v {
            Value::Array(items) => items.len(),
            Value::Object(map) => map.len(),
            _ => 1,
        })
        .sum()
}

/// What every placement reads or fills.
struct Shared<'r> {
    registry: &'r NodeRegistry,
    custom_types: &'r std::collections::HashSet<String>,
    /// The flow's data model: whether edges select ports.
    format: FlowFormat,
    layouts: LayoutCache,
    /// Each node type's name and weight, resolved once per plan: a flow has a handful of types
    /// and thousands of nodes.
    types: HashMap<Arc<str>, u32>,
}

impl Shared<'_> {
    fn node_type(&mut self, name: &str) -> (Arc<str>, u32) {
        if let Some((node_type, weight)) = self.types.get_key_value(name) {
            return (node_type.clone(), *weight);
        }
        let node_type: Arc<str> = Arc::from(name);
        let weight = self
            .registry
            .get(name)
            .map_or_else(|| crate::graph::default_weight(name), |t| t.weight());
        self.types.insert(node_type.clone(), weight);
        (node_type, weight)
    }
}

/// Appends one node; a group also gets a frame so its children are placed next (pre-order).
fn place(
    definition: &mut NodeDefinition,
    parent: Option<NodeIx>,
    depth: u32,
    level: u32,
    shared: &mut Shared<'_>,
    nodes: &mut Vec<PlanNode>,
    frames: &mut Vec<Frame>,
) -> Result<()> {
    let ix = nodes.len();
    let children = definition.nodes.take().unwrap_or_default();
    let edges = definition.edges.take().unwrap_or_default();
    let (node_type, weight) = shared.node_type(definition.type_str());
    let name: Arc<str> = match definition.name.as_deref() {
        Some(name) if !name.is_empty() => Arc::from(name),
        _ => node_type.clone(),
    };
    let registered =
        crate::nodes::route(definition.type_str(), shared.registry, shared.custom_types)
            .and_then(crate::nodes::Runtime::registered);
    let kind = kind_of(definition, &children, registered);
    let parameters = definition
        .parameters
        .take()
        .filter(|p| !p.is_empty())
        .map_or_else(empty_parameters, Arc::new);
    let reports = registered.is_some_and(|t| t.reports());
    let calls_flows = registered.is_some_and(|t| !t.called_flows(&parameters).is_empty());
    nodes.push(PlanNode {
        kind,
        on_error: OnError::of(&parameters),
        id: Arc::from(definition.id_str()),
        node_type,
        name,
        parent,
        depth,
        level,
        weight,
        children: Vec::new(),
        subtree_end: ix + 1,
        leaf_weight: 0,
        inputs: Vec::new(),
        outputs: Vec::new(),
        enabled: small_map_get(&parameters, "enabled").and_then(Value::as_bool) != Some(false),
        timeout_ms: small_map_get(&parameters, "timeout")
            .and_then(Value::as_f64)
            .filter(|t| *t > 0.0),
        retries: small_map_get(&parameters, "retries")
            .and_then(Value::as_f64)
            .filter(|r| *r >= 0.0)
            .map_or(0, |r| r.min(1e6) as u32),
        retry_delay_ms: small_map_get(&parameters, "retryDelay")
            .and_then(Value::as_f64)
            .filter(|d| *d >= 0.0),
        sequential: !children.is_empty()
            && small_map_get(&parameters, "parallel").and_then(Value::as_bool) == Some(false),
        reports,
        calls_flows,
        parameters,
    });
    if children.is_empty() {
        return Ok(());
    }
    let layout = match shared.layouts.take(&children) {
        Some(layout) => layout,
        None => {
            let graph = SiblingGraph::new(&children, &edges);
            let levels = graph.levels().ok_or_else(|| {
                ExecutionError::internal("plan built from an unvalidated flow (cycle)")
            })?;
            GroupLayout { levels, edges: graph.edges, real: graph.real }
        }
    };
    let levels = &layout.levels;
    let mut level_of = vec![0u32; children.len()];
    let mut order = Vec::with_capacity(children.len());
    for (l, members) in levels.iter().enumerate() {
        for &position in members.iter().filter(|&&p| p < children.len()) {
            level_of[position] = u32::try_from(l).unwrap_or(u32::MAX);
            order.push(position);
        }
    }
    // Edges mostly share a handful of input keys ("default"): intern them.
    let mut keys: HashMap<&str, Arc<str>> = HashMap::default();
    // A merge's edges without a name arrive as `input1`, `input2`, ... (in edge order), so that
    // none takes another's place.
    let mut unnamed: HashMap<usize, usize> = HashMap::default();
    let (registry, custom, format) = (shared.registry, shared.custom_types, shared.format);
    let mut resolved: Vec<(usize, usize, Arc<str>, Port)> = Vec::with_capacity(layout.edges.len());
    for r in &layout.edges {
        let (Some(source), true) = (r.source, r.target < layout.real) else { continue };
        let edge = &edges[r.index];
        let target = &children[r.target];
        let key = match edge.target_handle().filter(|h| !h.is_empty()) {
            None if kind_is_merge(target, shared) => {
                let n = unnamed.entry(r.target).or_insert(0);
                *n += 1;
                Arc::from(format!("input{n}"))
            }
            handle => {
                let key = super::input_key(handle, target, registry, custom, format);
                keys.entry(key).or_insert_with(|| Arc::from(key)).clone()
            }
        };
        let port = port_of(edge.source_handle(), &children[source], registry, custom, format);
        resolved.push((source, r.target, key, port));
    }
    let count = children.len();
    frames.push(Frame {
        group: ix,
        depth,
        children,
        order,
        level_of,
        next: 0,
        child_ix: vec![usize::MAX; count],
        edges: resolved,
    });
    Ok(())
}

fn wire(nodes: &mut [PlanNode], frame: Frame) -> Result<()> {
    let Frame { group, order, child_ix, edges, .. } = frame;
    if child_ix.contains(&usize::MAX) {
        return Err(ExecutionError::internal("plan child left unplaced"));
    }
    nodes[group].children = order.iter().map(|&p| child_ix[p]).collect();
    for (source_pos, target_pos, key, port) in edges {
        let (source, target) = (child_ix[source_pos], child_ix[target_pos]);
        let index = u32::try_from(nodes[target].inputs.len()).unwrap_or(u32::MAX);
        nodes[target].inputs.push(PlanInput { source, key, port });
        nodes[source].outputs.push((target, index));
    }
    Ok(())
}

/// Subtree extents and leaf weights, children before parents (reverse sequential order). A
/// `for-each` weighs what its body does (it is one leaf of the run).
fn finish_subtrees(nodes: &mut [PlanNode]) {
    for ix in (0..nodes.len()).rev() {
        if nodes[ix].children.is_empty() {
            nodes[ix].leaf_weight = u64::from(nodes[ix].weight);
            continue;
        }
        let (end, weight) = nodes[ix].children.iter().fold((ix + 1, 0u64), |(end, weight), &c| {
            (end.max(nodes[c].subtree_end), weight + nodes[c].leaf_weight)
        });
        nodes[ix].subtree_end = end;
        nodes[ix].leaf_weight = weight;
        if nodes[ix].kind == NodeKind::ForEach {
            nodes[ix].weight = u32::try_from(weight).unwrap_or(u32::MAX).max(1);
            nodes[ix].leaf_weight = u64::from(nodes[ix].weight);
        }
    }
}

/// Whether `definition` is the engine's `merge` (not a JS executor's type of that name).
fn kind_is_merge(definition: &NodeDefinition, shared: &Shared<'_>) -> bool {
    definition.type_str() == crate::nodes::MERGE_TYPE
        && !definition.is_group()
        && matches!(
            crate::nodes::route(definition.type_str(), shared.registry, shared.custom_types),
            Some(crate::nodes::Runtime::Registry(_))
        )
}

/// What the scheduler does with a node: the engine's own control-flow types by name (unless
/// the run's embedder provides a type of that name), a group by its children.
fn kind_of(
    definition: &NodeDefinition,
    children: &[NodeDefinition],
    registered: Option<&Arc<dyn crate::nodes::NodeType>>,
) -> NodeKind {
    let name = registered.map(|t| t.type_name());
    if name == Some(crate::nodes::FOR_EACH_TYPE) {
        return NodeKind::ForEach;
    }
    if !children.is_empty() {
        return NodeKind::Group;
    }
    match registered {
        Some(t) if t.type_name() == crate::nodes::SUB_FLOW_TYPE => NodeKind::SubFlow,
        Some(t) if t.routes() => NodeKind::Routing,
        Some(t)
            if t.type_name() == crate::nodes::MERGE_TYPE
                && definition.param("mode").and_then(Value::as_str) == Some("first") =>
        {
            NodeKind::FirstInput
        }
        _ => NodeKind::Leaf,
    }
}
