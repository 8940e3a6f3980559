//! The flow language on the core with the virtual-time host: for-each (concurrency, order,
//! batches, per-item failures handled or not, nesting), sub-flows (called from a flow source,
//! pinned, cycles and missing flows refused, depth bounded), and onError with retries.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use atomiton_core::engine::FlowSource;
use atomiton_core::engine::RunHandles;
use atomiton_core::host::BoxFuture;
use atomiton_core::json;
use atomiton_core::nodes::builtin_registry;
use atomiton_core::value::Value;
use atomiton_core::{EngineConfig, ErrorCode, ExecutionResult, NodeDefinition};
use common::*;

/// A harness with the built-in types, and custom types that count their calls by item.
fn harness() -> (Harness, Arc<Mutex<Vec<String>>>) {
    let mut h = Harness::with_registry(builtin_registry(), EngineConfig::default());
    let calls: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = calls.clone();
    // `effect`: records the item it got (input key `item`, or its `default` edge) and doubles it.
    h.custom("effect", move |inv, host| {
        let item = inv.input_value("item").or_else(|| inv.input_value("default")).cloned();
        let delay = inv.param("delay").and_then(Value::as_f64).unwrap_or(0.0);
        let log = log.clone();
        let sleep = atomiton_core::host::Host::sleep(&host, delay);
        Box::pin(async move {
            sleep.await;
            let item = item.unwrap_or(Value::Null);
            log.lock().unwrap().push(serde_json::to_string(&item).unwrap_or_default());
            if item == json!("boom") || item == json!(13) {
                return Err(atomiton_core::ExecutionError::new(
                    ErrorCode::EXECUTION_FAILED,
                    "it broke",
                ));
            }
            Ok(Some(match item.as_f64() {
                Some(n) => json!(n * 2.0),
                None => item,
            }))
        })
    });
    (h, calls)
}

fn flow(value: serde_json::Value) -> NodeDefinition {
    serde_json::from_value(value).expect("a flow")
}

fn data(result: &ExecutionResult) -> serde_json::Value {
    assert!(result.success, "{:?}", result.error);
    serde_json::to_value(result.data.as_ref().unwrap_or(&Value::Null)).unwrap()
}

fn for_each(
    items: serde_json::Value,
    extra: serde_json::Value,
    body: serde_json::Value,
) -> NodeDefinition {
    let mut parameters = serde_json::json!({"items": items});
    if let (Some(p), Some(e)) = (parameters.as_object_mut(), extra.as_object()) {
        p.extend(e.clone());
    }
    flow(serde_json::json!({
        "id": "f", "type": "group",
        "nodes": [{"id": "each", "type": "for-each", "parameters": parameters, "nodes": body["nodes"], "edges": body["edges"]}],
        "edges": []
    }))
}

#[test]
fn for_each_runs_its_body_per_item_and_keeps_the_items_order_at_any_concurrency() {
    for concurrency in [1, 3, 64] {
        let (h, calls) = harness();
        // Later items finish first: delays shrink with the item.
        let body = serde_json::json!({
            "nodes": [{"id": "call", "type": "effect", "parameters": {"delay": 0}}],
            "edges": []
        });
        let result = h.run(for_each(
            serde_json::json!([1, 2, 3, 4, 5]),
            serde_json::json!({"concurrency": concurrency}),
            body,
        ));
        assert_eq!(data(&result), serde_json::json!([2, 4, 6, 8, 10]), "concurrency {concurrency}");
        assert_eq!(calls.lock().unwrap().len(), 5);
    }
}

#[test]
fn for_each_items_run_concurrency_at_a_time() {
    let (h, _) = harness();
    let body = serde_json::json!({
        "nodes": [{"id": "call", "type": "effect", "parameters": {"delay": 100}}],
        "edges": []
    });
    let result = h.run(for_each(
        serde_json::json!([1, 2, 3, 4, 5, 6]),
        serde_json::json!({"concurrency": 2}),
        body,
    ));
    assert_eq!(data(&result), serde_json::json!([2, 4, 6, 8, 10, 12]));
    // Virtual time: three rounds of two.
    assert_eq!(result.duration, 300.0);
}

