//! A panic inside a node becomes an `INTERNAL_ERROR` result, never an abort.

mod common;

use atomiton_core::json;
use atomiton_core::nodes::{FnNode, NodeRegistry};
use atomiton_core::{EngineConfig, ErrorCode};
use common::*;

#[test]
fn a_panicking_built_in_node_gives_internal_error_and_the_engine_carries_on() {
    let registry = NodeRegistry::empty()
        .with(FnNode::sync("boom", |_| panic!("boom")))
        .with(FnNode::sync("ok", |_| Ok(Some(json!("fine")))));
    let h = Harness::with_registry(registry, EngineConfig::default());
    let result = h.run(group(
        "g",
        vec![node("a", "ok"), node("p", "boom"), node("c", "ok")],
        vec![edge("a", "p"), edge("p", "c")],
    ));
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
fn a_panic_while_a_node_future_runs_is_contained_like_one_while_it_is_built() {
    // The node returns its future at once and panics only when the scheduler polls it, after
    // a host sleep: the plain-leaf path must contain that panic too, and with a timeout (the
    // full leaf path) the same.
    let boom = |_: atomiton_core::nodes::Invocation,
                host: atomiton_core::host::SharedHost|
     -> atomiton_core::host::BoxFuture<'static, atomiton_core::nodes::NodeResult> {
        Box::pin(async move {
            host.sleep(5.0).await;
            panic!("later")
        })
    };
    let registry = NodeRegistry::empty().with(FnNode::new("later", boom));
    let h = Harness::with_registry(registry, EngineConfig::default());
    for parameters in [json!({}), json!({"timeout": 1000})] {
        let mut flow = node("x", "later");
        flow.parameters = parameters.as_object().cloned();
        let result = h.run(flow);
        let error = result.error.unwrap();
        assert_eq!(error.code, ErrorCode::INTERNAL_ERROR);
        assert_eq!(error.message, "Node 'x' panicked: later");
    }
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
