//! One Python worker process: `worker.py` on the configured interpreter, in a process group of
//! its own, asked one call at a time over its standard input and a descriptor of its own.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use atomiton_core::host::effects::{
    EffectError, EffectErrorKind, EffectResult, PythonException, PythonReturn,
};
use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout};
use tokio::task::JoinHandle;

use atomiton_core::host::Confinement;

use crate::process::confine::{self, Prepared};
use crate::process::group::GroupKiller;
use crate::process::ProcessLimits;

/// The worker's program, passed with `-c`: nothing to install next to the addon.
const WORKER_SOURCE: &str = include_str!("worker.py");

/// Most bytes of one answer line (the value a function returns, as JSON, or its header): a
/// function returning more fails its node and its worker is let go.
pub(super) const MAX_ANSWER_BYTES: usize = 256 * 1024 * 1024;

/// Most bytes kept of what a worker writes to standard error outside a call's capture.
const STRAY_BYTES: usize = 64 * 1024;

/// How long a dying worker is given to be reaped and to have its last output read.
const AFTER_END: Duration = Duration::from_millis(500);

/// How long a call's output below Python's capture is waited for after its answer, until its
/// marker (a worker whose standard error is held up beyond this gives what has come).
const STRAY_WAIT: Duration = Duration::from_secs(2);

/// A running worker.
pub(super) struct Worker {
    child: Child,
    /// The grant it is confined to: it takes only calls of runs with the same.
    pub(super) confinement: Option<Confinement>,
    /// Its spawn's supervisor plan and private temporary directory, kept while it lives.
    prepared: Prepared,
    limits: ProcessLimits,
    /// Armed while the worker lives: dropping it (a call abandoned) kills the whole group.
    killer: GroupKiller,
    requests: ChildStdin,
    answers: BufReader<ChildStdout>,
    /// What the process wrote to standard error below Python's capture, until a call takes it.
    stray: Arc<Stray>,
    reading_stray: JoinHandle<()>,
}

/// The header of an answer (see `worker.py`).
#[derive(Deserialize)]
struct Header {
    ok: bool,
    stdout: String,
    stderr: String,
    error: Option<Raised>,
}

#[derive(Deserialize)]
struct Raised {
    kind: String,
    message: String,
    traceback: String,
}

/// The worker stopped answering (it died, or wrote something that is not an answer): it is let
/// go, and the call fails with what is known of why.
pub(super) struct Broke(pub(super) String);

impl Worker {
    /// Starts a worker on `interpreter` in `working_dir`, once it says it is ready.
    pub(super) async fn start(
        interpreter: &Path,
        working_dir: Option<&PathBuf>,
        confinement: Option<&Confinement>,
        limits: &ProcessLimits,
    ) -> EffectResult<Worker> {
        let spec = atomiton_core::host::effects::ProcessSpec {
            program: interpreter.to_string_lossy().into_owned(),
            args: vec!["-c".to_owned(), WORKER_SOURCE.to_owned()],
            cwd: working_dir.map(|dir| dir.to_string_lossy().into_owned()),
            env: vec![("PYTHONIOENCODING".to_owned(), "utf-8".to_owned())],
            env_remove: Vec::new(),
            stdin: Some(Vec::new()),
            timeout_ms: None,
            capture_output: true,
            max_output_bytes: 0,
            signal: atomiton_core::host::CancelToken::new(),
            confinement: confinement.cloned(),
        };
        let mut command = crate::process::command::build(&spec)?;
        command.stdin(Stdio::piped());
        let cwd = spec.cwd.as_deref().map(Path::new);
        let mut prepared = confine::prepare(&spec.program, cwd, confinement, limits, &[])?;
        prepared.apply(&mut command);
        let spawned = command.spawn();
        prepared.spawned();
        let mut child =
            spawned.map_err(|e| crate::process::command::spawn_error(&spec.program, &e))?;
        let killer = GroupKiller::new(child.id(), prepared.supervised);
        let (Some(requests), Some(answers), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(EffectError::new(EffectErrorKind::Other, "a Python worker has no pipes"));
        };
        let stray = Arc::new(Stray::default());
        let reading_stray = tokio::spawn(keep_stray(stderr, stray.clone()));
        let mut worker = Worker {
            child,
            confinement: confinement.cloned(),
            prepared,
            limits: *limits,
            killer,
            requests,
            answers: BufReader::new(answers),
            stray,
            reading_stray,
        };
        match worker.line().await {
            Ok(line) if line.starts_with(b"{\"ready\"") => Ok(worker),
            Ok(_) | Err(_) => {
                let why = worker.end().await;
                Err(EffectError::new(
                    EffectErrorKind::Other,
                    format!("{} did not start a Python worker: {why}", spec.program),
                ))
            }
        }
    }

    /// Between two calls: whatever the last call started (and left running) is killed; the
    /// worker itself stays.
    pub(super) fn tidy(&self) {
        self.killer.tidy();
    }

