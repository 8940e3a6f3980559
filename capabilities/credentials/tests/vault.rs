//! The vault over a real store (the engine's memory backend; the binding's file, PostgreSQL and
//! Redis stores run the same calls in the npm tests): what is kept is sealed, opens only with
//! its key under its own name, and lists without a key.

use std::sync::Arc;

use atomiton_core::error::ErrorCode;
use atomiton_core::host::effects::{Credential, CredentialSource};
use atomiton_core::session::CredentialVault;
use atomiton_core::storage::{MemoryBackend, StorageBackend};
use atomiton_core::testing::wait as block_on;
use atomiton_core::value::{Map, Str, Value};
use atomiton_credentials::{Key, KeySource, Vault};

const SECRET: &str = "correct-horse-battery-staple";

fn key(byte: u8) -> Key {
    Key::parse(&format!("{byte:02x}").repeat(32)).unwrap()
}

fn source(key: Key) -> KeySource {
    Arc::new(move |_create| Ok(key.clone()))
}

fn warehouse() -> Credential {
    let mut fields = Map::new();
    fields.insert(Str::from("host"), Value::String("127.0.0.1".into()));
    fields.insert(Str::from("password"), Value::String(SECRET.into()));
    Credential { kind: "postgres".into(), fields }
}

#[test]
fn a_credential_is_kept_sealed_and_reads_back_with_its_key() {
    let backend = Arc::new(MemoryBackend::new());
    let vault = Vault::new(backend.clone(), source(key(1)));
    block_on(vault.set("warehouse".into(), warehouse())).unwrap();
    let kept = block_on(backend.read("warehouse.credential")).unwrap().unwrap();
    assert!(!kept.contains(SECRET) && !kept.contains("127.0.0.1"), "{kept}");
    assert_eq!(block_on(vault.credential("warehouse")).unwrap(), Some(warehouse()));
    assert_eq!(block_on(vault.credential("other")).unwrap(), None);
    // Another process with the same key reads it; one with another key is locked out.
    let same = Vault::new(backend.clone(), source(key(1)));
    assert_eq!(block_on(same.credential("warehouse")).unwrap(), Some(warehouse()));
    let other = Vault::new(backend.clone(), source(key(2)));
    let error = block_on(other.credential("warehouse")).unwrap_err();
    assert_eq!(error.code, ErrorCode::CREDENTIALS_LOCKED);
    assert!(!error.message.contains(SECRET));
}

#[test]
fn a_record_copied_under_another_name_does_not_open() {
    let backend = Arc::new(MemoryBackend::new());
    let vault = Vault::new(backend.clone(), source(key(1)));
    block_on(vault.set("warehouse".into(), warehouse())).unwrap();
    let kept = block_on(backend.read("warehouse.credential")).unwrap().unwrap();
    block_on(backend.write("stolen.credential", kept.clone())).unwrap();
    let error = block_on(vault.credential("stolen")).unwrap_err();
    assert_eq!(error.code, ErrorCode::CREDENTIALS_LOCKED);
    // Nor with its type changed in clear.
    block_on(backend.write("warehouse.credential", kept.replace("postgres", "mysql"))).unwrap();
    assert_eq!(
        block_on(vault.credential("warehouse")).unwrap_err().code,
        ErrorCode::CREDENTIALS_LOCKED
    );
}

#[test]
fn list_gives_names_and_types_and_delete_removes() {
    let backend = Arc::new(MemoryBackend::new());
    let vault = Vault::new(backend.clone(), source(key(1)));
    block_on(vault.set("warehouse".into(), warehouse())).unwrap();
    block_on(vault.set("local".into(), Credential { kind: "sqlite".into(), fields: Map::new() }))
        .unwrap();
    // A flow beside them is not a credential.
    block_on(backend.write("flow-1.flow.yaml", "id: flow-1".into())).unwrap();
    // A locked vault still lists (no key needed) and deletes.
    let locked = Vault::new(backend.clone(), Arc::new(|_| Err("no key was given".into())));
    let list = block_on(locked.list()).unwrap();
    let names: Vec<(&str, &str)> =
        list.credentials.iter().map(|c| (c.name.as_str(), c.kind.as_str())).collect();
    assert_eq!(names, [("local", "sqlite"), ("warehouse", "postgres")]);
    let error = block_on(locked.set("x".into(), warehouse())).unwrap_err();
    assert_eq!(error.code, ErrorCode::CREDENTIALS_LOCKED);
    assert!(error.message.contains("no key was given"), "{}", error.message);
    assert!(block_on(locked.delete("local".into())).unwrap());
    assert!(!block_on(locked.delete("local".into())).unwrap());
    assert_eq!(block_on(vault.list()).unwrap().credentials.len(), 1);
}

#[test]
fn setting_again_rotates_for_the_next_read() {
    let backend = Arc::new(MemoryBackend::new());
    let vault = Vault::new(backend, source(key(1)));
    block_on(vault.set("warehouse".into(), warehouse())).unwrap();
    let mut rotated = warehouse();
    rotated.fields.insert(Str::from("password"), Value::String("new-password-2".into()));
    block_on(vault.set("warehouse".into(), rotated.clone())).unwrap();
    assert_eq!(block_on(vault.credential("warehouse")).unwrap(), Some(rotated));
}
