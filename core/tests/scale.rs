//! Size: 100,000-node flows and 10,000-deep nesting, without stack overflow, in linear time.

mod common;

use atomiton_core::json;
use atomiton_core::nodes::{FnNode, NodeRegistry};
use atomiton_core::{EngineConfig, RunOptions};
use common::*;

fn engine_harness() -> Harness {
    let registry = NodeRegistry::empty().with(FnNode::sync("inc", |inv| {
        let x = inv.input.get("default").and_then(|v| v.as_u64()).unwrap_or(0);
        Ok(Some(json!(x + 1)))
    }));
    Harness::with_registry(registry, EngineConfig::default())
}

#[test]
fn a_100k_node_chain_runs() {
    let n = 100_000;
    let nodes = (0..n).map(|i| node(&format!("n{i}"), "inc")).collect();
    let edges = (1..n).map(|i| edge(&format!("n{}", i - 1), &format!("n{i}"))).collect();
    let h = engine_harness();
    let result = h.run_with(
        group("chain", nodes, edges),
        RunOptions { input: Some(json!({"default": 0})), ..h.options() },
    );
    assert!(result.success, "{:?}", result.error);
    assert_eq!(result.data, Some(json!(n)));
    assert_eq!(result.executed_nodes.len(), n + 1);
}

#[test]
fn a_100k_node_fan_out_runs() {
    let n = 100_000;
    let mut nodes = vec![node("src", "inc")];
    nodes.extend((0..n).map(|i| node(&format!("t{i}"), "inc")));
    let edges = (0..n).map(|i| edge("src", &format!("t{i}"))).collect();
    let h = engine_harness();
    let result = h.run(group("fan", nodes, edges));
    assert!(result.success);
    assert_eq!(result.data, Some(json!(2)));
    assert_eq!(result.executed_nodes.len(), n + 2);
}

#[test]
fn ten_thousand_deep_nesting_runs_on_a_small_stack() {
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(|| {
            let mut flow = node("leaf", "inc");
            for i in 0..10_000 {
                flow = group(&format!("g{i}"), vec![flow], vec![]);
            }
            let h = engine_harness();
            let result =
                h.run_with(flow, RunOptions { input: Some(json!({"default": 41})), ..h.options() });
            assert!(result.success, "{:?}", result.error);
            assert_eq!(result.data, Some(json!(42)));
            assert_eq!(result.executed_nodes.len(), 10_001);
            assert_eq!(&*result.executed_nodes[0], "g9999");
            assert_eq!(&*result.executed_nodes[10_000], "leaf");
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn nesting_beyond_the_configured_limit_is_refused_cleanly() {
    let mut flow = node("leaf", "inc");
    for i in 0..200 {
        flow = group(&format!("g{i}"), vec![flow], vec![]);
    }
    let mut h = engine_harness();
    h.engine = atomiton_core::Engine::with_registry(
        h.engine.registry().clone(),
        EngineConfig {
            flow_limits: atomiton_core::validation::FlowLimits {
                max_depth: 100,
                max_nodes: 1_000_000,
                ..Default::default()
            },
            ..Default::default()
        },
    );
    let result = h.run(flow);
    assert_eq!(result.error.unwrap().code, atomiton_core::ErrorCode::VALIDATION_FAILED);
}

/// A flow at the documented size limit, all in one cycle: the cycle is named without recursion
/// (a recursive search overflowed the stack at 80,000 nodes on the JS thread and killed the host).
#[test]
fn a_million_node_cycle_is_refused_cleanly_on_a_small_stack() {
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(|| {
            let n = 1_000_000;
            let nodes = (0..n).map(|i| node(&format!("n{i}"), "inc")).collect();
            let edges =
                (0..n).map(|i| edge(&format!("n{i}"), &format!("n{}", (i + 1) % n))).collect();
            let h = engine_harness();
            let result = h.run(group("ring", nodes, edges));
            let error = result.error.expect("a cycle fails the run");
            assert_eq!(error.code, atomiton_core::ErrorCode::CIRCULAR_DEPENDENCY);
            assert!(
                error.message.starts_with("Cycle detected in node graph: n0 → n1 → n2 → "),
                "{}",
                &error.message[..80]
            );
            assert!(error.message.ends_with("→ n999999 → n0"));
        })
        .unwrap()
        .join()
        .unwrap();
}
