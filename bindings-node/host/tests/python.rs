//! `NativePython`: real Python worker processes running real functions — values crossing as
//! JSON, output captured, exceptions as data, and a timeout, a cancellation or a crash ending
//! the worker's whole process group while the pool carries on.
#![cfg(unix)]

mod common;

use std::time::Duration;

use atomiton_core::host::effects::{
    EffectErrorKind, PythonCall, PythonReturn, PythonRunner, PythonSource,
};
use atomiton_core::host::CancelToken;
use atomiton_native_host::python::find_interpreter;
use atomiton_native_host::NativePython;
use common::{alive, eventually, within, TempDir, HANG};
use tokio::runtime::Handle;

fn python(workers: usize) -> NativePython {
    let interpreter = find_interpreter(None, None, None)
        .expect("the PATH is readable")
        .expect("these tests need python3 on the PATH");
    NativePython::new(Handle::current(), interpreter, None, workers)
}

fn call(code: &str, data: &str) -> PythonCall {
    PythonCall {
        source: PythonSource::Code(code.to_owned()),
        function: "main".to_owned(),
        data: data.to_owned(),
        arguments: "{}".to_owned(),
        timeout_ms: Some(60_000.0),
        signal: CancelToken::new(),
        confinement: None,
    }
}

async fn value(python: &NativePython, call: PythonCall) -> String {
    let returned: PythonReturn =
        within("a Python call", python.call(call)).await.expect("the call ran");
    returned.outcome.expect("the function returned")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_function_gets_its_data_and_keyword_arguments_as_json_and_its_value_comes_back() {
    let python = python(1);
    let code = "import statistics\n\
                def main(data, places=2):\n    \
                    return {'mean': round(statistics.mean(data), places), 'median': statistics.median(data), 'n': len(data)}\n";
    let mut with_places = call(code, "[1, 2, 3, 4, 11]");
    with_places.arguments = r#"{"places": 1}"#.to_owned();
    let answer: serde_json::Value =
        serde_json::from_str(&value(&python, with_places).await).unwrap();
    assert_eq!(answer, serde_json::json!({"mean": 4.2, "median": 3, "n": 5}));
    // Text outside ASCII, nulls, nesting and big integers cross as JSON carries them.
    let echoed = value(
        &python,
        call(
            "def main(data):\n    return data\n",
            r#"{"é":"日本",  "n":null,"a":[1,[2.5]],"big":9007199254740993}"#,
        ),
    )
    .await;
    let echoed: serde_json::Value = serde_json::from_str(&echoed).unwrap();
    assert_eq!(
        echoed,
        serde_json::json!({"é": "日本", "n": null, "a": [1, [2.5]], "big": 9007199254740993u64})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_module_file_is_loaded_again_once_it_changes_and_its_folder_is_importable() {
    let dir = TempDir::new("python-module");
    std::fs::write(dir.join("helper.py"), "FACTOR = 3\n").unwrap();
    let module = dir.join("stats.py");
    std::fs::write(
        &module,
        "from helper import FACTOR\ndef scale(data):\n    return [x * FACTOR for x in data]\n",
    )
    .unwrap();
    let python = python(1);
    let module_call = || PythonCall {
        source: PythonSource::Module(module.clone()),
        function: "scale".to_owned(),
        ..call("", "[1, 2]")
    };
    assert_eq!(value(&python, module_call()).await, "[3, 6]");
    // A later modification time: the worker reads the file again.
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(&module, "def scale(data):\n    return [x * 10 for x in data]\n").unwrap();
    assert_eq!(value(&python, module_call()).await, "[10, 20]");
    let missing = PythonCall { source: PythonSource::Module(dir.join("nope.py")), ..call("", "1") };
    let error = python.call(missing).await.expect_err("no such module");
    assert_eq!(error.kind, EffectErrorKind::NotFound);
    assert!(error.message.contains("nope.py"), "{}", error.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_call_prints_is_its_own_and_an_exception_is_data_not_a_dead_worker() {
    let python = python(1);
    let code = "import sys, os\n\
                def main(data):\n    \
                    print('hello', data)\n    \
                    print('careful', file=sys.stderr)\n    \
                    os.write(1, b'below python\\n')\n    \
                    return os.getpid()\n";
    let returned = python.call(call(code, "7")).await.expect("ran");
    let pid = returned.outcome.expect("returned");
    assert_eq!(returned.stdout, "hello 7\n");
    // Descriptor 1 written directly goes to standard error: it cannot break the protocol.
    assert!(returned.stderr.starts_with("careful\n"), "{:?}", returned.stderr);
    let raised = python
        .call(call("def main(data):\n    print('before')\n    return 1 / data\n", "0"))
        .await
        .expect("ran");
    let exception = raised.outcome.expect_err("raised");
    assert_eq!(exception.kind, "ZeroDivisionError");
    assert_eq!(exception.message, "division by zero");
    assert!(exception.traceback.contains("return 1 / data"), "{}", exception.traceback);
    assert!(
        !exception.traceback.contains("_call"),
        "the worker's own frames: {}",
        exception.traceback
    );
    assert_eq!(raised.stdout, "before\n");
    // sys.exit, a value JSON cannot carry, a function that is not there: errors of the call.
    for (code, kind) in [
        ("import sys\ndef main(data):\n    sys.exit(2)\n", "SystemExit"),
        ("def main(data):\n    return float('nan')\n", "ValueError"),
        ("def main(data):\n    return {1, 2}\n", "TypeError"),
        ("def other(data):\n    return 1\n", "NameError"),
        ("def main(data:\n", "SyntaxError"),
    ] {
        let returned = python.call(call(code, "null")).await.expect("ran");
        assert_eq!(returned.outcome.expect_err(code).kind, kind, "{code}");
    }
    // The same worker answered every call.
    assert_eq!(
        value(&python, call("import os\ndef main(data):\n    return os.getpid()\n", "null")).await,
        pid
    );
    assert_eq!(python.idle_workers(), 1);
}

/// The process ids of the worker and of a child it started, then it loops forever.
const HANGS_WITH_A_CHILD: &str = "import os, subprocess, sys\n\
    def main(path):\n    \
        child = subprocess.Popen(['sleep', '600'])\n    \
        with open(path, 'w') as f:\n        \
            f.write('%d %d' % (os.getpid(), child.pid))\n    \
        while True:\n        \
            pass\n";

async fn pids_written(path: &str) -> (u32, u32) {
    assert!(
        eventually(HANG, || std::fs::read_to_string(path).is_ok_and(|t| t.contains(' '))).await,
        "the function never started"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let (worker, child) = text.split_once(' ').unwrap();
    (worker.parse().unwrap(), child.parse().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_kills_the_workers_whole_group_and_the_next_call_gets_a_new_worker() {
    let dir = TempDir::new("python-timeout");
    let path = dir.join("pids");
    let python = python(1);
    let mut hanging = call(HANGS_WITH_A_CHILD, &serde_json::to_string(&path).unwrap());
    hanging.timeout_ms = Some(1500.0);
    let error = within("a call that times out", python.call(hanging)).await.expect_err("timed out");
    assert_eq!(error.kind, EffectErrorKind::TimedOut, "{}", error.message);
    let (worker, child) = pids_written(&path).await;
    assert!(
        eventually(HANG, || !alive(worker) && !alive(child)).await,
        "worker {worker} or its child {child} outlived the timeout"
    );
    let pid =
        value(&python, call("import os\ndef main(data):\n    return os.getpid()\n", "null")).await;
    assert_ne!(pid, worker.to_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancellation_kills_the_workers_whole_group() {
    let dir = TempDir::new("python-cancel");
    let path = dir.join("pids");
    let python = python(1);
    let hanging = call(HANGS_WITH_A_CHILD, &serde_json::to_string(&path).unwrap());
    let signal = hanging.signal.clone();
    let running = tokio::spawn(python.call(hanging));
    let (worker, child) = pids_written(&path).await;
    signal.cancel();
    let error = within("a cancelled call", running).await.unwrap().expect_err("cancelled");
    assert_eq!(error.kind, EffectErrorKind::Cancelled, "{}", error.message);
    assert!(
        eventually(HANG, || !alive(worker) && !alive(child)).await,
        "worker {worker} or its child {child} outlived the cancel"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashing_interpreter_is_that_calls_error_and_the_pool_carries_on() {
    let python = python(1);
    let crash = "import os, sys\ndef main(data):\n    sys.stderr.flush()\n    os.write(2, b'going down\\n')\n    os._exit(7)\n";
    let error =
        within("a crashing call", python.call(call(crash, "null"))).await.expect_err("crashed");
    assert_eq!(error.kind, EffectErrorKind::Other);
    assert!(error.message.contains("exited with code 7"), "{}", error.message);
    assert!(error.message.contains("going down"), "{}", error.message);
    let killed = "import os, signal\ndef main(data):\n    os.kill(os.getpid(), signal.SIGSEGV)\n";
    let error = python.call(call(killed, "null")).await.expect_err("killed");
    assert!(error.message.contains("signal 11"), "{}", error.message);
    assert_eq!(value(&python, call("def main(data):\n    return data + 1\n", "41")).await, "42");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_beyond_the_pools_size_wait_for_a_worker_and_all_are_answered() {
    let python = python(2);
    let code =
        "import os, time\ndef main(data):\n    time.sleep(0.05)\n    return [data, os.getpid()]\n";
    let calls = (0..12).map(|n| python.call(call(code, &n.to_string())));
    let answers = within("12 calls on 2 workers", futures::future::join_all(calls)).await;
    let mut pids = std::collections::HashSet::new();
    for (n, answer) in answers.into_iter().enumerate() {
        let pair: (u32, u32) =
            serde_json::from_str(&answer.expect("ran").outcome.expect("returned")).unwrap();
        assert_eq!(pair.0 as usize, n);
        pids.insert(pair.1);
    }
    assert!(pids.len() <= 2, "{} workers for a pool of 2", pids.len());
}

#[test]
fn an_interpreter_the_config_names_must_be_there() {
    let bad = find_interpreter(Some("/no/such/python"), None, None).expect_err("not there");
    assert!(bad.contains("/no/such/python does not exist"), "{bad}");
    let bad =
        find_interpreter(Some("no-such-python-anywhere"), None, None).expect_err("not on the PATH");
    assert!(bad.contains("no 'no-such-python-anywhere' on the PATH"), "{bad}");
    let dir = TempDir::new("python-venv");
    let bad = find_interpreter(None, Some(dir.path()), None).expect_err("no venv there");
    assert!(bad.contains("has no bin/python"), "{bad}");
    // A working directory makes a relative path its own.
    std::fs::create_dir_all(dir.path().join("env/bin")).unwrap();
    std::fs::write(dir.path().join("env/bin/python"), "").unwrap();
    let found =
        find_interpreter(None, Some(std::path::Path::new("env")), Some(dir.path())).unwrap();
    assert_eq!(found, Some(dir.path().join("env/bin/python")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_below_python_stays_with_its_call_and_standard_input_reads_nothing() {
    let python = python(1);
    let loud =
        "import os\ndef main(data):\n    os.write(2, b'from the first call\\n')\n    return 1\n";
    let first = python.call(call(loud, "null")).await.expect("ran");
    assert_eq!(first.stderr, "from the first call\n");
    // The next call on the same worker: none of the first's output, and no request to read.
    let quiet = "import sys\ndef main(data):\n    return sys.stdin.read()\n";
    let second =
        within("a call reading stdin", python.call(call(quiet, "null"))).await.expect("ran");
    assert_eq!((second.outcome, second.stderr), (Ok("\"\"".to_owned()), String::new()));
    // Text UTF-8 cannot carry (a lone surrogate) is replaced, not a broken worker.
    let odd = "def main(data):\n    print('\\udcff')\n    return 2\n";
    let third = python.call(call(odd, "null")).await.expect("ran");
    assert_eq!((third.outcome, third.stdout), (Ok("2".to_owned()), "?\n".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_that_died_while_idle_is_not_given_the_next_call() {
    let python = python(1);
    let pid_of = "import os\ndef main(data):\n    return os.getpid()\n";
    let pid: u32 = value(&python, call(pid_of, "null")).await.parse().unwrap();
    // SAFETY: `kill` has no memory-safety preconditions; `pid` is the worker this test started.
    unsafe { libc::kill(pid as i32, libc::SIGKILL) };
    assert!(eventually(HANG, || !alive(pid)).await, "the worker outlived SIGKILL");
    let next: u32 = value(&python, call(pid_of, "null")).await.parse().unwrap();
    assert_ne!(next, pid);
}
