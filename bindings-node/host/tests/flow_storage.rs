//! Flow storage on each native backend, against the real thing: files in a directory (written
//! atomically) and a real PostgreSQL server — the one contract every backend meets
//! (`atomiton_core::testing::flow_storage`), and what each keeps across a reopen (a new process).

mod common;

use atomiton_core::storage::StorageBackend;
use atomiton_core::testing::flow_storage::check_flow_storage;
use atomiton_core::testing::wait;
use atomiton_native_host::{FileStorage, PostgresStorage};
use common::postgres_server::PostgresServer;
use common::{runtime, TempDir};

/// What one backend kept is what a second one on the same place reads.
fn kept_across_a_reopen(first: &dyn StorageBackend, reopened: &dyn StorageBackend) {
    wait(first.write("kept.flow.yaml", "id: kept\n".to_owned())).expect("write");
    let read = wait(reopened.read("kept.flow.yaml")).expect("read");
    assert_eq!(read.as_deref(), Some("id: kept\n"));
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
