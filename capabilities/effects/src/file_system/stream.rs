//! `file-system` `write` at the end of a stream of rows: the file is written as the batches
//! come, to `<path>.partial`, and renamed to `path` once the last row is written, so a file at
//! `path` is always complete; a run that fails or is cancelled mid-stream removes the partial
//! file. The bytes are the ones a whole write of the same value gives (`layout.rs` writes both).

use super::layout::{json_text, Layout, RowWriter};
use super::TYPE;
use atomiton_core::error::ExecutionError;
use atomiton_core::host::effects::EffectError;
use atomiton_core::host::{offload, BoxFuture, SharedHost};
use atomiton_core::json;
use atomiton_core::nodes::sdk::effect_error;
use atomiton_core::nodes::sdk::node_error;
use atomiton_core::nodes::stream::{Batch, Reads, RowSink, Streaming};
use atomiton_core::nodes::Invocation;
use atomiton_core::value::{prefetch_ahead, Map, Value};

/// Bytes gathered before they are appended to the file: few host calls, bounded memory.
const FLUSH_BYTES: usize = 1 << 20;

/// `write` streams when it writes its `input` (no `content` parameter): as JSON, the whole
/// upstream output; as JSON lines or CSV, the array in it.
pub(crate) fn streaming(parameters: &Map) -> Option<Streaming> {
    let text = |key: &str| parameters.get(key).and_then(Value::as_str);
    if text("operation") != Some("write") || parameters.get("content").is_some() {
        return None;
    }
    let reads = match Layout::from_param(text("format")).ok()? {
        Layout::Json => Reads::Whole,
        Layout::JsonLines | Layout::Csv => Reads::ArrayIn,
    };
    Some(Streaming::Sink { port: "input", reads, open })
}

fn open(invocation: &Invocation, host: &SharedHost) -> Result<Box<dyn RowSink>, ExecutionError> {
    let path = invocation.get_input("path").and_then(Value::as_str).unwrap_or_default().to_owned();
    if path.is_empty() {
        return Err(node_error(TYPE, "Path is required"));
    }
    if host.files().is_none() {
        return Err(ExecutionError::new(
            atomiton_core::ErrorCode::IMPLEMENTATION_NOT_FOUND,
            format!("[{TYPE}] No file system is available in this environment"),
        ));
    }
    let layout = Layout::from_param(invocation.param("format").and_then(Value::as_str))?;
    let flag = |name: &str| invocation.param(name).and_then(Value::as_bool).unwrap_or(true);
    Ok(Box::new(FileSink {
        overwrite: flag("overwrite"),
        create_directories: flag("createDirectories"),
        partial: format!("{path}.partial"),
        path,
        host: host.clone(),
        layout,
        rows: RowWriter::new(layout),
        pending: Vec::new(),
        written: 0,
        first_row: true,
        created: false,
    }))
}

struct FileSink {
    path: String,
    /// `overwrite`: the finished file may replace one at `path`.
    overwrite: bool,
    /// `createDirectories`: missing parents of `path` are created.
    create_directories: bool,
    partial: String,
    host: SharedHost,
    layout: Layout,
    rows: RowWriter,
    /// Bytes not yet appended to the file.
    pending: Vec<u8>,
    /// Bytes appended so far.
    written: usize,
    /// JSON: no row written yet (the next needs no comma).
    first_row: bool,
    /// The partial file exists.
    created: bool,
}

fn write_failed(error: EffectError) -> ExecutionError {
    effect_error(TYPE, format!("Write operation failed: {error}"), &error)
}

/// The failure of a write told not to replace the file at `path`.
fn kept(path: &str) -> ExecutionError {
    let error = atomiton_core::host::effects::already_exists(path);
    effect_error(
        TYPE,
        format!("Write operation failed: {error} (overwrite: false keeps it; true replaces it)"),
        &error,
    )
}

