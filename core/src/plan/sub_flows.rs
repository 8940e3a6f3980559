//! The flows a run's `sub-flow` nodes call, found when the run starts and pinned for its whole
//! life by their content hash: a run that resumes after a crash or wakes from a wait days later
//! calls what it started with (its record keeps each pinned flow as a `$sub-flow:<id>` entry,
//! which a resume takes back instead of loading the flow again). Called flows are found
//! transitively (a called flow's own sub-flows too); flows that call each other in a cycle
//! are refused before anything runs.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use crate::error::{ErrorCode, ExecutionError, Result};
use crate::host::BoxFuture;
use crate::model::NodeDefinition;
use crate::nodes::SUB_FLOW_TYPE;
use crate::plan::Plan;
use crate::value::Value;

/// Where a run's sub-flows come from: a conductor gives its flow storage and bundled templates.
pub trait FlowSource: crate::host::MaybeSend + crate::host::MaybeSync {
    /// The flow saved (or bundled) as `id`, if there is one.
    fn load(&self, id: &str) -> BoxFuture<'static, Result<Option<NodeDefinition>>>;
}

/// One pinned flow: its definition and its content hash, and its plan once built.
pub struct Pinned {
    pub flow: Arc<NodeDefinition>,
    /// FNV-1a 64 of the flow's JSON, in hex.
    pub hash: String,
    plan: OnceLock<std::result::Result<Arc<Plan>, ExecutionError>>,
}

/// The flows a run's sub-flow nodes call, by id; and a cycle among them, if there is one.
#[derive(Default)]
pub struct PinnedFlows {
    flows: HashMap<String, Pinned>,
    /// Whether there is a flow storage to call flows from at all.
    pub has_source: bool,
    /// Flow ids that call each other around, in order, when some do.
    pub cycle: Option<Vec<String>>,
}

impl PinnedFlows {
    /// The pinned flow `id`.
    pub fn get(&self, id: &str) -> Option<&Pinned> {
        self.flows.get(id)
    }

    /// Every pinned flow, by id.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Pinned)> {
        self.flows.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.flows.is_empty()
    }
}

impl Pinned {
    fn new(flow: NodeDefinition, hash: Option<String>) -> Pinned {
        let hash = hash.unwrap_or_else(|| content_hash(&flow));
        Pinned { flow: Arc::new(flow), hash, plan: OnceLock::new() }
    }

    /// The flow as a plan, built once (it was validated with the run).
    pub(crate) fn plan(
        &self,
        registry: &crate::nodes::NodeRegistry,
        custom_types: &HashSet<String>,
    ) -> std::result::Result<Arc<Plan>, ExecutionError> {
        self.plan
            .get_or_init(|| {
                crate::plan::build_plan(
                    (*self.flow).clone(),
                    registry,
                    custom_types,
                    Default::default(),
                )
                .map(Arc::new)
            })
            .clone()
    }
}

