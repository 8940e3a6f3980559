//! Linux: nothing a node starts outlives it (however it escapes its process group), its
//! processes stay within their limits, and a restricted run's programs are confined by the
//! kernel to its grant. Real programs, real `/proc`, real sockets.
#![cfg(target_os = "linux")]

mod common;

use std::time::Duration;

use atomiton_core::host::effects::{EffectErrorKind, ProcessOutput, ProcessRunner, ProcessSpec};
use atomiton_core::host::{restricted, FileAccess, HttpAccess, RunPermissions};
use atomiton_native_host::{NativeHost, NativeProcesses, ProcessLimits};
use common::{eventually, process_spec, text, within, TempDir, HANG};
use tokio::runtime::Handle;

/// Pids of live processes whose command line holds `marker`.
fn holding(marker: &str) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .map(|line| String::from_utf8_lossy(&line).contains(marker))
                .unwrap_or(false)
                && common::alive(*pid)
        })
        .collect()
}

/// A loop that appends to `mark` every 50 ms, escaping its parent's process group the ways
/// programs do; each escape's command line holds the marker (the mark file's path).
fn escapes(mark: &str) -> Vec<(&'static str, String)> {
    let appender = format!("while :; do echo x >> {mark}; sleep 0.05; done");
    vec![
        ("setsid", format!("setsid sh -c '{appender}' & WAIT")),
        ("double fork", format!("(sh -c '{appender}' &); WAIT")),
        ("nohup", format!("nohup sh -c '{appender}' >/dev/null 2>&1 & WAIT")),
        (
            "python: fork, setsid, fork",
            format!(
                "python3 -c \"import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        while True:\n            open('{mark}', 'a').write('x')\n            time.sleep(0.05)\n    os._exit(0)\ntime.sleep(3600)\" & WAIT"
            ),
        ),
        (
            "python: a multiprocessing child's daemon",
            format!(
                "python3 -c \"import multiprocessing, os, subprocess, time\ndef child():\n    subprocess.Popen(['sh', '-c', '{appender}'], start_new_session=True)\nif __name__ == '__main__':\n    p = multiprocessing.Process(target=child)\n    p.start()\n    p.join()\n    time.sleep(3600)\" & WAIT"
            ),
        ),
    ]
}

