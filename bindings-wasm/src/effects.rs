//! Files and processes in the Node fallback module: the core's [`FileSystem`] and
//! [`ProcessRunner`] over the JS functions of `npm/src/engines/wasm/node-host.ts`, which use
//! Node's own `fs` and `child_process` the way the native host uses `std::fs` and
//! `tokio::process` (atomic writes, no shell, the child's whole process group killed on timeout
//! or cancellation, output capped).

use atomiton_core::host::effects::{
    DirEntry, EffectError, EffectErrorKind, EffectResult, FileMetadata, FileSystem, ProcessOutput,
    ProcessRunner, ProcessSpec,
};
use atomiton_core::host::BoxFuture;
use atomiton_core::json;
use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::calls::{effect_failure, field, settle, Rejected};
use crate::js::NodeEffects;

/// The effects the host functions brought.
pub(crate) struct JsEffects {
    effects: NodeEffects,
    /// The config's `processes.allowUnconfined`: a restricted run's processes, which Node cannot
    /// confine to its grant, run unconfined instead of being refused.
    allow_unconfined: bool,
}

impl JsEffects {
    pub(crate) fn new(effects: NodeEffects) -> Self {
        JsEffects { effects, allow_unconfined: false }
    }

    pub(crate) fn allowing_unconfined(mut self, allow: bool) -> Self {
        self.allow_unconfined = allow;
        self
    }
}

/// A file operation's promise as a future of its value.
fn file_call(
    promise: Promise,
) -> impl std::future::Future<Output = EffectResult<JsValue>> + 'static {
    let promise = JsFuture::from(promise);
    async move {
        promise.await.map_err(|error| {
            effect_failure(&error, EffectErrorKind::Other, "The file operation failed")
        })
    }
}

/// A file operation with no value.
fn done(promise: Promise) -> BoxFuture<'static, EffectResult<()>> {
    let call = file_call(promise);
    Box::pin(async move { call.await.map(drop) })
}

/// A `Uint8Array` as bytes (a bug on the JS side, not the file, if it is anything else).
fn bytes(value: &JsValue, what: &str) -> EffectResult<Vec<u8>> {
    value.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec).ok_or_else(|| {
        EffectError::new(EffectErrorKind::Other, format!("{what}: the host returned no bytes"))
    })
}

impl FileSystem for JsEffects {
    fn stat(&self, path: &str) -> BoxFuture<'static, EffectResult<Option<FileMetadata>>> {
        let call = file_call(self.effects.stat(path));
        Box::pin(async move {
            let value = call.await?;
            if value.is_null() || value.is_undefined() {
                return Ok(None);
            }
            Ok(Some(FileMetadata {
                is_file: field(&value, "isFile").is_truthy(),
                is_dir: field(&value, "isDir").is_truthy(),
                // A file size is a whole number well inside a double's exact range.
                size: field(&value, "size").as_f64().unwrap_or(0.0) as u64,
                modified_ms: field(&value, "modifiedMs").as_f64(),
            }))
        })
    }

    fn read(&self, path: &str) -> BoxFuture<'static, EffectResult<Vec<u8>>> {
        let call = file_call(self.effects.read(path));
        let path = path.to_owned();
        Box::pin(async move { bytes(&call.await?, &format!("Cannot read '{path}'")) })
    }

    fn write(
        &self,
        path: &str,
        contents: Vec<u8>,
        create_parents: bool,
    ) -> BoxFuture<'static, EffectResult<()>> {
        // A copy owned by JS: a view into the module's memory would go stale if it grew.
        done(self.effects.write(path, Uint8Array::from(&contents[..]), create_parents))
    }

    fn read_at(
        &self,
        path: &str,
        offset: u64,
        len: usize,
    ) -> BoxFuture<'static, EffectResult<Vec<u8>>> {
        // Offsets past 2^53 do not occur in files Node can read; lengths are a chunk's.
        let call =
            file_call(self.effects.read_at(path, offset as f64, len.min(u32::MAX as usize) as u32));
        let path = path.to_owned();
        Box::pin(async move { bytes(&call.await?, &format!("Cannot read '{path}'")) })
    }

    fn append(&self, path: &str, contents: Vec<u8>) -> BoxFuture<'static, EffectResult<()>> {
        done(self.effects.append(path, Uint8Array::from(&contents[..])))
    }

    fn list(&self, path: &str) -> BoxFuture<'static, EffectResult<Vec<DirEntry>>> {
        let call = file_call(self.effects.list(path));
        Box::pin(async move {
            let entries = call.await?;
            Ok(Array::from(&entries)
                .iter()
                .map(|entry| DirEntry {
                    name: field(&entry, "name").as_string().unwrap_or_default(),
                    is_dir: field(&entry, "isDir").is_truthy(),
                })
                .collect())
        })
    }

    fn create_dir(&self, path: &str, recursive: bool) -> BoxFuture<'static, EffectResult<()>> {
        done(self.effects.create_dir(path, recursive))
    }

    fn remove(&self, path: &str, recursive: bool) -> BoxFuture<'static, EffectResult<()>> {
        done(self.effects.remove(path, recursive))
    }

    fn copy(&self, from: &str, to: &str) -> BoxFuture<'static, EffectResult<()>> {
        done(self.effects.copy(from, to))
    }

    fn rename(&self, from: &str, to: &str) -> BoxFuture<'static, EffectResult<()>> {
        done(self.effects.rename(from, to))
    }

    fn write_new(
        &self,
        path: &str,
        contents: Vec<u8>,
        create_parents: bool,
    ) -> BoxFuture<'static, EffectResult<()>> {
        done(self.effects.write_new(path, Uint8Array::from(&contents[..]), create_parents))
    }

    fn rename_new(&self, from: &str, to: &str) -> BoxFuture<'static, EffectResult<()>> {
        done(self.effects.rename_new(from, to))
    }

    fn temp_dir(&self) -> String {
        self.effects.temp_dir()
    }
}

