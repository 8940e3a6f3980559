//! File watches on a real folder, with the native host's files and the `notify` watcher: files
//! present at activation do not fire; 100 files copied in fire once each; a file written in two
//! parts fires once, complete; a change and a deletion fire as such; two processes on one SQLite
//! store fire each file once between them; a process started after files arrived finds them.
//! Waits are for counts, with deadlines far beyond what a scan takes; the debounce (2 s) is
//! thousands of times what two back-to-back writes take.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use atomiton_core::json;
use atomiton_core::session::{FireToStart, FlowTriggers};
use atomiton_core::value::Value;
use atomiton_native_host::folder_watcher::NotifyFolders;
use atomiton_native_host::triggers::sqlite_triggers;
use atomiton_native_host::NativeHost;
use atomiton_triggers::{TriggerService, TriggerStore};
use common::TempDir;

fn flow(folder: &std::path::Path, extra: Value) -> Value {
    let mut parameters = json!({"path": folder.to_string_lossy().into_owned(), "patterns": ["*.csv"], "debounce": 2000});
    if let (Value::Object(map), Value::Object(more)) = (&mut parameters, extra) {
        map.extend(more);
    }
    json!({"id": "inbox", "nodes": [
        {"id": "watch", "type": "file-watch", "parameters": parameters},
        {"id": "work", "type": "transform", "parameters": {}},
    ]})
}

fn service(
    runtime: &tokio::runtime::Runtime,
    store: Arc<dyn TriggerStore>,
    name: &str,
) -> TriggerService {
    let host = NativeHost::new(runtime.handle().clone()).into_shared();
    TriggerService::new(store, host, name).with_watcher(Arc::new(NotifyFolders::new()))
}

/// Calls `due` on each process until `enough` says the fires so far are enough (or 60 s pass).
fn fires_until(
    runtime: &tokio::runtime::Runtime,
    processes: &[&TriggerService],
    enough: impl Fn(&[FireToStart]) -> bool,
) -> Vec<FireToStart> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut fires = Vec::new();
    while !enough(&fires) && Instant::now() < deadline {
        for process in processes {
            fires.extend(runtime.block_on(process.due()).expect("due").start);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    fires
}

fn field<'a>(
    fire: &'a FireToStart,
    pick: fn(&'a atomiton_core::session::FireInput) -> &'a Option<String>,
) -> &'a str {
    pick(&fire.trigger).as_deref().unwrap_or_default()
}

#[test]
fn files_copied_in_fire_once_each_and_the_files_there_before_do_not() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let dir = TempDir::new("file-watch");
    let inbox = dir.path().join("inbox");
    std::fs::create_dir_all(&inbox).expect("inbox");
    std::fs::write(inbox.join("old.csv"), "was here").expect("old file");
    std::fs::write(inbox.join("notes.txt"), "not watched").expect("other file");
    let store = sqlite_triggers(&dir.path().join("history.db")).expect("store");
    let (first, second) =
        (service(&runtime, store.clone(), "p1"), service(&runtime, store.clone(), "p2"));
    let active = runtime
        .block_on(first.activate(
            "inbox".into(),
            flow(&inbox, json!({"events": ["created", "changed", "deleted"]})),
            None,
        ))
        .expect("activated");
    assert_eq!(active.triggers[0].kind, "file-watch");

    // Staged beside the folder, then moved in whole: as a copy into it lands.
    let staged = dir.path().join("staged");
    std::fs::create_dir_all(&staged).expect("staged");
    for n in 0..100 {
        let file = staged.join(format!("order-{n:03}.csv"));
        std::fs::write(&file, format!("id,total\n{n},{}\n", n * 10)).expect("written");
        std::fs::rename(&file, inbox.join(format!("order-{n:03}.csv"))).expect("moved in");
    }
    let fires = fires_until(&runtime, &[&first, &second], |fires| fires.len() >= 100);
    let mut by_file: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for fire in &fires {
        by_file
            .entry(field(fire, |t| &t.relative_path).to_owned())
            .or_default()
            .push(field(fire, |t| &t.event));
    }
    assert_eq!(
        by_file.len(),
        100,
        "each copied file fired: {:?}",
        by_file.keys().take(3).collect::<Vec<_>>()
    );
    assert!(by_file.values().all(|events| events == &["created"]), "each once, as created");
    assert!(!by_file.contains_key("old.csv") && !by_file.contains_key("notes.txt"));
    let fire = &fires[0];
    assert!(
        field(fire, |t| &t.path).ends_with(&format!("inbox/{}", field(fire, |t| &t.relative_path)))
    );
    assert!(fire.trigger.size.is_some_and(|size| size > 0.0));

    // Each is a fire of its own in `fires()`, with its run, whichever process fired it (files
    // moved in within one ms take keys one ms apart).
    let watch =
        || atomiton_core::session::TriggerRef { flow_id: "inbox".into(), node_id: "watch".into() };
    let listed = runtime.block_on(second.fires(watch(), 1000)).expect("fires").fires;
    let mut runs: Vec<_> = listed.iter().filter_map(|f| f.execution_id.clone()).collect();
    let mut started: Vec<_> = fires.iter().map(|f| f.execution_id.clone()).collect();
    runs.sort();
    started.sort();
    assert_eq!(runs, started, "each fire listed once, with its run");
    assert!(fires.iter().all(|f| f.recorded));
    runtime.block_on(first.ended(watch(), fire.scheduled_at, false)).expect("ended");
    let listed = runtime.block_on(first.fires(watch(), 1000)).expect("fires").fires;
    let ended = listed.iter().find(|f| f.execution_id.as_ref() == Some(&fire.execution_id));
    assert_eq!(ended.map(|f| f.status.as_str()), Some("failed"));

    // Quiet again: nothing more fires, however often either process looks.
    for _ in 0..5 {
        for process in [&first, &second] {
            assert!(runtime.block_on(process.due()).expect("due").start.is_empty());
        }
    }
}

