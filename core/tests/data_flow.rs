//! Data flow and ordering (the cases the TypeScript engine's own tests checked, and more).

mod common;

use std::sync::{Arc, Mutex};

use atomiton_core::json;
use atomiton_core::nodes::NodeResult;
use atomiton_core::value::Value;
use atomiton_core::RunOptions;
use common::*;

/// A harness whose "test" executor records the order of execution and returns `result-<type>`.
fn recording(types: &[&str]) -> (Harness, Arc<Mutex<Vec<String>>>) {
    let mut h = Harness::new();
    let order = Arc::new(Mutex::new(Vec::new()));
    for t in types {
        let order = order.clone();
        let t2 = t.to_string();
        h.sync(t, move |inv| {
            order.lock().unwrap().push(inv.node_id.to_string());
            Ok(Some(json!(format!("result-{t2}"))))
        });
    }
    (h, order)
}

#[test]
fn single_node_executes_and_lists_itself() {
    let (h, _) = recording(&["test"]);
    let result = h.run(node("single-node", "test"));
    assert!(result.success);
    assert_eq!(result.data, Some(json!("result-test")));
    assert_eq!(ids(&result), strs(&["single-node"]));
    assert!(result.context.is_some());
    assert!(result.trace.is_some());
}

#[test]
fn chain_runs_in_order_and_returns_last_output() {
    let (h, order) = recording(&["type-1", "type-2", "type-3"]);
    let flow = group(
        "graph",
        vec![node("node-1", "type-1"), node("node-2", "type-2"), node("node-3", "type-3")],
        vec![edge("node-1", "node-2"), edge("node-2", "node-3")],
    );
    let result = h.run(flow);
    assert!(result.success);
    assert_eq!(*order.lock().unwrap(), strs(&["node-1", "node-2", "node-3"]));
    assert_eq!(result.data, Some(json!("result-type-3")));
    assert_eq!(ids(&result), strs(&["graph", "node-1", "node-2", "node-3"]));
}

#[test]
fn target_handle_names_the_input_key() {
    let mut h = Harness::new();
    let seen = Arc::new(Mutex::new(Value::Null));
    let seen2 = seen.clone();
    h.sync("source", |_| Ok(Some(json!("output-node-1"))));
    h.sync("sink", move |inv| {
        *seen2.lock().unwrap() = atomiton_core::value::to_value(&inv.input).unwrap();
        Ok(None)
    });
    let flow = group(
        "g",
        vec![node("node-1", "source"), node("node-2", "sink")],
        vec![edge_to("node-1", "node-2", "input-handle")],
    );
    assert!(h.run(flow).success);
    assert_eq!(*seen.lock().unwrap(), json!({"input-handle": "output-node-1"}));
}

#[test]
fn unconnected_children_receive_the_group_input_unchanged() {
    let mut h = Harness::new();
    let inputs = Arc::new(Mutex::new(Vec::new()));
    let sink = inputs.clone();
    h.sync("test", move |inv| {
        sink.lock().unwrap().push(atomiton_core::value::to_value(&inv.input).unwrap());
        Ok(Some(json!(1)))
    });
    let flow = group("g", vec![node("node-1", "test"), node("node-2", "test")], vec![]);
    let options = RunOptions { input: Some(json!({"default": "parent-input"})), ..h.options() };
    assert!(h.run_with(flow, options).success);
    assert_eq!(
        *inputs.lock().unwrap(),
        vec![json!({"default": "parent-input"}), json!({"default": "parent-input"})]
    );
}

#[test]
fn double_add_ten_square_chain_gives_400() {
    let mut h = Harness::new();
    let seen = Arc::new(Mutex::new(Vec::new()));
    for (t, f) in [("double", 0u8), ("addTen", 1), ("square", 2)] {
        let seen = seen.clone();
        h.sync(t, move |inv| -> NodeResult {
            let x = default_number(inv);
            seen.lock().unwrap().push((inv.node_id.to_string(), x));
            Ok(Some(json!(match f {
                0 => x * 2.0,
                1 => x + 10.0,
                _ => x * x,
            })))
        });
    }
    let flow = group(
        "flow",
        vec![node("node1", "double"), node("node2", "addTen"), node("node3", "square")],
        vec![edge("node1", "node2"), edge("node2", "node3")],
    );
    let result = h.run_with(
        flow,
        RunOptions { input: Some(json!({"default": 5})), slow_mo: Some(0.0), ..h.options() },
    );
    assert!(result.success, "{:?}", result.error);
    assert_eq!(result.data, Some(json!(400.0)));
    let seen = seen.lock().unwrap();
    assert_eq!(seen[1], ("node2".to_owned(), 10.0));
    assert_eq!(seen[2], ("node3".to_owned(), 20.0));
}