/// A flow's content hash: FNV-1a 64 of its JSON.
pub fn content_hash(flow: &NodeDefinition) -> String {
    let text = serde_json::to_string(flow).unwrap_or_default();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The record entry a pinned flow is kept under in a run's history.
pub fn pin_key(id: &str) -> String {
    format!("$sub-flow:{id}")
}

/// What a pin's record entry holds: `{flowId, hash, flow}`.
pub fn pin_value(id: &str, pinned: &Pinned) -> Value {
    let mut map = crate::value::Map::new();
    map.insert("flowId", Value::from(id));
    map.insert("hash", Value::from(pinned.hash.as_str()));
    map.insert("flow", crate::value::to_value(&*pinned.flow).unwrap_or(Value::Null));
    Value::Object(map)
}

/// A pin taken back from a record entry.
fn pin_of(value: &Value) -> Option<(String, NodeDefinition, String)> {
    let id = value.get("flowId")?.as_str()?.to_owned();
    let hash = value.get("hash")?.as_str()?.to_owned();
    let flow = crate::value::from_value::<NodeDefinition>(value.get("flow")?.clone()).ok()?;
    Some((id, flow, hash))
}

/// The flows `node` calls: a `sub-flow`'s `flowId`, or those its type names (an `llm` node's
/// tools), each with the parameter that names it.
pub(crate) fn flows_called_by(
    node: &NodeDefinition,
    registry: &crate::nodes::NodeRegistry,
    custom: &HashSet<String>,
) -> Vec<crate::nodes::CalledFlow> {
    let Some(crate::nodes::Runtime::Registry(node_type)) =
        crate::nodes::route(node.type_str(), registry, custom)
    else {
        return Vec::new();
    };
    if node.type_str() == SUB_FLOW_TYPE {
        let id = node.param("flowId").and_then(Value::as_str).unwrap_or_default();
        return if id.is_empty() {
            Vec::new()
        } else {
            vec![crate::nodes::CalledFlow {
                field: "flowId".into(),
                flow_id: id.to_owned(),
                inline: None,
            }]
        };
    }
    match &node.parameters {
        Some(parameters) => node_type.called_flows(parameters),
        None => Vec::new(),
    }
}

/// The flows `flow`'s nodes call (its own tree only), each once.
fn called(
    flow: &NodeDefinition,
    registry: &crate::nodes::NodeRegistry,
    custom: &HashSet<String>,
) -> Vec<crate::nodes::CalledFlow> {
    let mut calls: Vec<crate::nodes::CalledFlow> = Vec::new();
    let mut stack = vec![flow];
    while let Some(node) = stack.pop() {
        stack.extend(node.children());
        for call in flows_called_by(node, registry, custom) {
            if !calls.iter().any(|known| known.flow_id == call.flow_id) {
                calls.push(call);
            }
        }
    }
    calls
}

/// Pins the flows `root` calls, transitively: those a resumed run kept (`kept`: record entries
/// by key) first, the rest loaded from `source`. A flow that cannot be found is left out (the
/// validator names the node that calls it).
pub(crate) async fn pin(
    root: &NodeDefinition,
    source: Option<Arc<dyn FlowSource>>,
    kept: &HashMap<String, Value>,
    registry: &crate::nodes::NodeRegistry,
    custom: &HashSet<String>,
) -> Result<PinnedFlows> {
    let mut pinned = PinnedFlows { has_source: source.is_some(), ..PinnedFlows::default() };
    let mut calls: HashMap<String, Vec<String>> = HashMap::new();
    let root_id = root.id_str().to_owned();
    let ids = |calls: &[crate::nodes::CalledFlow]| -> Vec<String> {
        calls.iter().map(|call| call.flow_id.clone()).collect()
    };
    let mut queue = called(root, registry, custom);
    calls.insert(root_id.clone(), ids(&queue));
    while let Some(call) = queue.pop() {
        let id = call.flow_id;
        if pinned.flows.contains_key(&id) {
            continue;
        }
        let found = match (kept.get(&pin_key(&id)).and_then(pin_of), call.inline) {
            (Some((_, flow, hash)), _) => Some(Pinned::new(flow, Some(hash))),
            (None, Some(inline)) => Some(Pinned::new(inline, None)),
            (None, None) => match &source {
                Some(source) => source.load(&id).await?.map(|flow| Pinned::new(flow, None)),
                None => None,
            },
        };
        let Some(found) = found else { continue };
        let next = called(&found.flow, registry, custom);
        let next_ids = ids(&next);
        queue.extend(
            next.into_iter().filter(|callee| {
                !pinned.flows.contains_key(&callee.flow_id) && callee.flow_id != id
            }),
        );
        let next = next_ids;
        // The run's own flow calls what it holds, whatever a saved copy of it calls.
        if id != root_id {
            calls.insert(id.clone(), next);
        }
        pinned.flows.insert(id, found);
        if pinned.flows.len() > 10_000 {
            return Err(ExecutionError::new(
                ErrorCode::VALIDATION_FAILED,
                "The flow calls more than 10,000 flows through its sub-flows",
            ));
        }
    }
    pinned.cycle = find_cycle(&root_id, &calls);
    Ok(pinned)
}

/// A cycle of calls reachable from `root`, as the ids around it (the first repeated at the end).
fn find_cycle(root: &str, calls: &HashMap<String, Vec<String>>) -> Option<Vec<String>> {
    // Iterative depth-first search with colours: 1 on the path, 2 done.
    let mut colour: HashMap<&str, u8> = HashMap::new();
    let mut path: Vec<(&str, usize)> = vec![(root, 0)];
    colour.insert(root, 1);
    while let Some((node, next)) = path.last_mut() {
        let callees = calls.get(*node).map(Vec::as_slice).unwrap_or_default();
        if let Some(callee) = callees.get(*next) {
            *next += 1;
            match colour.get(callee.as_str()) {
                Some(1) => {
                    let start = path.iter().position(|(n, _)| *n == callee)?;
                    let mut cycle: Vec<String> =
                        path[start..].iter().map(|(n, _)| (*n).to_owned()).collect();
                    cycle.push(callee.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    colour.insert(callee, 1);
                    path.push((callee, 0));
                }
            }
        } else {
            colour.insert(node, 2);
            path.pop();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::find_cycle;
    use std::collections::HashMap;

    #[test]
    fn a_cycle_of_calls_is_named_from_where_it_closes() {
        let calls = |pairs: &[(&str, &[&str])]| -> HashMap<String, Vec<String>> {
            pairs
                .iter()
                .map(|(a, b)| ((*a).to_owned(), b.iter().map(|s| (*s).to_owned()).collect()))
                .collect()
        };
        assert_eq!(find_cycle("r", &calls(&[("r", &["a"]), ("a", &["b"]), ("b", &[])])), None);
        assert_eq!(
            find_cycle("r", &calls(&[("r", &["a"]), ("a", &["b"]), ("b", &["a"])])),
            Some(vec!["a".into(), "b".into(), "a".into()])
        );
        assert_eq!(find_cycle("r", &calls(&[("r", &["r"])])), Some(vec!["r".into(), "r".into()]));
        // Two paths to one flow are no cycle.
        assert_eq!(
            find_cycle("r", &calls(&[("r", &["a", "b"]), ("a", &["c"]), ("b", &["c"])])),
            None
        );
    }
}
