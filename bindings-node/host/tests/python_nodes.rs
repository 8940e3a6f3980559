//! `python` nodes in runs on the native host, with real worker processes: data in along an edge
//! (the upstream node's whole output), the function's value out, what it printed in the result's logs, a raise as the node's error,
//! the node's timeout, and validation refusing a node no interpreter can run, or one whose
//! parameters say two things.
#![cfg(unix)]

mod common;

use atomiton_core::host::RunPermissions;
use atomiton_core::json;
use atomiton_core::model::NodeEdge;
use atomiton_core::value::Value;
use atomiton_core::{Engine, ErrorCode, ExecutionResult, NodeDefinition, RunOptions};
use atomiton_native_host::python::find_interpreter;
use atomiton_native_host::{NativeHost, NativePython};
use common::{runtime, TempDir};

/// Runs `flow` on a native host in `dir`, with Python workers when `python` says.
fn run(dir: &TempDir, flow: NodeDefinition, python: bool, options: RunOptions) -> ExecutionResult {
    let rt = runtime();
    let mut host = NativeHost::new(rt.handle().clone()).with_working_dir(dir.path().to_path_buf());
    if python {
        let interpreter = find_interpreter(None, None, None).unwrap().expect("python3 on the PATH");
        host = host.with_python(NativePython::new(
            rt.handle().clone(),
            interpreter,
            Some(dir.path().to_path_buf()),
            1,
        ));
    }
    rt.block_on(
        Engine::with_registry(atomiton_effects::registry(), atomiton_core::EngineConfig::default())
            .run(flow, options, host.into_shared()),
    )
}

fn python(id: &str, code: &str) -> NodeDefinition {
    NodeDefinition::new(id, "python").with_param("code", code)
}

fn into_data(source: &str, target: &str) -> NodeEdge {
    NodeEdge::connect(&format!("{source}-{target}"), source, target).with("targetHandle", "data")
}

#[test]
fn a_python_node_takes_its_data_from_an_edge_and_its_output_goes_on() {
    let dir = TempDir::new("python-nodes");
    let rows = NodeDefinition::new("rows", "transform")
        .with_param("operation", "map")
        .with_param("transformFunction", "item => ({ city: item.city, t: item.t * 2 })");
    let stats = python(
        "stats",
        "import statistics\nfrom collections import defaultdict\n\
         def main(rows, key='city'):\n    \
             by = defaultdict(list)\n    \
             for row in rows['result']:\n        by[row[key]].append(row['t'])\n    \
             print('cities:', len(by))\n    \
             return {k: statistics.mean(v) for k, v in sorted(by.items())}\n",
    );
    let flow = NodeDefinition::group("g", vec![rows, stats], vec![into_data("rows", "stats")]);
    let input = json!({"data": [{"city": "Oslo", "t": 1}, {"city": "Lima", "t": 10}, {"city": "Oslo", "t": 2}]});
    let result = run(&dir, flow, true, RunOptions { input: Some(input), ..Default::default() });
    assert!(result.success, "{:?} {:?}", result.error, result.logs);
    assert_eq!(result.data, Some(json!({"Lima": 20, "Oslo": 3})));
    let logs = serde_json::to_value(&result.logs).unwrap();
    assert_eq!(
        logs,
        serde_json::json!([{"nodeId": "stats", "stream": "stdout", "text": "cities: 2\n"}])
    );
}

#[test]
fn a_raise_fails_the_node_with_its_exception_and_the_traceback_is_in_the_logs() {
    let dir = TempDir::new("python-raise");
    let node = python("p", "def main(data):\n    return {'ratio': 1 / 0}\n");
    let result = run(&dir, node, true, RunOptions::default());
    let error = result.error.expect("the run fails");
    assert_eq!(error.code, ErrorCode::EXECUTION_FAILED);
    assert_eq!(error.message, "[python] ZeroDivisionError: division by zero");
    let traceback = result.logs.iter().find(|log| log.stream == "stderr").expect("a traceback");
    assert!(traceback.text.contains("{'ratio': 1 / 0}"), "{}", traceback.text);
}

#[test]
fn the_nodes_timeout_ends_a_function_that_never_returns() {
    let dir = TempDir::new("python-timeout-node");
    let node = NodeDefinition::new("p", "python")
        .with_param("code", "def main(data):\n    while True:\n        pass\n")
        .with_param("timeout", 1000);
    let error = run(&dir, node, true, RunOptions::default()).error.expect("timed out");
    assert_eq!(error.code, ErrorCode::TIMEOUT, "{}", error.message);
}

#[test]
fn a_module_file_relative_to_the_working_directory() {
    let dir = TempDir::new("python-module-node");
    std::fs::create_dir_all(dir.path().join("scripts")).unwrap();
    std::fs::write(
        dir.path().join("scripts/text.py"),
        "def shout(data, times=1):\n    return (data.upper() + '!') * times\n",
    )
    .unwrap();
    let node = NodeDefinition::new("p", "python")
        .with_param("module", "scripts/text.py")
        .with_param("function", "shout")
        .with_param("data", "hi")
        .with_param("arguments", json!({"times": 2}));
    let result = run(&dir, node, true, RunOptions::default());
    assert!(result.success, "{:?}", result.error);
    assert_eq!(result.data, Some(Value::from("HI!HI!")));
}

#[test]
fn validation_refuses_what_no_interpreter_can_run_and_parameters_that_say_two_things() {
    let dir = TempDir::new("python-validation");
    let plain = python("p", "def main(data):\n    return data\n");
    let error = run(&dir, plain.clone(), false, RunOptions::default()).error.expect("refused");
    assert_eq!(error.code, ErrorCode::IMPLEMENTATION_NOT_FOUND);
    assert!(error.message.contains("needs a Python interpreter"), "{}", error.message);
    let (bad, unknown) = (ErrorCode::INVALID_PARAMETERS, ErrorCode::VALIDATION_FAILED);
    for (node, code, says) in [
        (plain.clone().with_param("module", "x.py"), bad, "not both"),
        (NodeDefinition::new("p", "python"), bad, "needs 'code'"),
        (plain.clone().with_param("function", "not a name"), bad, "is not a Python function name"),
        (plain.clone().with_param("argumnets", json!({})), unknown, "did you mean 'arguments'"),
    ] {
        let error = run(&dir, node, true, RunOptions::default()).error.expect(says);
        assert_eq!(error.code, code, "{}", error.message);
        assert!(error.message.contains(says), "{says}: {}", error.message);
    }
    // Python code has the authority of a process: a caller without the shell grant is refused.
    let denied = RunOptions { permissions: Some(RunPermissions::default()), ..Default::default() };
    let error = run(&dir, plain, true, denied).error.expect("denied");
    assert_eq!(error.code, ErrorCode::PERMISSION_DENIED);
    assert!(error.message.contains("'shell'"), "{}", error.message);
}
