//! WebAssembly node types: the plugin fixtures of `tests/plugins/` (Extism's Rust and
//! AssemblyScript PDKs) run through a session's config, and the sandbox holding each misbehaving
//! function to a coded error: fuel spent, memory capped, a trap, a host call not granted, an
//! output too large, a failure the plugin reports. Nothing of one call is left for the next.

use atomiton_core::session::SessionConfig;
use atomiton_core::testing::VirtualHost;
use atomiton_core::{Engine, ErrorCode, ExecutionResult, NodeDefinition, RunOptions};
use atomiton_plugins::Plugins;
use base64::Engine as _;
use serde_json::{json, Value as Json};

fn fixture(name: &str) -> String {
    let path = format!("{}/../../tests/plugins/{name}", env!("CARGO_MANIFEST_DIR"));
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
    SessionConfig::from_json(&json!({ "plugins": plugins }).to_string())?.new_engine(&[&Plugins])
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
        SessionConfig::from_json(&json!({ "plugins": plugins }).to_string())
            .unwrap()
            .new_engine(&[&Plugins])
    };
    let not_wasm = base64::engine::general_purpose::STANDARD.encode(b"not a module");
    let error = config(json!({"x": {"module": not_wasm}})).err().expect("refused");
    assert_eq!(error.code, ErrorCode::VALIDATION_FAILED);
    // The option as the user wrote it (`wasm`), said once, on one line.
    assert!(
        error.message.starts_with(
            "Invalid conductor config: 'plugins.x.wasm' is not a WebAssembly module this engine can run ("
        ),
        "{}",
        error.message
    );
    assert!(!error.message.contains('\n') && error.message.len() < 400, "{}", error.message);
    // What can be known before a node runs is known when the engine is made.
    let refused = |plugin: Json, says: &str| {
        let error = config(json!({ "x": plugin })).err().expect("refused");
        assert_eq!(error.code, ErrorCode::VALIDATION_FAILED, "{}", error.message);
        assert!(
            error
                .message
                .starts_with("Invalid conductor config: 'plugins.x.wasm' cannot be used: "),
            "{}",
            error.message
        );
        assert!(error.message.contains(says), "{says}: {}", error.message);
    };
    let encoded = |bytes: Vec<u8>| base64::engine::general_purpose::STANDARD.encode(bytes);
    refused(
        json!({"module": encoded(wasm_module(Some("nope"), 1, &[], &[0x7f]))}),
        "it imports 'nope' from 'extism:host/env', which the engine does not provide",
    );
    refused(
        json!({"module": encoded(wasm_module(None, 1, &[0x7f], &[0x7f]))}),
        "exports no function 'run'",
    );
    refused(
        json!({"module": fixture("text_stats.wasm"), "function": "no_such_function"}),
        "exports no function 'no_such_function'",
    );
    // 2,000 pages (125 MiB) at start, over the default 64 MiB.
    refused(
        json!({"module": encoded(wasm_module(None, 2000, &[], &[0x7f]))}),
        "it asks for more memory at start than its memoryLimit (64 MiB)",
    );
    // Within its limits, the same hand-made module is taken.
    assert!(config(json!({"x": {"module": encoded(wasm_module(None, 1, &[], &[0x7f]))}})).is_ok());
    let error =
        config(json!({"transform": {"module": fixture("vowels_as.wasm")}})).err().expect("refused");
    assert!(
        error
            .message
            .contains("'plugins.transform' must be named apart from the built-in node types"),
        "{}",
        error.message
    );
    // The section is the capability's to read: a misspelt field is refused when the engine is
    // made (as the conductor is), with the name it meant.
    let error = SessionConfig::from_json(r#"{"plugins": {"x": {"module": "", "fule": 1}}}"#)
        .and_then(|config| config.new_engine(&[&Plugins]))
        .err()
        .expect("refused");
    assert!(error.message.contains("'fule' (did you mean 'fuel'?)"), "{}", error.message);
}

#[test]
fn a_build_without_the_capability_refuses_plugins_and_says_where_they_run() {
    let config = SessionConfig::from_json(r#"{"plugins": {"x": {"module": ""}}}"#).unwrap();
    let error = config.new_engine(&[]).err().expect("refused");
    assert_eq!(
        error.message,
        "Invalid conductor config: 'plugins' is not in this build (WebAssembly node types run in the native addon, the Node fallback and the browser's editor module)"
    );
    // Nothing asked of it: an empty section is as good as none.
    let empty = SessionConfig::from_json(r#"{"plugins": {}}"#).unwrap();
    assert!(empty.new_engine(&[]).is_ok());
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

/// A module by hand (no text format in the build): an optional function import `name` from
/// `extism:host/env` taking nothing, a memory of `pages` pages exported as `memory`, and an
/// exported `run` with these parameter and result value types that returns 0 (when it returns
/// an i32) and nothing else.
fn wasm_module(import: Option<&str>, pages: u32, params: &[u8], results: &[u8]) -> Vec<u8> {
    fn leb(mut n: u32, out: &mut Vec<u8>) {
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        }
    }
    fn name(text: &str, out: &mut Vec<u8>) {
        leb(text.len() as u32, out);
        out.extend_from_slice(text.as_bytes());
    }
    fn section(id: u8, body: Vec<u8>, out: &mut Vec<u8>) {
        out.push(id);
        leb(body.len() as u32, out);
        out.extend(body);
    }
    let mut out = b"\0asm\x01\0\0\0".to_vec();
    // Types: 0, run's; 1, () -> () for the import.
    let mut types = vec![2, 0x60];
    leb(params.len() as u32, &mut types);
    types.extend_from_slice(params);
    leb(results.len() as u32, &mut types);
    types.extend_from_slice(results);
    types.extend_from_slice(&[0x60, 0, 0]);
    section(1, types, &mut out);
    let imported = u32::from(import.is_some());
    if let Some(field) = import {
        let mut imports = vec![1];
        name("extism:host/env", &mut imports);
        name(field, &mut imports);
        imports.extend_from_slice(&[0x00, 1]);
        section(2, imports, &mut out);
    }
    section(3, vec![1, 0], &mut out);
    let mut memory = vec![1, 0x00];
    leb(pages, &mut memory);
    section(5, memory, &mut out);
    let mut exports = vec![2];
    name("run", &mut exports);
    exports.push(0x00);
    leb(imported, &mut exports);
    name("memory", &mut exports);
    exports.extend_from_slice(&[0x02, 0]);
    section(7, exports, &mut out);
    let body: Vec<u8> = if results == [0x7f] { vec![0, 0x41, 0, 0x0b] } else { vec![0, 0x0b] };
    let mut code = vec![1];
    leb(body.len() as u32, &mut code);
    code.extend(body);
    section(10, code, &mut out);
    out
}
