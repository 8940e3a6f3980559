//! Parallelism that never changes results: the concurrency limit, and identical `data`,
//! `executedNodes` and errors for concurrency 1 and N on random nested DAGs.

mod common;

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use atomiton_core::host::Host;
use atomiton_core::json;
use atomiton_core::{EngineConfig, ExecutionError, ExecutionResult, NodeDefinition, NodeEdge};
use common::*;
use proptest::prelude::*;

#[test]
fn the_concurrency_limit_is_never_exceeded_and_is_used() {
    for limit in [1usize, 3, 4, 16] {
        let mut h = Harness::with_config(EngineConfig { concurrency: limit, ..Default::default() });
        let in_flight = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let (f, p) = (in_flight.clone(), peak.clone());
        h.custom("work", move |_, host| {
            let now = f.fetch_add(1, Ordering::SeqCst) + 1;
            p.fetch_max(now, Ordering::SeqCst);
            let f = f.clone();
            let sleep = host.sleep(10.0);
            Box::pin(async move {
                sleep.await;
                f.fetch_sub(1, Ordering::SeqCst);
                Ok(Some(json!(1)))
            })
        });
        let flow = group("g", (0..50).map(|i| node(&format!("n{i}"), "work")).collect(), vec![]);
        let result = h.run(flow);
        assert!(result.success);
        assert_eq!(peak.load(Ordering::SeqCst), limit.min(50), "limit {limit}");
        assert_eq!(result.duration, (50f64 / limit as f64).ceil() * 10.0, "limit {limit}");
    }
}

/// At default settings nodes that wait hold no slot: a fan-out of 99 nodes that each wait 5 ms
/// has all 99 in flight at once and takes one wait, not seven waves of 16.
#[test]
fn waiting_nodes_are_all_in_flight_at_default_settings() {
    let mut h = Harness::new();
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (f, p) = (in_flight.clone(), peak.clone());
    h.custom("wait", move |_, host| {
        let now = f.fetch_add(1, Ordering::SeqCst) + 1;
        p.fetch_max(now, Ordering::SeqCst);
        let f = f.clone();
        let sleep = host.sleep(5.0);
        Box::pin(async move {
            sleep.await;
            f.fetch_sub(1, Ordering::SeqCst);
            Ok(Some(json!(1)))
        })
    });
    let mut nodes = vec![node("source", "wait")];
    nodes.extend((0..99).map(|i| node(&format!("w{i}"), "wait")));
    let edges = (0..99).map(|i| edge("source", &format!("w{i}"))).collect();
    let result = h.run(group("fan", nodes, edges));
    assert!(result.success, "{:?}", result.error);
    assert_eq!(peak.load(Ordering::SeqCst), 99, "all 99 waited together");
    assert_eq!(result.duration, 10.0, "the source's wait, then one wait for all 99 (virtual time)");
}

#[test]
fn independent_branches_run_in_parallel() {
    let mut h = Harness::new();
    h.slow("io", 100.0, json!(1));
    let flow = group(
        "g",
        vec![node("a", "io"), node("b", "io"), node("c", "io"), node("join", "io")],
        vec![edge("a", "join"), edge("b", "join"), edge("c", "join")],
    );
    let result = h.run(flow);
    assert!(result.success);
    assert_eq!(result.duration, 200.0, "a, b, c together, then join");
}

/// A random flow: a tree of groups with forward edges (so acyclic) between siblings, leaves
/// with random durations, and some leaves that fail.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn random_group(
    rng: &mut Random,
    id: &str,
    depth: u32,
    leaves: &mut Vec<(String, f64, bool)>,
) -> NodeDefinition {
    let count = 1 + rng.below(7) as usize;
    let mut children = Vec::new();
    for i in 0..count {
        let child_id = format!("{id}.{i}");
        if depth < 3 && rng.below(5) == 0 {
            children.push(random_group(rng, &child_id, depth + 1, leaves));
        } else {
            let duration = rng.below(20) as f64;
            let fails = rng.below(12) == 0;
            leaves.push((child_id.clone(), duration, fails));
            children.push(node(&child_id, "op"));
        }
    }
    let handles = ["default", "a", "b"];
    let mut edges: Vec<NodeEdge> = Vec::new();
    for target in 1..count {
        for source in 0..target {
            if rng.below(3) == 0 {
                let handle = handles[rng.below(3) as usize];
                edges.push(
                    edge_to(&format!("{id}.{source}"), &format!("{id}.{target}"), handle)
                        .with("id", format!("e{source}-{target}-{}", edges.len())),
                );
            }
        }
    }
    group(id, children, edges)
}

fn digest(value: &atomiton_core::value::Value) -> u64 {
    let mut hasher = DefaultHasher::new();
    serde_json::to_string(value).unwrap().hash(&mut hasher);
    hasher.finish()
}

fn run_random(seed: u64, concurrency: usize) -> (ExecutionResult, Vec<String>) {
    let mut rng = Random(seed | 1);
    let mut leaves = Vec::new();
    let flow = random_group(&mut rng, "r", 0, &mut leaves);
    let mut h = Harness::with_config(EngineConfig { concurrency, ..Default::default() });
    let starts = Arc::new(Mutex::new(Vec::new()));
    let log = starts.clone();
    let table: Arc<Vec<(String, f64, bool)>> = Arc::new(leaves);
    h.custom("op", move |inv, host| {
        log.lock().unwrap().push(inv.node_id.to_string());
        let (_, duration, fails) = table.iter().find(|(id, _, _)| **id == *inv.node_id).cloned().unwrap();
        let output = json!({"node": &*inv.node_id, "input": digest(&atomiton_core::value::to_value(&inv.input).unwrap())});
        let message = format!("fail {}", inv.node_id);
        let sleep = host.sleep(duration);
        Box::pin(async move {
            sleep.await;
            if fails {
                Err(ExecutionError::execution_failed(message))
            } else {
                Ok(Some(output))
            }
        })
    });
    let options =
        atomiton_core::RunOptions { input: Some(json!({"default": seed % 1000})), ..h.options() };
    let result = h.run_with(flow, options);
    let starts = starts.lock().unwrap().clone();
    (result, starts)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn concurrency_never_changes_the_result(seed in any::<u64>(), concurrency in 2usize..9) {
        let (sequential, starts) = run_random(seed, 1);
        let (parallel, _) = run_random(seed, concurrency);
        prop_assert_eq!(sequential.success, parallel.success);
        prop_assert_eq!(&sequential.data, &parallel.data);
        prop_assert_eq!(&sequential.executed_nodes, &parallel.executed_nodes);
        let key = |r: &ExecutionResult| r.error.as_ref().map(|e| (e.code, e.message.clone(), e.node_id.clone()));
        prop_assert_eq!(key(&sequential), key(&parallel));
        // With concurrency 1 the leaves start exactly in sequential order.
        let executed_leaves: Vec<String> = sequential.executed_nodes.iter().map(|s| s.to_string()).filter(|id| starts.contains(id)).collect();
        prop_assert_eq!(&starts, &executed_leaves);
        prop_assert!(parallel.duration <= sequential.duration);
    }
}
