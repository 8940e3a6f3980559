//! `ExecutionTrace`: its shape, events and node traces.

mod common;

use atomiton_core::json;
use atomiton_core::value::Value;
use atomiton_core::RunOptions;
use common::*;

fn trace_json(
    h: &Harness,
    flow: atomiton_core::NodeDefinition,
) -> (atomiton_core::ExecutionResult, Value) {
    let result =
        h.run_with(flow, RunOptions { execution_id: Some("exec-trace".into()), ..h.options() });
    let trace = atomiton_core::value::to_value(result.trace.as_ref().unwrap()).unwrap();
    (result, trace)
}

#[test]
fn single_node_trace() {
    let mut h = Harness::new();
    h.slow("test-type", 5.0, json!(1));
    let (_, trace) = trace_json(&h, node("single-node", "test-type").with_name("Test Node"));
    assert_eq!(trace["executionId"], "exec-trace", "the run's id, not a fresh one");
    assert_eq!(trace["rootNodeId"], "single-node");
    let (start, end) = (trace["startTime"].as_f64().unwrap(), trace["endTime"].as_f64().unwrap());
    assert!(start > 0.0 && end > start);
    assert_eq!(trace["duration"].as_f64().unwrap(), end - start);
    let nodes = trace["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 1);
    assert_eq!(nodes[0]["nodeId"], "single-node");
    assert_eq!(nodes[0]["nodeName"], "Test Node");
    assert_eq!(nodes[0]["nodeType"], "test-type");
    assert_eq!(nodes[0]["duration"].as_f64().unwrap(), 5.0);
    let events = trace["events"].as_array().unwrap();
    assert_eq!(events[0]["type"], "started");
    assert_eq!(events[0]["data"]["totalNodes"], 1);
    assert!(events[0]["data"]["totalWeight"].is_number());
    assert!(events[0]["data"]["criticalPath"].is_array());
    let last = events.last().unwrap();
    assert_eq!(last["type"], "completed");
    for key in ["totalDuration", "nodesCompleted", "nodesErrored"] {
        assert!(last["data"][key].is_number(), "{key}");
    }
    let times: Vec<f64> = events.iter().map(|e| e["timestamp"].as_f64().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "non-decreasing");
    assert!(events
        .iter()
        .any(|e| e["type"] == "state-change" && e["data"]["state"] == "executing"));
}

#[test]
fn group_trace_lists_its_children() {
    let mut h = Harness::new();
    h.slow("t", 3.0, json!(1));
    let flow = group(
        "g",
        vec![node("child-1", "t").with_name("Child 1"), node("child-2", "t"), node("child-3", "t")],
        vec![edge("child-1", "child-2"), edge("child-2", "child-3")],
    );
    let (_, trace) = trace_json(&h, flow);
    let nodes = trace["nodes"].as_array().unwrap();
    assert_eq!(
        nodes.iter().map(|n| n["nodeId"].as_str().unwrap()).collect::<Vec<_>>(),
        vec!["child-1", "child-2", "child-3"]
    );
    assert_eq!(nodes[0]["nodeName"], "Child 1");
    let (trace_start, trace_end) =
        (trace["startTime"].as_f64().unwrap(), trace["endTime"].as_f64().unwrap());
    for n in nodes {
        let (s, e) = (n["startTime"].as_f64().unwrap(), n["endTime"].as_f64().unwrap());
        assert!(s >= trace_start && e <= trace_end);
        assert_eq!(n["duration"].as_f64().unwrap(), e - s);
        assert_eq!(n["state"], "completed");
    }
    assert_eq!(trace["events"].as_array().unwrap().last().unwrap()["data"]["nodesCompleted"], 3);
}

#[test]
fn failed_run_still_has_a_trace() {
    let mut h = Harness::new();
    h.sync("bad", |_| Err(atomiton_core::ExecutionError::execution_failed("x")));
    let (result, trace) = trace_json(&h, node("n", "bad"));
    assert!(!result.success);
    assert_eq!(trace["executionId"], "exec-trace");
    assert_eq!(trace["nodes"][0]["state"], "error");
    assert_eq!(trace["events"].as_array().unwrap().last().unwrap()["data"]["nodesErrored"], 1);
}
