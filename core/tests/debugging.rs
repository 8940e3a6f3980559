//! The editor's debugging loop on the virtual-time host: pinned outputs, running to a node,
//! breakpoints, pause, step, resume, and cancelling a paused run.

mod common;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use atomiton_core::engine::{RunControl, RunHandles};
use atomiton_core::host::{CancelToken, EngineEvent, Host};
use atomiton_core::progress::NodeState;
use atomiton_core::value::Value;
use atomiton_core::{json, EngineConfig, ErrorCode, NodeDefinition, RunOptions};
use common::*;
use proptest::prelude::*;

/// What happened, in order: `run <id>` when an executor starts, `paused <path>` when the run
/// pauses.
type Log = Arc<Mutex<Vec<String>>>;

/// Every pause: the node's path and its input.
type Pauses = Arc<Mutex<Vec<(String, Value)>>>;

/// A harness whose `work` nodes log their start, take 10 ms (virtual) and return their input + 1.
fn harness(concurrency: usize) -> (Harness, Log) {
    let mut h = Harness::with_config(EngineConfig { concurrency, ..Default::default() });
    let log: Log = Arc::default();
    let runs = log.clone();
    h.custom("work", move |inv, host| {
        runs.lock().unwrap().push(format!("run {}", inv.node_id));
        let sleep = host.sleep(10.0);
        let n = default_number(&inv);
        Box::pin(async move {
            sleep.await;
            Ok(Some(json!(n + 1.0)))
        })
    });
    (h, log)
}

/// `a → b → c → d` of `work` nodes.
fn chain() -> NodeDefinition {
    group(
        "flow",
        ["a", "b", "c", "d"].iter().map(|id| node(id, "work")).collect(),
        vec![edge("a", "b"), edge("b", "c"), edge("c", "d")],
    )
}

/// Options, and handles whose event sink logs pauses and then does `on_pause` (with the host and the run's
/// control), and keeps every paused event.
fn debug_options(
    h: &Harness,
    log: &Log,
    control: &Arc<RunControl>,
    on_pause: impl Fn(&atomiton_core::testing::VirtualHost, &Arc<RunControl>) + Send + Sync + 'static,
) -> (RunOptions, RunHandles, Pauses) {
    let paused: Pauses = Arc::default();
    let (seen, log, host, ctl) = (paused.clone(), log.clone(), h.host.clone(), control.clone());
    let handles = RunHandles {
        control: Some(control.clone()),
        event_sink: Some(Arc::new(move |event: EngineEvent| {
            if let EngineEvent::Paused { node_id, input, .. } = event {
                log.lock().unwrap().push(format!("paused {node_id}"));
                seen.lock().unwrap().push((node_id, input));
                on_pause(&host, &ctl);
            }
        })),
        ..h.handles()
    };
    (h.options(), handles, paused)
}

/// Runs `then` once `ms` of virtual time have gone by.
fn after(
    host: &atomiton_core::testing::VirtualHost,
    ms: f64,
    then: impl FnOnce() + Send + 'static,
) {
    let sleep = host.sleep(ms);
    host.spawn(Box::pin(async move {
        sleep.await;
        then();
    }));
}

/// A pause handler that resumes the run `ms` later.
fn resume_after(
    ms: f64,
) -> impl Fn(&atomiton_core::testing::VirtualHost, &Arc<RunControl>) + Send + Sync + 'static {
    move |host, control| {
        let control = control.clone();
        after(host, ms, move || control.resume());
    }
}

fn states(h: &Harness) -> Vec<(String, NodeState)> {
    let events = h.events.lock().unwrap();
    let last = events
        .iter()
        .rev()
        .find_map(|e| if let EngineEvent::Progress(p) = e { Some(p) } else { None })
        .expect("a progress event");
    last.nodes.iter().map(|n| (n.id.to_string(), n.state)).collect()
}

#[test]
fn pinned_nodes_never_call_their_executor_and_feed_their_successors() {
    let (h, log) = harness(1);
    let options = RunOptions { pinned: vec![("b".into(), json!(100))], ..h.options() };
    let result = h.run_with(chain(), options);
    assert!(result.success, "{:?}", result.error);
    assert_eq!(*log.lock().unwrap(), ["run a", "run c", "run d"]);
    assert_eq!(result.data, Some(json!(102)), "c took the pinned 100");
    assert_eq!(ids(&result), ["flow", "a", "c", "d"], "a pinned node did not execute");
    assert!(states(&h).contains(&("b".into(), NodeState::Pinned)), "progress shows it pinned");
}