impl ProcessRunner for JsEffects {
    fn run(&self, spec: ProcessSpec) -> BoxFuture<'static, EffectResult<ProcessOutput>> {
        let program = spec.program.clone();
        if spec.signal.is_cancelled() {
            return Box::pin(std::future::ready(Err(cancelled(&program))));
        }
        // Node's child_process cannot confine a program to a run's grant: fail closed, unless
        // the config allows such processes to run unconfined.
        if spec.confinement.is_some() && !self.allow_unconfined {
            return Box::pin(std::future::ready(Err(EffectError::not_permitted(
                "this run's grant confines the processes it starts, which only the native engine can do (on Linux, with Landlock): run it there, grant it every path and host, or set processes.allowUnconfined",
            ))));
        }
        let text = json!({
            "program": spec.program,
            "args": spec.args,
            "cwd": spec.cwd,
            "env": spec.env,
            "envRemove": spec.env_remove,
            "timeoutMs": spec.timeout_ms,
            "captureOutput": spec.capture_output,
            "maxOutputBytes": spec.max_output_bytes,
        })
        .to_string();
        let stdin = spec.stdin.as_deref().map(Uint8Array::from);
        let call = settle(self.effects.run(&text, stdin), &spec.signal);
        Box::pin(async move {
            let value = match call.await {
                Ok(value) => value,
                Err(Rejected::Cancelled) => return Err(cancelled(&program)),
                Err(Rejected::Failed(error)) => {
                    return Err(effect_failure(
                        &error,
                        EffectErrorKind::Other,
                        &format!("spawn {program} failed"),
                    ))
                }
            };
            let what = format!("Process '{program}'");
            Ok(ProcessOutput {
                // An exit code is a small whole number; `null` (killed by a signal) is `None`.
                exit_code: field(&value, "exitCode").as_f64().map(|code| code as i32),
                stdout: bytes(&field(&value, "stdout"), &what)?,
                stderr: bytes(&field(&value, "stderr"), &what)?,
                timed_out: field(&value, "timedOut").is_truthy(),
                confined: false,
            })
        })
    }
}

/// The native host's words for a process stopped by cancellation.
fn cancelled(program: &str) -> EffectError {
    EffectError::new(EffectErrorKind::Cancelled, format!("process '{program}' was cancelled"))
}