impl FileSink {
    /// Appends what is pending to the partial file (creating it, and its parents, first).
    async fn flush(&mut self) -> Result<(), ExecutionError> {
        let Some(files) = self.host.files() else {
            return Err(ExecutionError::internal("The file system went away mid-stream"));
        };
        // The next text gets its room where it is written (`write`, on a worker).
        let bytes = std::mem::take(&mut self.pending);
        self.written += bytes.len();
        if self.created {
            files.append(&self.partial, bytes).await.map_err(write_failed)
        } else {
            self.created = true;
            files.write(&self.partial, bytes, self.create_directories).await.map_err(|error| {
                let hint = if !self.create_directories
                    && error.kind == atomiton_core::host::effects::EffectErrorKind::NotFound
                {
                    " (a directory on the way is missing: createDirectories: true creates it)"
                } else {
                    ""
                };
                effect_error(TYPE, format!("Write operation failed: {error}{hint}"), &error)
            })
        }
    }
}

impl RowSink for FileSink {
    fn begin(&mut self, rows_field: &'static str) -> BoxFuture<'_, Result<(), ExecutionError>> {
        Box::pin(async move {
            if self.layout == Layout::Json {
                // The upstream output object, its rows field first: `{"<field>":[`.
                self.pending.push(b'{');
                json_text(&json!(rows_field), &mut self.pending)?;
                self.pending.extend_from_slice(b":[");
            }
            // A file that must not be replaced fails the write before any row is read (and the
            // rename at the end refuses one made meanwhile).
            if !self.overwrite {
                if let Some(files) = self.host.files() {
                    if files.stat(&self.path).await.map_err(write_failed)?.is_some() {
                        return Err(kept(&self.path));
                    }
                }
            }
            // The file exists from the start, so a failure to create it shows before any work.
            self.flush().await
        })
    }

    fn write(&mut self, batch: Batch, alone: bool) -> BoxFuture<'_, Result<(), ExecutionError>> {
        Box::pin(async move {
            // Writing rows out as text is CPU work: it happens off the thread driving the run.
            let json = self.layout == Layout::Json;
            let first = std::mem::replace(&mut self.first_row, false);
            let mut rows = std::mem::replace(&mut self.rows, RowWriter::new(self.layout));
            let mut pending = std::mem::take(&mut self.pending);
            let host = self.host.clone();
            let (rows, pending, written) = offload(&self.host, move || {
                // Room for a flush's worth at once: growing the text by doubling copied every
                // byte twice over. Made here, on a worker: a large allocation is where the
                // allocator returns memory freed earlier to the system, which stalled the JS
                // thread when a run's first flush made it there, after a large run (how long:
                // docs/PERFORMANCE.md, "The event loop while heavy flows run").
                if pending.capacity() == 0 {
                    pending.reserve(FLUSH_BYTES + FLUSH_BYTES / 4);
                }
                let written = if json {
                    json_rows_in_parts(&host, alone, batch, first, &mut pending)
                } else {
                    rows.write(&batch, &mut pending)
                };
                (rows, pending, written)
            })
            .await?;
            self.rows = rows;
            self.pending = pending;
            written?;
            if self.pending.len() >= FLUSH_BYTES {
                self.flush().await?;
            }
            Ok(())
        })
    }

    fn finish(
        mut self: Box<Self>,
        upstream_rest: Map,
    ) -> BoxFuture<'static, Result<Option<Value>, ExecutionError>> {
        Box::pin(async move {
            // Until the partial file has its name, or is removed here: a finish let go of (its
            // run cancelled or timed out while the last bytes were written) or failing on the
            // way leaves no partial file behind.
            let mut partial = PartialFile::armed(&self.host, &self.partial);
            if self.layout == Layout::Json {
                // `],` then the rest of the upstream object, as JSON writes an object's fields.
                self.pending.push(b']');
                for (key, value) in &upstream_rest {
                    let mark = self.pending.len();
                    self.pending.push(b',');
                    json_text(&json!(key.to_string()), &mut self.pending)?;
                    self.pending.push(b':');
                    match write_field(value, &mut self.pending) {
                        Ok(true) => {}
                        Ok(false) => self.pending.truncate(mark),
                        Err(error) => return Err(error),
                    }
                }
                self.pending.push(b'}');
            }
            let host = self.host.clone();
            let Some(files) = host.files() else {
                return Err(ExecutionError::internal("The file system went away mid-stream"));
            };
            let renamed = match self.flush().await {
                Ok(()) if self.overwrite => {
                    files.rename(&self.partial, &self.path).await.map_err(write_failed)
                }
                Ok(()) => {
                    files.rename_new(&self.partial, &self.path).await.map_err(|e| match e.kind {
                        atomiton_core::host::effects::EffectErrorKind::AlreadyExists => {
                            kept(&self.path)
                        }
                        _ => write_failed(e),
                    })
                }
                Err(error) => Err(error),
            };
            partial.disarm();
            if let Err(error) = renamed {
                // Nothing that looks complete stays.
                let _ = files.remove(&self.partial, false).await;
                return Err(error);
            }
            let path = self.path.clone();
            Ok(Some(json!({
                "result": format!("File written: {path}"),
                "success": true,
                "path": path,
                "size": self.written,
            })))
        })
    }

    fn abandon(self: Box<Self>) -> BoxFuture<'static, ()> {
        Box::pin(async move {
            if let (true, Some(files)) = (self.created, self.host.files()) {
                // Nothing that looks complete stays: the partial file goes (a failure to remove
                // it leaves a file named as partial).
                let _ = files.remove(&self.partial, false).await;
            }
        })
    }
}

