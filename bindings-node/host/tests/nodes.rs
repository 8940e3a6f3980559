//! The built-in node types that reach outside the data, with real effects: file-system and
//! shell-command in a temporary directory, http-request against a loopback server, image on
//! generated images, spreadsheet files (CSV, TSV, XLSX, ODS), and the bundled templates end to
//! end (`file-system`, `http-request`, `image`, `shell-command`, `spreadsheet`).

mod common;

use std::io::Write;

use atomiton_core::json;
use atomiton_core::value::Value;
use atomiton_core::{Engine, ErrorCode, ExecutionResult, NodeDefinition, RunOptions};
use atomiton_native_host::NativeHost;
use common::server::TestServer;
use common::{runtime, write_ods, TempDir};

/// Runs `flow` on a native host whose working directory is `dir`.
fn run_in(dir: &TempDir, flow: NodeDefinition, input: Option<Value>) -> ExecutionResult {
    let rt = runtime();
    let host = NativeHost::new(rt.handle().clone())
        .with_working_dir(dir.path().to_path_buf())
        .into_shared();
    rt.block_on(
        Engine::with_registry(atomiton_effects::registry(), atomiton_core::EngineConfig::default())
            .run(flow, RunOptions { input, ..Default::default() }, host),
    )
}

fn ok(dir: &TempDir, flow: NodeDefinition, input: Option<Value>) -> Value {
    let result = run_in(dir, flow, input);
    assert!(result.success, "{:?}", result.error);
    result.data.unwrap_or(Value::Null)
}

fn fails(dir: &TempDir, flow: NodeDefinition, input: Option<Value>) -> (ErrorCode, String) {
    let error = run_in(dir, flow, input).error.expect("the run fails");
    (error.code, error.message)
}

fn fs(operation: &str, path: &str) -> NodeDefinition {
    NodeDefinition::new("fs", "file-system")
        .with_param("operation", operation)
        .with_param("path", path)
}

#[test]
fn file_system_operations_and_messages() {
    let dir = TempDir::new("nodes-fs");
    let p = |name: &str| dir.join(name);
    let out = ok(&dir, fs("write", &p("a/b.txt")).with_param("content", "hello"), None);
    assert_eq!(
        out,
        json!({"result": format!("File written: {}", p("a/b.txt")), "success": true, "path": p("a/b.txt"), "size": 5})
    );
    let out = ok(&dir, fs("read", &p("a/b.txt")), None);
    assert_eq!(
        (out["result"].clone(), out["content"].clone(), out["size"].clone()),
        (json!("hello"), json!("hello"), json!(5))
    );
    assert!(out["modified"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        fails(&dir, fs("read", &p("missing.txt")), None).1,
        format!("[file-system] Read operation failed: File does not exist: {}", p("missing.txt"))
    );
    assert_eq!(
        fails(&dir, fs("read", &p("a")), None).1,
        format!("[file-system] Read operation failed: Path is not a file: {}", p("a"))
    );
    let written =
        ok(&dir, fs("write", "relative/data.json"), Some(json!({"input": {"k": [1, 2]}})));
    assert_eq!(written["path"], "relative/data.json");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("relative/data.json")).unwrap(),
        "{\"k\":[1,2]}",
        "objects are written as JSON, relative to the working dir"
    );
    assert_eq!(
        ok(&dir, fs("exists", &p("a/b.txt")), None),
        json!({"result": true, "exists": true, "success": true, "path": p("a/b.txt")})
    );
    assert_eq!(ok(&dir, fs("exists", &p("nope")), None)["exists"], false);
    assert_eq!(
        ok(&dir, fs("create", &p("c/d")).with_param("recursive", true), None)["created"],
        true
    );
    assert_eq!(
        ok(&dir, fs("create", &p("c/d")), None),
        json!({"result": format!("Directory already exists: {}", p("c/d")), "success": true, "path": p("c/d"), "created": false})
    );
    std::fs::write(dir.path().join("c/.hidden"), "x").unwrap();
    std::fs::write(dir.path().join("c/d/e.txt"), "x").unwrap();
    let listed = ok(&dir, fs("list", &p("c")).with_param("recursive", true), None);
    assert_eq!(listed["files"], json!([p("c/d"), p("c/d/e.txt")]), "depth-first, hidden skipped");
    assert_eq!(listed["count"], 2);
    assert_eq!(ok(&dir, fs("list", &p("c")), None)["files"], json!([p("c/d")]));
    assert_eq!(
        fails(&dir, fs("list", &p("zzz")), None).1,
        format!("[file-system] List directory failed: Directory does not exist: {}", p("zzz"))
    );
    assert_eq!(
        fails(&dir, fs("list", &p("a/b.txt")), None).1,
        format!("[file-system] List directory failed: Path is not a directory: {}", p("a/b.txt"))
    );
    let copied = ok(&dir, fs("copy", &p("a/b.txt")).with_param("targetPath", p("copy.txt")), None);
    assert_eq!(copied["result"], format!("File copied from {} to {}", p("a/b.txt"), p("copy.txt")));
    assert_eq!(
        (copied["sourcePath"].clone(), copied["destPath"].clone(), copied["path"].clone()),
        (json!(p("a/b.txt")), json!(p("copy.txt")), json!(p("copy.txt")))
    );
    assert_eq!(
        ok(&dir, fs("copy", &p("c")), Some(json!({"targetPath": p("c2")})))["result"],
        format!("Directory copied from {} to {}", p("c"), p("c2"))
    );
    assert!(dir.path().join("c2/d/e.txt").exists());
    assert_eq!(
        fails(&dir, fs("copy", &p("a/b.txt")), None).1,
        "[file-system] Target path is required for copy operation"
    );
    assert_eq!(
        fails(&dir, fs("move", &p("a/b.txt")), None).1,
        "[file-system] Target path is required for move operation"
    );
    assert_eq!(
        ok(&dir, fs("move", &p("copy.txt")).with_param("targetPath", p("moved.txt")), None)
            ["result"],
        format!("Moved from {} to {}", p("copy.txt"), p("moved.txt"))
    );
    // A directory with contents is deleted only with `recursive: true`.
    assert_eq!(
        fails(&dir, fs("delete", &p("c2")), None).1,
        format!("[file-system] Delete operation failed: Directory is not empty: {} (recursive: true deletes it with its contents)", p("c2"))
    );
    assert!(dir.path().join("c2/d/e.txt").exists(), "nothing was deleted");
    assert_eq!(
        ok(&dir, fs("delete", &p("c2")).with_param("recursive", true), None)["deleted"],
        true
    );
    assert!(!dir.path().join("c2").exists());
    assert_eq!(
        ok(&dir, fs("delete", &p("c2")), None),
        json!({"result": format!("Path does not exist: {}", p("c2")), "success": true, "path": p("c2"), "deleted": false})
    );
}