#[test]
fn a_file_written_in_parts_fires_once_complete_and_changes_and_deletions_fire_as_such() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let dir = TempDir::new("file-watch-parts");
    let inbox = dir.path().join("inbox");
    std::fs::create_dir_all(&inbox).expect("inbox");
    let store = sqlite_triggers(&dir.path().join("history.db")).expect("store");
    let watcher = service(&runtime, store.clone(), "p1");
    let events = json!({"events": ["created", "changed", "deleted"]});
    runtime
        .block_on(watcher.activate("inbox".into(), flow(&inbox, events), None))
        .expect("activated");

    let path = inbox.join("big.csv");
    {
        use std::io::Write;
        let mut file = std::fs::File::create(&path).expect("created");
        file.write_all(b"id,total\n1,10\n").expect("first part");
        file.flush().expect("flushed");
        // Scanned while half written: it waits for its debounce.
        assert!(runtime.block_on(watcher.due()).expect("due").start.is_empty());
        file.write_all(b"2,20\n").expect("second part");
    }
    let complete = std::fs::metadata(&path).expect("stat").len() as f64;
    let fires = fires_until(&runtime, &[&watcher], |fires| !fires.is_empty());
    assert_eq!(fires.len(), 1);
    assert_eq!(
        (field(&fires[0], |t| &t.event), fires[0].trigger.size),
        ("created", Some(complete))
    );

    std::fs::write(&path, "id,total\n1,10\n2,20\n3,30\n").expect("changed");
    let changed = fires_until(&runtime, &[&watcher], |fires| !fires.is_empty());
    assert_eq!(changed.iter().map(|f| field(f, |t| &t.event)).collect::<Vec<_>>(), ["changed"]);

    std::fs::remove_file(&path).expect("deleted");
    let deleted = fires_until(&runtime, &[&watcher], |fires| !fires.is_empty());
    assert_eq!(deleted.iter().map(|f| field(f, |t| &t.event)).collect::<Vec<_>>(), ["deleted"]);
}

#[test]
fn a_process_started_after_files_arrived_finds_them_and_fires_nothing_twice() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let dir = TempDir::new("file-watch-restart");
    let inbox = dir.path().join("inbox");
    std::fs::create_dir_all(&inbox).expect("inbox");
    let db = dir.path().join("history.db");
    {
        let before = service(&runtime, sqlite_triggers(&db).expect("store"), "before");
        runtime
            .block_on(before.activate("inbox".into(), flow(&inbox, json!({})), None))
            .expect("activated");
        std::fs::write(inbox.join("seen.csv"), "1").expect("written");
        let fired = fires_until(&runtime, &[&before], |fires| !fires.is_empty());
        assert_eq!(fired.len(), 1);
    }
    // Nothing runs now; a file arrives.
    std::fs::write(inbox.join("while-down.csv"), "2").expect("written");
    let after = service(&runtime, sqlite_triggers(&db).expect("store"), "after");
    let fired = fires_until(&runtime, &[&after], |fires| !fires.is_empty());
    let names: Vec<&str> = fired.iter().map(|f| field(f, |t| &t.relative_path)).collect();
    assert_eq!(names, ["while-down.csv"], "found by the first scan; seen.csv not again");
}

