//! End to end: the core engine running flows on a real multi-thread tokio runtime with the
//! native host and its real effects.
// `NodeResult`'s error is the core's `ExecutionError`; its size is the core's decision.
#![allow(clippy::result_large_err)]

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use atomiton_core::engine::RunHandles;
use atomiton_core::host::effects::ProcessSpec;
use atomiton_core::host::{BoxFuture, CancelToken, SharedHost};
use atomiton_core::json;
use atomiton_core::nodes::{FnNode, Invocation, NodeRegistry, NodeResult, SharedEmbedder};
use atomiton_core::value::Value;
use atomiton_core::{
    Engine, EngineConfig, ErrorCode, ExecutionError, NodeDefinition, NodeEdge, RunOptions,
};
use atomiton_native_host::NativeHost;
use common::{alive, eventually, runtime, within, TempDir, HANG};

fn edge(source: &str, target: &str) -> NodeEdge {
    NodeEdge::connect(&format!("{source}->{target}"), source, target)
}

fn failed(message: String) -> ExecutionError {
    ExecutionError::new(ErrorCode::EXECUTION_FAILED, message)
}

fn param_str(invocation: &Invocation, key: &str) -> String {
    invocation.param(key).and_then(Value::as_str).unwrap_or_default().to_owned()
}

fn process(program: &str, args: Vec<String>, signal: CancelToken) -> ProcessSpec {
    ProcessSpec {
        program: program.to_owned(),
        args,
        cwd: None,
        env: Vec::new(),
        env_remove: Vec::new(),
        stdin: None,
        timeout_ms: Some(30_000.0),
        capture_output: true,
        max_output_bytes: 1 << 20,
        signal,
        confinement: None,
    }
}

/// `write` saves its `content` parameter to its `path` parameter through the host's file
/// system, after a short host sleep; `cat` runs the `cat` program on the path it receives;
/// `measure` describes the text it receives.
fn effect_registry() -> NodeRegistry {
    NodeRegistry::empty()
        .with(FnNode::new(
            "write",
            |invocation: Invocation, host: SharedHost| -> BoxFuture<'static, NodeResult> {
                Box::pin(async move {
                    let (path, content) =
                        (param_str(&invocation, "path"), param_str(&invocation, "content"));
                    host.sleep(20.0).await;
                    let files = host.files().ok_or_else(|| failed("no file system".into()))?;
                    files
                        .write(&path, content.into_bytes(), true)
                        .await
                        .map_err(|e| failed(e.message))?;
                    Ok(Some(json!({"path": path})))
                })
            },
        ))
        .with(FnNode::new(
            "cat",
            |invocation: Invocation, host: SharedHost| -> BoxFuture<'static, NodeResult> {
                Box::pin(async move {
                    let path = invocation
                        .input
                        .get("default")
                        .and_then(|v| v["path"].as_str())
                        .unwrap_or_default()
                        .to_owned();
                    let processes =
                        host.processes().ok_or_else(|| failed("no processes".into()))?;
                    let output = processes
                        .run(process("cat", vec![path], invocation.signal.clone()))
                        .await
                        .map_err(|e| failed(e.message))?;
                    Ok(Some(json!(String::from_utf8_lossy(&output.stdout))))
                })
            },
        ))
        .with(FnNode::sync("measure", |invocation| {
            let text = invocation.input.get("default").and_then(Value::as_str).unwrap_or_default();
            Ok(Some(json!({"text": text, "length": text.chars().count()})))
        }))
}

#[test]
fn a_three_node_flow_runs_with_real_effects() {
    let runtime = runtime();
    let dir = TempDir::new("engine");
    let path = dir.join("out/message.txt");
    let flow = NodeDefinition::group(
        "flow",
        vec![
            NodeDefinition::new("save", "write")
                .with_param("path", path.clone())
                .with_param("content", "hello from the flow"),
            NodeDefinition::new("load", "cat"),
            NodeDefinition::new("describe", "measure"),
        ],
        vec![edge("save", "load"), edge("load", "describe")],
    );
    let engine = Engine::with_registry(effect_registry(), EngineConfig::default());
    let host = NativeHost::new(runtime.handle().clone()).into_shared();
    let result = runtime.block_on(engine.run(flow, RunOptions::default(), host));
    assert!(result.success, "{:?}", result.error);
    assert_eq!(result.data, Some(json!({"text": "hello from the flow", "length": 19})));
    let executed: Vec<&str> = result.executed_nodes.iter().map(|id| &**id).collect();
    assert_eq!(executed, ["flow", "save", "load", "describe"]);
    assert!(result.duration >= 20.0, "the write node slept 20 ms; duration {}", result.duration);
    assert_eq!(std::fs::read_to_string(&path).expect("written"), "hello from the flow");
}

