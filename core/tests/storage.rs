//! Flow storage logic over the memory backend.

use std::sync::Arc;

use atomiton_core::json;
use atomiton_core::storage::{FlowStore, ListOptions, MemoryBackend, SortBy, SortOrder};
use atomiton_core::testing::VirtualHost;
use atomiton_core::value::Value;
use atomiton_core::ErrorCode;

fn block<T: Send + 'static>(f: impl std::future::Future<Output = T> + Send + 'static) -> T {
    VirtualHost::new().block_on(f)
}

fn flow(id: &str, name: &str) -> Value {
    json!({"id": id, "name": name, "type": "group", "nodes": [{"id": "a", "type": "transform", "custom": {"kept": true}}], "edges": []})
}

const T0: f64 = 1_704_067_200_000.0;

#[test]
fn save_load_list_delete() {
    let store = FlowStore::new(Arc::new(MemoryBackend::new()));
    let s = store.clone();
    let (saved, event) =
        block(async move { s.save(flow("one", "First"), T0, || unreachable!()).await.unwrap() });
    assert_eq!(saved["savedAt"], "2024-01-01T00:00:00.000Z");
    assert_eq!(saved["version"], "1.0.0");
    assert_eq!((event.id.as_str(), event.name.as_str()), ("one", "First"));
    let s = store.clone();
    let loaded = block(async move { s.load("one").await.unwrap() });
    assert_eq!(loaded, saved, "unknown fields survive the YAML round trip");
    assert_eq!(loaded["nodes"][0]["custom"], json!({"kept": true}));
    let s = store.clone();
    block(async move {
        s.save(flow("two", "beta"), T0 + 2000.0, || unreachable!()).await.unwrap();
        s.save(flow("three", "Alpha"), T0 + 1000.0, || unreachable!()).await.unwrap();
        // Saving again keeps createdAt and moves savedAt.
        s.save(flow("one", "First"), T0 + 5000.0, || unreachable!()).await.unwrap();
    });
    let s = store.clone();
    let page = block(async move { s.list(&ListOptions::default()).await.unwrap() });
    assert_eq!(page.total, 3);
    assert_eq!(
        page.flows.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
        vec!["one", "two", "three"],
        "newest first"
    );
    assert_eq!(page.flows[0].created_at, "2024-01-01T00:00:00.000Z");
    assert_eq!(page.flows[0].saved_at, "2024-01-01T00:00:05.000Z");
    assert_eq!(page.flows[0].node_count, 1);
    let s = store.clone();
    let by_name = block(async move {
        s.list(&ListOptions {
            sort_by: SortBy::Name,
            sort_order: SortOrder::Asc,
            limit: 2,
            offset: 1,
        })
        .await
        .unwrap()
    });
    assert_eq!(
        by_name.flows.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
        vec!["beta", "First"]
    );
    assert_eq!(by_name.total, 3);
    let s = store.clone();
    block(async move { s.delete("two").await.unwrap() });
    let s = store.clone();
    let missing = block(async move { s.load("two").await.unwrap_err() });
    assert_eq!(
        (missing.code, missing.message.as_str()),
        (ErrorCode::NODE_NOT_FOUND, "Flow with id two not found")
    );
    let s = store.clone();
    assert_eq!(
        block(async move { s.delete("two").await.unwrap_err().message }),
        "Flow with id two not found"
    );
}

#[test]
fn refuses_hostile_ids_empty_flows_and_generates_ids() {
    let store = FlowStore::new(Arc::new(MemoryBackend::new()));
    for bad in ["../escape", "a/b", ".hidden", ""] {
        let s = store.clone();
        let id = bad.to_owned();
        let error = block(async move { s.load(&id).await.unwrap_err() });
        assert_eq!(error.code, ErrorCode::VALIDATION_FAILED, "{bad:?}");
        let s = store.clone();
        let f = flow(bad, "x");
        if !bad.is_empty() {
            assert!(
                block(async move { s.save(f, T0, || "fresh".into()).await }).is_err(),
                "{bad:?}"
            );
        }
    }
    let s = store.clone();
    let error = block(async move {
        s.save(json!({"id": "x", "nodes": []}), T0, || unreachable!()).await.unwrap_err()
    });
    assert_eq!(error.message, "Flow must contain at least one node");
    let s = store.clone();
    let (saved, _) = block(async move {
        s.save(json!({"name": "no id", "nodes": [{"id": "n", "type": "t"}]}), T0, || {
            "generated-1".into()
        })
        .await
        .unwrap()
    });
    assert_eq!(saved["id"], "generated-1");
}

#[test]
fn old_storage_versions_are_upgraded_on_load() {
    let backend = Arc::new(MemoryBackend::new());
    let store = FlowStore::new(backend.clone());
    block(async move {
        atomiton_core::storage::StorageBackend::write(
            &*backend,
            "old.flow.yaml",
            "id: old\nname: Old\nversion: 0.9.0\nnodes:\n  - id: a\n    type: t\n".into(),
        )
        .await
        .unwrap();
        assert_eq!(store.load("old").await.unwrap()["version"], "1.0.0");
    });
}

/// The TypeScript engine stamped every saved flow "1.0.0"; a flow of the ports model (version 2
/// or later) keeps its version, which decides what its edges mean. A saved flow without a name
/// is a flow file the YAML flow reader (the CLI's) reads.
#[test]
fn a_version_two_flow_keeps_its_version_and_a_saved_flow_reads_as_a_flow_file() {
    let backend = Arc::new(MemoryBackend::new());
    let store = FlowStore::new(backend.clone());
    let s = store.clone();
    let (v2, old) = block(async move {
        let mut v2 = flow("v2", "");
        v2["version"] = json!("2");
        let v2 = s.save(v2, T0, || unreachable!()).await.unwrap().0;
        let mut old = flow("old", "");
        old["version"] = json!("1.2.0");
        (v2, s.save(old, T0, || unreachable!()).await.unwrap().0)
    });
    assert_eq!(v2["version"], "2");
    assert_eq!(old["version"], "1.0.0");
    let s = store.clone();
    assert_eq!(block(async move { s.load("v2").await.unwrap() })["version"], "2");
    let mut nameless = flow("nameless", "");
    if let Value::Object(map) = &mut nameless {
        map.shift_remove("name");
    }
    let s = store.clone();
    block(async move { s.save(nameless, T0, || unreachable!()).await.unwrap() });
    let text = block(async move {
        use atomiton_core::storage::StorageBackend;
        backend.read("nameless.flow.yaml").await.unwrap().expect("written")
    });
    let read = atomiton_core::format::parse_flow_yaml(&text, &Default::default()).unwrap();
    assert_eq!(read.id_str(), "nameless");
}

#[test]
fn the_memory_backend_meets_the_flow_storage_contract() {
    let backend = Arc::new(MemoryBackend::new());
    block(async move { atomiton_core::testing::flow_storage::check_flow_storage(&*backend).await });
}
