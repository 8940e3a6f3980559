//! Graph analysis numbers (the TypeScript engine's examples, test factories and example flow).

mod common;

use atomiton_core::graph::{analyze, find_parallel_branches, topological_sort};
use atomiton_core::ErrorCode;
use common::*;

#[test]
fn chain_fan_out_and_cycle_sorts() {
    let nodes = vec![node("node-1", "t"), node("node-2", "t"), node("node-3", "t")];
    let chain =
        topological_sort(&nodes, &[edge("node-1", "node-2"), edge("node-2", "node-3")]).unwrap();
    assert_eq!(chain, vec![strs(&["node-1"]), strs(&["node-2"]), strs(&["node-3"])]);
    let fan =
        topological_sort(&nodes, &[edge("node-1", "node-2"), edge("node-1", "node-3")]).unwrap();
    assert_eq!(fan, vec![strs(&["node-1"]), strs(&["node-2", "node-3"])]);
    let cycle =
        topological_sort(&nodes[..2], &[edge("node-1", "node-2"), edge("node-2", "node-1")])
            .unwrap_err();
    assert_eq!(cycle.code, ErrorCode::CIRCULAR_DEPENDENCY);
    assert!(cycle.message.contains("Cycle detected"));
}

#[test]
fn levels_keep_definition_order_within_a_level() {
    let nodes = vec![node("z", "t"), node("a", "t"), node("m", "t"), node("b", "t")];
    let order = topological_sort(&nodes, &[edge("m", "b"), edge("z", "b")]).unwrap();
    assert_eq!(order, vec![strs(&["z", "a", "m"]), strs(&["b"])]);
}

#[test]
fn parallel_branches() {
    assert_eq!(find_parallel_branches(&[strs(&["1"]), strs(&["2", "3", "4"]), strs(&["5"])]), 3);
    assert_eq!(find_parallel_branches(&[strs(&["1"]), strs(&["2"])]), 1);
    assert_eq!(find_parallel_branches(&[]), 1);
}

#[test]
fn critical_path_of_http_transform_http_weighs_1050() {
    let flow = group(
        "g",
        vec![node("a", "httpRequest"), node("b", "transform"), node("c", "httpRequest")],
        vec![edge("a", "b"), edge("b", "c")],
    );
    let graph = analyze(&flow).unwrap();
    assert_eq!(graph.critical_path, strs(&["a", "b", "c"]));
    assert_eq!(graph.critical_path_weight, 1050);
}

#[test]
fn http_request_type_weighs_500() {
    let flow =
        group("g", vec![node("a", "http-request"), node("b", "transform")], vec![edge("a", "b")]);
    let graph = analyze(&flow).unwrap();
    assert_eq!(graph.total_weight, 550);
    assert_eq!(graph.nodes[0].weight, 500);
}

#[test]
fn single_node_graph() {
    let graph = analyze(&node("node-1", "test")).unwrap();
    assert_eq!(graph.nodes.len(), 1);
    assert_eq!(graph.execution_order, vec![strs(&["node-1"])]);
    assert_eq!(graph.max_parallelism, 1);
    assert_eq!(graph.critical_path, strs(&["node-1"]));
    assert_eq!(graph.total_weight, 100);
}

#[test]
fn group_http_then_transform() {
    let flow = group(
        "g",
        vec![node("child-1", "httpRequest"), node("child-2", "transform")],
        vec![edge("child-1", "child-2")],
    );
    let graph = analyze(&flow).unwrap();
    assert_eq!(graph.nodes.len(), 2);
    assert_eq!(graph.execution_order, vec![strs(&["child-1"]), strs(&["child-2"])]);
    assert_eq!(graph.critical_path, strs(&["child-1", "child-2"]));
    assert_eq!(graph.max_parallelism, 1);
    assert_eq!(graph.total_weight, 550);
}

#[test]
fn complex_parallel_graph_of_the_test_factories() {
    let flow = group(
        "g",
        vec![node("n1", "t"), node("n2", "t"), node("n3", "t"), node("n4", "t")],
        vec![edge("n1", "n2"), edge("n1", "n3"), edge("n2", "n4"), edge("n3", "n4")],
    );
    let graph = analyze(&flow).unwrap();
    assert_eq!(graph.execution_order, vec![strs(&["n1"]), strs(&["n2", "n3"]), strs(&["n4"])]);
    assert_eq!(graph.critical_path, strs(&["n1", "n2", "n4"]));
    assert_eq!(graph.total_weight, 400);
    assert_eq!(graph.max_parallelism, 2);
    assert_eq!(graph.nodes[3].dependencies, strs(&["n2", "n3"]));
    assert_eq!(graph.nodes[0].dependents, strs(&["n2", "n3"]));
    assert_eq!(graph.nodes[3].level, 2);
}

#[test]
fn example_flow_of_section_3_5() {
    let flow = group(
        "example-flow",
        vec![node("numbers", "transform"), node("summary", "edit-fields")],
        vec![edge("numbers", "summary")],
    );
    let graph = analyze(&flow).unwrap();
    assert_eq!(graph.execution_order, vec![strs(&["numbers"]), strs(&["summary"])]);
    assert_eq!(graph.total_weight, 130);
    assert_eq!(graph.critical_path, strs(&["numbers", "summary"]));
    assert_eq!(graph.max_parallelism, 1);
    assert_eq!(graph.edge_pairs(), vec![("numbers".to_owned(), "summary".to_owned())]);
}

#[test]
fn built_in_weights_as_the_table_intends() {
    use atomiton_core::graph::default_weight;
    for (t, w) in [
        ("transform", 50),
        ("edit-fields", 80),
        ("loop", 20),
        ("file-system", 200),
        ("http-request", 500),
        ("group", 100),
        ("image", 100),
        ("parallel", 100),
        ("shell-command", 100),
        ("spreadsheet", 100),
        ("anything-else", 100),
        ("delay", 1000),
        ("email", 800),
    ] {
        assert_eq!(default_weight(t), w, "{t}");
    }
}