/// A sink's partial file while it finishes: removed, off the finish's path, if the finish is
/// dropped or leaves before the file took its name. Once the rename was asked for it is the
/// rename's: a rename already under way when the finish is dropped still completes (the file is
/// then whole, under its name), or meets the removal first and leaves nothing.
struct PartialFile {
    host: SharedHost,
    path: Option<String>,
}

impl PartialFile {
    fn armed(host: &SharedHost, path: &str) -> PartialFile {
        PartialFile { host: host.clone(), path: Some(path.to_owned()) }
    }

    fn disarm(&mut self) {
        self.path = None;
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            let host = self.host.clone();
            self.host.spawn(Box::pin(async move {
                if let Some(files) = host.files() {
                    let _ = files.remove(&path, false).await;
                }
            }));
        }
    }
}

/// Rows of a batch written by one part, at least (fewer are not worth a second thread).
const PART_ROWS: usize = 1024;

/// [`json_rows`] of a large batch split across the host's workers, each part writing its rows
/// into its own text, joined in order: the same bytes, on as many cores as are free (after a
/// sort, writing is the only work left: `alone`).
fn json_rows_in_parts(
    host: &SharedHost,
    alone: bool,
    batch: Batch,
    first: bool,
    out: &mut Vec<u8>,
) -> Result<(), ExecutionError> {
    // While the source reads, it and the stages have the other cores: only what is beyond them
    // takes parts (splitting beside them slowed a large pipeline down: docs/PERFORMANCE.md, "How
    // a chain uses the cores").
    let workers = if alone { host.parallelism() } else { host.parallelism().saturating_sub(2) };
    if cfg!(target_arch = "wasm32") || workers < 2 || batch.len() < 2 * PART_ROWS {
        return json_rows(&batch, first, out);
    }
    let size = batch.len().div_ceil(workers).max(PART_ROWS);
    let parts = batch.len().div_ceil(size);
    let rows = std::sync::Arc::new(batch);
    let shared = rows.clone();
    let texts = atomiton_core::host::in_parts(
        host,
        parts,
        std::sync::Arc::new(move |index: usize| {
            let start = index * size;
            let chunk = &shared[start..(start + size).min(shared.len())];
            let mut text = Vec::with_capacity(chunk.len() * 128);
            json_rows(chunk, first && index == 0, &mut text)?;
            Ok(text)
        }),
    )?;
    for text in texts {
        out.extend_from_slice(&text);
    }
    Ok(())
}

/// JSON rows inside the array: commas between them, `null` for `undefined`.
fn json_rows(batch: &[Value], first: bool, out: &mut Vec<u8>) -> Result<(), ExecutionError> {
    for (i, row) in batch.iter().enumerate() {
        prefetch_ahead(batch, i);
        if i > 0 || !first {
            out.push(b',');
        }
        json_text(row, out)?;
    }
    Ok(())
}

/// A field of an object: `false` where `undefined` leaves it out.
fn write_field(value: &Value, out: &mut Vec<u8>) -> Result<bool, ExecutionError> {
    atomiton_core::format::write_json(value, out)
        .map_err(|message| node_error(TYPE, format!("Write operation failed: {message}")))
}