    /// Whether the process still runs (one that died idle is not given a call).
    pub(super) fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Asks for one call (`request`: its JSON line, naming `marker`) and reads the answer.
    pub(super) async fn call(
        &mut self,
        request: &[u8],
        marker: &str,
    ) -> Result<PythonReturn, Broke> {
        let sent = async {
            self.requests.write_all(request).await?;
            self.requests.write_all(b"\n").await?;
            self.requests.flush().await
        };
        sent.await.map_err(|e| Broke(format!("cannot write to the worker: {e}")))?;
        let header = self.line().await?;
        let header: Header = serde_json::from_slice(&header)
            .map_err(|e| Broke(format!("the worker's answer is not one ({e})")))?;
        let mut stderr = header.stderr;
        // Its output below Python's capture, and none of the next call's.
        stderr.push_str(&self.stray.take_until(marker).await);
        let outcome = match (header.ok, header.error) {
            (true, _) => {
                let value = self.line().await?;
                Ok(String::from_utf8(value)
                    .map_err(|_| Broke("the worker's value is not UTF-8".to_owned()))?)
            }
            (false, Some(raised)) => Err(PythonException {
                kind: raised.kind,
                message: raised.message,
                traceback: raised.traceback,
            }),
            (false, None) => return Err(Broke("the worker failed without saying why".to_owned())),
        };
        Ok(PythonReturn { outcome, stdout: header.stdout, stderr })
    }

    /// One line of the answers, without its newline; a worker that ended, or a line longer
    /// than [`MAX_ANSWER_BYTES`], is [`Broke`].
    async fn line(&mut self) -> Result<Vec<u8>, Broke> {
        let mut line = Vec::new();
        let limit = MAX_ANSWER_BYTES as u64 + 1;
        let read = (&mut self.answers).take(limit).read_until(b'\n', &mut line).await;
        match read {
            Err(e) => Err(Broke(format!("cannot read the worker's answer: {e}"))),
            Ok(0) => Err(Broke("the worker ended".to_owned())),
            Ok(_) if line.last() == Some(&b'\n') => {
                line.pop();
                Ok(line)
            }
            Ok(n) if n as u64 >= limit => Err(Broke(format!(
                "an answer line (the function's value, or what it printed) of more than {} MiB",
                MAX_ANSWER_BYTES / (1024 * 1024)
            ))),
            Ok(_) => Err(Broke("the worker ended".to_owned())),
        }
    }

    /// Kills the worker (its whole group) and says how it ended, with its last words on
    /// standard error.
    pub(super) async fn end(mut self) -> String {
        let status = crate::process::kill(&mut self.killer, &mut self.child).await;
        let _ = tokio::time::timeout(AFTER_END, &mut self.reading_stray).await;
        let how = match (self.prepared.limit_hit(), status) {
            (Some(hit), _) => hit.error(&self.limits, "it").message,
            (None, Some(status)) => ended(status),
            (None, None) => "it did not end when killed".to_owned(),
        };
        let said = self.stray.take_all();
        let said = said.trim();
        if said.is_empty() {
            how
        } else {
            format!("{how}; it wrote: {}", tail(said, 2000))
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.reading_stray.abort();
    }
}

/// What a worker wrote to standard error below Python's capture, as it comes.
#[derive(Default)]
struct Stray {
    bytes: Mutex<Vec<u8>>,
    came: tokio::sync::Notify,
}

impl Stray {
    fn push(&self, chunk: &[u8]) {
        let mut kept = self.bytes.lock().unwrap_or_else(PoisonError::into_inner);
        kept.extend_from_slice(chunk);
        // The last bytes of one call's output are kept; the marker comes after them.
        if kept.len() > STRAY_BYTES {
            let over = kept.len() - STRAY_BYTES;
            kept.drain(..over);
        }
        drop(kept);
        self.came.notify_one();
    }

    /// What came before the line `marker`, taken with it (waiting for it a while).
    async fn take_until(&self, marker: &str) -> String {
        let line = format!("\n{marker}\n");
        let wait = async {
            loop {
                let came = self.came.notified();
                {
                    let mut kept = self.bytes.lock().unwrap_or_else(PoisonError::into_inner);
                    if let Some(at) = find(&kept, line.as_bytes()) {
                        let taken: Vec<u8> = kept.drain(..at + line.len()).take(at).collect();
                        return String::from_utf8_lossy(&taken).into_owned();
                    }
                }
                came.await;
            }
        };
        match tokio::time::timeout(STRAY_WAIT, wait).await {
            Ok(taken) => taken,
            Err(_) => self.take_all(),
        }
    }

    fn take_all(&self) -> String {
        let taken = std::mem::take(&mut *self.bytes.lock().unwrap_or_else(PoisonError::into_inner));
        String::from_utf8_lossy(&taken).into_owned()
    }
}

/// Where `needle` first is in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

/// Reads the worker's standard error into `stray` until it closes.
async fn keep_stray(mut stderr: tokio::process::ChildStderr, stray: Arc<Stray>) {
    let mut buffer = [0u8; 8192];
    while let Ok(n) = stderr.read(&mut buffer).await {
        if n == 0 {
            break;
        }
        stray.push(&buffer[..n]);
    }
}

/// How a process ended, in words.
fn ended(status: std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("it was killed by signal {signal}");
        }
    }
    match status.code() {
        Some(code) => format!("it exited with code {code}"),
        None => "it ended".to_owned(),
    }
}

/// The last `max` bytes of `text` (at a character boundary).
fn tail(text: &str, max: usize) -> &str {
    let mut start = text.len().saturating_sub(max);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}
