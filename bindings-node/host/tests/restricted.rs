//! The native host narrowed to a run's permissions, enforced at each effect, on real files and a real HTTP
//! server on 127.0.0.1 — root escapes through `..` and symlinks, writes creating paths outside,
//! hosts not listed, and redirects to them.

mod common;

use std::os::unix::fs::symlink;
use std::sync::atomic::Ordering;

use atomiton_core::host::effects::{EffectErrorKind, HttpRequest};
use atomiton_core::host::{self, CancelToken, FileAccess, HttpAccess, RunPermissions, SharedHost};
use atomiton_core::json;
use atomiton_core::value::Value;
use atomiton_core::{Engine, ErrorCode, NodeDefinition, RunOptions};
use atomiton_native_host::NativeHost;
use common::server::TestServer;
use common::{within, TempDir};
use tokio::runtime::Handle;

/// `root/` (with `inside.txt`) and `outside/` (with `secret.txt`) in a fresh directory.
struct Tree {
    dir: TempDir,
}

impl Tree {
    fn new() -> Tree {
        let dir = TempDir::new("restricted");
        std::fs::create_dir_all(dir.path().join("root/sub")).expect("root");
        std::fs::create_dir_all(dir.path().join("outside")).expect("outside");
        std::fs::write(dir.path().join("root/inside.txt"), b"inside").expect("inside");
        std::fs::write(dir.path().join("outside/secret.txt"), b"secret").expect("secret");
        Tree { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name)
    }

    fn exists(&self, name: &str) -> bool {
        std::fs::symlink_metadata(self.dir.path().join(name)).is_ok()
    }
}

fn files_within(roots: Vec<String>) -> RunPermissions {
    RunPermissions { files: FileAccess::Within { roots }, ..RunPermissions::default() }
}

