//! `NativeFiles` on a real temporary directory.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use atomiton_core::host::effects::{EffectErrorKind, FileSystem};
use atomiton_native_host::{write_atomic, NativeFiles};
use common::TempDir;
use tokio::runtime::Handle;

fn files() -> NativeFiles {
    NativeFiles::new(Handle::current())
}

/// Names in `dir`, sorted (the OS order is unspecified).
fn names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_read_and_stat_a_file() {
    let dir = TempDir::new("files");
    let path = dir.join("a/b/note.txt");
    files().write(&path, b"hello".to_vec(), true).await.expect("write with parents");
    assert_eq!(files().read(&path).await.expect("read"), b"hello");

    let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs_f64() * 1000.0;
    let stat = files().stat(&path).await.expect("stat").expect("exists");
    assert!(stat.is_file && !stat.is_dir);
    assert_eq!(stat.size, 5);
    let modified = stat.modified_ms.expect("modified time");
    assert!((now - modified).abs() < 60_000.0, "modified {modified}, now {now}");

    let dir_stat = files().stat(&dir.join("a")).await.expect("stat").expect("exists");
    assert!(dir_stat.is_dir && !dir_stat.is_file);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stat_of_nothing_is_none() {
    let dir = TempDir::new("files");
    assert_eq!(files().stat(&dir.join("missing")).await.expect("stat"), None);
    // A path "below" a file does not exist either.
    std::fs::write(dir.path().join("file"), b"x").expect("seed");
    assert_eq!(files().stat(&dir.join("file/below")).await.expect("stat"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_a_missing_file_is_not_found_and_names_the_path() {
    let dir = TempDir::new("files");
    let path = dir.join("missing.txt");
    let error = files().read(&path).await.expect_err("missing");
    assert_eq!(error.kind, EffectErrorKind::NotFound);
    assert!(error.message.contains(&path), "{error}");
    let error = files().read(&dir.join("")).await.expect_err("a directory");
    assert_eq!(error.kind, EffectErrorKind::Other, "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writing_into_a_missing_directory_without_create_parents_fails() {
    let dir = TempDir::new("files");
    let error = files()
        .write(&dir.join("no/such/file.txt"), b"x".to_vec(), false)
        .await
        .expect_err("no parents");
    assert_eq!(error.kind, EffectErrorKind::NotFound, "{error}");
    assert!(!dir.path().join("no").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_replace_contents_atomically_and_leave_no_temporary_files() {
    let dir = TempDir::new("files");
    let path = dir.join("flow.yaml");
    files().write(&path, b"first version, rather long".to_vec(), false).await.expect("write");
    files().write(&path, b"second".to_vec(), false).await.expect("overwrite");
    assert_eq!(std::fs::read(&path).expect("read"), b"second");
    assert_eq!(names(dir.path()), ["flow.yaml"]);

    // Concurrent writers: the file ends up as exactly one of them, never a mix, and every
    // temporary file is gone.
    let contents: Vec<Vec<u8>> = (0..16u8).map(|i| vec![b'a' + i; 64 * 1024]).collect();
    let writes = contents.iter().map(|c| files().write(&path, c.clone(), false));
    for result in futures::future::join_all(writes).await {
        result.expect("concurrent write");
    }
    let last = std::fs::read(&path).expect("read");
    assert!(contents.contains(&last), "file is a mix of writes");
    assert_eq!(names(dir.path()), ["flow.yaml"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_never_see_a_partial_write() {
    let dir = TempDir::new("files");
    let path = dir.join("big.bin");
    let size = 512 * 1024;
    files().write(&path, vec![0u8; size], false).await.expect("seed");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (path, stop) = (path.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut reads = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let bytes = std::fs::read(&path).expect("the file always exists");
                assert_eq!(bytes.len(), size, "a reader saw a partial file");
                assert!(bytes.iter().all(|b| *b == bytes[0]), "a reader saw a mix of two writes");
                reads += 1;
            }
            reads
        })
    };
    for round in 1..=40u8 {
        files().write(&path, vec![round; size], false).await.expect("write");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let reads = reader.join().expect("reader saw only whole files");
    assert!(reads > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_write_leaves_the_target_and_no_temporary_file() {
    let dir = TempDir::new("files");
    std::fs::create_dir(dir.path().join("taken")).expect("seed");
    std::fs::write(dir.path().join("taken/inside"), b"keep").expect("seed");
    let error = files()
        .write(&dir.join("taken"), b"x".to_vec(), false)
        .await
        .expect_err("a directory is in the way");
    assert_eq!(error.kind, EffectErrorKind::Other, "{error}");
    assert_eq!(names(dir.path()), ["taken"]);
    assert_eq!(std::fs::read(dir.path().join("taken/inside")).expect("read"), b"keep");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overwriting_keeps_permissions_and_writes_through_symlinks() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("files");
    let target = dir.path().join("secret.txt");
    std::fs::write(&target, b"old").expect("seed");
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    files().write(&dir.join("secret.txt"), b"new".to_vec(), false).await.expect("write");
    let mode = std::fs::metadata(&target).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    let link = dir.path().join("link.txt");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    files()
        .write(&dir.join("link.txt"), b"via link".to_vec(), false)
        .await
        .expect("write via link");
    assert!(
        std::fs::symlink_metadata(&link).expect("lstat").file_type().is_symlink(),
        "the link is still a link"
    );
    assert_eq!(std::fs::read(&target).expect("read"), b"via link");
    assert_eq!(names(dir.path()), ["link.txt", "secret.txt"]);
}

#[test]
fn write_atomic_is_usable_directly() {
    // The addon's flow storage uses it without going through the effect trait.
    let dir = TempDir::new("files");
    let path = dir.path().join("deep/store/x.flow.yaml");
    write_atomic(&path, b"id: x\n", true).expect("write");
    assert_eq!(std::fs::read(&path).expect("read"), b"id: x\n");
    let error = write_atomic(std::path::Path::new("/"), b"x", false).expect_err("no file name");
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_reports_names_and_directories() {
    let dir = TempDir::new("files");
    std::fs::write(dir.path().join("a.txt"), b"a").expect("seed");
    std::fs::create_dir(dir.path().join("sub")).expect("seed");
    std::fs::write(dir.path().join(".hidden"), b"h").expect("seed");
    let mut entries = files().list(&dir.join("")).await.expect("list");
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    let listed: Vec<(&str, bool)> = entries.iter().map(|e| (e.name.as_str(), e.is_dir)).collect();
    assert_eq!(listed, [(".hidden", false), ("a.txt", false), ("sub", true)]);

    let error = files().list(&dir.join("missing")).await.expect_err("missing");
    assert_eq!(error.kind, EffectErrorKind::NotFound);
    let error = files().list(&dir.join("a.txt")).await.expect_err("not a directory");
    assert_eq!(error.kind, EffectErrorKind::Other, "{error}");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_symlink_to_a_directory_is_not_listed_as_a_directory() {
    let dir = TempDir::new("files");
    std::fs::create_dir(dir.path().join("real")).expect("seed");
    std::os::unix::fs::symlink(dir.path().join("real"), dir.path().join("loop")).expect("symlink");
    let entries = files().list(&dir.join("")).await.expect("list");
    let link = entries.iter().find(|e| e.name == "loop").expect("listed");
    assert!(!link.is_dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_dir_recursive_or_not() {
    let dir = TempDir::new("files");
    let error = files().create_dir(&dir.join("x/y"), false).await.expect_err("missing parent");
    assert_eq!(error.kind, EffectErrorKind::NotFound);
    files().create_dir(&dir.join("x/y"), true).await.expect("recursive");
    assert!(dir.path().join("x/y").is_dir());
    files()
        .create_dir(&dir.join("x/y"), true)
        .await
        .expect("recursive on an existing directory is fine");
    let error = files().create_dir(&dir.join("x/y"), false).await.expect_err("already exists");
    assert_eq!(error.kind, EffectErrorKind::AlreadyExists, "{error}");
    files().create_dir(&dir.join("x/z"), false).await.expect("one level");
    assert!(dir.path().join("x/z").is_dir());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remove_files_and_directories() {
    let dir = TempDir::new("files");
    let root = dir.path();
    std::fs::write(root.join("f.txt"), b"f").expect("seed");
    std::fs::create_dir(root.join("empty")).expect("seed");
    std::fs::create_dir_all(root.join("full/deeper")).expect("seed");
    std::fs::write(root.join("full/deeper/g.txt"), b"g").expect("seed");

    files().remove(&dir.join("f.txt"), false).await.expect("remove file");
    files().remove(&dir.join("empty"), false).await.expect("remove empty dir");
    let error = files().remove(&dir.join("full"), false).await.expect_err("not empty");
    assert_eq!(error.kind, EffectErrorKind::Other, "{error}");
    assert!(root.join("full/deeper/g.txt").exists());
    files().remove(&dir.join("full"), true).await.expect("remove recursively");
    assert!(names(root).is_empty());

    let error = files().remove(&dir.join("missing"), true).await.expect_err("missing");
    assert_eq!(error.kind, EffectErrorKind::NotFound);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_a_symlink_keeps_its_target() {
    let dir = TempDir::new("files");
    std::fs::create_dir(dir.path().join("real")).expect("seed");
    std::fs::write(dir.path().join("real/keep.txt"), b"k").expect("seed");
    std::os::unix::fs::symlink(dir.path().join("real"), dir.path().join("link")).expect("symlink");
    files().remove(&dir.join("link"), true).await.expect("remove link");
    assert!(dir.path().join("real/keep.txt").exists());
    assert_eq!(names(dir.path()), ["real"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_a_file() {
    let dir = TempDir::new("files");
    std::fs::write(dir.path().join("src.txt"), b"payload").expect("seed");
    std::fs::write(dir.path().join("dst.txt"), b"old contents").expect("seed");
    files().copy(&dir.join("src.txt"), &dir.join("dst.txt")).await.expect("copy over");
    assert_eq!(std::fs::read(dir.path().join("dst.txt")).expect("read"), b"payload");
    assert_eq!(std::fs::read(dir.path().join("src.txt")).expect("read"), b"payload");

    let error =
        files().copy(&dir.join("src.txt"), &dir.join("./src.txt")).await.expect_err("same file");
    assert_eq!(error.kind, EffectErrorKind::Other);
    assert_eq!(
        std::fs::read(dir.path().join("src.txt")).expect("read"),
        b"payload",
        "not truncated"
    );

    let error = files().copy(&dir.join("missing"), &dir.join("x")).await.expect_err("missing");
    assert_eq!(error.kind, EffectErrorKind::NotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_a_directory_recursively() {
    let dir = TempDir::new("files");
    let root = dir.path();
    std::fs::create_dir_all(root.join("src/a/b")).expect("seed");
    std::fs::write(root.join("src/top.txt"), b"top").expect("seed");
    std::fs::write(root.join("src/a/b/deep.txt"), b"deep").expect("seed");
    std::fs::create_dir(root.join("src/empty")).expect("seed");
    #[cfg(unix)]
    std::os::unix::fs::symlink("..", root.join("src/a/up")).expect("symlink");

    files().copy(&dir.join("src"), &dir.join("dst")).await.expect("copy tree");
    assert_eq!(std::fs::read(root.join("dst/top.txt")).expect("read"), b"top");
    assert_eq!(std::fs::read(root.join("dst/a/b/deep.txt")).expect("read"), b"deep");
    assert!(root.join("dst/empty").is_dir());
    #[cfg(unix)]
    assert_eq!(
        std::fs::read_link(root.join("dst/a/up")).expect("link copied as a link"),
        std::path::Path::new("..")
    );

    let error =
        files().copy(&dir.join("src"), &dir.join("src/a/inside")).await.expect_err("into itself");
    assert_eq!(error.kind, EffectErrorKind::Other);
    assert!(error.message.contains("into itself"), "{error}");
    assert!(!root.join("src/a/inside").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rename_moves_and_reports_missing_sources() {
    let dir = TempDir::new("files");
    std::fs::write(dir.path().join("old.txt"), b"o").expect("seed");
    files().rename(&dir.join("old.txt"), &dir.join("new.txt")).await.expect("rename");
    assert_eq!(names(dir.path()), ["new.txt"]);
    let error =
        files().rename(&dir.join("old.txt"), &dir.join("other.txt")).await.expect_err("gone");
    assert_eq!(error.kind, EffectErrorKind::NotFound);
    assert!(error.message.contains("old.txt") && error.message.contains("other.txt"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn temp_dir_is_the_system_one() {
    assert_eq!(files().temp_dir(), std::env::temp_dir().to_string_lossy());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_flow_storage_removes_the_temporary_files_of_saves_a_killed_process_left() {
    let dir = TempDir::new("stale-temps");
    let path = dir.path().to_path_buf();
    let made = |name: &str, age: std::time::Duration| {
        let file = std::fs::File::create(path.join(name)).expect("create");
        file.set_modified(SystemTime::now() - age).expect("age it");
    };
    let hour = std::time::Duration::from_secs(3600);
    made(".my-flow.flow.yaml.0123456789abcdef.tmp", hour);
    made(".other.flow.yaml.fedcba9876543210.tmp", hour);
    // A save in progress (young), and files that are not temporary files of ours.
    made(".my-flow.flow.yaml.00000000000000aa.tmp", std::time::Duration::ZERO);
    made("my-flow.flow.yaml", hour);
    made(".notes.tmp", hour);
    let _storage = atomiton_native_host::FileStorage::new(path.clone(), Handle::current());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while names(&path).len() > 3 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        names(&path),
        [".my-flow.flow.yaml.00000000000000aa.tmp", ".notes.tmp", "my-flow.flow.yaml"]
    );
}