fn shell(program: &str, args: Value) -> NodeDefinition {
    NodeDefinition::new("sh", "shell-command")
        .with_param("program", program)
        .with_param("args", args)
}

#[test]
fn shell_command_runs_without_a_shell() {
    let dir = TempDir::new("nodes-shell");
    let out = ok(&dir, shell("echo", json!(["hello", "$HOME", "a;b"])), None);
    assert_eq!(out["stdout"], "hello $HOME a;b\n");
    assert_eq!(
        (out["exitCode"].clone(), out["success"].clone(), out["timedOut"].clone()),
        (json!(0), json!(true), json!(false))
    );
    assert_eq!(out["command"], "echo hello $HOME a;b");
    assert_eq!(
        ok(&dir, shell("cat", json!([])).with_param("stdin", "piped in"), None)["stdout"],
        "piped in",
        "stdin is written"
    );
    assert_eq!(
        ok(&dir, shell("pwd", json!([])), None)["stdout"].as_str().unwrap().trim(),
        dir.path().canonicalize().unwrap().to_string_lossy()
    );
    std::fs::create_dir_all(dir.path().join("sub")).unwrap();
    assert!(ok(&dir, shell("pwd", json!([])), Some(json!({"workingDirectory": "sub"})))["stdout"]
        .as_str()
        .unwrap()
        .trim()
        .ends_with("/sub"));
    let env = ok(&dir, shell("env", json!([])), Some(json!({"environment": {"GREETING": "hi"}})))
        ["stdout"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(env.contains("GREETING=hi"));
    // A variable that changes what the program loads is refused, not dropped without a word.
    assert_eq!(
        fails(
            &dir,
            shell("env", json!([])),
            Some(json!({"environment": {"GREETING": "hi", "LD_PRELOAD": "/evil.so"}}))
        ),
        (
            ErrorCode::EXECUTION_FAILED,
            "[shell-command] environment: LD_PRELOAD cannot be set (it changes what the program loads)"
                .to_owned()
        )
    );
    assert_eq!(
        ok(&dir, shell("sh", json!("[\"-c\", \"exit 3\"]")), None)["exitCode"],
        3,
        "args may be JSON text; a non-zero exit is not a failure"
    );
    assert_eq!(
        ok(&dir, shell("echo", json!(["quiet"])).with_param("captureOutput", false), None)
            ["stdout"],
        ""
    );
    assert_eq!(
        fails(&dir, shell("no-such-program-xyz", json!([])), None).1,
        "[shell-command] spawn no-such-program-xyz ENOENT"
    );
    assert_eq!(
        fails(&dir, shell("pwd", json!([])), Some(json!({"workingDirectory": "/does/not/exist"})))
            .1,
        "[shell-command] Invalid or inaccessible working directory: /does/not/exist"
    );
    let (code, message) = fails(
        &dir,
        shell("sleep", json!(["3600"])).with_param("timeout", 200).with_param("retries", 0),
        None,
    );
    assert_eq!(
        (code, message.as_str()),
        (ErrorCode::TIMEOUT, "Node execution timed out after 200ms")
    );
}

fn http(url: &str) -> NodeDefinition {
    NodeDefinition::new("req", "http-request").with_param("url", url)
}

#[test]
fn http_request_against_a_loopback_server() {
    let rt = runtime();
    let server = rt.block_on(TestServer::start());
    let host = NativeHost::new(rt.handle().clone()).into_shared();
    let run = |flow: NodeDefinition, input: Option<Value>| {
        rt.block_on(
            Engine::with_registry(
                atomiton_effects::registry(),
                atomiton_core::EngineConfig::default(),
            )
            .run(flow, RunOptions { input, ..Default::default() }, host.clone()),
        )
    };
    let data = |flow: NodeDefinition, input: Option<Value>| {
        let result = run(flow, input);
        assert!(result.success, "{:?}", result.error);
        result.data.unwrap_or(Value::Null)
    };
    let out = data(
        http(&server.url("/echo")).with_param("headers", json!({"X-Token": "abc"})),
        Some(json!({"params": {"q": "a b", "n": 1}})),
    );
    assert_eq!(
        (
            out["status"].clone(),
            out["ok"].clone(),
            out["success"].clone(),
            out["statusText"].clone()
        ),
        (json!(200), json!(true), json!(true), json!("OK"))
    );
    assert_eq!(out["result"]["method"], "GET");
    assert_eq!(out["result"]["target"], "/echo?q=a+b&n=1");
    assert!(out["result"]["headers"].as_array().unwrap().contains(&json!(["x-token", "abc"])));
    assert_eq!(out["headers"]["x-custom-header"], "Hello", "response header names lower-cased");
    let header = |out: &Value, name: &str| {
        out["result"]["headers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h[0] == name)
            .map(|h| h[1].clone())
    };
    let posted = data(
        http(&server.url("/echo")).with_param("method", "POST"),
        Some(json!({"body": {"a": 1}})),
    );
    assert_eq!(posted["result"]["body"], "{\"a\":1}");
    assert_eq!(header(&posted, "content-type"), Some(json!("application/json")));
    let put = data(
        http(&server.url("/echo")).with_param("method", "PUT").with_param("body", "raw text"),
        None,
    );
    assert_eq!(
        (put["result"]["method"].clone(), put["result"]["body"].clone()),
        (json!("PUT"), json!("raw text"))
    );
    let deleted = data(http(&server.url("/echo")).with_param("method", "DELETE"), None);
    assert_eq!(
        (deleted["result"]["method"].clone(), deleted["result"]["body"].clone()),
        (json!("DELETE"), json!(""))
    );
    // PATCH sends its body; OPTIONS and HEAD are sent as they are (HEAD's answer has no body).
    let patched = data(
        http(&server.url("/echo")).with_param("method", "PATCH").with_param("body", "a change"),
        None,
    );
    assert_eq!(
        (patched["result"]["method"].clone(), patched["result"]["body"].clone()),
        (json!("PATCH"), json!("a change"))
    );
    let options = data(http(&server.url("/echo")).with_param("method", "OPTIONS"), None);
    assert_eq!(options["result"]["method"], "OPTIONS");
    let head = run(http(&server.url("/echo")).with_param("method", "HEAD"), None);
    assert!(head.success, "{:?}", head.error);
    let head = head.data.unwrap_or_default();
    assert_eq!(head["status"], json!(200));
    assert_eq!(head["headers"]["x-custom-header"], "Hello");
    assert!(head["result"].as_str().is_none_or(str::is_empty), "no body: {}", head["result"]);
    // A body with a method that sends none is refused, not dropped without a word.
    let refused = run(
        http(&server.url("/echo")).with_param("method", "DELETE").with_param("body", "dropped?"),
        None,
    )
    .error
    .expect("refused");
    assert_eq!(
        refused.message,
        "[http-request] A DELETE request sends no body (a body goes with POST, PUT and PATCH): remove it, or change the method"
    );
    let basic = data(
        http(&server.url("/echo")),
        Some(json!({"auth": {"type": "basic", "username": "u", "password": "p"}})),
    );
    assert_eq!(header(&basic, "authorization"), Some(json!("Basic dTpw")));
    let bearer =
        data(http(&server.url("/echo")), Some(json!({"auth": {"type": "bearer", "token": "t0k"}})));
    assert_eq!(header(&bearer, "authorization"), Some(json!("Bearer t0k")));
    let missing = data(http(&server.url("/status/404")), None);
    assert_eq!(
        (missing["status"].clone(), missing["ok"].clone(), missing["result"].clone()),
        (json!(404), json!(false), json!("missing")),
        "HTTP errors are results"
    );
    assert_eq!(data(http(&server.url("/text")), None)["result"], "plain text ✓");
    assert_eq!(
        data(http(&server.url("/binary")), None)["result"],
        "AAEC/w==",
        "other bodies are base64"
    );
    assert_eq!(
        data(http(&server.url("/bad-json")), None)["result"],
        "{not json",
        "unparsable JSON falls back to text"
    );
    assert_eq!(data(http(&server.url("/multi-header")), None)["headers"]["set-cookie"], "a=1, b=2");
    let redirected = data(http(&server.url("/redirect")), None);
    assert!(
        redirected["url"].as_str().unwrap().contains("/echo?redirected=1"),
        "the final URL: {redirected}"
    );
    let capped = run(http(&server.url("/big?n=5000")).with_param("maxResponseBytes", 1000), None)
        .error
        .unwrap();
    assert_eq!(capped.code, ErrorCode::MEMORY_LIMIT_EXCEEDED);
    assert!(capped.message.starts_with("[http-request] "));
    let refused =
        run(http("http://127.0.0.1:9/nothing").with_param("retries", 0), None).error.unwrap();
    assert_eq!(refused.code, ErrorCode::TRANSPORT_ERROR, "{}", refused.message);
    let slow =
        run(http(&server.url("/slow")).with_param("timeout", 150).with_param("retries", 0), None)
            .error
            .unwrap();
    assert_eq!(slow.code, ErrorCode::TIMEOUT);
    let missing_url =
        run(NodeDefinition::new("req", "http-request"), Some(json!({"url": ""}))).error.unwrap();
    assert_eq!(missing_url.code, ErrorCode::INVALID_PARAMETERS, "validation: url is required");
    let bad_url = run(
        NodeDefinition::new("req", "http-request").with_param("url", "https://x.test"),
        Some(json!({"url": "not a url"})),
    )
    .error
    .unwrap();
    assert_eq!(bad_url.message, "[http-request] Invalid URL: not a url");
}

#[test]
fn http_request_sends_an_idempotency_key_given_or_derived_from_the_run_and_the_node() {
    let rt = runtime();
    let server = rt.block_on(TestServer::start());
    let host = NativeHost::new(rt.handle().clone()).into_shared();
    let key_sent = |key: &str, execution_id: &str| {
        let flow = http(&server.url("/echo"))
            .with_param("method", "POST")
            .with_param("idempotencyKey", key);
        let options = RunOptions { execution_id: Some(execution_id.into()), ..Default::default() };
        let result = rt.block_on(
            Engine::with_registry(
                atomiton_effects::registry(),
                atomiton_core::EngineConfig::default(),
            )
            .run(flow, options, host.clone()),
        );
        assert!(result.success, "{:?}", result.error);
        let headers = result.data.unwrap_or(Value::Null)["result"]["headers"].clone();
        headers.as_array().unwrap().iter().find(|h| h[0] == "idempotency-key").map(|h| h[1].clone())
    };
    assert_eq!(
        key_sent("auto", "exec_1"),
        Some(json!("\"exec_1:req\"")),
        "auto: the run's and the node's ids"
    );
    assert_eq!(
        key_sent("auto", "exec_1"),
        key_sent("auto", "exec_1"),
        "the same run and node, the same key"
    );
    assert_ne!(key_sent("auto", "exec_1"), key_sent("auto", "exec_2"));
    assert_eq!(
        key_sent("order-7 \"x\"", "exec_1"),
        Some(json!("\"order-7 \\\"x\\\"\"")),
        "given, quoted"
    );
    assert_eq!(key_sent("", "exec_1"), None, "empty: none sent");

    // Each item of a for-each, and each of a for-each nested in it, sends a key of its own: one
    // key for all would have the server answer every item with the first's response.
    let echo = json!({"id": "req", "type": "http-request", "parameters": {"url": server.url("/echo"), "method": "POST", "idempotencyKey": "auto"}});
    let flow: NodeDefinition = serde_json::from_value(serde_json::json!({
        "id": "f", "type": "group", "edges": [],
        "nodes": [{"id": "each", "type": "for-each", "parameters": {"items": [{"list": [1, 2]}, {"list": [3]}]}, "edges": [], "nodes": [
            {"id": "inner", "type": "for-each", "parameters": {"items": "item => item.list"}, "edges": [], "nodes": [echo]}
        ]}]
    }))
    .unwrap();
    let options = RunOptions { execution_id: Some("exec_9".into()), ..Default::default() };
    let result = rt.block_on(
        Engine::with_registry(atomiton_effects::registry(), atomiton_core::EngineConfig::default())
            .run(flow, options, host.clone()),
    );
    assert!(result.success, "{:?}", result.error);
    let keys: Vec<Vec<Value>> = result
        .data
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            item.as_array()
                .unwrap()
                .iter()
                .map(|output| {
                    let headers = output["result"]["headers"].as_array().unwrap().clone();
                    headers
                        .iter()
                        .find(|h| h[0] == "idempotency-key")
                        .map(|h| h[1].clone())
                        .unwrap()
                })
                .collect()
        })
        .collect();
    assert_eq!(
        keys,
        [
            vec![
                json!("\"exec_9:each[0]/inner[0]/req\""),
                json!("\"exec_9:each[0]/inner[1]/req\"")
            ],
            vec![json!("\"exec_9:each[1]/inner[0]/req\"")],
        ]
    );
}

