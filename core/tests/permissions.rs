//! Per-run permissions: nodes needing a capability the run lacks are refused before anything
//! runs (`PERMISSION_DENIED`, naming node and capability). What a host that cannot check roots or
//! hosts itself does with partial grants is tested where the effects' executors are
//! (`capabilities/effects/tests/permissions.rs`).

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use atomiton_core::host::{Capabilities, FileAccess, HttpAccess, RunPermissions};
use atomiton_core::json;
use atomiton_core::nodes::builtin_registry;
use atomiton_core::testing::VirtualHost;
use atomiton_core::value::Value;
use atomiton_core::{EngineConfig, ErrorCode, RunOptions};
use common::*;

/// An engine with the built-in types on a host that claims every capability, plus a custom
/// `mark` type that counts its runs (to show nothing ran).
fn harness(marks: Arc<AtomicUsize>) -> Harness {
    let mut h = Harness::with_registry(builtin_registry(), EngineConfig::default());
    h.host = VirtualHost::new().with_capabilities(Capabilities::ALL);
    h.sync("mark", move |_| {
        marks.fetch_add(1, Ordering::SeqCst);
        Ok(Some(json!("marked")))
    });
    h
}

fn flow() -> atomiton_core::NodeDefinition {
    let inner = group(
        "inner",
        vec![
            node("sh", "shell-command").with_param("program", "echo"),
            node("img", "image")
                .with_param("operation", "overlay")
                .with_param("images", json!(["a.png", "b.png"]))
                .with_param("output", "out.png"),
        ],
        vec![],
    );
    group(
        "root",
        vec![
            node("first", "mark"),
            node("read", "file-system")
                .with_param("operation", "read")
                .with_param("path", "/etc/passwd"),
            inner,
            node("fetch", "http-request").with_param("url", "http://example.com"),
            node("pure", "transform").with_param("data", json!([1])),
        ],
        vec![edge("first", "read")],
    )
}

fn with_permissions(h: &Harness, permissions: RunPermissions) -> atomiton_core::ExecutionResult {
    h.run_with(flow(), RunOptions { permissions: Some(permissions), ..h.options() })
}

#[test]
fn denied_capabilities_refuse_the_run_before_anything_runs() {
    let marks = Arc::new(AtomicUsize::new(0));
    let h = harness(marks.clone());
    let result = with_permissions(&h, RunPermissions::default());
    assert!(!result.success);
    assert_eq!(marks.load(Ordering::SeqCst), 0, "the custom node before them never ran");
    assert_eq!(ids(&result), strs(&["root"]));
    let error = result.error.expect("an error");
    assert_eq!(error.code, ErrorCode::PERMISSION_DENIED);
    assert_eq!(error.message, "Permission denied: node 'read' (file-system) needs the 'files' capability, which this caller was not granted");
    let issues =
        error.context.as_ref().and_then(|c| c.get("issues")).cloned().unwrap_or(Value::Null);
    let found: Vec<(String, String)> = issues
        .as_array()
        .map(|issues| {
            issues
                .iter()
                .map(|i| {
                    (
                        i["path"]
                            .as_array()
                            .map(|p| {
                                p.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("/")
                            })
                            .unwrap_or_default(),
                        i["message"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(paths, ["root/read", "root/inner/sh", "root/inner/img", "root/fetch"], "{found:?}");
    assert!(found[1].1.contains("'sh' (shell-command) needs the 'shell' capability"), "{found:?}");
    assert!(found[2].1.contains("needs the 'files' capability"), "an image reads files: {found:?}");
    assert!(found[3].1.contains("'fetch' (http-request) needs the 'http' capability"), "{found:?}");
    for issue in issues.as_array().into_iter().flatten() {
        assert_eq!(issue["code"], "PERMISSION_DENIED");
    }
}

#[test]
fn each_capability_is_checked_on_its_own() {
    let h = harness(Arc::new(AtomicUsize::new(0)));
    let files = FileAccess::Within { roots: vec!["/srv/data".into()] };
    let all_but_image = RunPermissions {
        shell: true,
        image: false,
        files: files.clone(),
        http: HttpAccess::To { hosts: vec!["example.com".into()] },
        ..RunPermissions::default()
    };
    let error = with_permissions(&h, all_but_image).error.expect("image is denied");
    assert_eq!(error.message, "Permission denied: node 'img' (image) needs the 'image' capability, which this caller was not granted");
    let error = with_permissions(
        &h,
        RunPermissions {
            shell: false,
            image: true,
            files,
            http: HttpAccess::Any(true),
            ..RunPermissions::default()
        },
    )
    .error
    .expect("shell is denied");
    assert_eq!(error.message, "Permission denied: node 'sh' (shell-command) needs the 'shell' capability, which this caller was not granted");
}

#[test]
fn granted_capabilities_pass_validation_and_custom_types_are_not_checked() {
    let marks = Arc::new(AtomicUsize::new(0));
    let h = harness(marks.clone());
    let result = h.run_with(
        group(
            "g",
            vec![node("first", "mark"), node("pure", "transform").with_param("data", json!([1]))],
            vec![],
        ),
        RunOptions { permissions: Some(RunPermissions::default()), ..h.options() },
    );
    assert!(result.success, "{:?}", result.error);
    assert_eq!(marks.load(Ordering::SeqCst), 1);
    // Everything granted: validation passes; the virtual host has no real effects, so the first
    // effect fails for that reason, not for permissions.
    let result = with_permissions(&h, RunPermissions::all());
    assert_ne!(result.error.map(|e| e.code), Some(ErrorCode::PERMISSION_DENIED));
}