/// After the node ended: every process holding `mark` ends (within [`HANG`]: the supervisor
/// kills the tree on its own thread of events, a few milliseconds after the end, longer on a
/// busy machine), and then the file stays as it is for 1 s (nothing else writes to it).
async fn nothing_left(what: &str, mark: &str) {
    let ended = eventually(HANG, || holding(mark).is_empty()).await;
    assert_eq!(holding(mark), Vec::<u32>::new(), "{what}: processes outlived their node");
    assert!(ended);
    let size = || std::fs::metadata(mark).map(|m| m.len()).unwrap_or(0);
    let before = size();
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(size(), before, "{what}: the mark file kept growing after the node ended");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_outlives_a_timeout_a_cancel_or_a_normal_end() {
    let dir = TempDir::new("escape");
    for ending in ["timeout", "cancel", "normal end", "dropped"] {
        for (index, (escape, script)) in escapes(&dir.join("mark")).into_iter().enumerate() {
            let what = format!("{escape}, {ending}");
            let mark = dir.join(&format!("mark-{ending}-{index}").replace(' ', "-"));
            let script = script.replace(&dir.join("mark"), &mark);
            // The shell waits until the escape wrote once, then for ever (or ends, normally).
            let wait = format!(
                "until [ -s {mark} ]; do sleep 0.02; done; {}",
                match ending {
                    "normal end" => "exit 0",
                    _ => "sleep 3600",
                }
            );
            let mut run = process_spec("sh", &["-c", &script.replace("WAIT", &wait)]);
            let signal = run.signal.clone();
            if ending == "timeout" {
                // Long enough for the escape to start on a busy machine; it waits for it anyway.
                run.timeout_ms = Some(3_000.0);
            }
            let pending = NativeProcesses::new(Handle::current()).run(run);
            let written = || std::fs::metadata(&mark).map(|m| m.len() > 0).unwrap_or(false);
            match ending {
                "timeout" => {
                    let output = within(&what, pending).await.expect("a timeout is an output");
                    assert!(output.timed_out, "{what}: {}", text(&output.stderr));
                }
                "cancel" => {
                    let cancel = async {
                        assert!(eventually(HANG, written).await, "{what}: never started");
                        signal.cancel();
                    };
                    let (result, ()) = within(&what, async { tokio::join!(pending, cancel) }).await;
                    assert_eq!(result.expect_err("cancelled").kind, EffectErrorKind::Cancelled);
                }
                "normal end" => {
                    let output = within(&what, pending).await.expect("ran");
                    assert_eq!(output.exit_code, Some(0), "{what}: {}", text(&output.stderr));
                }
                _ => {
                    tokio::select! {
                        _ = pending => panic!("{what}: the run cannot finish by itself"),
                        started = eventually(HANG, written) => assert!(started, "{what}: never started"),
                    }
                    // The future was dropped here: the supervisor was told to end the tree.
                }
            }
            assert!(written(), "{what}: the escape never ran");
            nothing_left(&what, &mark).await;
        }
    }
}

/// Run in a process of its own by `nothing_outlives_the_host_killed`: starts an escape and
/// waits; the test kills this process with SIGKILL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a helper run by nothing_outlives_the_host_killed in a child process"]
async fn host_killed_helper() {
    let Ok(mark) = std::env::var("ATOMITON_ESCAPE_MARK") else { return };
    let script = format!(
        "setsid sh -c 'while :; do echo x >> {mark}; sleep 0.05; done' & (sh -c 'while :; do echo y >> {mark}; sleep 0.05; done' &); sleep 3600"
    );
    let _ = NativeProcesses::new(Handle::current()).run(process_spec("sh", &["-c", &script])).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_outlives_the_host_killed() {
    let dir = TempDir::new("host-killed");
    let mark = dir.join("mark");
    let mut host = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args(["--ignored", "--exact", "host_killed_helper", "--nocapture"])
        .env("ATOMITON_ESCAPE_MARK", &mark)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the helper starts");
    let written = || std::fs::metadata(&mark).map(|m| m.len() > 0).unwrap_or(false);
    assert!(eventually(HANG, written).await, "the helper's escapes never ran");
    host.kill().expect("SIGKILL the host");
    host.wait().expect("reaped");
    nothing_left("host killed with SIGKILL", &mark).await;
}

fn limited(limits: ProcessLimits) -> NativeProcesses {
    NativeProcesses::new(Handle::current()).with_limits(limits)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fork_bomb_ends_at_its_process_limit() {
    let dir = TempDir::new("fork-bomb");
    let marker = dir.join("bomb");
    let limits = ProcessLimits { max_processes: 64, ..ProcessLimits::default() };
    // Each copy starts two more and waits: the tree doubles until the limit ends it.
    let bomb = format!("f() {{ sh -c \": {marker}; sleep 3600\" & f & wait; }}; f");
    let error = within("a fork bomb", limited(limits).run(process_spec("sh", &["-c", &bomb])))
        .await
        .expect_err("ended at its limit");
    assert_eq!(error.kind, EffectErrorKind::TooLarge, "{error}");
    assert!(error.message.contains("processes.maxProcesses"), "{error}");
    assert!(error.message.contains("64"), "{error}");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(holding(&marker), Vec::<u32>::new(), "the bomb's processes outlived it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_memory_hog_ends_at_its_memory_limit() {
    let limits = ProcessLimits { memory_bytes: 200 << 20, ..ProcessLimits::default() };
    // 10 MB more every step, touched (so resident), in a child of the shell.
    let hog = "import time\nheld = []\nwhile True:\n    held.append(b'x' * 10_000_000)\n    time.sleep(0.01)";
    let error = within(
        "a memory hog",
        limited(limits).run(process_spec("sh", &["-c", &format!("python3 -c \"{hog}\"")])),
    )
    .await
    .expect_err("ended at its limit");
    assert_eq!(error.kind, EffectErrorKind::TooLarge, "{error}");
    assert!(error.message.contains("processes.memoryLimit"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spinning_program_ends_at_its_cpu_time_limit() {
    let limits = ProcessLimits { cpu_time_ms: Some(300), ..ProcessLimits::default() };
    let error =
        within("a spin", limited(limits).run(process_spec("sh", &["-c", "while :; do :; done"])))
            .await
            .expect_err("ended at its limit");
    assert_eq!(error.kind, EffectErrorKind::TimedOut, "{error}");
    assert!(error.message.contains("processes.cpuTimeLimit"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_files_are_limited_per_process() {
    let limits = ProcessLimits { max_open_files: 100, ..ProcessLimits::default() };
    let output = limited(limits).run(process_spec("sh", &["-c", "ulimit -n"])).await.expect("runs");
    assert_eq!(text(&output.stdout).trim(), "100");
}

/// A tree: `root/inside.txt`, `outside/secret.txt`.
fn tree() -> (TempDir, String, String) {
    let dir = TempDir::new("confined");
    let root = dir.join("root");
    let outside = dir.join("outside");
    std::fs::create_dir_all(&root).expect("root");
    std::fs::create_dir_all(&outside).expect("outside");
    std::fs::write(format!("{root}/inside.txt"), "inside").expect("seed");
    std::fs::write(format!("{outside}/secret.txt"), "secret").expect("seed");
    (dir, root, outside)
}

async fn run_as(permissions: &RunPermissions, spec: ProcessSpec) -> ProcessOutput {
    let host = NativeHost::new(Handle::current()).into_shared();
    let narrowed = restricted(host, permissions);
    within("a confined program", narrowed.processes().expect("processes").run(spec))
        .await
        .expect("it runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confined_program_reads_and_writes_only_under_its_roots() {
    let (_dir, root, outside) = tree();
    let permissions = RunPermissions {
        shell: true,
        files: FileAccess::Within { roots: vec![root.clone()] },
        ..RunPermissions::default()
    };
    let inside = run_as(&permissions, process_spec("cat", &[&format!("{root}/inside.txt")])).await;
    assert_eq!((inside.exit_code, text(&inside.stdout)), (Some(0), "inside".to_owned()));
    assert!(inside.confined);
    let secret =
        run_as(&permissions, process_spec("cat", &[&format!("{outside}/secret.txt")])).await;
    assert_ne!(secret.exit_code, Some(0));
    assert!(text(&secret.stderr).contains("Permission denied"), "{}", text(&secret.stderr));
    assert!(secret.stdout.is_empty(), "nothing of the secret was read");

    let write = |path: String| process_spec("sh", &["-c", &format!("echo written > {path}")]);
    let written = run_as(&permissions, write(format!("{root}/new.txt"))).await;
    assert_eq!(written.exit_code, Some(0), "{}", text(&written.stderr));
    let refused = run_as(&permissions, write(format!("{outside}/new.txt"))).await;
    assert_ne!(refused.exit_code, Some(0));
    assert!(text(&refused.stderr).contains("Permission denied"), "{}", text(&refused.stderr));
    assert!(!std::path::Path::new(&format!("{outside}/new.txt")).exists());

    // Its own temporary directory works, and is not the system's.
    let temp = run_as(
        &permissions,
        process_spec("sh", &["-c", "echo t > $TMPDIR/t && cat $TMPDIR/t && echo $TMPDIR"]),
    )
    .await;
    assert_eq!(temp.exit_code, Some(0), "{}", text(&temp.stderr));
    let temp_dir = text(&temp.stdout).lines().nth(1).unwrap_or_default().to_owned();
    assert!(temp_dir.contains("atomiton-process-"), "{temp_dir}");
    assert!(!std::path::Path::new(&temp_dir).exists(), "the temporary directory is removed after");
    // A descendant that escapes its session is confined too.
    let escaped = run_as(
        &permissions,
        process_spec("sh", &["-c", &format!("setsid cat {outside}/secret.txt")]),
    )
    .await;
    assert!(text(&escaped.stderr).contains("Permission denied"), "{}", text(&escaped.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confined_program_connects_only_to_granted_ports() {
    let granted = std::net::TcpListener::bind("127.0.0.1:0").expect("listener");
    let other = std::net::TcpListener::bind("127.0.0.1:0").expect("listener");
    let port = |listener: &std::net::TcpListener| listener.local_addr().expect("address").port();
    let permissions = RunPermissions {
        shell: true,
        files: FileAccess::Any(true),
        http: HttpAccess::To { hosts: vec![format!("127.0.0.1:{}", port(&granted))] },
        ..RunPermissions::default()
    };
    let connect = |port: u16| {
        process_spec(
            "python3",
            &["-c", &format!("import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=30).close()\nprint('connected')")],
        )
    };
    let allowed = run_as(&permissions, connect(port(&granted))).await;
    assert_eq!(text(&allowed.stdout).trim(), "connected", "{}", text(&allowed.stderr));
    let refused = run_as(&permissions, connect(port(&other))).await;
    assert_ne!(refused.exit_code, Some(0));
    assert!(text(&refused.stderr).contains("Permission denied"), "{}", text(&refused.stderr));
    // No grant of hosts at all: no TCP.
    let none =
        RunPermissions { shell: true, files: FileAccess::Any(true), ..RunPermissions::default() };
    let refused = run_as(&none, connect(port(&granted))).await;
    assert!(text(&refused.stderr).contains("Permission denied"), "{}", text(&refused.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unrestricted_run_is_not_confined() {
    let (_dir, _root, outside) = tree();
    let output =
        run_as(&RunPermissions::all(), process_spec("cat", &[&format!("{outside}/secret.txt")]))
            .await;
    assert_eq!((output.exit_code, output.confined), (Some(0), false));
}