#[test]
fn http_request_sends_a_file_and_saves_the_response_to_one_a_piece_at_a_time() {
    let rt = runtime();
    let server = rt.block_on(TestServer::start());
    let dir = TempDir::new("nodes-http-files");
    // One runtime for every run: what a run lets go of is cleaned up on it after the run ends.
    let host = NativeHost::new(rt.handle().clone())
        .with_working_dir(dir.path().to_path_buf())
        .into_shared();
    let run = |flow: NodeDefinition| {
        rt.block_on(
            Engine::with_registry(
                atomiton_effects::registry(),
                atomiton_core::EngineConfig::default(),
            )
            .run(flow, RunOptions::default(), host.clone()),
        )
    };
    // Larger than the default response bound (50 MiB) would allow held in memory.
    let body: Vec<u8> = (0..60_000_000u64).map(|i| (i * 7 % 253) as u8).collect();
    std::fs::write(dir.path().join("upload.bin"), &body).unwrap();
    let mut expected = common::server::Counted::default();
    expected.add(&body);
    let sent = run(http(&server.url("/count"))
        .with_param("method", "POST")
        .with_param("bodyFile", dir.join("upload.bin")));
    assert!(sent.success, "{:?}", sent.error);
    assert_eq!(
        sent.data.as_ref().unwrap()["result"],
        json!({"bytes": body.len(), "sum": expected.sum})
    );

    let saved =
        run(http(&server.url("/big?n=60000000"))
            .with_param("responseFile", dir.join("out/big.bin")));
    assert!(saved.success, "{:?}", saved.error);
    let data = saved.data.unwrap();
    assert_eq!(
        (
            data["result"].clone(),
            data["path"].clone(),
            data["size"].clone(),
            data["status"].clone()
        ),
        (
            json!(dir.join("out/big.bin")),
            json!(dir.join("out/big.bin")),
            json!(60_000_000),
            json!(200)
        )
    );
    assert_eq!(std::fs::metadata(dir.path().join("out/big.bin")).unwrap().len(), 60_000_000);
    let partial_files = |folder: &std::path::Path| {
        std::fs::read_dir(folder)
            .unwrap()
            .flatten()
            .filter(|entry| entry.file_name().to_string_lossy().ends_with(".partial"))
            .count()
    };
    assert_eq!(partial_files(&dir.path().join("out")), 0);

    // A response past the node's own bound fails by name, and leaves no file.
    let capped = run(http(&server.url("/endless"))
        .with_param("responseFile", dir.join("endless.bin"))
        .with_param("maxResponseBytes", 2_000_000));
    let error = capped.error.expect("over its bound");
    assert_eq!(error.code, ErrorCode::MEMORY_LIMIT_EXCEEDED);
    assert!(
        error.message.ends_with("(the node's maxResponseBytes raises it)"),
        "{}",
        error.message
    );
    // A request that times out mid-body leaves no file either (the partial one is removed
    // as the node's work is let go of).
    let timed_out = run(http(&server.url("/endless"))
        .with_param("responseFile", dir.join("slow.bin"))
        .with_param("timeout", 300)
        .with_param("retries", 0));
    assert_eq!(timed_out.error.expect("timed out").code, ErrorCode::TIMEOUT);
    // A failure removes its file before it reports; a timed-out request's work is let go of,
    // which removes it right after.
    // A hang bound, not a speed verdict (the removal waits its turn on the blocking pool).
    let gone = common::eventually_blocking(std::time::Duration::from_secs(60), || {
        partial_files(dir.path()) == 0
    });
    assert!(gone);
    assert!(!dir.path().join("endless.bin").exists() && !dir.path().join("slow.bin").exists());
    let missing = run(http(&server.url("/count"))
        .with_param("method", "POST")
        .with_param("bodyFile", dir.join("nope.bin")));
    assert_eq!(
        missing.error.expect("no such file").message,
        format!("[http-request] Body file not found: {}", dir.join("nope.bin"))
    );
}

