//! Random flows with random branch outcomes: every node ends (completed, skipped, or failed and
//! handled), none is left pending, and exactly the nodes a model of the rule says are skipped
//! are. The rule: a node with incoming edges runs when at least one of them carried something
//! (its source ran, and sent from the edge's port); otherwise it is skipped. An `if` sends from
//! `true` or `false`; a node with `onError: "route"` that fails sends only from `error`.
//!
//! The same random flows run through the built package on native and wasm in
//! `npm/test/flow-language.test.mjs`, which compares the engines.

mod common;

use atomiton_core::nodes::builtin_registry;
use atomiton_core::progress::NodeState;
use atomiton_core::testing::VirtualHost;
use atomiton_core::{Engine, EngineConfig, NodeDefinition, RunOptions};
use proptest::prelude::*;
use std::sync::Arc;

/// One node of a random flow.
#[derive(Debug, Clone)]
enum Kind {
    /// An `if` whose condition is a constant.
    If(bool),
    /// A node that fails, its failure routed out of its error port.
    Failing,
    /// A plain node.
    Plain,
}

/// A random flow: nodes in order, each with edges from earlier nodes (and the port each leaves
/// from: 0 main/true, 1 false, 2 error).
#[derive(Debug, Clone)]
struct Flow {
    kinds: Vec<Kind>,
    edges: Vec<(usize, usize, u8)>,
}

fn flows() -> impl Strategy<Value = Flow> {
    (2usize..14)
        .prop_flat_map(|n| {
            let kinds = prop::collection::vec(
                prop_oneof![
                    any::<bool>().prop_map(Kind::If),
                    Just(Kind::Failing),
                    Just(Kind::Plain)
                ],
                n,
            );
            let edges = prop::collection::vec((0..n, 0..n, 0u8..3), 0..(2 * n));
            (kinds, edges)
        })
        .prop_map(|(kinds, raw)| {
            let mut edges: Vec<(usize, usize, u8)> = Vec::new();
            for (a, b, port) in raw {
                let (source, target) = (a.min(b), a.max(b));
                if source == target || edges.iter().any(|&(s, t, _)| (s, t) == (source, target)) {
                    continue;
                }
                // A port the source has: an if's true/false, a failing node's main or error.
                let port = match kinds[source] {
                    Kind::If(_) => port % 2,
                    Kind::Failing => {
                        if port == 2 {
                            2
                        } else {
                            0
                        }
                    }
                    Kind::Plain => 0,
                };
                edges.push((source, target, port));
            }
            Flow { kinds, edges }
        })
}

fn definition(flow: &Flow) -> NodeDefinition {
    let nodes: Vec<serde_json::Value> = flow
        .kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| match kind {
            Kind::If(holds) => serde_json::json!({"id": format!("n{i}"), "type": "if", "parameters": {"condition": format!("item => {holds}")}}),
            Kind::Failing => serde_json::json!({"id": format!("n{i}"), "type": "transform", "parameters": {"transformFunction": "x => x.a.b", "data": [1], "onError": "route"}}),
            Kind::Plain => serde_json::json!({"id": format!("n{i}"), "type": "transform", "parameters": {"transformFunction": "x => x", "data": [1]}}),
        })
        .collect();
    let edges: Vec<serde_json::Value> = flow
        .edges
        .iter()
        .enumerate()
        .map(|(k, &(s, t, port))| {
            let handle = match (&flow.kinds[s], port) {
                (Kind::If(_), 0) => Some("true"),
                (Kind::If(_), _) => Some("false"),
                (Kind::Failing, 2) => Some("error"),
                _ => None,
            };
            let mut edge = serde_json::json!({"id": format!("e{k}"), "source": format!("n{s}"), "target": format!("n{t}")});
            if let Some(handle) = handle {
                edge["sourceHandle"] = serde_json::json!(handle);
            }
            edge
        })
        .collect();
    serde_json::from_value(
        serde_json::json!({"id": "random", "type": "group", "nodes": nodes, "edges": edges}),
    )
    .expect("a flow")
}

/// Which nodes the rule skips.
fn skipped(flow: &Flow) -> Vec<bool> {
    let mut skipped = vec![false; flow.kinds.len()];
    for target in 0..flow.kinds.len() {
        let incoming: Vec<&(usize, usize, u8)> =
            flow.edges.iter().filter(|e| e.1 == target).collect();
        if incoming.is_empty() {
            continue;
        }
        let carried = incoming.iter().any(|&&(source, _, port)| {
            !skipped[source]
                && match flow.kinds[source] {
                    Kind::If(holds) => (port == 0) == holds,
                    // It fails: only its error port sends.
                    Kind::Failing => port == 2,
                    Kind::Plain => true,
                }
        });
        skipped[target] = !carried;
    }
    skipped
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_node_ends_and_exactly_the_unreached_are_skipped(flow in flows(), concurrency in 1usize..5) {
        let engine = Engine::with_registry(builtin_registry(), EngineConfig { concurrency, ..EngineConfig::default() });
        let host = VirtualHost::new();
        let result = host.block_on(engine.run(definition(&flow), RunOptions::default(), Arc::new(host.clone())));
        prop_assert!(result.success, "{:?}", result.error);
        let trace = result.trace.expect("a trace");
        let expected = skipped(&flow);
        prop_assert_eq!(trace.nodes.len(), flow.kinds.len());
        for node in &trace.nodes {
            let i: usize = node.node_id[1..].parse().expect("n<i>");
            let want = if expected[i] {
                NodeState::Skipped
            } else if matches!(flow.kinds[i], Kind::Failing) {
                NodeState::Error
            } else {
                NodeState::Completed
            };
            prop_assert_eq!(node.state, want, "node n{} of {:?}", i, flow);
        }
    }
}