#[test]
fn pins_are_named_by_path_and_a_pinned_group_runs_none_of_its_children() {
    let (h, log) = harness(1);
    let flow = group(
        "flow",
        vec![
            node("a", "work"),
            group("g", vec![node("x", "work"), node("y", "work")], vec![edge("x", "y")]),
            node("z", "work"),
        ],
        vec![edge("a", "g"), edge("g", "z")],
    );
    let result = h.run_with(
        flow.clone(),
        RunOptions { pinned: vec![("g/x".into(), json!(10))], ..h.options() },
    );
    assert_eq!(result.data, Some(json!(12)));
    assert_eq!(
        *log.lock().unwrap(),
        ["run a", "run y", "run z"],
        "x is pinned (and named by its path)"
    );
    log.lock().unwrap().clear();
    let result = h.run_with(
        flow.clone(),
        RunOptions { pinned: vec![("g".into(), json!(50))], ..h.options() },
    );
    assert_eq!(result.data, Some(json!(51)));
    assert_eq!(*log.lock().unwrap(), ["run a", "run z"]);
    let result =
        h.run_with(flow, RunOptions { pinned: vec![("x".into(), json!(1))], ..h.options() });
    let error = result.error.expect("an unknown path is refused");
    assert_eq!(error.code, ErrorCode::VALIDATION_FAILED);
    assert!(error.message.contains("pinned: the flow has no node 'x'"), "{}", error.message);
}

#[test]
fn running_to_a_node_runs_it_and_its_ancestors_only() {
    let (h, log) = harness(4);
    // a → b → d, a → c (parallel to b), d → e (downstream)
    let flow = group(
        "flow",
        ["a", "b", "c", "d", "e"].iter().map(|id| node(id, "work")).collect(),
        vec![edge("a", "b"), edge("a", "c"), edge("b", "d"), edge("d", "e")],
    );
    let result = h.run_with(flow, RunOptions { run_to: Some("d".into()), ..h.options() });
    assert!(result.success, "{:?}", result.error);
    assert_eq!(result.data, Some(json!(3)), "the data is d's output");
    let ran: BTreeSet<String> = log.lock().unwrap().iter().cloned().collect();
    assert_eq!(ran, ["run a", "run b", "run d"].into_iter().map(String::from).collect());
    assert_eq!(ids(&result), ["a", "b", "d"]);
}

#[test]
fn running_to_a_node_in_a_group_starts_the_group_and_runs_only_what_the_node_needs() {
    let (h, log) = harness(1);
    let flow = group(
        "flow",
        vec![
            node("a", "work"),
            group(
                "g",
                vec![node("x", "work"), node("y", "work"), node("w", "work")],
                vec![edge("x", "y")],
            ),
            node("z", "work"),
        ],
        vec![edge("a", "g"), edge("g", "z")],
    );
    let result = h.run_with(
        flow,
        RunOptions {
            run_to: Some("g/y".into()),
            pinned: vec![("a".into(), json!(5))],
            ..h.options()
        },
    );
    assert!(result.success, "{:?}", result.error);
    assert_eq!(
        result.data,
        Some(json!(7)),
        "x got the pinned 5 through the group, y added one more"
    );
    assert_eq!(*log.lock().unwrap(), ["run x", "run y"]);
}

#[test]
fn a_breakpoint_pauses_before_its_node_with_its_input_and_resume_goes_on() {
    let (h, log) = harness(1);
    let control = Arc::new(RunControl::new());
    let (mut options, handles, paused) = debug_options(&h, &log, &control, resume_after(1000.0));
    options.breakpoints = vec!["c".into()];
    let result = h.run_handled(chain(), options, handles);
    assert!(result.success, "{:?}", result.error);
    assert_eq!(*log.lock().unwrap(), ["run a", "run b", "paused c", "run c", "run d"]);
    assert_eq!(
        *paused.lock().unwrap(),
        [("c".to_owned(), json!({"default": 2}))],
        "c's input is b's output"
    );
    assert_eq!(result.data, Some(json!(4)));
    assert_eq!(h.host.elapsed(), 1040.0, "four nodes of 10 ms and one pause of 1000 ms");
}