#[test]
fn two_unconnected_doubles_both_see_the_input() {
    let mut h = Harness::new();
    h.sync("double", |inv| Ok(Some(json!(default_number(inv) * 2.0))));
    let flow = group("flow", vec![node("a", "double"), node("b", "double")], vec![]);
    let result = h.run_with(flow, RunOptions { input: Some(json!({"default": 5})), ..h.options() });
    assert!(result.success);
    // The group's data is the last node's output: b doubled the group input too.
    assert_eq!(result.data, Some(json!(10.0)));
}

#[test]
fn source_handle_does_not_select_part_of_the_output() {
    let mut h = Harness::new();
    h.sync("source", |_| Ok(Some(json!({"value": 42}))));
    h.sync("reader", |inv| Ok(inv.input.get("customHandle").and_then(|v| v.get("value")).cloned()));
    let e = edge_to("s", "r", "customHandle").with("sourceHandle", "outHandle");
    let result = h.run(group("g", vec![node("s", "source"), node("r", "reader")], vec![e]));
    assert!(result.success);
    assert_eq!(result.data, Some(json!(42)));
}

#[test]
fn variables_reach_every_executor() {
    let mut h = Harness::new();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    h.sync("test", move |inv| {
        sink.lock().unwrap().push((*inv.run.variables).clone());
        Ok(None)
    });
    let flow = group("g", vec![node("a", "test"), node("b", "test")], vec![]);
    let vars = json!({"userId": "123", "env": "test"});
    assert!(h.run_with(flow, RunOptions { variables: Some(vars.clone()), ..h.options() }).success);
    assert_eq!(*seen.lock().unwrap(), vec![vars.clone(), vars]);
}

#[test]
fn parameters_override_context_keys_in_executor_params() {
    let mut h = Harness::new();
    let params = Arc::new(Mutex::new(Value::Null));
    let sink = params.clone();
    h.sync("test", move |inv| {
        *sink.lock().unwrap() = atomiton_core::value::to_value(&inv.executor_params()).unwrap();
        Ok(None)
    });
    let flow = node("test-node", "test")
        .with_param("customParam", "value")
        .with_param("anotherParam", 123)
        .with_param("input", "replaced");
    let result =
        h.run_with(flow, RunOptions { execution_id: Some("exec-123".into()), ..h.options() });
    assert!(result.success);
    let p = params.lock().unwrap().clone();
    assert_eq!(p["nodeId"], "test-node");
    assert_eq!(p["executionId"], "exec-123");
    assert_eq!(p["customParam"], "value");
    assert_eq!(p["anotherParam"], 123);
    assert_eq!(p["input"], "replaced", "a parameter named like a context key overrides it");
    let keys: Vec<&str> = p.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    assert_eq!(keys[..4], ["nodeId", "executionId", "variables", "input"]);
}

#[test]
fn child_failure_stops_the_group_with_the_child_error() {
    let (mut h, order) = recording(&["ok"]);
    h.sync("bad", |_| Err(atomiton_core::ExecutionError::execution_failed("Failed")));
    let flow = group(
        "g",
        vec![node("node-1", "ok"), node("node-2", "bad"), node("node-3", "ok")],
        vec![edge("node-1", "node-2"), edge("node-2", "node-3")],
    );
    let result = h.run(flow);
    assert!(!result.success);
    let error = result.error.clone().unwrap();
    assert_eq!(error.node_id.as_deref(), Some("node-2"));
    assert_eq!(error.message, "Failed");
    assert_eq!(ids(&result), strs(&["node-1", "node-2"]), "no group id on failure");
    assert!(result.context.is_none(), "group failures carry no context");
    assert_eq!(*order.lock().unwrap(), strs(&["node-1"]));
}

#[test]
fn fan_out_runs_source_first_then_both_targets() {
    let (h, order) = recording(&["test"]);
    let flow = group(
        "g",
        vec![node("node-1", "test"), node("node-2", "test"), node("node-3", "test")],
        vec![edge("node-1", "node-2"), edge("node-1", "node-3")],
    );
    assert!(h.run(flow).success);
    let order = order.lock().unwrap();
    assert_eq!(order[0], "node-1");
    assert_eq!(order.len(), 3);
}

#[test]
fn nested_groups_list_executed_nodes_flattened() {
    let (h, _) = recording(&["test"]);
    let inner =
        group("inner", vec![node("g1", "test"), node("g2", "test")], vec![edge("g1", "g2")]);
    let flow = group(
        "root",
        vec![node("c1", "test"), inner, node("c3", "test")],
        vec![edge("c1", "inner"), edge("inner", "c3")],
    );
    let result = h.run(flow);
    assert!(result.success);
    assert_eq!(ids(&result), strs(&["root", "c1", "inner", "g1", "g2", "c3"]));
}

