//! What `file-system` does: eight operations through the host's file system,
//! with the TypeScript engine's output objects and messages.

mod layout;
// `write` at the end of a stream of rows.
pub(crate) mod stream;

use atomiton_core::json;
use atomiton_core::value::{Bytes, Value};

use atomiton_core::error::ExecutionError;
use atomiton_core::format::{iso_timestamp, js_string, json_stringify};
use atomiton_core::host::effects::{EffectError, FileSystem};
use atomiton_core::host::{BoxFuture, SharedHost};
use atomiton_core::nodes::sdk::schemas::FILE_SYSTEM as SCHEMA;
use atomiton_core::nodes::sdk::{array_input, get_input, node_error, Config};
use atomiton_core::nodes::sdk::{effect_error, missing_file};
use atomiton_core::nodes::{Invocation, NodeResult};
use layout::{Layout, RowWriter};

/// The node type's name, in its error messages.
const TYPE: &str = "file-system";

pub(crate) fn execute(invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
    Box::pin(async move {
        let config = Config::new(&SCHEMA, &invocation);
        let Some(files) = host.files() else {
            return Err(ExecutionError::new(
                atomiton_core::ErrorCode::IMPLEMENTATION_NOT_FOUND,
                format!("[{TYPE}] No file system is available in this environment"),
            ));
        };
        let path = get_input(&invocation, &config, "path")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if path.is_empty() {
            return Err(node_error(TYPE, "Path is required"));
        }
        let operation = config.str("operation").unwrap_or("read").to_owned();
        let layout = Layout::from_param(config.str("format"))?;
        let content = match (config.get("content"), invocation.input_value("input")) {
            (Some(content), _) => Some(bytes_of(content)?),
            (None, Some(input)) if operation == "write" => Some(laid_out(input, layout)?),
            (None, input) => input.map(bytes_of).transpose()?,
        };
        let target = get_input(&invocation, &config, "targetPath")
            .and_then(Value::as_str)
            .map(str::to_owned);
        // `encoding: "buffer"` (or `null`, as Node's `readFile`) reads the bytes as a Buffer;
        // `utf8` (the default) reads UTF-8 text.
        let binary = matches!(invocation.param("encoding"), Some(Value::Null))
            || config.str("encoding") == Some("buffer");
        let options = Options {
            recursive: config.bool("recursive").unwrap_or(false),
            overwrite: config.bool("overwrite").unwrap_or(true),
            create_directories: config.bool("createDirectories").unwrap_or(true),
            full_paths: config.bool("fullPaths").unwrap_or(true),
            binary,
        };
        run(files, &operation, &path, content, target, options).await.map(Some)
    })
}

/// The parameters that shape an operation.
#[derive(Clone, Copy)]
struct Options {
    recursive: bool,
    overwrite: bool,
    create_directories: bool,
    full_paths: bool,
    binary: bool,
}

/// A failed write, told the parameter that decides it when one does.
fn write_error(path: &str, error: &EffectError, options: Options) -> ExecutionError {
    use atomiton_core::host::effects::EffectErrorKind;
    let hint = match error.kind {
        EffectErrorKind::AlreadyExists => " (overwrite: false keeps it; true replaces it)",
        EffectErrorKind::NotFound if !options.create_directories => {
            " (a directory on the way is missing: createDirectories: true creates it)"
        }
        _ => "",
    };
    let message = match error.kind {
        EffectErrorKind::AlreadyExists => format!("File already exists: {path}"),
        _ => error.to_string(),
    };
    effect_error(TYPE, format!("Write operation failed: {message}{hint}"), error)
}

/// The `input` of `write` in its layout: as JSON (or a string or bytes as they are), or the rows
/// of the array in it (see `array_input`) as JSON lines or CSV.
fn laid_out(input: &Value, layout: Layout) -> Result<Vec<u8>, ExecutionError> {
    if layout == Layout::Json || input.as_str().is_some() || input.as_bytes().is_some() {
        return bytes_of(input);
    }
    let Some(rows) = array_input(input, None) else {
        return Err(node_error(
            TYPE,
            "Write operation failed: a jsonl or csv write needs an array (or an object with one)",
        ));
    };
    let mut out = Vec::new();
    RowWriter::new(layout).write(rows, &mut out)?;
    Ok(out)
}

