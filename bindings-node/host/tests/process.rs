//! `NativeProcesses` running real programs (no shell is involved unless a test runs `sh` as the
//! program itself).
#![cfg(unix)]

mod common;

use std::time::{Duration, Instant};

use atomiton_core::host::effects::{EffectErrorKind, ProcessRunner};
use atomiton_native_host::NativeProcesses;
use common::{alive, eventually, process_spec, text, within, TempDir, HANG};
use tokio::runtime::Handle;

fn processes() -> NativeProcesses {
    NativeProcesses::new(Handle::current())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arguments_are_passed_verbatim_without_a_shell() {
    let args = ["$HOME", "a;b", "it's", "*", "$(whoami)", "two words", ""];
    let output = processes().run(process_spec("echo", &args)).await.expect("echo runs");
    assert_eq!(output.exit_code, Some(0));
    assert!(!output.timed_out);
    assert_eq!(text(&output.stdout), "$HOME a;b it's * $(whoami) two words \n");
    assert!(output.stderr.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_and_stderr_are_reported() {
    let output = processes()
        .run(process_spec("sh", &["-c", "echo out; echo err >&2; exit 3"]))
        .await
        .expect("runs");
    assert_eq!(output.exit_code, Some(3));
    assert_eq!(text(&output.stdout), "out\n");
    assert_eq!(text(&output.stderr), "err\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_working_directory_is_honoured() {
    let dir = TempDir::new("process");
    let mut run = process_spec("pwd", &[]);
    run.cwd = Some(dir.join(""));
    let output = processes().run(run).await.expect("pwd runs");
    let expected = std::fs::canonicalize(dir.path()).expect("canonical");
    assert_eq!(text(&output.stdout).trim_end(), expected.to_string_lossy());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_working_directory_fails_clearly() {
    let dir = TempDir::new("process");
    let mut run = process_spec("pwd", &[]);
    run.cwd = Some(dir.join("nope"));
    let error = processes().run(run).await.expect_err("no such cwd");
    assert_eq!(error.kind, EffectErrorKind::NotFound);
    assert!(
        error.message.contains("working directory") && error.message.contains("nope"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn environment_is_layered_and_loader_variables_removed() {
    let mut run = process_spec("env", &[]);
    run.env = vec![
        ("ATOMITON_TEST_VAR".to_owned(), "hello world".to_owned()),
        ("LD_PRELOAD".to_owned(), "/nonexistent/evil.so".to_owned()),
        ("LD_LIBRARY_PATH".to_owned(), "/nonexistent".to_owned()),
        ("DYLD_INSERT_LIBRARIES".to_owned(), "/nonexistent/evil.dylib".to_owned()),
        ("DYLD_LIBRARY_PATH".to_owned(), "/nonexistent".to_owned()),
    ];
    run.env_remove = vec!["HOME".to_owned()];
    let output = processes().run(run).await.expect("env runs");
    let stdout = text(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.contains(&"ATOMITON_TEST_VAR=hello world"), "{stdout}");
    for removed in
        ["LD_PRELOAD=", "LD_LIBRARY_PATH=", "DYLD_INSERT_LIBRARIES=", "DYLD_LIBRARY_PATH=", "HOME="]
    {
        assert!(
            !lines.iter().any(|l| l.starts_with(removed)),
            "{removed} should be gone: {stdout}"
        );
    }
    // The parent's environment is inherited underneath.
    assert!(lines.iter().any(|l| l.starts_with("PATH=")), "{stdout}");
    assert!(output.stderr.is_empty(), "{}", text(&output.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_environment_name_is_refused() {
    let mut run = process_spec("env", &[]);
    run.env = vec![("A=B".to_owned(), "x".to_owned())];
    let error = processes().run(run).await.expect_err("bad name");
    assert_eq!(error.kind, EffectErrorKind::Other);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stdin_is_written_then_closed() {
    let mut run = process_spec("cat", &[]);
    run.stdin = Some(b"line one\nline two".to_vec());
    let output = processes().run(run).await.expect("cat runs");
    assert_eq!(output.exit_code, Some(0));
    assert_eq!(text(&output.stdout), "line one\nline two");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_stdin_and_stdout_flow_at_once_without_deadlock() {
    // Far more than a pipe buffer both ways: writing all of stdin before reading stdout would
    // deadlock.
    let input: Vec<u8> = (0..8 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let mut run = process_spec("cat", &[]);
    run.stdin = Some(input.clone());
    run.max_output_bytes = 16 * 1024 * 1024;
    let output = tokio::time::timeout(Duration::from_secs(30), processes().run(run))
        .await
        .expect("no deadlock")
        .expect("runs");
    assert_eq!(output.stdout.len(), input.len());
    assert!(output.stdout == input);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_child_that_ignores_stdin_still_finishes() {
    let mut run = process_spec("true", &[]);
    run.stdin = Some(vec![b'x'; 4 * 1024 * 1024]);
    let output = processes().run(run).await.expect("runs");
    assert_eq!(output.exit_code, Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_output_is_capped_and_the_rest_drained() {
    let mut run = process_spec("head", &["-c", "20000000", "/dev/zero"]);
    run.max_output_bytes = 1000;
    let output = processes().run(run).await.expect("runs");
    // The child wrote all 20 MB (it was drained, so it never blocked) and exited normally.
    assert_eq!(output.exit_code, Some(0));
    assert_eq!(output.stdout.len(), 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_can_be_discarded() {
    let mut run = process_spec("sh", &["-c", "echo out; echo err >&2"]);
    run.capture_output = false;
    let output = processes().run(run).await.expect("runs");
    assert_eq!(output.exit_code, Some(0));
    assert!(output.stdout.is_empty() && output.stderr.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_kills_the_child_and_says_so() {
    let mut run = process_spec("sleep", &["3600"]);
    run.timeout_ms = Some(300.0);
    let start = Instant::now();
    let output = within("a timed-out sleep", processes().run(run))
        .await
        .expect("a timeout is an outcome, not an error");
    assert!(output.timed_out);
    assert_eq!(output.exit_code, None, "killed by a signal");
    assert!(start.elapsed() >= Duration::from_millis(300));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_keeps_earlier_output_and_kills_grandchildren() {
    // `sh` starts `sleep` in the background, prints its pid, and waits.
    let mut run = process_spec("sh", &["-c", "sleep 3600 & echo $!; wait"]);
    run.timeout_ms = Some(500.0);
    let output = within("a timed-out shell", processes().run(run)).await.expect("runs");
    assert!(output.timed_out);
    let pid: u32 = text(&output.stdout).trim().parse().expect("the pid printed before the timeout");
    assert!(eventually(HANG, || !alive(pid)).await, "grandchild {pid} survived");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_kills_the_child() {
    let run = process_spec("sleep", &["3600"]);
    let signal = run.signal.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        signal.cancel();
    });
    let error = within("a cancelled sleep", processes().run(run)).await.expect_err("cancelled");
    assert_eq!(error.kind, EffectErrorKind::Cancelled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_and_dropping_kill_the_whole_group() {
    let dir = TempDir::new("process");
    for drop_instead in [false, true] {
        let pid_file = dir.join(&format!("pid-{drop_instead}"));
        // The shell records the pid of a background sleep, then waits on it.
        let run = process_spec("sh", &["-c", &format!("sleep 3600 & echo $! > {pid_file}; wait")]);
        let signal = run.signal.clone();
        let pending = processes().run(run);
        let read_pid =
            || std::fs::read_to_string(&pid_file).ok().and_then(|s| s.trim().parse::<u32>().ok());
        let running = async {
            assert!(eventually(HANG, || read_pid().is_some()).await, "child never started");
            if !drop_instead {
                signal.cancel();
            }
        };
        if drop_instead {
            // Give up on the run's future while the child is running.
            let outcome = tokio::time::timeout(HANG, async {
                tokio::select! {
                    _ = pending => panic!("the run cannot finish by itself"),
                    () = running => {}
                }
            })
            .await;
            assert!(outcome.is_ok());
        } else {
            let (result, ()) =
                within("a cancelled shell", async { tokio::join!(pending, running) }).await;
            assert_eq!(result.expect_err("cancelled").kind, EffectErrorKind::Cancelled);
        }
        let pid = read_pid().expect("pid");
        assert!(eventually(HANG, || !alive(pid)).await, "background child {pid} survived");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_already_cancelled_signal_starts_nothing() {
    let dir = TempDir::new("process");
    let marker = dir.join("ran");
    let run = process_spec("touch", &[&marker]);
    run.signal.cancel();
    let error = processes().run(run).await.expect_err("cancelled");
    assert_eq!(error.kind, EffectErrorKind::Cancelled);
    assert!(!std::path::Path::new(&marker).exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_program_is_not_found_and_named() {
    let error =
        processes().run(process_spec("atomiton-no-such-program", &[])).await.expect_err("missing");
    assert_eq!(error.kind, EffectErrorKind::NotFound);
    assert_eq!(error.message, "spawn atomiton-no-such-program ENOENT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_program_that_is_not_executable_is_refused() {
    let dir = TempDir::new("process");
    let script = dir.join("script.sh");
    std::fs::write(&script, b"#!/bin/sh\necho hi\n").expect("seed");
    let error = processes().run(process_spec(&script, &[])).await.expect_err("not executable");
    assert_eq!(error.kind, EffectErrorKind::PermissionDenied, "{error}");
    assert!(error.message.contains("script.sh"), "{error}");
}