#[test]
fn independent_nodes_run_at_the_same_time() {
    let runtime = runtime();
    // Each nap counts the naps going on while it sleeps: two side by side see two.
    let (in_flight, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (in_flight_seen, most_seen) = (in_flight.clone(), most.clone());
    let nap = move |invocation: Invocation, host: SharedHost| -> BoxFuture<'static, NodeResult> {
        let (in_flight, most) = (in_flight.clone(), most.clone());
        Box::pin(async move {
            let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            host.sleep(50.0).await;
            in_flight.fetch_sub(1, Ordering::SeqCst);
            Ok(Some(json!(invocation.node_id.to_string())))
        })
    };
    let registry = NodeRegistry::empty()
        .with(FnNode::new("nap", nap))
        .with(FnNode::sync("join", |invocation| {
            Ok(Some(json!([invocation.input.get("left"), invocation.input.get("right")])))
        }));
    let flow = NodeDefinition::group(
        "flow",
        vec![
            NodeDefinition::new("a", "nap"),
            NodeDefinition::new("b", "nap"),
            NodeDefinition::new("both", "join"),
        ],
        vec![
            edge("a", "both").with("targetHandle", "left"),
            edge("b", "both").with("targetHandle", "right"),
        ],
    );
    let engine = Engine::with_registry(registry, EngineConfig::default());
    let host = NativeHost::new(runtime.handle().clone()).into_shared();
    let result = runtime.block_on(engine.run(flow, RunOptions::default(), host));
    assert!(result.success, "{:?}", result.error);
    assert_eq!(result.data, Some(json!(["a", "b"])));
    assert_eq!(most_seen.load(Ordering::SeqCst), 2, "the two naps overlapped");
    assert_eq!(in_flight_seen.load(Ordering::SeqCst), 0);
}

#[test]
fn a_run_is_cancelled_while_a_node_sleeps() {
    let runtime = runtime();
    let registry = NodeRegistry::empty().with(FnNode::sync("quick", |_| Ok(Some(json!(1))))).with(
        FnNode::new(
            "sleepy",
            |_invocation: Invocation, host: SharedHost| -> BoxFuture<'static, NodeResult> {
                Box::pin(async move {
                    host.sleep(3_600_000.0).await;
                    Ok(Some(json!("woke up")))
                })
            },
        ),
    );
    let flow = NodeDefinition::group(
        "flow",
        vec![
            NodeDefinition::new("first", "quick"),
            NodeDefinition::new("nap", "sleepy"),
            NodeDefinition::new("after", "quick"),
        ],
        vec![edge("first", "nap"), edge("nap", "after")],
    );
    let engine = Engine::with_registry(registry, EngineConfig::default());
    let host = NativeHost::new(runtime.handle().clone()).into_shared();
    let cancel = CancelToken::new();
    let canceller = cancel.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        canceller.cancel();
    });
    let result = runtime.block_on(within(
        "a cancelled run",
        engine.run_with(
            flow,
            RunOptions::default(),
            RunHandles { cancel: Some(cancel), ..RunHandles::default() },
            host,
        ),
    ));
    assert!(!result.success);
    assert_eq!(
        result.error.as_ref().map(|e| e.code),
        Some(ErrorCode::CANCELLED),
        "{:?}",
        result.error
    );
    assert!(
        !result.executed_nodes.iter().any(|id| &**id == "after"),
        "nothing starts after cancellation"
    );
}