#[test]
fn nested_group_passes_its_input_and_returns_its_last_child() {
    let mut h = Harness::new();
    h.sync("double", |inv| Ok(Some(json!(default_number(inv) * 2.0))));
    let inner =
        group("inner", vec![node("d1", "double"), node("d2", "double")], vec![edge("d1", "d2")]);
    let flow = group("root", vec![node("start", "double"), inner], vec![edge("start", "inner")]);
    let result = h.run_with(flow, RunOptions { input: Some(json!({"default": 1})), ..h.options() });
    assert!(result.success, "{:?}", result.error);
    // start: 2; inner receives {default: 2}; d1: 4; d2: 8.
    assert_eq!(result.data, Some(json!(8.0)));
}

#[test]
fn undefined_outputs_are_not_delivered() {
    let mut h = Harness::new();
    h.sync("nothing", |_| Ok(None));
    h.sync("echo", |inv| Ok(Some(atomiton_core::value::to_value(&inv.input).unwrap())));
    let flow = group("g", vec![node("a", "nothing"), node("b", "echo")], vec![edge("a", "b")]);
    let result =
        h.run_with(flow, RunOptions { input: Some(json!({"default": "fallback"})), ..h.options() });
    assert_eq!(result.data, Some(json!({"default": "fallback"})));
}

#[test]
fn two_edges_into_one_handle_the_later_wins() {
    let mut h = Harness::new();
    h.sync("one", |_| Ok(Some(json!(1))));
    h.sync("two", |_| Ok(Some(json!(2))));
    h.sync("echo", |inv| Ok(Some(atomiton_core::value::to_value(&inv.input).unwrap())));
    let flow = group(
        "g",
        vec![node("a", "one"), node("b", "two"), node("c", "echo")],
        vec![edge_to("a", "c", "x"), edge_to("b", "c", "x"), edge_to("a", "c", "y")],
    );
    assert_eq!(h.run(flow).data, Some(json!({"x": 2, "y": 1})));
}

#[test]
fn disabled_node_is_skipped_and_passes_its_input_through() {
    let (mut h, order) = recording(&["test"]);
    h.sync("echo", |inv| Ok(Some(atomiton_core::value::to_value(&inv.input).unwrap())));
    let flow = group(
        "g",
        vec![node("a", "test"), node("b", "test").with_param("enabled", false), node("c", "echo")],
        vec![edge("a", "b"), edge("b", "c")],
    );
    let result = h.run(flow);
    assert!(result.success);
    assert_eq!(*order.lock().unwrap(), strs(&["a"]));
    assert_eq!(result.data, Some(json!({"default": {"default": "result-test"}})));
    assert_eq!(ids(&result), strs(&["g", "a", "c"]), "skipped nodes did not execute");
}

#[test]
fn disabled_group_skips_its_whole_subtree() {
    let (h, order) = recording(&["test"]);
    let inner = group("inner", vec![node("x", "test")], vec![]).with_param("enabled", false);
    let flow = group("g", vec![node("a", "test"), inner], vec![edge("a", "inner")]);
    let result = h.run(flow);
    assert!(result.success);
    assert_eq!(*order.lock().unwrap(), strs(&["a"]));
    assert_eq!(result.data, Some(json!({"default": "result-test"})));
    assert_eq!(*h.progress_values().last().unwrap(), 100);
}

#[test]
fn concurrent_runs_are_isolated() {
    let mut h = Harness::new();
    h.slow("slow", 10.0, json!("done"));
    let engine = h.engine.clone();
    let host = h.shared();
    let options = h.options();
    let runs: Vec<_> = (0..20)
        .map(|i| {
            let flow = group(
                &format!("flow-{i}"),
                vec![node("a", "slow"), node("b", "slow")],
                vec![edge("a", "b")],
            );
            engine.run_with(
                flow,
                RunOptions { execution_id: Some(format!("exec-{i}")), ..options.clone() },
                h.handles(),
                host.clone(),
            )
        })
        .collect();
    let results = h.host.block_on(futures::future::join_all(runs));
    for (i, result) in results.iter().enumerate() {
        assert!(result.success);
        assert_eq!(&*result.context.as_ref().unwrap().run.execution_id, format!("exec-{i}"));
    }
    let events = h.events.lock().unwrap();
    for i in 0..20 {
        let id = format!("exec-{i}");
        let last = events.iter().rev().find_map(|e| match e {
            atomiton_core::host::EngineEvent::Progress(p) if p.execution_id == id => {
                Some(p.progress)
            }
            _ => None,
        });
        assert_eq!(last, Some(100), "run {i} ends at 100 in its own events");
    }
}