#[test]
fn a_recursive_watch_sees_folders_below_and_its_patterns_match_paths_relative_to_the_folder() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let dir = TempDir::new("file-watch-recursive");
    let inbox = dir.path().join("inbox");
    std::fs::create_dir_all(inbox.join("2026/11")).expect("folders");
    let store = sqlite_triggers(&dir.path().join("history.db")).expect("store");
    let watcher = service(&runtime, store, "p1");
    let parameters = json!({
        "path": inbox.to_string_lossy().into_owned(),
        "patterns": ["2026/**/*.json", "top.json"],
        "recursive": true,
        "debounce": 100,
    });
    let flow = json!({"id": "inbox", "nodes": [{"id": "watch", "type": "file-watch", "parameters": parameters}]});
    runtime.block_on(watcher.activate("inbox".into(), flow, None)).expect("activated");
    for file in ["2026/11/a.json", "2026/b.json", "top.json", "2026/11/c.txt", "other.json"] {
        std::fs::write(inbox.join(file), "{}").expect("written");
    }
    let fires = fires_until(&runtime, &[&watcher], |fires| fires.len() >= 3);
    let mut names: Vec<&str> = fires.iter().map(|f| field(f, |t| &t.relative_path)).collect();
    names.sort_unstable();
    assert_eq!(names, ["2026/11/a.json", "2026/b.json", "top.json"]);

    // Not recursive, the same patterns see only the folder itself.
    let flat = json!({"path": inbox.to_string_lossy().into_owned(), "patterns": ["*.json"], "recursive": false, "debounce": 100});
    let flow =
        json!({"id": "flat", "nodes": [{"id": "watch", "type": "file-watch", "parameters": flat}]});
    runtime.block_on(watcher.activate("flat".into(), flow, None)).expect("activated");
    std::fs::write(inbox.join("2026/11/d.json"), "{}").expect("written below");
    std::fs::write(inbox.join("e.json"), "{}").expect("written");
    let fires =
        fires_until(&runtime, &[&watcher], |fires| fires.iter().any(|f| f.flow_id == "flat"));
    let flat: Vec<&str> = fires
        .iter()
        .filter(|f| f.flow_id == "flat")
        .map(|f| field(f, |t| &t.relative_path))
        .collect();
    assert_eq!(flat, ["e.json"]);
}

#[test]
fn a_watch_activated_with_permissions_lists_only_within_their_roots_and_its_runs_get_them() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let dir = TempDir::new("file-watch-roots");
    let (inbox, elsewhere) = (dir.path().join("inbox"), dir.path().join("elsewhere"));
    std::fs::create_dir_all(&inbox).expect("inbox");
    std::fs::create_dir_all(&elsewhere).expect("elsewhere");
    let store = sqlite_triggers(&dir.path().join("history.db")).expect("store");
    let process = service(&runtime, store, "p1");
    let within = |root: &std::path::Path| {
        atomiton_core::host::RunPermissions::read(
            &json!({"files": {"roots": [root.to_string_lossy().into_owned()]}}),
        )
        .expect("permissions")
    };

    // A folder outside the roots: refused, nothing activated.
    let refused = runtime
        .block_on(process.activate(
            "inbox".into(),
            flow(&inbox, json!({})),
            Some(within(&elsewhere)),
        ))
        .expect_err("outside the roots");
    assert_eq!(refused.code.as_str(), "PERMISSION_DENIED", "{}", refused.message);
    assert!(runtime.block_on(process.list()).expect("list").triggers.is_empty());

    // Within them: its fires carry the permissions to their runs.
    let granted = within(&inbox);
    runtime
        .block_on(process.activate("inbox".into(), flow(&inbox, json!({})), Some(granted.clone())))
        .expect("activated within its roots");
    std::fs::write(inbox.join("new.csv"), "a,b").expect("a new file");
    let fires = fires_until(&runtime, &[&process], |fires| !fires.is_empty());
    assert_eq!(fires.len(), 1, "{fires:?}");
    assert_eq!(fires[0].permissions.as_ref(), Some(&granted));
}