#[test]
fn paused_time_does_not_count_towards_the_run_timeout() {
    let (h, log) = harness(1);
    let control = Arc::new(RunControl::new());
    let (mut options, handles, _) = debug_options(&h, &log, &control, resume_after(10_000.0));
    options.breakpoints = vec!["b".into(), "d".into()];
    options.timeout_ms = Some(45.0);
    let result = h.run_handled(chain(), options, handles);
    assert!(result.success, "40 ms of work within 45 ms, two pauses of 10 s: {:?}", result.error);
    assert_eq!(h.host.elapsed(), 20_040.0);

    // The same run paused a little longer than its timeout allows, counting only work: 50 ms.
    let (h, log) = harness(1);
    let slow = group(
        "flow",
        ["a", "b", "c", "d", "e"].iter().map(|id| node(id, "work")).collect(),
        vec![edge("a", "b"), edge("b", "c"), edge("c", "d"), edge("d", "e")],
    );
    let control = Arc::new(RunControl::new());
    let (mut options, handles, _) =
        debug_options(&h, &log, &control, |_, control| control.resume());
    options.breakpoints = vec!["b".into()];
    options.timeout_ms = Some(45.0);
    let result = h.run_handled(slow, options, handles);
    assert_eq!(
        result.error.map(|e| e.code),
        Some(ErrorCode::TIMEOUT),
        "the timeout still holds for the work"
    );
    assert_eq!(h.host.elapsed(), 45.0);
}

#[test]
fn pause_from_outside_takes_effect_at_the_next_node_boundary() {
    let (mut h, log) = harness(1);
    let control = Arc::new(RunControl::new());
    let ctl = control.clone();
    let runs = log.clone();
    // The user presses pause while `a` runs.
    h.sync("pauser", move |_| {
        runs.lock().unwrap().push("run a".into());
        ctl.pause();
        Ok(Some(json!(1)))
    });
    let flow = group(
        "flow",
        vec![node("a", "pauser"), node("b", "work"), node("c", "work")],
        vec![edge("a", "b"), edge("b", "c")],
    );
    let (options, handles, paused) =
        debug_options(&h, &log, &control, |_, control| control.resume());
    let result = h.run_handled(flow, options, handles);
    assert!(result.success);
    assert_eq!(*log.lock().unwrap(), ["run a", "paused b", "run b", "run c"]);
    assert_eq!(paused.lock().unwrap()[0].1, json!({"default": 1}));
}

#[test]
fn cancelling_a_paused_run_ends_it_cancelled() {
    let (h, log) = harness(1);
    let control = Arc::new(RunControl::new());
    let cancel = CancelToken::new();
    let token = cancel.clone();
    let (mut options, mut handles, _) = debug_options(&h, &log, &control, move |host, _| {
        let token = token.clone();
        after(host, 500.0, move || token.cancel());
    });
    options.breakpoints = vec!["b".into()];
    handles.cancel = Some(cancel);
    let result = h.run_handled(chain(), options, handles);
    assert_eq!(result.error.map(|e| e.code), Some(ErrorCode::CANCELLED));
    assert_eq!(*log.lock().unwrap(), ["run a", "paused b"], "nothing started after the pause");
    assert_eq!(h.host.elapsed(), 510.0);
}

/// A flow of `n` `work` nodes with edges `i → j` (i < j) where `edges` says so.
fn random_flow(n: usize, edges: &[bool]) -> (NodeDefinition, Vec<(usize, usize)>) {
    let mut pairs = Vec::new();
    let mut k = 0;
    for j in 1..n {
        for i in 0..j {
            if edges.get(k).copied().unwrap_or(false) {
                pairs.push((i, j));
            }
            k += 1;
        }
    }
    let flow = group(
        "flow",
        (0..n).map(|i| node(&format!("n{i}"), "work")).collect(),
        pairs.iter().map(|(i, j)| edge(&format!("n{i}"), &format!("n{j}"))).collect(),
    );
    (flow, pairs)
}

