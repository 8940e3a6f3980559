//! Validation of a 100-node flow of built-ins: ten of each kind of step, each with the
//! parameters a real flow sets, chained by edges that name their target's input. It measures
//! what `validate` and every run pay before anything runs: ids, types, edges and handles,
//! cycles, parameter schemas (names included) and expression syntax.
//!
//! `cargo bench -p atomiton-core --bench validation`.

use std::collections::HashSet;

use atomiton_core::json;
use atomiton_core::testing::VirtualHost;
use atomiton_core::value::Value;
use atomiton_core::{Engine, NodeDefinition, NodeEdge};
use criterion::{criterion_group, criterion_main, Criterion};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// One node of kind `i % 5`, with its parameters.
fn step(i: usize) -> (NodeDefinition, &'static str) {
    let id = format!("n{i}");
    let with = |node_type: &str, parameters: Value| {
        let Value::Object(parameters) = parameters else {
            return NodeDefinition::new(&id, node_type);
        };
        parameters
            .into_iter()
            .fold(NodeDefinition::new(&id, node_type), |n, (k, v)| n.with_param(&k, v))
    };
    match i % 5 {
        0 => (
            with(
                "transform",
                json!({"operation": "map", "transformFunction": "x => ({...x, total: x.price * x.qty})"}),
            ),
            "data",
        ),
        1 => (
            with(
                "transform",
                json!({"operation": "filter", "transformFunction": "x => x.total > 10 && x.ok !== false"}),
            ),
            "data",
        ),
        2 => (
            with(
                "edit-fields",
                json!({"values": {"label": "{{name}} ({{total}})", "source": "bench"}, "keepOnlySet": false}),
            ),
            "data",
        ),
        3 => (with("loop", json!({"loopType": "forEach", "collectResults": true})), "array"),
        _ => (
            with(
                "spreadsheet",
                json!({"data": "name,price,qty\na,1,2\nb,3,4", "hasHeaders": true, "delimiter": ","}),
            ),
            "data",
        ),
    }
}

fn flow(n: usize) -> NodeDefinition {
    let steps: Vec<(NodeDefinition, &str)> = (0..n).map(step).collect();
    let edges = (1..n)
        .map(|i| {
            let edge =
                NodeEdge::connect(&format!("e{i}"), &format!("n{}", i - 1), &format!("n{i}"));
            edge.with("targetHandle", steps[i].1)
        })
        .collect();
    NodeDefinition::group("bench", steps.into_iter().map(|(node, _)| node).collect(), edges)
}

fn bench(c: &mut Criterion) {
    let engine = Engine::default();
    let host = VirtualHost::new().shared();
    let custom = HashSet::new();
    let flow = flow(100);
    let report = engine.validate(&flow, &custom, &host);
    assert!(report.issues.is_empty(), "the bench flow is valid: {:?}", report.issues);
    c.bench_function("validate_100_nodes", |b| b.iter(|| engine.validate(&flow, &custom, &host)));
}

criterion_group!(benches, bench);
criterion_main!(benches);