#[test]
fn for_each_batches_give_the_body_lists() {
    let (h, _) = harness();
    let body = serde_json::json!({
        "nodes": [{"id": "sum", "type": "transform", "parameters": {"operation": "reduce", "transformFunction": "(a, x) => a + x", "reduceInitial": "0"}}],
        "edges": []
    });
    let result = h.run(for_each(
        serde_json::json!([1, 2, 3, 4, 5]),
        serde_json::json!({"batchSize": 2}),
        body,
    ));
    let sums: Vec<serde_json::Value> =
        data(&result).as_array().unwrap().iter().map(|o| o["result"].clone()).collect();
    assert_eq!(sums, [serde_json::json!(3), serde_json::json!(7), serde_json::json!(5)]);
}

#[test]
fn a_failing_item_fails_the_for_each_as_the_lowest_failing_item_unless_its_nodes_handle_it() {
    let (h, calls) = harness();
    let body = serde_json::json!({"nodes": [{"id": "call", "type": "effect"}], "edges": []});
    let result = h.run(for_each(serde_json::json!([1, 13, 3, 13]), serde_json::json!({}), body));
    let error = result.error.expect("failed");
    assert_eq!(error.code, ErrorCode::EXECUTION_FAILED);
    assert!(error.message.contains("item 1 failed at 'call': it broke"), "{}", error.message);
    // One at a time: items after the failure never started.
    assert_eq!(calls.lock().unwrap().len(), 2);

    let (h, _) = harness();
    let body = serde_json::json!({"nodes": [{"id": "call", "type": "effect", "parameters": {"onError": "continue"}}], "edges": []});
    let result = h.run(for_each(serde_json::json!([1, 13, 3]), serde_json::json!({}), body));
    let out = data(&result);
    assert_eq!(out[0], serde_json::json!(2));
    assert_eq!(out[1]["error"]["message"], "it broke", "collected: the item's output is its error");
    assert_eq!(out[2], serde_json::json!(6));
}

#[test]
fn for_each_takes_its_input_list_and_nests() {
    let (h, _) = harness();
    let inner = serde_json::json!({
        "id": "inner", "type": "for-each", "parameters": {"items": "item => item.list"},
        "nodes": [{"id": "call", "type": "effect"}], "edges": []
    });
    let outer = flow(serde_json::json!({
        "id": "f", "type": "group",
        "nodes": [
            {"id": "lists", "type": "transform", "parameters": {"operation": "map", "transformFunction": "n => ({ list: [n, n + 1] })", "data": [1, 10]}},
            {"id": "each", "type": "for-each", "nodes": [inner], "edges": []}
        ],
        "edges": [{"id": "e", "source": "lists", "target": "each"}]
    }));
    // The outer's input is the transform's output: its list is in `result`.
    assert_eq!(data(&h.run(outer)), serde_json::json!([[2, 4], [20, 22]]));
}

/// Flows by id, counting loads.
struct Flows(HashMap<String, serde_json::Value>, Arc<Mutex<usize>>);

impl FlowSource for Flows {
    fn load(
        &self,
        id: &str,
    ) -> BoxFuture<'static, atomiton_core::error::Result<Option<NodeDefinition>>> {
        *self.1.lock().unwrap() += 1;
        let found = self.0.get(id).map(|v| flow(v.clone()));
        Box::pin(async move { Ok(found) })
    }
}

fn with_flows(h: &Harness, flows: &[(&str, serde_json::Value)]) -> RunHandles {
    RunHandles {
        flows: Some(Arc::new(Flows(
            flows.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect(),
            Arc::default(),
        ))),
        ..h.handles()
    }
}

fn caller(flow_id: &str) -> NodeDefinition {
    flow(serde_json::json!({
        "id": "main", "type": "group",
        "nodes": [
            {"id": "start", "type": "transform", "parameters": {"operation": "map", "transformFunction": "x => x + 1", "data": [1, 2]}},
            {"id": "call", "type": "sub-flow", "parameters": {"flowId": flow_id}}
        ],
        "edges": [{"id": "e", "source": "start", "target": "call", "targetHandle": "data"}]
    }))
}

#[test]
fn a_sub_flow_runs_the_saved_flow_with_its_input_and_gives_its_result() {
    let (h, _) = harness();
    let doubled = serde_json::json!({
        "id": "double", "type": "group",
        "nodes": [{"id": "twice", "type": "transform", "parameters": {"operation": "map", "transformFunction": "x => x * 2", "dataPath": "result"}}],
        "edges": []
    });
    let handles = with_flows(&h, &[("double", doubled)]);
    let result = h.run_handled(caller("double"), h.options(), handles);
    assert_eq!(data(&result)["result"], serde_json::json!([4, 6]));
}

