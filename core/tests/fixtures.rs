//! The shared conformance fixtures (`tests/fixtures/*.json`) on the core with the deterministic
//! host. The host has no effects, like the browser build, so `expectByEnvironment.wasm` applies.

use std::sync::Arc;

use atomiton_core::testing::VirtualHost;
use atomiton_core::value::Value;
use atomiton_core::{Engine, NodeDefinition, RunOptions};

fn fixtures() -> Vec<(String, Value)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .expect("tests/fixtures")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| {
            let text = std::fs::read_to_string(e.path()).expect("readable fixture");
            (
                e.file_name().to_string_lossy().into_owned(),
                serde_json::from_str(&text).expect("valid fixture JSON"),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Removes clock-dependent keys before comparison.
fn strip_clock(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.shift_remove("duration");
            map.shift_remove("timestamp");
            map.values_mut().for_each(strip_clock);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_clock),
        _ => {}
    }
}

#[test]
fn every_fixture_gives_its_expected_result() {
    let all = fixtures();
    assert!(all.len() >= 20, "fixtures found: {}", all.len());
    let mut failures = Vec::new();
    for (file, fixture) in &all {
        let expect = fixture
            .pointer("/expectByEnvironment/wasm")
            .or_else(|| fixture.get("expect"))
            .expect("expect");
        let flow: NodeDefinition =
            atomiton_core::value::from_value(fixture["flow"].clone()).expect("flow");
        let options = &fixture["options"];
        let host = VirtualHost::new();
        let run_options = RunOptions {
            input: options.get("input").cloned(),
            variables: options.get("variables").cloned(),
            debug: options.get("debug").cloned(),
            slow_mo: options.get("slowMo").and_then(Value::as_f64),
            ..Default::default()
        };
        let result =
            host.block_on(Engine::default().run(flow, run_options, Arc::new(host.clone())));
        let mut actual = atomiton_core::value::to_value(&result).expect("result serialises");
        strip_clock(&mut actual);
        let mut check = |what: &str, ok: bool| {
            if !ok {
                failures.push(format!("{file}: {what}\n  expected {expect}\n  actual   {actual}"));
            }
        };
        check("success", actual["success"] == expect["success"]);
        check("executedNodes", actual["executedNodes"] == expect["executedNodes"]);
        if let Some(data) = expect.get("data") {
            let mut data = data.clone();
            strip_clock(&mut data);
            check("data", actual["data"] == data);
        }
        if let Some(Value::Object(error)) = expect.get("error") {
            for (key, value) in error {
                check(&format!("error.{key}"), &actual["error"][key] == value);
            }
        }
        // Each node's state, as the run's trace tells it.
        if let Some(Value::Object(states)) = expect.get("states") {
            let traced = actual["trace"]["nodes"].as_array().cloned().unwrap_or_default();
            for (node, state) in states {
                let found = traced.iter().find(|n| n["nodeId"] == node.as_str());
                check(&format!("state of {node}"), found.map(|n| &n["state"]) == Some(state));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture mismatch(es):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
