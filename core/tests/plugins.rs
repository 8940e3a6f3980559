//! WebAssembly node types: the plugin fixtures of `tests/plugins/` (Extism's Rust and
//! AssemblyScript PDKs) run through a session's config, and the sandbox holding each misbehaving
//! function to a coded error: fuel spent, memory capped, a trap, a host call not granted, an
//! output too large, a failure the plugin reports. Nothing of one call is left for the next.

use atomiton_core::session::SessionConfig;
use atomiton_core::testing::VirtualHost;
use atomiton_core::{Engine, ErrorCode, ExecutionResult, NodeDefinition, RunOptions};
use base64::Engine as _;
use serde_json::{json, Value as Json};

fn fixture(name: &str) -> String {
    let path = format!("{}/../tests/plugins/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{path}: {e} (scripts/build-plugins.sh builds it)"));
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// An engine whose config declares `plugins` (each `module` a fixture's file name).
fn engine(plugins: Json) -> Result<Engine, atomiton_core::ExecutionError> {
    let mut plugins = plugins;
    for plugin in plugins.as_object_mut().unwrap().values_mut() {
        let file = plugin["module"].as_str().unwrap().to_owned();
        plugin["module"] = json!(fixture(&file));
    }
    SessionConfig::from_json(&json!({ "plugins": plugins }).to_string())?.new_engine()
}

fn run(engine: &Engine, node_type: &str, data: Json) -> ExecutionResult {
    let node = NodeDefinition::new("p", node_type).with_param("data", data);
    let host = VirtualHost::new();
    host.block_on(engine.run(node, RunOptions::default(), host.shared()))
}

fn output(result: &ExecutionResult) -> Json {
    assert!(result.success, "{:?}", result.error);
    serde_json::to_value(result.data.as_ref().unwrap()).unwrap()
}

fn failure(result: &ExecutionResult) -> (ErrorCode, String) {
    let error = result.error.as_ref().expect("the node fails");
    (error.code, error.message.clone())
}

#[test]
fn a_rust_pdk_plugin_gets_its_data_and_config_and_gives_json() {
    let engine = engine(json!({
        "text-stats": {"module": "text_stats.wasm", "config": {"greeting": "hello"}},
    }))
    .unwrap();
    let text = json!({"text": "The quick brown fox jumps over the lazy dog"});
    let expected = json!({
        "words": 9, "vowels": 11, "longest": "jumps", "meanWordLength": 35.0 / 9.0,
        "greeting": "hello", "calls": 1,
    });
    assert_eq!(output(&run(&engine, "text-stats", text.clone())), expected);
    // A fresh instance each call: its variables do not carry over.
    assert_eq!(output(&run(&engine, "text-stats", text)), expected);
}

#[test]
fn an_assemblyscript_pdk_plugin_runs_the_same_way() {
    let engine =
        engine(json!({"vowels": {"module": "vowels_as.wasm", "config": {"label": "as"}}})).unwrap();
    assert_eq!(
        output(&run(&engine, "vowels", json!("Programming in AssemblyScript"))),
        json!({"vowels": 7, "length": 31, "label": "as", "language": "AssemblyScript"})
    );
}

#[test]
fn each_misbehaving_function_is_that_nodes_coded_error() {
    let plugin = |function: &str, extra: Json| {
        let mut entry = json!({"module": "text_stats.wasm", "function": function});
        entry.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        entry
    };
    let engine = engine(json!({
        "spin": plugin("spin", json!({"fuel": 50_000_000})),
        "spin-less": plugin("spin", json!({"fuel": 1000})),
        "chatty": plugin("chatty", json!({"fuel": 50_000_000})),
        "hog": plugin("hog", json!({"memoryLimit": 16 * 1024 * 1024})),
        "boom": plugin("boom", json!({})),
        "fetch": plugin("fetch", json!({})),
        "flood": plugin("flood", json!({})),
        "refuse": plugin("refuse", json!({})),
        "nothing": plugin("no_such_function", json!({})),
    }))
    .unwrap();
    let cases = [
        (
            "spin",
            ErrorCode::EXECUTION_FAILED,
            "[spin] the plugin used its whole fuel (50000000 units) without returning",
        ),
        // Less fuel than a slice: the call gets no more than that.
        ("spin-less", ErrorCode::EXECUTION_FAILED, "its whole fuel (1000 units)"),
        // Host work (a megabyte logged per call) costs fuel too: this ends as the spin does.
        ("chatty", ErrorCode::EXECUTION_FAILED, "[chatty] the plugin used its whole fuel"),
        (
            "hog",
            ErrorCode::MEMORY_LIMIT_EXCEEDED,
            "[hog] the plugin reached its memory limit (16 MiB)",
        ),
        ("boom", ErrorCode::EXECUTION_FAILED, "[boom] the plugin trapped"),
        (
            "fetch",
            ErrorCode::PERMISSION_DENIED,
            "Permission denied: the plugin made an HTTP request",
        ),
        (
            "flood",
            ErrorCode::MEMORY_LIMIT_EXCEEDED,
            "[flood] the plugin reached its memory limit (64 MiB)",
        ),
        ("refuse", ErrorCode::EXECUTION_FAILED, "[refuse] no text to count"),
        ("nothing", ErrorCode::EXECUTION_FAILED, "exports no function 'no_such_function'"),
    ];
    for (node_type, code, says) in cases {
        let (got, message) = failure(&run(&engine, node_type, json!("x")));
        assert_eq!(got, code, "{node_type}: {message}");
        assert!(message.contains(says), "{node_type}: {message}");
    }
}

#[test]
fn a_module_that_is_not_wasm_or_that_takes_a_built_ins_name_is_refused_when_the_engine_is_made() {
    let config = |plugins: Json| {
        SessionConfig::from_json(&json!({ "plugins": plugins }).to_string()).unwrap().new_engine()
    };
    let not_wasm = base64::engine::general_purpose::STANDARD.encode(b"not a module");
    let error = config(json!({"x": {"module": not_wasm}})).err().expect("refused");
    assert_eq!(error.code, ErrorCode::VALIDATION_FAILED);
    assert!(
        error.message.contains("'plugins.x.module' must be a WebAssembly module"),
        "{}",
        error.message
    );
    let error =
        config(json!({"transform": {"module": fixture("vowels_as.wasm")}})).err().expect("refused");
    assert!(
        error
            .message
            .contains("'plugins.transform' must be named apart from the built-in node types"),
        "{}",
        error.message
    );
    let error = SessionConfig::from_json(r#"{"plugins": {"x": {"module": "", "fule": 1}}}"#)
        .expect_err("refused");
    assert!(error.message.contains("'fule'"), "{}", error.message);
}

#[test]
fn a_plugin_node_takes_only_its_data_and_the_engines_own_parameters() {
    let engine = engine(json!({"vowels": {"module": "vowels_as.wasm"}})).unwrap();
    let node = NodeDefinition::new("p", "vowels").with_param("dta", "x");
    let host = VirtualHost::new();
    let result = host.block_on(engine.run(node, RunOptions::default(), host.shared()));
    let (code, message) = failure(&result);
    assert_eq!(code, ErrorCode::VALIDATION_FAILED, "{message}");
    assert!(message.contains("unknown parameter 'dta'"), "{message}");
}