#[test]
fn cancelling_a_run_kills_its_running_process() {
    let runtime = runtime();
    let dir = TempDir::new("engine");
    let pid_file = dir.join("pid");
    let registry = NodeRegistry::empty().with(FnNode::new(
        "long-command",
        |invocation: Invocation, host: SharedHost| -> BoxFuture<'static, NodeResult> {
            Box::pin(async move {
                let script =
                    format!("echo $$ > {}; exec sleep 3600", param_str(&invocation, "pidFile"));
                let processes = host.processes().ok_or_else(|| failed("no processes".into()))?;
                let spec = process("sh", vec!["-c".into(), script], invocation.signal.clone());
                let output = processes.run(spec).await.map_err(|e| failed(e.message))?;
                Ok(Some(json!(output.exit_code)))
            })
        },
    ));
    let flow = NodeDefinition::new("cmd", "long-command").with_param("pidFile", pid_file.clone());
    let engine = Engine::with_registry(registry, EngineConfig::default());
    let host = NativeHost::new(runtime.handle().clone()).into_shared();
    let cancel = CancelToken::new();
    let canceller = cancel.clone();
    let watched = pid_file.clone();
    std::thread::spawn(move || {
        // Cancel once the command is surely running.
        while std::fs::metadata(&watched).map(|m| m.len() == 0).unwrap_or(true) {
            std::thread::sleep(Duration::from_millis(10));
        }
        canceller.cancel();
    });
    let result = runtime.block_on(within(
        "a cancelled command",
        engine.run_with(
            flow,
            RunOptions::default(),
            RunHandles { cancel: Some(cancel), ..RunHandles::default() },
            host,
        ),
    ));
    assert!(!result.success);
    assert_eq!(
        result.error.as_ref().map(|e| e.code),
        Some(ErrorCode::CANCELLED),
        "{:?}",
        result.error
    );
    let pid: u32 =
        std::fs::read_to_string(&pid_file).expect("pid written").trim().parse().expect("a pid");
    assert!(runtime.block_on(eventually(HANG, || !alive(pid))), "process {pid} is still running");
}

#[test]
fn embedder_provided_node_types_go_to_the_embedder() {
    let runtime = runtime();
    let embedder: SharedEmbedder =
        Arc::new(|invocation: Invocation| -> BoxFuture<'static, NodeResult> {
            Box::pin(async move {
                let n = invocation.input.get("default").and_then(Value::as_i64).unwrap_or(0);
                Ok(Some(json!(n * 10)))
            })
        });
    let registry = NodeRegistry::empty().with(FnNode::sync("seven", |_| Ok(Some(json!(7)))));
    let flow = NodeDefinition::group(
        "flow",
        vec![NodeDefinition::new("a", "seven"), NodeDefinition::new("b", "js-times-ten")],
        vec![edge("a", "b")],
    );
    let engine = Engine::with_registry(registry, EngineConfig::default());
    let host = NativeHost::new(runtime.handle().clone()).into_shared();
    let options = RunOptions {
        custom_types: Arc::new(HashSet::from(["js-times-ten".to_owned()])),
        ..RunOptions::default()
    };
    let handles = RunHandles { embedder, ..RunHandles::default() };
    let result = runtime.block_on(engine.run_with(flow, options, handles, host));
    assert!(result.success, "{:?}", result.error);
    assert_eq!(result.data, Some(json!(70)));
}

/// CPU-heavy built-in work runs on the worker pool, never more jobs at once than its slots, and
/// every job finishes: six large transforms side by side on a pool of two.
#[test]
fn heavy_built_in_work_never_exceeds_the_worker_pool() {
    use atomiton_native_host::WorkerPool;
    let runtime = runtime();
    let pool = WorkerPool::new(2);
    let host = NativeHost::new(runtime.handle().clone()).with_workers(pool.clone()).into_shared();
    // Above the inline threshold, so each goes to the pool at once.
    let items: Vec<atomiton_core::value::Value> = (0..30_000).map(|i| json!(i)).collect();
    let heavy = |id: &str| {
        NodeDefinition::new(id, "transform")
            .with_param("operation", "map")
            .with_param("transformFunction", "x => x * 2")
            .with_param("data", atomiton_core::value::Value::Array(items.clone()))
    };
    let flow =
        NodeDefinition::group("g", (0..6).map(|i| heavy(&format!("t{i}"))).collect(), vec![]);
    let result = runtime.block_on(within(
        "six heavy transforms",
        Engine::with_registry(atomiton_effects::registry(), atomiton_core::EngineConfig::default())
            .run(flow, RunOptions::default(), host),
    ));
    assert!(result.success, "{:?}", result.error);
    let stats = pool.stats();
    assert!(
        stats.started >= 6,
        "every transform ran on the pool (and large maps handed parts to helpers): {stats:?}"
    );
    assert!(stats.peak <= 2, "never more jobs than slots: {stats:?}");
}