#[test]
fn a_missing_sub_flow_a_cycle_of_calls_and_a_broken_called_flow_are_refused_before_anything_runs() {
    let (h, calls) = harness();
    let result = h.run_handled(caller("nowhere"), h.options(), with_flows(&h, &[]));
    let error = result.error.expect("refused");
    assert_eq!(error.code, ErrorCode::NODE_NOT_FOUND, "{}", error.message);
    assert!(error.message.contains("'nowhere'"), "{}", error.message);

    let loops = |id: &str, next: &str| serde_json::json!({"id": id, "type": "group", "nodes": [{"id": "c", "type": "sub-flow", "parameters": {"flowId": next}}], "edges": []});
    let handles = with_flows(&h, &[("a", loops("a", "b")), ("b", loops("b", "a"))]);
    let error = h.run_handled(caller("a"), h.options(), handles).error.expect("refused");
    assert_eq!(error.code, ErrorCode::CIRCULAR_DEPENDENCY);
    assert!(error.message.contains("a → b → a"), "{}", error.message);

    let broken = serde_json::json!({"id": "broken", "type": "group", "nodes": [{"id": "t", "type": "transform", "parameters": {"operaton": "map"}}], "edges": []});
    let error = h
        .run_handled(caller("broken"), h.options(), with_flows(&h, &[("broken", broken)]))
        .error
        .expect("refused");
    assert!(error.message.contains("In flow 'broken' (which the flow calls)"), "{}", error.message);
    assert!(calls.lock().unwrap().is_empty());
}

#[test]
fn on_error_continue_and_route_come_after_the_retries() {
    let (mut h, calls) = harness();
    let attempts = Arc::new(Mutex::new(0));
    let seen = attempts.clone();
    h.custom("flaky", move |_, _| {
        *seen.lock().unwrap() += 1;
        Box::pin(async {
            Err(atomiton_core::ExecutionError::new(ErrorCode::TIMEOUT, "slow upstream"))
        })
    });
    let flow = flow(serde_json::json!({
        "id": "f", "type": "group",
        "nodes": [
            {"id": "call", "type": "flaky", "parameters": {"retries": 2, "retryDelay": 1, "onError": "route"}},
            {"id": "after", "type": "effect"},
            {"id": "handler", "type": "effect"}
        ],
        "edges": [
            {"id": "e1", "source": "call", "target": "after"},
            {"id": "e2", "source": "call", "target": "handler", "sourceHandle": "error"}
        ]
    }));
    let result = h.run(flow);
    assert!(result.success, "{:?}", result.error);
    assert_eq!(*attempts.lock().unwrap(), 3, "two retries, then the route");
    let logged = calls.lock().unwrap().clone();
    assert_eq!(logged.len(), 1, "only the handler ran: {logged:?}");
    assert!(logged[0].contains("slow upstream"), "{logged:?}");
    assert_eq!(
        result.executed_nodes.iter().map(|n| &**n).collect::<Vec<_>>(),
        ["f", "call", "handler"]
    );
}

/// `source` (a transform giving `value` as its `result`) into `node`, whose outgoing edges leave
/// from each of `ports` to an edit-fields naming the port; the ids of the nodes that ran.
fn routed_ports(value: serde_json::Value, node: serde_json::Value, ports: &[&str]) -> Vec<String> {
    let (h, _) = harness();
    let mut nodes = vec![
        serde_json::json!({"id": "source", "type": "edit-fields", "parameters": {"values": {"v": value}, "keepOnlySet": true}}),
        node,
    ];
    let mut edges = vec![serde_json::json!({"id": "in", "source": "source", "target": "route"})];
    for port in ports {
        nodes.push(serde_json::json!({"id": format!("to-{port}"), "type": "edit-fields", "parameters": {"values": {"port": port}}}));
        edges.push(serde_json::json!({"id": format!("e-{port}"), "source": "route", "target": format!("to-{port}"), "sourceHandle": port}));
    }
    let result = h
        .run(flow(serde_json::json!({"id": "f", "type": "group", "nodes": nodes, "edges": edges})));
    assert!(result.success, "{:?}", result.error);
    result
        .executed_nodes
        .iter()
        .filter(|id| id.starts_with("to-"))
        .map(|id| id.to_string())
        .collect()
}