/// File contents to write: binary data as its bytes, strings as UTF-8, anything else as the
/// JSON text `JSON.stringify` gives.
fn bytes_of(value: &Value) -> Result<Vec<u8>, ExecutionError> {
    Ok(match value {
        Value::String(s) => s.as_bytes().to_vec(),
        other => match other.as_bytes() {
            Some(bytes) => bytes.as_slice().to_vec(),
            None => match json_stringify(other)
                .map_err(|e| node_error(TYPE, format!("Write operation failed: {e}")))?
            {
                Some(text) => text.into_bytes(),
                None => js_string(other).into_bytes(),
            },
        },
    })
}

async fn run(
    files: &dyn FileSystem,
    operation: &str,
    path: &str,
    content: Option<Vec<u8>>,
    target: Option<String>,
    options: Options,
) -> Result<Value, ExecutionError> {
    let Options { recursive, binary, .. } = options;
    match operation {
        "read" => {
            let fail = |m: String| node_error(TYPE, format!("Read operation failed: {m}"));
            let failed =
                |e: EffectError| effect_error(TYPE, format!("Read operation failed: {e}"), &e);
            let meta = files.stat(path).await.map_err(failed)?.ok_or_else(|| {
                missing_file(TYPE, format!("Read operation failed: File does not exist: {path}"))
            })?;
            if !meta.is_file {
                return Err(fail(format!("Path is not a file: {path}")));
            }
            let bytes = files.read(path).await.map_err(failed)?;
            let content = if binary {
                Value::from(Bytes::buffer(bytes))
            } else {
                Value::from(String::from_utf8_lossy(&bytes).into_owned())
            };
            Ok(
                json!({"result": content.clone(), "content": content, "success": true, "path": path, "size": meta.size,
                      "modified": meta.modified_ms.map(iso_timestamp)}),
            )
        }
        "write" => {
            let bytes = content.unwrap_or_default();
            let size = bytes.len();
            let written = if options.overwrite {
                files.write(path, bytes, options.create_directories).await
            } else {
                files.write_new(path, bytes, options.create_directories).await
            };
            written.map_err(|e| write_error(path, &e, options))?;
            Ok(
                json!({"result": format!("File written: {path}"), "success": true, "path": path, "size": size}),
            )
        }
        "create" => {
            let fail = |e: atomiton_core::host::effects::EffectError| {
                effect_error(TYPE, format!("Create directory failed: {e}"), &e)
            };
            if files.stat(path).await.map_err(fail)?.is_some_and(|m| m.is_dir) {
                return Ok(
                    json!({"result": format!("Directory already exists: {path}"), "success": true, "path": path, "created": false}),
                );
            }
            files.create_dir(path, recursive).await.map_err(fail)?;
            Ok(
                json!({"result": format!("Directory created: {path}"), "success": true, "path": path, "created": true}),
            )
        }
        "list" => {
            let fail = |m: String| node_error(TYPE, format!("List directory failed: {m}"));
            let failed =
                |e: EffectError| effect_error(TYPE, format!("List directory failed: {e}"), &e);
            let meta = files.stat(path).await.map_err(failed)?.ok_or_else(|| {
                missing_file(
                    TYPE,
                    format!("List directory failed: Directory does not exist: {path}"),
                )
            })?;
            if !meta.is_dir {
                return Err(fail(format!("Path is not a directory: {path}")));
            }
            let listed = list(files, path, recursive, options.full_paths).await.map_err(failed)?;
            let count = listed.len();
            Ok(
                json!({"result": listed, "files": listed, "success": true, "path": path, "count": count}),
            )
        }
        "delete" => {
            let fail = |e: atomiton_core::host::effects::EffectError| {
                effect_error(TYPE, format!("Delete operation failed: {e}"), &e)
            };
            let Some(meta) = files.stat(path).await.map_err(fail)? else {
                return Ok(
                    json!({"result": format!("Path does not exist: {path}"), "success": true, "path": path, "deleted": false}),
                );
            };
            if meta.is_dir && !recursive && !files.list(path).await.map_err(fail)?.is_empty() {
                return Err(node_error(
                    TYPE,
                    format!("Delete operation failed: Directory is not empty: {path} (recursive: true deletes it with its contents)"),
                ));
            }
            files.remove(path, meta.is_dir && recursive).await.map_err(fail)?;
            Ok(
                json!({"result": format!("Deleted: {path}"), "success": true, "path": path, "deleted": true}),
            )
        }
        "copy" | "move" => {
            let Some(target) = target.filter(|t| !t.is_empty()) else {
                return Err(node_error(
                    TYPE,
                    format!("Target path is required for {operation} operation"),
                ));
            };
            let verb = if operation == "copy" { "Copy" } else { "Move" };
            let fail = |e: atomiton_core::host::effects::EffectError| {
                effect_error(TYPE, format!("{verb} operation failed: {e}"), &e)
            };
            let meta = files.stat(path).await.map_err(fail)?.ok_or_else(|| {
                missing_file(TYPE, format!("{verb} operation failed: Path does not exist: {path}"))
            })?;
            let kept = |target: &str| {
                let error = atomiton_core::host::effects::already_exists(target);
                effect_error(
                    TYPE,
                    format!("{verb} operation failed: {error} (overwrite: false keeps it; true replaces it)"),
                    &error,
                )
            };
            let result = if operation == "copy" {
                // A copy cannot refuse in one step: it looks first.
                if !options.overwrite && files.stat(&target).await.map_err(fail)?.is_some() {
                    return Err(kept(&target));
                }
                files.copy(path, &target).await.map_err(fail)?;
                format!(
                    "{} copied from {path} to {target}",
                    if meta.is_dir { "Directory" } else { "File" }
                )
            } else {
                let moved = if options.overwrite {
                    files.rename(path, &target).await
                } else {
                    files.rename_new(path, &target).await
                };
                moved.map_err(|e| match e.kind {
                    atomiton_core::host::effects::EffectErrorKind::AlreadyExists => kept(&target),
                    _ => fail(e),
                })?;
                format!("Moved from {path} to {target}")
            };
            Ok(
                json!({"result": result, "success": true, "path": target, "sourcePath": path, "destPath": target}),
            )
        }
        "exists" => {
            let exists = files.stat(path).await.map_err(|e| effect_error(TYPE, &e, &e))?.is_some();
            Ok(json!({"result": exists, "exists": exists, "success": true, "path": path}))
        }
        other => Err(node_error(TYPE, format!("Unknown operation: {other}"))),
    }
}

