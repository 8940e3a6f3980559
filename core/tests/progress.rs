//! Progress: the weighted formula, animation steps, throttled events, exactly 100.

mod common;

use atomiton_core::host::EngineEvent;
use atomiton_core::json;
use atomiton_core::progress::{progress_steps, NodeState, WeightedProgress};
use atomiton_core::{EngineConfig, RunOptions};
use common::*;

use NodeState::*;

#[test]
fn weighted_sequence_of_three_equal_nodes() {
    let mut p = WeightedProgress::new(300);
    p.update(100, (Pending, 0), (Executing, 50));
    assert_eq!(p.percent(), 17);
    p.update(100, (Pending, 0), (Executing, 100));
    assert_eq!(p.percent(), 50);
    p.update(100, (Executing, 50), (Completed, 100));
    assert_eq!(p.percent(), 67);
    p.update(100, (Pending, 0), (Executing, 25));
    assert_eq!(p.percent(), 75);
    p.update(100, (Executing, 100), (Completed, 100));
    p.update(100, (Executing, 25), (Completed, 100));
    assert_eq!(p.percent(), 100);
}

#[test]
fn completion_by_weights_and_errors_counting_zero() {
    let mut p = WeightedProgress::new(300);
    for (w, expected) in [(100, 33), (50, 50), (25, 58)] {
        p.update(w, (Pending, 0), (Completed, 100));
        assert_eq!(p.percent(), expected);
    }
    let mut p = WeightedProgress::new(200);
    p.update(100, (Pending, 0), (Executing, 50));
    assert_eq!(p.percent(), 25);
    p.update(100, (Executing, 50), (Error, 50));
    assert_eq!(p.percent(), 0, "an errored node contributes 0");
    p.update(100, (Pending, 0), (Completed, 100));
    assert_eq!(p.percent(), 50);
    let mut p = WeightedProgress::new(300);
    let seen: Vec<u8> = (0..3)
        .map(|_| {
            p.update(100, (Pending, 0), (Completed, 100));
            p.percent()
        })
        .collect();
    assert_eq!(seen, vec![33, 67, 100]);
}

#[test]
fn steps_by_weight() {
    let pct = |w| progress_steps(w).iter().map(|s| s.0).collect::<Vec<_>>();
    assert_eq!(pct(50), vec![0, 30, 70, 90]);
    assert_eq!(pct(100), vec![0, 20, 40, 60, 80, 90]);
    assert_eq!(pct(300), vec![0, 20, 40, 60, 80, 90]);
    assert_eq!(pct(500), vec![0, 15, 30, 45, 60, 75, 90]);
    assert_eq!(
        progress_steps(100).iter().map(|s| s.1).collect::<Vec<_>>(),
        vec![
            "Starting...",
            "Initializing...",
            "Processing...",
            "Computing...",
            "Finalizing...",
            "Almost done..."
        ]
    );
}

fn unthrottled() -> Harness {
    let mut h =
        Harness::with_config(EngineConfig { progress_throttle_ms: 0.0, ..Default::default() });
    h.sync("test", |_| Ok(Some(json!("test"))));
    h
}

/// (progress, message) of the single node in every progress event.
fn node_steps(h: &Harness, node: &str) -> Vec<(u8, Option<String>, NodeState)> {
    let mut steps: Vec<(u8, Option<String>, NodeState)> = Vec::new();
    for event in h.events.lock().unwrap().iter() {
        if let EngineEvent::Progress(p) = event {
            let n = p.nodes.iter().find(|n| &*n.id == node).unwrap();
            let step = (n.progress, n.message.as_deref().map(str::to_owned), n.state);
            if steps.last() != Some(&step) {
                steps.push(step);
            }
        }
    }
    steps
}

#[test]
fn slow_mo_walks_the_steps_with_their_messages_then_complete() {
    let h = unthrottled();
    let result =
        h.run_with(node("test-node", "test"), RunOptions { slow_mo: Some(50.0), ..h.options() });
    assert!(result.success);
    let steps = node_steps(&h, "test-node");
    let expected = [
        (0, None, Pending),
        (0, Some("Starting..."), Executing),
        (20, Some("Initializing..."), Executing),
        (40, Some("Processing..."), Executing),
        (60, Some("Computing..."), Executing),
        (80, Some("Finalizing..."), Executing),
        (90, Some("Almost done..."), Executing),
        (100, Some("Complete"), Executing),
        (100, Some("Complete"), Completed),
    ];
    let expected: Vec<_> =
        expected.iter().map(|(p, m, s)| (*p, m.map(str::to_owned), *s)).collect();
    assert_eq!(steps, expected);
    // pre-delay S + five steps of S + S/2 after "Complete".
    assert_eq!(result.duration, 50.0 + 5.0 * 50.0 + 25.0);
    assert_eq!(result.context.unwrap().run.slow_mo, Some(50.0));
}

#[test]
fn slow_mo_zero_means_no_artificial_delay() {
    let h = unthrottled();
    let result = h.run_with(
        group("g", vec![node("a", "test"), node("b", "test")], vec![edge("a", "b")]),
        RunOptions { slow_mo: Some(0.0), ..h.options() },
    );
    assert!(result.success);
    assert_eq!(result.duration, 0.0);
    assert_eq!(result.context.unwrap().run.slow_mo, Some(0.0));
    let negative =
        h.run_with(node("a", "test"), RunOptions { slow_mo: Some(-100.0), ..h.options() });
    assert!(negative.success);
    assert_eq!(negative.duration, 0.0, "negative slowMo behaves like 0");
}