/// A job asked for by work that holds a runtime thread (reading a flow's tables of records, say)
/// starts on a free slot while that work goes on: it must not wait for the thread to be let go
/// (the work may be waiting for the job).
#[test]
fn a_job_asked_for_by_blocking_work_starts_while_that_work_runs() {
    use atomiton_native_host::WorkerPool;
    // One runtime thread: the blocking work below holds it.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let pool = WorkerPool::new(2);
    let started = runtime.block_on(async move {
        let work = tokio::spawn(async move {
            let (sender, receiver) = std::sync::mpsc::channel();
            pool.run(Box::new(move || {
                let _ = sender.send(());
            }));
            receiver.recv_timeout(HANG).is_ok()
        });
        work.await.expect("the blocking work")
    });
    assert!(
        started,
        "the job never started while the work that asked for it held the runtime's thread"
    );
}

/// A large `map` is split into parts that run on several of the pool's workers at once, and
/// gives exactly what the sequential loop gives: the same items in the same order, the same
/// error at the same first failing item, the same failure past the output bound.
#[test]
fn a_large_map_runs_in_parts_and_agrees_with_the_sequential_loop() {
    use atomiton_core::testing::VirtualHost;
    use atomiton_native_host::WorkerPool;
    let runtime = runtime();
    let records: Vec<Value> = (0..20_000)
        .map(|i| json!({"id": i, "name": (format!("item {i}")), "tags": ["a"], "meta": {"n": i}}))
        .collect();
    let mut broken = records.clone();
    broken[9_000] = json!({"id": 9000});
    broken[15_000] = json!({"id": 15000});
    let map = |function: &str, data: &[Value]| {
        NodeDefinition::new("m", "transform")
            .with_param("operation", "map")
            .with_param("transformFunction", function)
            .with_param("data", Value::Array(data.to_vec()))
    };
    // Numbers under a body over one number are mapped in one loop, a block at a time, without
    // parts; a string among them, or a bound the results outgrow, sends the map to the parts,
    // which agree with the sequential loop (and fail at the same item).
    let numbers: Vec<Value> = (0..20_000).map(|i| json!(i)).collect();
    let mut mixed = numbers.clone();
    mixed[13_000] = json!("13000");
    let output_bound = |bytes| EngineConfig {
        expression_limits: atomiton_core::expression::Limits {
            max_output_bytes: bytes,
            ..Default::default()
        },
        ..EngineConfig::default()
    };
    // 20,000 records outgrow 200 KB; 20,000 numbers (8 bytes each to the bound) 100 KB.
    let (small_output, smaller_output) = (output_bound(200_000), output_bound(100_000));
    // (function, items, config, whether it succeeds, whether it runs in parts)
    let cases = [
        ("item => ({ ...item, processed: true })", &records, EngineConfig::default(), true, true),
        (
            "item => item.meta.n * 2 + item.name.length",
            &records,
            EngineConfig::default(),
            true,
            true,
        ),
        ("item => item.meta.n + 1", &broken, EngineConfig::default(), false, true),
        ("item => ({ ...item, processed: true })", &records, small_output, false, true),
        ("x => x * 2 - 1", &numbers, EngineConfig::default(), true, false),
        ("n => n % 3 === 0 || n > 19990", &numbers, EngineConfig::default(), true, false),
        ("x => x * 2", &mixed, EngineConfig::default(), true, true),
        ("x => x * 2 + 1", &numbers, smaller_output, false, true),
    ];
    for (function, data, config, succeeds, in_parts) in cases {
        let pool = WorkerPool::new(2);
        let native =
            NativeHost::new(runtime.handle().clone()).with_workers(pool.clone()).into_shared();
        let engine = Engine::with_registry(
            atomiton_effects::registry(),
            EngineConfig { trace: false, ..config.clone() },
        );
        let parted = runtime.block_on(within(
            "a map in parts",
            engine.run(map(function, data), RunOptions::default(), native),
        ));
        let sequential = VirtualHost::new();
        let expected = sequential.block_on(engine.run(
            map(function, data),
            RunOptions::default(),
            Arc::new(sequential.clone()),
        ));
        assert_eq!(expected.success, succeeds, "{function}: {:?}", expected.error);
        assert_eq!(
            parted.success, expected.success,
            "{function}: {:?} / {:?}",
            parted.error, expected.error
        );
        assert_eq!(parted.data, expected.data, "{function}");
        assert_eq!(
            parted.error.as_ref().map(|e| &e.message),
            expected.error.as_ref().map(|e| &e.message),
            "{function}"
        );
        if in_parts {
            assert!(
                pool.stats().started >= 2,
                "{function}: the map handed a part to a second worker: {:?}",
                pool.stats()
            );
        } else {
            assert_eq!(
                pool.stats().started,
                1,
                "{function}: one loop, on the node's own worker: {:?}",
                pool.stats()
            );
        }
    }
}