fn write_png(path: &std::path::Path, width: u32, height: u32, color: [u8; 4]) {
    let img = image::RgbaImage::from_pixel(width, height, image::Rgba(color));
    img.save(path).unwrap();
}

fn image_node(operation: &str) -> NodeDefinition {
    NodeDefinition::new("img", "image").with_param("operation", operation)
}

fn dimensions(path: &str) -> (u32, u32, image::ImageFormat) {
    let reader = image::ImageReader::open(path).unwrap().with_guessed_format().unwrap();
    let format = reader.format().unwrap();
    let img = reader.decode().unwrap();
    (img.width(), img.height(), format)
}

#[test]
fn image_operations_on_generated_images() {
    let dir = TempDir::new("nodes-image");
    write_png(&dir.path().join("base.png"), 800, 600, [200, 40, 40, 255]);
    write_png(&dir.path().join("over.png"), 200, 200, [40, 40, 200, 128]);
    let base = dir.join("base.png");
    let over = dir.join("over.png");
    let out = ok(
        &dir,
        image_node("overlay")
            .with_param("images", json!([base, over]))
            .with_param("output", dir.join("o.png")),
        None,
    );
    assert_eq!(
        (
            out["width"].clone(),
            out["height"].clone(),
            out["format"].clone(),
            out["success"].clone()
        ),
        (json!(800), json!(600), json!("png"), json!(true))
    );
    assert_eq!(dimensions(&dir.join("o.png")), (800, 600, image::ImageFormat::Png));
    assert!(out["size"].as_u64().unwrap() > 0);
    let centre = image::open(dir.join("o.png")).unwrap().to_rgba8().get_pixel(400, 300).0;
    assert!(
        centre[2] > 80 && centre[0] < 200,
        "the overlay is blended into the centre: {centre:?}"
    );
    let out = ok(
        &dir,
        image_node("composite")
            .with_param("images", json!([base]))
            .with_param("output", dir.join("c.jpg"))
            .with_param("width", 400)
            .with_param("height", 300)
            .with_param("format", "jpeg"),
        None,
    );
    assert_eq!((out["width"].clone(), out["height"].clone()), (json!(400), json!(300)));
    assert_eq!(dimensions(&dir.join("c.jpg")), (400, 300, image::ImageFormat::Jpeg));
    ok(
        &dir,
        image_node("composite")
            .with_param("images", json!([base]))
            .with_param("output", dir.join("w.webp"))
            .with_param("format", "webp"),
        None,
    );
    assert_eq!(dimensions(&dir.join("w.webp")).2, image::ImageFormat::WebP);
    // Quality is visible in the file size (on an image with detail).
    let mut noisy = image::RgbaImage::new(300, 300);
    for (x, y, p) in noisy.enumerate_pixels_mut() {
        *p = image::Rgba([(x * 7 % 256) as u8, (y * 13 % 256) as u8, ((x ^ y) % 256) as u8, 255]);
    }
    noisy.save(dir.path().join("noisy.png")).unwrap();
    let jpeg = |q: u32, name: &str| {
        ok(
            &dir,
            image_node("composite")
                .with_param("images", json!([dir.join("noisy.png")]))
                .with_param("output", dir.join(name))
                .with_param("format", "jpeg")
                .with_param("quality", q),
            None,
        )["size"]
            .as_u64()
            .unwrap()
    };
    assert!(jpeg(95, "q95.jpg") > jpeg(50, "q50.jpg"), "higher quality, bigger file");
    let gray = ok(
        &dir,
        image_node("composite")
            .with_param("images", json!([base]))
            .with_param("output", dir.join("g.png"))
            .with_param("grayscale", true),
        None,
    );
    let px =
        image::open(gray["imagePath"].as_str().unwrap()).unwrap().to_rgba8().get_pixel(10, 10).0;
    assert_eq!((px[0], px[1]), (px[1], px[2]), "grayscale");
    ok(
        &dir,
        image_node("blend")
            .with_param("images", json!([dir.join("noisy.png")]))
            .with_param("output", dir.join("b.png"))
            .with_param("blur", 5),
        None,
    );
    let merged = ok(
        &dir,
        image_node("merge")
            .with_param("images", json!([base, over, over]))
            .with_param("output", dir.join("m.png")),
        None,
    );
    assert_eq!(merged["width"], 800);
    let contained = ok(
        &dir,
        image_node("composite")
            .with_param("images", json!([base]))
            .with_param("output", dir.join("fit.png"))
            .with_param("width", 300)
            .with_param("height", 300)
            .with_param("fit", "contain"),
        None,
    );
    assert_eq!((contained["width"].clone(), contained["height"].clone()), (json!(300), json!(300)));
    let top = image::open(dir.join("fit.png")).unwrap().to_rgba8().get_pixel(150, 10).0;
    assert_eq!(top[3], 0, "contain pads with transparency");
    let temp = ok(
        &dir,
        image_node("composite").with_param("images", json!([base])).with_param("output", ""),
        None,
    );
    assert!(temp["imagePath"].as_str().unwrap().contains("image-"), "no output: a temporary file");
    assert_eq!(
        fails(
            &dir,
            image_node("overlay").with_param("images", json!([base])).with_param("output", "x.png"),
            None
        )
        .1,
        "[image] Overlay operation requires both baseImage and overlayImage"
    );
    assert_eq!(
        fails(
            &dir,
            image_node("merge").with_param("images", json!([base])).with_param("output", "x.png"),
            None
        )
        .1,
        "[image] Merge operation requires at least 2 images in the images array"
    );
    assert_eq!(
        fails(
            &dir,
            image_node("composite")
                .with_param("images", json!([dir.join("nope.png")]))
                .with_param("output", "x.png"),
            None
        )
        .1,
        format!("[image] Source image file not found: {}", dir.join("nope.png"))
    );
    std::fs::write(dir.path().join("fake.png"), "not an image").unwrap();
    assert_eq!(
        fails(
            &dir,
            image_node("composite")
                .with_param("images", json!([dir.join("fake.png")]))
                .with_param("output", "x.png"),
            None
        )
        .1,
        "[image] Unsupported image format. Supported: JPEG, PNG, WebP"
    );
}