#[test]
fn long_executable_holds_at_ninety_until_it_finishes() {
    let mut h =
        Harness::with_config(EngineConfig { progress_throttle_ms: 0.0, ..Default::default() });
    h.slow("slow", 500.0, json!("done"));
    let result = h.run_with(node("n", "slow"), RunOptions { slow_mo: Some(20.0), ..h.options() });
    assert!(result.success);
    let mut times = std::collections::HashMap::new();
    for event in h.events.lock().unwrap().iter() {
        if let EngineEvent::Progress(p) = event {
            let n = &p.nodes[0];
            times.entry(n.progress).or_insert_with(|| p.nodes[0].start_time);
        }
    }
    assert!(result.duration >= 500.0);
    // 90 is reached after the pre-delay and five steps (120 ms); 100 only after the work.
    assert_eq!(result.duration, 20.0 + 20.0 + 500.0 + 10.0);
    for step in [0u8, 20, 40, 60, 80, 90, 100] {
        assert!(times.contains_key(&step), "saw {step}");
    }
}

#[test]
fn failing_node_with_slow_mo_fails_fast_and_freezes_progress() {
    let mut h =
        Harness::with_config(EngineConfig { progress_throttle_ms: 0.0, ..Default::default() });
    h.sync("bad", |_| Err(atomiton_core::ExecutionError::execution_failed("nope")));
    let result = h.run_with(node("n", "bad"), RunOptions { slow_mo: Some(50.0), ..h.options() });
    assert!(!result.success);
    assert_eq!(result.duration, 100.0, "pre-delay + executor delay, no animation wait");
    let last = node_steps(&h, "n").last().cloned().unwrap();
    assert_eq!(last.2, Error);
    assert!(last.0 <= 20);
}

#[test]
fn events_are_throttled_but_first_and_last_always_arrive() {
    let mut h =
        Harness::with_config(EngineConfig { progress_throttle_ms: 100.0, ..Default::default() });
    h.slow("step", 10.0, json!(1));
    let nodes: Vec<_> = (0..50).map(|i| node(&format!("n{i}"), "step")).collect();
    let edges: Vec<_> = (1..50).map(|i| edge(&format!("n{}", i - 1), &format!("n{i}"))).collect();
    let result = h.run(group("chain", nodes, edges));
    assert!(result.success);
    assert_eq!(result.duration, 500.0);
    let values = h.progress_values();
    assert_eq!(values.first(), Some(&0));
    assert_eq!(values.last(), Some(&100));
    // 500 ms at one event per 100 ms: leading, ~5 throttled ones, and the final one.
    assert!(values.len() <= 8, "{values:?}");
    assert!(values.windows(2).all(|w| w[0] <= w[1]), "never decreasing on success: {values:?}");
    let events = h.events.lock().unwrap();
    assert!(matches!(events.first(), Some(EngineEvent::Started { .. })));
    assert!(matches!(events.last(), Some(EngineEvent::Completed { .. })));
    let EngineEvent::Progress(last) = &events[events.len() - 2] else {
        panic!("last progress before completion")
    };
    assert_eq!(last.message, "All nodes completed");
    assert!(!last.is_executing);
    assert_eq!(last.nodes.len(), 50);
    assert!(last.nodes.iter().all(|n| n.state == Completed));
}

#[test]
fn nested_children_appear_in_progress_and_runs_end_at_exactly_100() {
    let mut h = unthrottled();
    h.sync("light", |_| Ok(Some(json!(1))));
    h.slow("slow", 10.0, json!(2));
    let inner =
        group("inner", vec![node("i1", "slow"), node("i2", "light")], vec![edge("i1", "i2")]);
    let flow = group("root", vec![node("a", "test"), inner], vec![edge("a", "inner")]);
    assert!(h.run(flow).success);
    let events = h.events.lock().unwrap();
    let progress: Vec<_> = events
        .iter()
        .filter_map(|e| if let EngineEvent::Progress(p) = e { Some(p) } else { None })
        .collect();
    let last = progress.last().unwrap();
    assert_eq!(last.progress, 100);
    let ids: Vec<&str> = last.nodes.iter().map(|n| &*n.id).collect();
    assert_eq!(ids, vec!["a", "inner", "i1", "i2"]);
    assert_eq!(last.nodes[2].parent_id.as_deref(), Some("inner"));
    assert_eq!(last.nodes[2].depth, 2);
    let order: Vec<Vec<String>> = last
        .graph
        .execution_order
        .iter()
        .map(|l| l.iter().map(|s| s.to_string()).collect())
        .collect();
    assert_eq!(order, vec![strs(&["a"]), strs(&["inner"])]);
    // While i1 ran, the message named it (by `name || id`: it has no name, and its type `slow`
    // would not tell it from i2) and nodeId pointed at it.
    assert!(progress.iter().any(|p| p.message == "Executing: i1" && p.node_id == "i1"));
    assert!(progress.iter().all(|p| !p.message.contains("slow")), "never by its type");
    assert!(progress.iter().all(|p| p.execution_id == progress[0].execution_id));
}

#[test]
fn failed_run_does_not_claim_100() {
    let mut h = unthrottled();
    h.sync("bad", |_| Err(atomiton_core::ExecutionError::execution_failed("x")));
    let result = h.run(group("g", vec![node("a", "test"), node("b", "bad")], vec![edge("a", "b")]));
    assert!(!result.success);
    let last = *h.progress_values().last().unwrap();
    assert_eq!(last, 50, "a completed (100 of 200), b errored (0)");
}
