//! Helpers shared by the native host's integration tests.
#![allow(dead_code)]

pub mod durable_stores;
pub mod history;
pub mod postgres_server;
pub mod redis_server;
pub mod sandbox;
pub mod server;
pub mod smtp;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A multi-threaded runtime with two workers, as a small machine's.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// A fresh directory under the system temp dir, removed with everything in it when dropped.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let name = format!(
            "atomiton-native-host-{label}-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `name` inside the directory, as the `&str` paths the effect traits take.
    pub fn join(&self, name: &str) -> String {
        self.path.join(name).to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Polls `future` to completion on the current thread with no tokio context at all, the way a
/// foreign executor would.
pub fn block_on_plain_thread<F: Future>(future: F) -> F::Output {
    atomiton_core::testing::wait(future)
}

/// How long a test waits for something that takes milliseconds before calling it hung. Tests
/// never judge speed: what they wait out (a sleep, a slow server) lasts far longer than this, so
/// only a cancel or timeout that does not work can reach it.
pub const HANG: Duration = Duration::from_secs(120);

/// `future`'s output, or a panic naming `what` if it has not finished within [`HANG`].
pub async fn within<F: std::future::Future>(what: &str, future: F) -> F::Output {
    match tokio::time::timeout(HANG, future).await {
        Ok(value) => value,
        Err(_) => panic!("{what} did not finish within {HANG:?}: it hung"),
    }
}

/// Waits until `condition` holds, polling every 10 ms, for at most `limit`.
pub async fn eventually(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if condition() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    condition()
}

/// [`eventually`] for a test without a runtime: polls `condition` every millisecond on this
/// thread. A hang bound, not a speed verdict: give it a minute where the thing awaited waits
/// its turn on a pool other tests of the binary may keep busy.
pub fn eventually_blocking(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    condition()
}

/// Whether `pid` is still a live (not zombie) process.
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesised command name.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|s| s != "Z" && s != "X"),
        Err(_) => false,
    }
}

/// A minimal ODS spreadsheet.
pub fn write_ods(path: &std::path::Path) {
    use std::io::Write;
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    zip.start_file("META-INF/manifest.xml", stored).unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#).unwrap();
    zip.start_file("content.xml", stored).unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Data"><table:table-row><table:table-cell office:value-type="string"><text:p>city</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>pop</text:p></table:table-cell></table:table-row><table:table-row><table:table-cell office:value-type="string"><text:p>Oslo</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="709037"><text:p>709037</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#).unwrap();
    zip.finish().unwrap();
}

/// A process spec for `program` with `args`: output captured (10 MiB a stream), a 60 s timeout
/// (a hang bound: every test that waits for a timeout sets its own), no confinement.
pub fn process_spec(program: &str, args: &[&str]) -> atomiton_core::host::effects::ProcessSpec {
    atomiton_core::host::effects::ProcessSpec {
        program: program.to_owned(),
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        cwd: None,
        env: Vec::new(),
        env_remove: Vec::new(),
        stdin: None,
        timeout_ms: Some(60_000.0),
        capture_output: true,
        max_output_bytes: 10 * 1024 * 1024,
        signal: atomiton_core::host::CancelToken::new(),
        confinement: None,
    }
}

/// Output bytes as text (lossy).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