fn restricted(permissions: &RunPermissions) -> SharedHost {
    host::restricted(NativeHost::new(Handle::current()).into_shared(), permissions)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paths_inside_the_roots_work_and_escapes_are_refused() {
    let tree = Tree::new();
    let host = restricted(&files_within(vec![tree.path("root")]));
    let files = host.files().expect("files");
    assert_eq!(files.read(&tree.path("root/inside.txt")).await.expect("inside"), b"inside");
    files
        .write(&tree.path("root/sub/new.txt"), b"new".to_vec(), true)
        .await
        .expect("a write inside");
    assert_eq!(files.list(&tree.path("root/sub")).await.expect("list").len(), 1);

    for escape in [
        "outside/secret.txt",
        "root/../outside/secret.txt",
        "root/sub/../../outside/secret.txt",
        "root/..",
    ] {
        let error = files.read(&tree.path(escape)).await.expect_err(escape);
        assert_eq!(error.kind, EffectErrorKind::NotPermitted, "{escape}: {error}");
        assert!(
            error.message.starts_with("Permission denied: '")
                && error.message.ends_with("' is outside the directories this run may use"),
            "{error}"
        );
    }
    let error = files.stat(&tree.path("outside")).await.expect_err("stat outside");
    assert_eq!(error.kind, EffectErrorKind::NotPermitted);
    assert_eq!(
        files.temp_dir(),
        std::fs::canonicalize(tree.dir.path().join("root")).expect("root").to_string_lossy(),
        "temporary files go to the first root"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn symlinks_out_of_a_root_are_refused_and_writes_create_nothing_outside() {
    let tree = Tree::new();
    symlink(tree.dir.path().join("outside/secret.txt"), tree.dir.path().join("root/link.txt"))
        .expect("file link");
    symlink(tree.dir.path().join("outside"), tree.dir.path().join("root/door")).expect("dir link");
    let host = restricted(&files_within(vec![tree.path("root")]));
    let files = host.files().expect("files");
    for (what, path) in
        [("a file link", "root/link.txt"), ("through a directory link", "root/door/secret.txt")]
    {
        let error = files.read(&tree.path(path)).await.expect_err(what);
        assert_eq!(error.kind, EffectErrorKind::NotPermitted, "{what}: {error}");
    }
    for target in ["root/door/planted.txt", "root/new/../../outside/planted.txt", "root/link.txt"] {
        let error = files.write(&tree.path(target), b"x".to_vec(), true).await.expect_err(target);
        assert_eq!(error.kind, EffectErrorKind::NotPermitted, "{target}: {error}");
    }
    assert!(!tree.exists("outside/planted.txt") && !tree.exists("root/new"), "nothing was created");
    assert_eq!(
        std::fs::read(tree.dir.path().join("outside/secret.txt")).expect("secret"),
        b"secret",
        "the link's target is untouched"
    );
    let error = files
        .create_dir(&tree.path("root/door/made"), true)
        .await
        .expect_err("mkdir through the link");
    assert_eq!(error.kind, EffectErrorKind::NotPermitted);
    assert!(!tree.exists("outside/made"));
    for (from, to) in [
        ("outside/secret.txt", "root/copied.txt"),
        ("root/inside.txt", "outside/copied.txt"),
        ("root/inside.txt", "root/door/copied.txt"),
    ] {
        let error = files.copy(&tree.path(from), &tree.path(to)).await.expect_err(from);
        assert_eq!(error.kind, EffectErrorKind::NotPermitted, "copy {from} → {to}");
        let error = files.rename(&tree.path(from), &tree.path(to)).await.expect_err(from);
        assert_eq!(error.kind, EffectErrorKind::NotPermitted, "rename {from} → {to}");
    }
    assert!(!tree.exists("outside/copied.txt") && !tree.exists("root/copied.txt"));
    // The link itself is inside the root: removing it removes the link, never its target.
    files.remove(&tree.path("root/link.txt"), false).await.expect("remove the link");
    assert!(!tree.exists("root/link.txt") && tree.exists("outside/secret.txt"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relative_paths_and_roots_resolve_against_the_working_directory() {
    let tree = Tree::new();
    let host = NativeHost::new(Handle::current()).with_working_dir(tree.dir.path().join("root"));
    let host = host::restricted(host.into_shared(), &files_within(vec![".".into()]));
    let files = host.files().expect("files");
    assert_eq!(files.read("inside.txt").await.expect("relative inside"), b"inside");
    assert_eq!(
        files.read("../outside/secret.txt").await.map_err(|e| e.kind),
        Err(EffectErrorKind::NotPermitted)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_effects_are_on_or_off() {
    let tree = Tree::new();
    let nothing = restricted(&RunPermissions::default());
    assert_eq!(
        nothing
            .files()
            .expect("files")
            .read(&tree.path("root/inside.txt"))
            .await
            .map_err(|e| e.kind),
        Err(EffectErrorKind::NotPermitted)
    );
    let spec = atomiton_core::host::effects::ProcessSpec {
        program: "touch".into(),
        args: vec![tree.path("root/touched")],
        cwd: None,
        env: Vec::new(),
        env_remove: Vec::new(),
        stdin: None,
        timeout_ms: Some(10_000.0),
        capture_output: true,
        max_output_bytes: 1024,
        signal: CancelToken::new(),
        confinement: None,
    };
    let error =
        nothing.processes().expect("processes").run(spec.clone()).await.expect_err("no shell");
    assert_eq!(error.kind, EffectErrorKind::NotPermitted);
    assert!(!tree.exists("root/touched"), "nothing ran");
    // The program runs confined to the run's roots (Landlock): writing inside them works.
    let shell = restricted(&RunPermissions {
        shell: true,
        files: FileAccess::Within { roots: vec![tree.path("root")] },
        ..RunPermissions::default()
    });
    assert_eq!(
        within("touch", shell.processes().expect("processes").run(spec))
            .await
            .expect("shell granted")
            .exit_code,
        Some(0)
    );
    assert!(tree.exists("root/touched"));
    let everything = restricted(&RunPermissions::all());
    assert_eq!(
        everything
            .files()
            .expect("files")
            .read(&tree.path("outside/secret.txt"))
            .await
            .expect("any path"),
        b"secret"
    );
}

fn request(method: &str, url: String) -> HttpRequest {
    HttpRequest {
        method: method.to_owned(),
        url,
        headers: vec![
            ("Authorization".into(), "Bearer secret".into()),
            ("Content-Type".into(), "text/plain".into()),
        ],
        body: Some(b"payload".to_vec()),
        follow_redirects: true,
        timeout_ms: Some(60_000.0),
        max_response_bytes: 1 << 20,
        signal: CancelToken::new(),
    }
}

fn hosts(allowed: &[String]) -> RunPermissions {
    RunPermissions { http: HttpAccess::To { hosts: allowed.to_vec() }, ..RunPermissions::default() }
}

fn echo(body: &[u8]) -> Value {
    serde_json::from_slice(body).expect("echo JSON")
}

fn has_header(echo: &Value, name: &str) -> bool {
    echo["headers"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|pair| pair[0].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_goes_only_to_allowed_hosts_on_every_hop() {
    let allowed = TestServer::start().await;
    let other = TestServer::start().await;
    let host = restricted(&hosts(&[allowed.addr.to_string()]));
    let http = host.http().expect("http");

    let response = within("allowed", http.send(request("GET", allowed.url("/echo"))))
        .await
        .expect("an allowed host");
    assert_eq!(response.status, 200);
    let error = within("denied", http.send(request("GET", other.url("/echo"))))
        .await
        .expect_err("another port is another host");
    assert_eq!(error.kind, EffectErrorKind::NotPermitted);
    assert_eq!(
        error.message,
        format!(
            "Permission denied: HTTP requests to http://{} are not allowed for this run",
            other.addr
        )
    );

    // A redirect within the allowed host is followed; one to another host is refused before
    // anything is sent there.
    let followed = within("same host", http.send(request("GET", allowed.url("/redirect"))))
        .await
        .expect("followed");
    assert_eq!(
        (followed.status, echo(&followed.body)["target"].as_str()),
        (200, Some("/echo?redirected=1"))
    );
    for status in ["301", "302", "303", "307", "308"] {
        let error = within(
            "redirect out",
            http.send(request(
                "POST",
                allowed.url(&format!("/redirect-{status}?{}", other.url("/echo"))),
            )),
        )
        .await
        .expect_err(status);
        assert_eq!(error.kind, EffectErrorKind::NotPermitted, "{status}");
    }
    assert_eq!(
        other.observed.connections.load(Ordering::SeqCst),
        0,
        "no request reached the other host"
    );

    let mut manual = request("GET", allowed.url(&format!("/redirect-302?{}", other.url("/echo"))));
    manual.follow_redirects = false;
    assert_eq!(
        within("unfollowed", http.send(manual)).await.expect("the redirect itself").status,
        302
    );
    let error = within("a loop", http.send(request("GET", allowed.url("/redirect-loop"))))
        .await
        .expect_err("a loop ends");
    assert!(error.message.ends_with("too many redirects"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirect_hops_are_rewritten_as_fetch_does() {
    let first = TestServer::start().await;
    let second = TestServer::start().await;
    let host = restricted(&hosts(&[first.addr.to_string(), second.addr.to_string()]));
    let http = host.http().expect("http");
    let hop = |status: &str, method: &str, to: &TestServer| {
        request(method, first.url(&format!("/redirect-{status}?{}", to.url("/echo"))))
    };

    let kept = echo(&within("307", http.send(hop("307", "POST", &first))).await.expect("307").body);
    assert_eq!(
        (kept["method"].as_str(), kept["body"].as_str()),
        (Some("POST"), Some("payload")),
        "307 keeps method and body"
    );
    assert!(has_header(&kept, "authorization"), "same origin keeps credentials");
    let moved =
        echo(&within("303", http.send(hop("303", "POST", &first))).await.expect("303").body);
    assert_eq!(
        (moved["method"].as_str(), moved["body"].as_str()),
        (Some("GET"), Some("")),
        "303 becomes a GET without body"
    );
    assert!(!has_header(&moved, "content-type"));
    let put =
        echo(&within("302 PUT", http.send(hop("302", "PUT", &first))).await.expect("302").body);
    assert_eq!(put["method"].as_str(), Some("PUT"), "only a POST becomes a GET on 301/302");
    let crossed = echo(
        &within("cross-origin", http.send(hop("308", "POST", &second))).await.expect("308").body,
    );
    assert_eq!(crossed["method"].as_str(), Some("POST"));
    assert!(!has_header(&crossed, "authorization"), "credentials are not sent to another origin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_refuses_at_validation_and_at_the_effect() {
    let tree = Tree::new();
    let host = NativeHost::new(Handle::current()).into_shared();
    let run = |flow: Value, permissions: RunPermissions| {
        let flow: NodeDefinition = atomiton_core::value::from_value(flow).expect("flow");
        Engine::with_registry(atomiton_effects::registry(), atomiton_core::EngineConfig::default())
            .run(
                flow,
                RunOptions { permissions: Some(permissions), ..RunOptions::default() },
                host.clone(),
            )
    };
    let shell = json!({"id": "sh", "type": "shell-command", "parameters": {"program": "touch", "args": [tree.path("root/ran")]}});
    let result = within("shell", run(shell, files_within(vec![tree.path("root")]))).await;
    let error = result.error.expect("refused");
    assert_eq!(error.code, ErrorCode::PERMISSION_DENIED);
    assert_eq!(error.message, "Permission denied: node 'sh' (shell-command) needs the 'shell' capability, which this caller was not granted");
    assert!(!tree.exists("root/ran"));

    // The path looks inside the root; only resolving it at the effect shows where it leads.
    symlink(tree.dir.path().join("outside/secret.txt"), tree.dir.path().join("root/innocent.txt"))
        .expect("link");
    let flow = json!({"id": "read", "type": "file-system", "parameters": {"operation": "read", "path": tree.path("root/innocent.txt")}});
    let result = within("escape", run(flow, files_within(vec![tree.path("root")]))).await;
    let error = result.error.expect("refused at the effect");
    assert_eq!(error.code, ErrorCode::PERMISSION_DENIED, "{error:?}");
    assert!(
        error.message.starts_with("[file-system] Read operation failed: Permission denied:"),
        "{}",
        error.message
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_bodies_from_and_to_files_keep_to_the_file_grant() {
    let tree = Tree::new();
    let server = TestServer::start().await;
    let host = NativeHost::new(Handle::current()).into_shared();
    let run = |parameters: Value, permissions: RunPermissions| {
        let flow = json!({"id": "req", "type": "http-request", "parameters": parameters});
        let flow: NodeDefinition = atomiton_core::value::from_value(flow).expect("flow");
        Engine::with_registry(atomiton_effects::registry(), atomiton_core::EngineConfig::default())
            .run(
                flow,
                RunOptions { permissions: Some(permissions), ..RunOptions::default() },
                host.clone(),
            )
    };
    let grant = RunPermissions {
        files: FileAccess::Within { roots: vec![tree.path("root")] },
        http: HttpAccess::To { hosts: vec!["127.0.0.1".to_owned()] },
        ..RunPermissions::default()
    };
    // Inside the grant (the client limited to hosts holds bodies in memory): sent and saved.
    let sent = json!({"method": "POST", "url": server.url("/count"), "bodyFile": tree.path("root/inside.txt"), "responseFile": tree.path("root/sub/answer.json")});
    let result = within("inside", run(sent, grant.clone())).await;
    assert!(result.success, "{:?}", result.error);
    assert_eq!(result.data.as_ref().unwrap()["result"], json!(tree.path("root/sub/answer.json")));
    let answer = std::fs::read_to_string(tree.dir.path().join("root/sub/answer.json")).unwrap();
    assert!(answer.starts_with("{\"bytes\":6,"), "{answer}");
    // A body file outside it is refused at the effect, and so is a response file.
    let leak = json!({"method": "POST", "url": server.url("/count"), "bodyFile": tree.path("outside/secret.txt")});
    let error = within("body outside", run(leak, grant.clone())).await.error.expect("refused");
    assert_eq!(error.code, ErrorCode::PERMISSION_DENIED, "{error:?}");
    let plant =
        json!({"url": server.url("/text"), "responseFile": tree.path("outside/planted.txt")});
    let error = within("response outside", run(plant, grant)).await.error.expect("refused");
    assert_eq!(error.code, ErrorCode::PERMISSION_DENIED, "{error:?}");
    assert!(!tree.exists("outside/planted.txt") && !tree.exists("outside/planted.txt.partial"));
}
