//! What `file-system` does: eight operations through the host's file system,
//! with the TypeScript engine's output objects and messages.

use crate::json;
use crate::value::{Bytes, Value};

use super::super::common::{array_input, get_input, node_error, Config};
use super::super::common_effects::effect_error;
use super::layout::{Layout, RowWriter};
use super::schema::SCHEMA;
use super::TYPE;
use crate::error::ExecutionError;
use crate::format::{iso_timestamp, js_string, json_stringify};
use crate::host::effects::{EffectError, FileSystem};
use crate::host::{BoxFuture, SharedHost};
use crate::nodes::{Invocation, NodeResult};

pub(super) fn execute(invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
    Box::pin(async move {
        let config = Config::new(&SCHEMA, &invocation);
        let Some(files) = host.files() else {
            return Err(ExecutionError::new(
                crate::ErrorCode::IMPLEMENTATION_NOT_FOUND,
                format!("[{TYPE}] No file system is available in this environment"),
            ));
        };
        let path = config.str("path").unwrap_or_default().to_owned();
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
        let recursive = config.bool("recursive").unwrap_or(false);
        // `encoding: "buffer"` (or `null`, as Node's `readFile`) reads the bytes as a Buffer;
        // anything else reads UTF-8 text, as the TypeScript engine always did.
        let binary = matches!(invocation.param("encoding"), Some(Value::Null))
            || invocation.param("encoding").and_then(Value::as_str) == Some("buffer");
        run(files, &operation, &path, content, target, recursive, binary).await.map(Some)
    })
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
    recursive: bool,
    binary: bool,
) -> Result<Value, ExecutionError> {
    match operation {
        "read" => {
            let fail = |m: String| node_error(TYPE, format!("Read operation failed: {m}"));
            let failed =
                |e: EffectError| effect_error(TYPE, format!("Read operation failed: {e}"), &e);
            let meta = files
                .stat(path)
                .await
                .map_err(failed)?
                .ok_or_else(|| fail(format!("File does not exist: {path}")))?;
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
            files
                .write(path, bytes, true)
                .await
                .map_err(|e| effect_error(TYPE, format!("Write operation failed: {e}"), &e))?;
            Ok(
                json!({"result": format!("File written: {path}"), "success": true, "path": path, "size": size}),
            )
        }
        "create" => {
            let fail = |e: crate::host::effects::EffectError| {
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
            let meta = files
                .stat(path)
                .await
                .map_err(failed)?
                .ok_or_else(|| fail(format!("Directory does not exist: {path}")))?;
            if !meta.is_dir {
                return Err(fail(format!("Path is not a directory: {path}")));
            }
            let listed = list(files, path, recursive).await.map_err(failed)?;
            let count = listed.len();
            Ok(
                json!({"result": listed, "files": listed, "success": true, "path": path, "count": count}),
            )
        }
        "delete" => {
            let fail = |e: crate::host::effects::EffectError| {
                effect_error(TYPE, format!("Delete operation failed: {e}"), &e)
            };
            let Some(meta) = files.stat(path).await.map_err(fail)? else {
                return Ok(
                    json!({"result": format!("Path does not exist: {path}"), "success": true, "path": path, "deleted": false}),
                );
            };
            files.remove(path, meta.is_dir).await.map_err(fail)?;
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
            let fail = |e: crate::host::effects::EffectError| {
                effect_error(TYPE, format!("{verb} operation failed: {e}"), &e)
            };
            let meta = files.stat(path).await.map_err(fail)?.ok_or_else(|| {
                node_error(TYPE, format!("{verb} operation failed: Path does not exist: {path}"))
            })?;
            let result = if operation == "copy" {
                files.copy(path, &target).await.map_err(fail)?;
                format!(
                    "{} copied from {path} to {target}",
                    if meta.is_dir { "Directory" } else { "File" }
                )
            } else {
                files.rename(path, &target).await.map_err(fail)?;
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

/// Entries joined with the directory path, dot entries skipped; a recursive list is depth-first
/// (each directory followed by its contents). Iterative, so deep trees cannot overflow the stack.
async fn list(
    files: &dyn FileSystem,
    root: &str,
    recursive: bool,
) -> Result<Vec<String>, crate::host::effects::EffectError> {
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
        out.push(full.clone());
        if descend {
            let children = visible(files.list(&full).await?);
            stack.push((full, children, 0));
        }
    }
    Ok(out)
}

fn visible(
    mut entries: Vec<crate::host::effects::DirEntry>,
) -> Vec<crate::host::effects::DirEntry> {
    entries.retain(|e| !e.name.starts_with('.'));
    entries
}

fn join(dir: &str, name: &str) -> String {
    if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}
