//! The node reference (`docs/nodes.md`): every example of every built-in type is run here, on
//! the native host with real files, processes and a loopback HTTP server, and the reference is
//! written with the outputs they gave. The test fails while the committed file differs
//! (`ATOMITON_WRITE_DOCS=1` rewrites it), and while an example fails to validate or run where
//! it is not meant to.

mod common;

use std::path::Path;

use atomiton_catalog::{node_reference, NodeExample};
use atomiton_core::value::{Map, Value};
use atomiton_core::{Engine, NodeDefinition, RunOptions};
use atomiton_native_host::python::find_interpreter;
use atomiton_native_host::{NativeHost, NativePython};
use common::sandbox::{masked, sandbox};
use common::server::TestServer;
use common::{runtime, TempDir};

/// The credentials the examples name: `shop`, a SQLite database in `dir` whose `customers`
/// table holds Ada and Alan; `model`, the test server's stand-in of a model server at `base`;
/// `mailer`, the stand-in SMTP server on `smtp_port`.
fn credentials(
    dir: &Path,
    base: &str,
    smtp_port: u16,
) -> std::sync::Arc<dyn atomiton_core::host::effects::CredentialSource> {
    let path = dir.join("shop.db");
    let db = rusqlite::Connection::open(&path).expect("the example database opens");
    db.execute_batch(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT);
         INSERT INTO customers VALUES (1, 'Ada', 'uk'), (2, 'Alan', 'uk');",
    )
    .expect("the example database is made");
    let backend = std::sync::Arc::new(atomiton_core::storage::MemoryBackend::new());
    let vault = atomiton_credentials::Vault::new(
        backend,
        atomiton_native_host::credentials_key::key_source(
            atomiton_native_host::credentials_key::Keeping::Memory,
        ),
    );
    let mut fields = Map::new();
    fields.insert(
        atomiton_core::value::Str::from("path"),
        Value::String(path.to_string_lossy().as_ref().into()),
    );
    let shop = atomiton_core::host::effects::Credential { kind: "sqlite".into(), fields };
    let mut fields = Map::new();
    for (name, value) in [
        ("baseUrl", format!("{base}/v1")),
        ("model", "stand-in".into()),
        ("apiKey", "sk-example".into()),
    ] {
        fields.insert(atomiton_core::value::Str::from(name), Value::String(value.as_str().into()));
    }
    let model = atomiton_core::host::effects::Credential { kind: "openai".into(), fields };
    let mut fields = Map::new();
    for (name, value) in [("host", "127.0.0.1"), ("security", "none")] {
        fields.insert(atomiton_core::value::Str::from(name), Value::String(value.into()));
    }
    fields.insert(atomiton_core::value::Str::from("port"), Value::from(f64::from(smtp_port)));
    let mailer = atomiton_core::host::effects::Credential { kind: "smtp".into(), fields };
    for (name, credential) in [("shop", shop), ("model", model), ("mailer", mailer)] {
        atomiton_core::testing::wait(atomiton_core::session::CredentialVault::set(
            &*vault,
            name.into(),
            credential,
        ))
        .expect("the example credential is set");
    }
    vault
}

#[test]
fn the_node_reference_is_current_and_every_example_runs() {
    let rt = runtime();
    let server = rt.block_on(TestServer::start());
    let base = server.url("");
    let smtp_port = rt.block_on(common::smtp::start());
    let mut failures = Vec::new();
    let mut output = |node_type: &str, example: &NodeExample| -> String {
        let dir = TempDir::new("node-reference");
        sandbox(dir.path());
        let parameters: Map = serde_json::from_str(&example.parameters.replace("{server}", &base))
            .expect("an example's parameters are JSON");
        let input: Value = serde_json::from_str(example.input).expect("an example's input is JSON");
        let mut node = NodeDefinition::new("example", node_type);
        for (key, value) in parameters {
            node = node.with_param(&key, value);
        }
        let mut host = NativeHost::new(rt.handle().clone())
            .with_working_dir(dir.path().to_path_buf())
            .with_credentials(credentials(dir.path(), &base, smtp_port))
            .with_mail_ledger(std::sync::Arc::new(atomiton_native_host::mail::InProcess::new(
                atomiton_core::storage::MemoryBackend::new(),
            )));
        if let Ok(Some(interpreter)) = find_interpreter(None, None, None) {
            host = host.with_python(NativePython::new(rt.handle().clone(), interpreter, None, 1));
        }
        let host = host.into_shared();
        let options = RunOptions { input: Some(input), ..Default::default() };
        let mut registry = atomiton_effects::registry();
        // Triggers checked as where they fire (the pattern parsed, the zone found, a hook's
        // path and fields).
        registry.register(atomiton_triggers::schedule_node());
        registry.register(atomiton_triggers::webhook_node());
        registry.register(atomiton_triggers::file_watch_node());
        atomiton_core::session::SessionCapability::provide(
            &atomiton_database::Databases,
            &mut registry,
        );
        atomiton_core::session::SessionCapability::provide(&atomiton_llm::Llm, &mut registry);
        atomiton_core::session::SessionCapability::provide(&atomiton_email::Email, &mut registry);
        let result = rt.block_on(
            Engine::with_registry(registry, atomiton_core::EngineConfig::default())
                .run(node, options, host),
        );
        let shown = match (result.success, result.data, result.error) {
            (true, data, _) => masked(data.unwrap_or(Value::Null), &base),
            (false, _, Some(error)) => {
                // An example that fails says so in its title; any other failure is a bug.
                if !example.title.starts_with("Refuse") {
                    failures.push(format!("{node_type} '{}': {}", example.title, error.message));
                }
                atomiton_core::json!({"error": {"code": error.code.as_str(), "message": error.message}})
            }
            (false, _, None) => Value::Null,
        };
        serde_json::to_string_pretty(&shown).unwrap_or_default()
    };
    let reference = node_reference(&mut output);
    assert!(failures.is_empty(), "examples that failed: {failures:#?}");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/nodes.md");
    if std::env::var_os("ATOMITON_WRITE_DOCS").is_some() {
        std::fs::write(&path, &reference).expect("docs/nodes.md written");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == reference,
        "docs/nodes.md differs from what the engine says: run ATOMITON_WRITE_DOCS=1 cargo test -p atomiton-native-host --test node_reference, and commit the result"
    );
}
