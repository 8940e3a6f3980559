//! A panic inside a node becomes an `INTERNAL_ERROR` result, never an abort.

mod common;

use atomiton_core::nodes::{FnNode, NodeRegistry};
use atomiton_core::{EngineConfig, ErrorCode};
use common::*;
use serde_json::json;

#[test]
fn a_panicking_built_in_node_gives_internal_error_and_the_engine_carries_on() {
    let registry = NodeRegistry::empty()
        .with(FnNode::sync("boom", |_| panic!("boom")))
        .with(FnNode::sync("ok", |_| Ok(Some(json!("fine")))));
    let h = Harness::with_registry(registry, EngineConfig::default());
    let result = h.run(group("g", vec![node("a", "ok"), node("p", "boom"), node("c", "ok")], vec![edge("a", "p"), edge("p", "c")]));
    assert!(!result.success);
    let error = result.error.clone().unwrap();
    assert_eq!(error.code, ErrorCode::INTERNAL_ERROR);
    assert_eq!(error.message, "Node 'p' panicked: boom");
    assert_eq!(error.node_id.as_deref(), Some("p"));
    assert_eq!(ids(&result), strs(&["a", "p"]));
    // The same engine keeps working.
    assert!(h.run(node("again", "ok")).success);
}

#[test]
fn a_panicking_custom_executor_is_contained_too() {
    let mut h = Harness::new();
    h.sync("boom", |_| panic!("custom {}", 7));
    let result = h.run(node("x", "boom"));
    assert_eq!(result.error.unwrap().message, "Node 'x' panicked: custom 7");
}

#[test]
fn the_simulate_panic_debug_option_panics_inside_the_engine_and_is_contained() {
    let mut h = Harness::new();
    h.sync("ok", |_| Ok(Some(json!(1))));
    let flow = group("g", vec![node("a", "ok"), node("b", "ok")], vec![edge("a", "b")]);
    let debug = json!({"simulatePanic": {"nodeId": "b"}});
    let result = h.run_with(flow, atomiton_core::RunOptions { debug: Some(debug), ..h.options() });
    let error = result.error.unwrap();
    assert_eq!(error.code, ErrorCode::INTERNAL_ERROR);
    assert_eq!(error.message, "Node 'b' panicked: simulated panic (debug.simulatePanic)");
}
