//! The contract every flow storage backend ([`StorageBackend`]: memory, files, PostgreSQL, the
//! wasm engine's files and IndexedDB) meets, as one check each backend's tests run: an empty
//! store, texts kept exactly, replacement, removal, listing, many writes at once, and a large
//! flow.

use crate::storage::StorageBackend;

/// The keys the check writes: flow ids as the flow store makes them (`<id>.flow.yaml`).
const KEYS: [&str; 3] = ["first.flow.yaml", "second-flow_2.flow.yaml", "third.v2.flow.yaml"];

/// Checks `backend`, empty, against the contract. Run it on the executor the backend's futures
/// need.
pub async fn check_flow_storage(backend: &dyn StorageBackend) {
    let keys = |backend: &dyn StorageBackend| {
        let listed = backend.keys();
        async move {
            let mut keys = listed.await.expect("keys are listed");
            keys.sort();
            keys
        }
    };
    assert!(keys(backend).await.is_empty(), "an empty store lists no keys");
    assert_eq!(backend.read(KEYS[0]).await.expect("read"), None, "nothing to read");
    assert!(!backend.remove(KEYS[0]).await.expect("remove"), "nothing to remove");

    // A text comes back exactly as it went in: lines, quotes, tabs, any character.
    let text = "id: first\nname: \"Fïrst\" — 😀\n\tnodes: []\r\nend: '\\n'\n";
    backend.write(KEYS[0], text.to_owned()).await.expect("write");
    assert_eq!(backend.read(KEYS[0]).await.expect("read").as_deref(), Some(text));

    // A second write replaces the first whole.
    backend.write(KEYS[0], "id: first\n".to_owned()).await.expect("write");
    assert_eq!(backend.read(KEYS[0]).await.expect("read").as_deref(), Some("id: first\n"));

    // Many writes at once each land; every key is listed once.
    let writes = KEYS[1..].iter().map(|key| backend.write(key, format!("id: {key}\n")));
    for written in futures::future::join_all(writes).await {
        written.expect("write");
    }
    let mut expected: Vec<String> = KEYS.iter().map(|k| (*k).to_owned()).collect();
    expected.sort();
    assert_eq!(keys(backend).await, expected);
    for key in &KEYS[1..] {
        assert_eq!(backend.read(key).await.expect("read"), Some(format!("id: {key}\n")));
    }

    // A large flow (4 MiB) is kept whole.
    let large: String = "- {id: n, type: transform}\n".repeat(4 * 1024 * 1024 / 26);
    backend.write(KEYS[1], large.clone()).await.expect("a large write");
    assert_eq!(backend.read(KEYS[1]).await.expect("read").map(|t| t.len()), Some(large.len()));

    // Removal: once true, then false; the others stay.
    assert!(backend.remove(KEYS[0]).await.expect("remove"));
    assert!(!backend.remove(KEYS[0]).await.expect("remove"));
    assert_eq!(backend.read(KEYS[0]).await.expect("read"), None);
    assert_eq!(keys(backend).await.len(), KEYS.len() - 1);
    // A key removed can be written again.
    backend.write(KEYS[0], "id: again\n".to_owned()).await.expect("write");
    assert_eq!(backend.read(KEYS[0]).await.expect("read").as_deref(), Some("id: again\n"));
}