/// A minimal XLSX workbook with inline strings, numbers, a boolean and a date.
fn write_xlsx(path: &std::path::Path) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default();
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="People" sheetId="1" r:id="rId1"/><sheet name="Other" sheetId="2" r:id="rId2"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#,
        ),
        (
            "xl/styles.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#,
        ),
        (
            "xl/worksheets/sheet1.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c><c r="B1" t="inlineStr"><is><t>score</t></is></c><c r="C1" t="inlineStr"><is><t>active</t></is></c><c r="D1" t="inlineStr"><is><t>joined</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>Ada</t></is></c><c r="B2"><v>91.5</v></c><c r="C2" t="b"><v>1</v></c><c r="D2" s="1"><v>45292</v></c></row><row r="3"><c r="A3" t="inlineStr"><is><t>Grace</t></is></c><c r="B3"><v>88</v></c><c r="C3" t="b"><v>0</v></c></row></sheetData></worksheet>"#,
        ),
        (
            "xl/worksheets/sheet2.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row><row r="2"><c r="A2"><v>1</v></c></row></sheetData></worksheet>"#,
        ),
    ];
    for (name, content) in parts {
        zip.start_file(name, options).unwrap();
        zip.write_all(content.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

fn sheet(path: &str) -> NodeDefinition {
    NodeDefinition::new("s", "spreadsheet").with_param("path", path)
}

#[test]
fn spreadsheet_files() {
    let dir = TempDir::new("nodes-sheet");
    std::fs::write(dir.path().join("people.csv"), "name,age\nAda,36\n").unwrap();
    assert_eq!(
        ok(&dir, sheet("people.csv"), None)["records"],
        json!([{"name": "Ada", "age": "36"}])
    );
    std::fs::write(dir.path().join("people.tsv"), "name\tage\nAda\t36\n").unwrap();
    let tsv = ok(&dir, sheet("people.tsv"), None);
    assert_eq!(
        (tsv["records"].clone(), tsv["delimiter"].clone()),
        (json!([{"name": "Ada", "age": "36"}]), json!("\t")),
        "a .tsv is tab-separated unless a delimiter is given"
    );
    write_xlsx(&dir.path().join("book.xlsx"));
    let book = ok(&dir, sheet("book.xlsx"), None);
    assert_eq!(book["sheetNames"], json!(["People", "Other"]));
    assert_eq!(book["sheetName"], "People");
    assert_eq!(
        book["records"],
        json!([
            {"name": "Ada", "score": "91.5", "active": "TRUE", "joined": "2024-01-01"},
            {"name": "Grace", "score": "88", "active": "FALSE", "joined": ""}
        ])
    );
    assert_eq!(
        ok(&dir, sheet("book.xlsx").with_param("sheetName", "Other"), None)["records"],
        json!([{"x": "1"}])
    );
    assert_eq!(
        ok(&dir, sheet("book.xlsx").with_param("sheetIndex", 1), None)["sheetName"],
        "Other"
    );
    assert_eq!(
        ok(&dir, sheet("book.xlsx").with_param("range", "A1:B2"), None)["records"],
        json!([{"name": "Ada", "score": "91.5"}])
    );
    assert_eq!(
        fails(&dir, sheet("book.xlsx").with_param("sheetName", "Nope"), None).1,
        "[spreadsheet] Sheet \"Nope\" not found. Available sheets: People, Other"
    );
    assert_eq!(
        fails(&dir, sheet("book.xlsx").with_param("sheetIndex", 5), None).1,
        "[spreadsheet] Sheet index 5 out of range. Workbook has 2 sheets."
    );
    write_ods(&dir.path().join("cities.ods"));
    assert_eq!(
        ok(&dir, sheet("cities.ods"), None)["records"],
        json!([{"city": "Oslo", "pop": "709037"}])
    );
    assert_eq!(
        fails(&dir, sheet("missing.xlsx"), None).1,
        "[spreadsheet] File not found: missing.xlsx"
    );
}

#[test]
fn bundled_templates_run_end_to_end() {
    let dir = TempDir::new("nodes-templates");
    std::fs::create_dir_all(dir.path().join("images")).unwrap();
    write_png(&dir.path().join("images/a-base.png"), 1200, 900, [30, 120, 60, 255]);
    write_png(&dir.path().join("images/b-logo.png"), 300, 300, [250, 250, 250, 200]);
    for info in atomiton_catalog::list_templates() {
        let flow = atomiton_catalog::get_template(&info.id).unwrap();
        let result = run_in(&dir, flow, None);
        assert!(result.success, "{}: {:?}", info.name, result.error);
    }
    let hello: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("atomiton-output/hello-world.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(hello["result"], json!(["HELLO!", "WORLD!", "FROM!", "ATOMITON!"]));
    let earners: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("atomiton-output/high-earners.json")).unwrap(),
    )
    .unwrap();
    let names: Vec<&str> =
        earners["result"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Hamilton, Margaret", "Grace Hopper", "Ada Lovelace", "Alan Turing"]);
    assert_eq!(
        earners["result"][0],
        json!({"name": "Hamilton, Margaret", "team": "engineering", "salary": 112000, "since": 2016})
    );
    assert_eq!(
        dimensions(&dir.path().join("atomiton-output/overlay.png").to_string_lossy()),
        (800, 600, image::ImageFormat::Png)
    );
    assert_eq!(
        dimensions(&dir.path().join("atomiton-output/thumbnail.jpg").to_string_lossy()),
        (200, 150, image::ImageFormat::Jpeg)
    );
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("atomiton-output/image-report.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        (report["result"]["width"].clone(), report["result"]["height"].clone()),
        (json!("200"), json!("150"))
    );
}

/// Binary data crosses the effect nodes as bytes: written as it is, read back as a `Buffer`,
/// sent and received over HTTP, and decoded and produced by the image node.
#[test]
fn binary_data_through_files_http_and_images() {
    use atomiton_core::value::{Bytes, BytesKind};
    let dir = TempDir::new("nodes-bytes");
    let every_byte: Vec<u8> = (0..=255u8).collect();
    let bytes = Value::bytes(BytesKind::Buffer, every_byte.clone());
    let path = dir.join("bin/all.dat");
    let written = ok(&dir, fs("write", &path), Some(json!({"input": bytes})));
    assert_eq!(written["size"], 256, "the byte length");
    assert_eq!(std::fs::read(&path).unwrap(), every_byte, "written as they are");
    let read = ok(&dir, fs("read", &path).with_param("encoding", "buffer"), None);
    assert_eq!(
        read["content"].as_bytes().map(Bytes::as_slice),
        Some(&every_byte[..]),
        "read back as a Buffer"
    );
    assert_eq!(read["content"].as_bytes().map(|b| b.kind), Some(BytesKind::Buffer));
    let text = ok(&dir, fs("read", &path), None);
    assert!(text["content"].is_string(), "utf8 stays the default");
    // Values JSON cannot say are written as JSON.stringify writes them (not the engine's tags).
    ok(
        &dir,
        fs("write", &dir.join("doc.json")),
        Some(json!({"input": {"when": Value::date(0.0), "n": f64::NAN}})),
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("doc.json")).unwrap(),
        "{\"when\":\"1970-01-01T00:00:00.000Z\",\"n\":null}"
    );

    let rt = runtime();
    let server = rt.block_on(TestServer::start());
    let host = NativeHost::new(rt.handle().clone()).into_shared();
    let run = |flow: NodeDefinition, input: Option<Value>| {
        rt.block_on(
            Engine::with_registry(
                atomiton_effects::registry(),
                atomiton_core::EngineConfig::default(),
            )
            .run(flow, RunOptions { input, ..Default::default() }, host.clone()),
        )
    };
    let posted = run(
        http(&server.url("/echo")).with_param("method", "POST"),
        Some(json!({"body": Value::bytes(BytesKind::Uint8Array, b"raw \xe2\x9c\x93".to_vec())})),
    );
    assert!(posted.success, "{:?}", posted.error);
    assert_eq!(
        posted.data.unwrap()["result"]["body"],
        "raw ✓",
        "binary bodies are sent as they are"
    );
    let binary = run(http(&server.url("/binary")).with_param("responseType", "buffer"), None);
    assert!(binary.success, "{:?}", binary.error);
    assert_eq!(
        binary.data.unwrap()["result"].as_bytes().map(|b| b.as_slice().to_vec()),
        Some(vec![0u8, 1, 2, 255])
    );

    let png = dir.join("red.png");
    write_png(std::path::Path::new(&png), 40, 30, [255, 0, 0, 255]);
    let encoded = Value::bytes(BytesKind::Buffer, std::fs::read(&png).unwrap());
    let resized = ok(
        &dir,
        image_node("composite")
            .with_param("images", Value::Array(vec![encoded]))
            .with_param("width", 20)
            .with_param("height", 15)
            .with_param("output", dir.join("small.png")),
        None,
    );
    let data = resized["data"].as_bytes().expect("the output image as a Buffer");
    let decoded = image::load_from_memory(data.as_slice()).expect("a valid image");
    assert_eq!((decoded.width(), decoded.height()), (20, 15));
    assert_eq!(
        std::fs::read(dir.join("small.png")).unwrap(),
        data.as_slice(),
        "the same bytes as the file"
    );
}
