//! Flow storage on each native backend, against the real thing: files in a directory (written
//! atomically), a real PostgreSQL server and a real Redis server — the one contract every backend meets
//! (`atomiton_core::testing::flow_storage`), and what each keeps across a reopen (a new process);
//! and each as the ledger of keyed mail, where of several processes creating one key at once
//! exactly one writes it.

mod common;

use atomiton_core::storage::StorageBackend;
use atomiton_core::testing::flow_storage::check_flow_storage;
use atomiton_core::testing::wait;
use atomiton_native_host::mail::{InProcess, Ledger};
use atomiton_native_host::{FileStorage, PostgresStorage, RedisStorage};
use common::postgres_server::PostgresServer;
use common::redis_server::RedisServer;
use common::{runtime, TempDir};
use std::sync::Arc;

/// What one backend kept is what a second one on the same place reads.
fn kept_across_a_reopen(first: &dyn StorageBackend, reopened: &dyn StorageBackend) {
    wait(first.write("kept.flow.yaml", "id: kept\n".to_owned())).expect("write");
    let read = wait(reopened.read("kept.flow.yaml")).expect("read");
    assert_eq!(read.as_deref(), Some("id: kept\n"));
}

/// `ledgers` (one store each, as processes on one storage have) create one key at once: one
/// writes it and the others leave it; once removed, the key is created again.
async fn created_once(ledgers: Vec<Arc<dyn Ledger>>) {
    let key = "ab12.sent-mail";
    for round in 0..3 {
        let creates = ledgers.iter().enumerate().map(|(n, ledger)| {
            let ledger = ledger.clone();
            async move { ledger.create(key, format!("claim of {n}")).await.expect("create") }
        });
        let won: Vec<usize> = futures::future::join_all(creates)
            .await
            .into_iter()
            .enumerate()
            .filter_map(|(n, won)| won.then_some(n))
            .collect();
        assert_eq!(won.len(), 1, "round {round}: one creates the key, not {won:?}");
        let kept = ledgers[0].read(key).await.expect("read");
        assert_eq!(kept, Some(format!("claim of {}", won[0])), "the winner's text is kept");
        assert!(ledgers[1].remove(key).await.expect("remove"));
    }
}

#[test]
fn files_meet_the_flow_storage_contract() {
    let rt = runtime();
    let dir = TempDir::new("flow-storage-files");
    let open = || FileStorage::new(dir.path().join("flows"), rt.handle().clone());
    rt.block_on(async { check_flow_storage(&open()).await });
    kept_across_a_reopen(&open(), &open());
}

#[test]
fn postgres_meets_the_flow_storage_contract() {
    let server = PostgresServer::start();
    let url = server.database("flows");
    let open = || PostgresStorage::open(&url).expect("opens");
    wait(check_flow_storage(&open()));
    kept_across_a_reopen(&open(), &open());
}

#[test]
fn redis_meets_the_flow_storage_contract() {
    let server = RedisServer::start();
    let url = server.url();
    let open = || RedisStorage::open(&url, "bull:runs:flows").expect("opens");
    wait(check_flow_storage(&open()));
    kept_across_a_reopen(&open(), &open());
    // Another queue's hash on the same server is another store.
    let other = RedisStorage::open(&url, "bull:other:flows").expect("opens");
    assert_eq!(wait(other.read("kept.flow.yaml")).expect("read"), None);
}

#[test]
fn flows_the_typescript_store_kept_in_redis_are_read_after_an_upgrade() {
    let server = RedisServer::start();
    let client = redis::Client::open(server.url()).expect("client");
    let mut conn = client.get_connection().expect("connection");
    // As the package's producers saved them before the engine kept them: codec text under
    // `flows/<id>` fields of the queue's flows hash.
    let legacy = r#"{"id":"old","name":"Old one","nodes":[{"id":"a","type":"transform"}],"version":"1.0.0","savedAt":"2026-01-02T03:04:05.000Z"}"#;
    let _: () = redis::cmd("HSET")
        .arg("q:flows")
        .arg("flows/old")
        .arg(legacy)
        .arg("flows/broken")
        .arg("not a flow")
        .query(&mut conn)
        .expect("hset");
    let store = RedisStorage::open(&server.url(), "q:flows").expect("opens");
    let keys = wait(store.keys()).expect("keys");
    assert!(keys.contains(&"old.flow.yaml".to_owned()), "{keys:?}");
    assert!(!keys.contains(&"flows/old".to_owned()), "moved, not copied: {keys:?}");
    assert!(keys.contains(&"flows/broken".to_owned()), "what is not a flow stays: {keys:?}");
    let text = wait(store.read("old.flow.yaml")).expect("read").expect("kept");
    let flow = atomiton_core::format::parse_yaml_value(&text, &Default::default()).expect("yaml");
    assert_eq!(flow["name"], "Old one");
    assert_eq!(flow["nodes"][0]["type"], "transform");
    assert_eq!(flow["savedAt"], "2026-01-02T03:04:05.000Z");
}

#[test]
fn each_backend_creates_a_ledger_key_once_however_many_processes_ask_at_once() {
    let rt = runtime();
    let dir = TempDir::new("ledger-files");
    let files: Vec<Arc<dyn Ledger>> = (0..4)
        .map(|_| {
            Arc::new(FileStorage::new(dir.path().join("flows"), rt.handle().clone()))
                as Arc<dyn Ledger>
        })
        .collect();
    rt.block_on(created_once(files));
    // The temporary files the losers wrote before linking are gone.
    let names: Vec<_> = std::fs::read_dir(dir.path().join("flows"))
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert!(names.is_empty(), "{names:?}");

    let memory = Arc::new(InProcess::new(atomiton_core::storage::MemoryBackend::new()));
    rt.block_on(created_once((0..4).map(|_| memory.clone() as Arc<dyn Ledger>).collect()));

    let server = PostgresServer::start();
    let url = server.database("ledger");
    // Each on a connection of its own (the stores of a process on one URL share one).
    let postgres = (0..4)
        .map(|n| {
            let apart = format!("{url}?application_name=p{n}");
            Arc::new(PostgresStorage::open(&apart).expect("opens")) as Arc<dyn Ledger>
        })
        .collect();
    wait(created_once(postgres));

    let server = RedisServer::start();
    let url = server.url();
    let redis = ["", "/", "/0", "/00"]
        .iter()
        .map(|db| {
            let apart = format!("{url}{db}");
            Arc::new(RedisStorage::open(&apart, "bull:runs:flows").expect("opens"))
                as Arc<dyn Ledger>
        })
        .collect();
    wait(created_once(redis));
}
