//! Times each phase of a 10k-node chain run (validation, analysis, full run), to see where the
//! engine's per-node overhead goes. `cargo run --release -p atomiton-core --example phase_timing`
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use atomiton_core::graph::analyze;
use atomiton_core::json;
use atomiton_core::nodes::{FnNode, NodeRegistry};
use atomiton_core::testing::VirtualHost;
use atomiton_core::{Engine, EngineConfig, NodeDefinition, NodeEdge, RunOptions};

fn chain(n: usize) -> NodeDefinition {
    let nodes = (0..n).map(|i| NodeDefinition::new(format!("n{i}"), "noop")).collect();
    let edges = (1..n)
        .map(|i| NodeEdge::connect(&format!("e{i}"), &format!("n{}", i - 1), &format!("n{i}")))
        .collect();
    NodeDefinition::group("chain", nodes, edges)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let n = 10_000;
    for trace in [true, false] {
        let registry = NodeRegistry::empty().with(FnNode::sync("noop", |_| Ok(Some(json!(1)))));
        let engine = Engine::with_registry(registry, EngineConfig { trace, ..Default::default() });
        let (mut validate, mut analysis, mut run) = (vec![], vec![], vec![]);
        for _ in 0..15 {
            let flow = chain(n);
            let host: Arc<VirtualHost> = Arc::new(VirtualHost::new());
            let shared: atomiton_core::host::SharedHost = host.clone();
            let t = Instant::now();
            let report = engine.validate(&flow, &HashSet::new(), &shared);
            validate.push(t.elapsed().as_secs_f64());
            assert!(report.is_valid());
            let t = Instant::now();
            let _ = analyze(&flow).unwrap();
            analysis.push(t.elapsed().as_secs_f64());
            let t = Instant::now();
            let result = host.block_on(engine.run(flow, RunOptions::default(), shared));
            run.push(t.elapsed().as_secs_f64());
            assert!(result.success);
        }
        let per = |v: Vec<f64>| median(v) / n as f64 * 1e9;
        println!("trace={trace}: validate {:.0} ns/node, analyze {:.0} ns/node, run (all phases) {:.0} ns/node", per(validate), per(analysis), per(run));
    }
}