#[test]
fn if_and_switch_send_their_input_out_of_the_ports_their_parameters_pick() {
    let when = |condition: &str, v: serde_json::Value| {
        let node = serde_json::json!({"id": "route", "type": "if", "parameters": {"condition": condition}});
        routed_ports(v, node, &["true", "false"])
    };
    assert_eq!(when("item => item.result.v > 2", serde_json::json!(5)), ["to-true"]);
    assert_eq!(when("item => item.result.v > 2", serde_json::json!(1)), ["to-false"]);
    assert_eq!(
        when("item.result.v === 'x'", serde_json::json!("x")),
        ["to-true"],
        "an expression of item"
    );

    let switch = |parameters: serde_json::Value, v: serde_json::Value| {
        let last = parameters["default"].as_str().unwrap_or("default").to_owned();
        let node = serde_json::json!({"id": "route", "type": "switch", "parameters": parameters});
        routed_ports(v, node, &["small", "even", &last])
    };
    let cases = serde_json::json!([
        {"name": "small", "condition": "item => item.result.v < 10"},
        {"name": "even", "condition": "item => item.result.v % 2 === 0"}
    ]);
    assert_eq!(switch(serde_json::json!({"cases": cases}), serde_json::json!(4)), ["to-small"]);
    assert_eq!(
        switch(serde_json::json!({"cases": cases, "mode": "all"}), serde_json::json!(4)),
        ["to-small", "to-even"]
    );
    assert_eq!(switch(serde_json::json!({"cases": cases}), serde_json::json!(11)), ["to-default"]);
    assert_eq!(
        switch(serde_json::json!({"cases": cases, "default": "rest"}), serde_json::json!(11)),
        ["to-rest"]
    );
    // `value` is what the cases' `equals` compare with.
    let by_value =
        serde_json::json!([{"name": "small", "equals": 3}, {"name": "even", "equals": 8}]);
    assert_eq!(
        switch(
            serde_json::json!({"cases": by_value, "value": "item => item.result.v * 2"}),
            serde_json::json!(4)
        ),
        ["to-even"]
    );
}

#[test]
fn merge_modes_join_what_arrived_and_combine_by_a_key() {
    let (h, _) = harness();
    let merged = |version: &str, parameters: serde_json::Value| {
        let result = h.run(flow(serde_json::json!({
            "id": "f", "type": "group", "version": version,
            "nodes": [
                {"id": "a", "type": "transform", "parameters": {"transformFunction": "x => x", "data": [{"id": 1, "name": "Ada"}, {"id": 2, "name": "Bo"}]}},
                {"id": "b", "type": "transform", "parameters": {"transformFunction": "x => x", "data": [{"id": 2, "age": 40}, {"id": 1, "age": 36}]}},
                {"id": "m", "type": "merge", "parameters": parameters}
            ],
            "edges": [
                {"id": "e1", "source": "a", "target": "m"},
                {"id": "e2", "source": "b", "target": "m"}
            ]
        })));
        data(&result)
    };
    // The old data model: each input is its source's whole output.
    let all = merged("1.0.0", serde_json::json!({"mode": "all"}));
    assert_eq!(all["input1"]["result"][0]["name"], serde_json::json!("Ada"));
    assert_eq!(all["input2"]["result"][0]["age"], serde_json::json!(40));
    let appended = merged("1.0.0", serde_json::json!({"mode": "append"}));
    assert_eq!(appended[1]["result"][1]["age"], serde_json::json!(36), "outputs, one item each");
    let first = merged("1.0.0", serde_json::json!({"mode": "first"}));
    assert!(first["result"].is_array(), "one input's whole output: {first}");
    // Version 2: each input is its source's main port, the list itself.
    let appended = merged("2", serde_json::json!({"mode": "append"}));
    assert_eq!(appended.as_array().map(Vec::len), Some(4), "{appended}");
    let combined = merged("2", serde_json::json!({"mode": "combine", "key": "id"}));
    assert_eq!(
        combined,
        serde_json::json!([{"id": 1, "name": "Ada", "age": 36}, {"id": 2, "name": "Bo", "age": 40}])
    );
}

#[test]
fn a_sub_flow_takes_its_input_parameter_in_place_of_its_input() {
    let (h, _) = harness();
    let doubled = serde_json::json!({
        "id": "double", "type": "group",
        "nodes": [{"id": "twice", "type": "transform", "parameters": {"operation": "map", "transformFunction": "x => x * 2", "dataPath": "result"}}],
        "edges": []
    });
    let mut flow_value = serde_json::to_value(caller("double")).unwrap();
    flow_value["nodes"][1]["parameters"] =
        serde_json::json!({"flowId": "double", "input": {"data": {"result": [10, 20]}}});
    let handles = with_flows(&h, &[("double", doubled)]);
    let result = h.run_handled(flow(flow_value), h.options(), handles);
    assert_eq!(data(&result)["result"], serde_json::json!([20, 40]));
}