/// Stepping from a breakpoint on the first node to the end: the nodes paused at, in order.
fn step_through(flow: &NodeDefinition, concurrency: usize) -> (Vec<String>, Vec<String>) {
    let (h, log) = harness(concurrency);
    let control = Arc::new(RunControl::new());
    let (mut options, handles, paused) =
        debug_options(&h, &log, &control, |_, control| control.step());
    options.breakpoints = vec!["n0".into()];
    let result = h.run_handled(flow.clone(), options, handles);
    assert!(result.success, "{:?}", result.error);
    let order = paused.lock().unwrap().iter().map(|(id, _)| id.clone()).collect();
    let executed = ids(&result).into_iter().filter(|id| id != "flow").collect();
    (order, executed)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// `runTo` runs exactly the target and its ancestors, and returns the target's output.
    #[test]
    fn run_to_runs_exactly_the_ancestor_set(n in 1usize..10, edges in proptest::collection::vec(any::<bool>(), 45), target in 0usize..9, concurrency in 1usize..4) {
        let target = target % n;
        let (flow, pairs) = random_flow(n, &edges);
        let mut ancestors = BTreeSet::from([target]);
        for &(i, j) in pairs.iter().rev() {
            if ancestors.contains(&j) {
                ancestors.insert(i);
            }
        }
        let (h, log) = harness(concurrency);
        let result = h.run_with(flow.clone(), RunOptions { run_to: Some(format!("n{target}")), ..h.options() });
        prop_assert!(result.success);
        let ran: BTreeSet<String> = log.lock().unwrap().iter().cloned().collect();
        let expected: BTreeSet<String> = ancestors.iter().map(|i| format!("run n{i}")).collect();
        prop_assert_eq!(ran, expected);
        // A work node adds one to its last edge's source (or to 0 without edges).
        let mut outputs = vec![0.0; n];
        for j in 0..n {
            let last_source = pairs.iter().filter(|(_, t)| *t == j).map(|(i, _)| *i).max();
            outputs[j] = last_source.map_or(0.0, |i| outputs[i]) + 1.0;
        }
        prop_assert_eq!(result.data, Some(json!(outputs[target])));
    }

    /// Stepping visits nodes in the order of `executedNodes`, at concurrency 1 and N.
    #[test]
    fn stepping_follows_the_sequential_order_at_any_concurrency(n in 1usize..10, edges in proptest::collection::vec(any::<bool>(), 45)) {
        let (flow, _) = random_flow(n, &edges);
        for concurrency in [1, 4] {
            let (order, executed) = step_through(&flow, concurrency);
            prop_assert_eq!(&order, &executed, "concurrency {}", concurrency);
        }
    }
}

#[test]
fn running_to_a_node_takes_linear_work_on_diamond_chains_and_stops_at_pins() {
    // 40 diamonds in a row: every path to the end doubles at each diamond (2^40 paths).
    let (h, log) = harness(1);
    let mut nodes = vec![node("s0", "work")];
    let mut edges = Vec::new();
    for k in 0..40 {
        let (s, l, r, t) =
            (format!("s{k}"), format!("l{k}"), format!("r{k}"), format!("s{}", k + 1));
        nodes.extend([node(&l, "work"), node(&r, "work"), node(&t, "work")]);
        edges.extend([edge(&s, &l), edge(&s, &r), edge(&l, &t), edge(&r, &t)]);
    }
    let flow = group("flow", nodes, edges);
    let result = h.run_with(flow.clone(), RunOptions { run_to: Some("s40".into()), ..h.options() });
    assert!(result.success, "{:?}", result.error);
    assert_eq!(log.lock().unwrap().len(), 121, "every node once");

    // Upstream of a pinned node nothing runs.
    let (h, log) = harness(1);
    let result = h.run_with(
        chain(),
        RunOptions {
            run_to: Some("c".into()),
            pinned: vec![("b".into(), json!(7))],
            ..h.options()
        },
    );
    assert_eq!(result.data, Some(json!(8)));
    assert_eq!(*log.lock().unwrap(), ["run c"], "a is upstream of the pin: it does not run");
}

#[test]
fn the_run_timeout_restarts_when_a_paused_run_goes_on() {
    // b never settles: after the pause the run's timer must still end the run (with progress
    // events never held back, no throttle timer wakes the run either).
    let (mut h, log) = harness(1);
    h.engine = atomiton_core::Engine::with_registry(
        atomiton_core::nodes::NodeRegistry::empty(),
        EngineConfig { concurrency: 1, progress_throttle_ms: 0.0, ..Default::default() },
    );
    h.custom("stuck", |_, _| Box::pin(std::future::pending()));
    let flow = group("flow", vec![node("a", "work"), node("b", "stuck")], vec![edge("a", "b")]);
    let control = Arc::new(RunControl::new());
    let (mut options, handles, _) = debug_options(&h, &log, &control, resume_after(1000.0));
    options.breakpoints = vec!["b".into()];
    options.timeout_ms = Some(45.0);
    let result = h.run_handled(flow, options, handles);
    assert_eq!(result.error.map(|e| e.code), Some(ErrorCode::TIMEOUT));
    assert_eq!(h.host.elapsed(), 1045.0, "10 ms of a, 1 s paused, then the 35 ms left");
}