/// Entries joined with the directory path (or, without `full_paths`, the path below it), dot
/// entries skipped, by name; a recursive list is depth-first (each directory followed by its
/// contents).
/// Iterative, so deep trees cannot overflow the stack.
async fn list(
    files: &dyn FileSystem,
    root: &str,
    recursive: bool,
    full_paths: bool,
) -> Result<Vec<String>, atomiton_core::host::effects::EffectError> {
    let mut out = Vec::new();
    // (directory, its visible entries, next entry index)
    let mut stack = vec![(root.to_owned(), visible(files.list(root).await?), 0usize)];
    while let Some((dir, entries, next)) = stack.last_mut() {
        let Some(entry) = entries.get(*next) else {
            stack.pop();
            continue;
        };
        *next += 1;
        let full = join(dir, &entry.name);
        let descend = recursive && entry.is_dir;
        out.push(if full_paths { full.clone() } else { below(root, &full) });
        if descend {
            let children = visible(files.list(&full).await?);
            stack.push((full, children, 0));
        }
    }
    Ok(out)
}

/// The entries a list shows: dot entries left out, the rest sorted by name (the order the OS
/// gives differs between file systems, and a flow's output should not).
fn visible(
    mut entries: Vec<atomiton_core::host::effects::DirEntry>,
) -> Vec<atomiton_core::host::effects::DirEntry> {
    entries.retain(|e| !e.name.starts_with('.'));
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    entries
}

/// `full` as a path below `root` (what `join(root, ...)` made it from).
fn below(root: &str, full: &str) -> String {
    let prefix = if root.ends_with('/') { root.len() } else { root.len() + 1 };
    full.get(prefix..).unwrap_or(full).to_owned()
}

fn join(dir: &str, name: &str) -> String {
    if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}
