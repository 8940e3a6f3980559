//! What `file-system` does (reference §7.2): eight operations through the host's file system,
//! with the original's output objects and messages.

use serde_json::{json, Value};

use super::super::common::{get_input, node_error, Config};
use super::super::common_effects::effect_error;
use super::schema::SCHEMA;
use crate::error::ExecutionError;
use crate::format::{iso_timestamp, js_string};
use crate::host::effects::{EffectError, FileSystem};
use crate::host::{BoxFuture, SharedHost};
use crate::nodes::{Invocation, NodeResult};

const TYPE: &str = "file-system";

pub(super) fn execute(invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
    Box::pin(async move {
        let config = Config::new(&SCHEMA, &invocation);
        let Some(files) = host.files() else {
            return Err(ExecutionError::new(crate::ErrorCode::IMPLEMENTATION_NOT_FOUND, format!("[{TYPE}] No file system is available in this environment")));
        };
        let path = config.str("path").unwrap_or_default().to_owned();
        if path.is_empty() {
            return Err(node_error(TYPE, "Path is required"));
        }
        let operation = config.str("operation").unwrap_or("read").to_owned();
        let content = config.get("content").or_else(|| invocation.input_value("input")).map(text_of);
        let target = get_input(&invocation, &config, "targetPath").and_then(Value::as_str).map(str::to_owned);
        let recursive = config.bool("recursive").unwrap_or(false);
        run(files, &operation, &path, content, target, recursive).await.map(Some)
    })
}

/// File contents to write: strings as they are, anything else as JSON.
fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => serde_json::to_string(other).unwrap_or_else(|_| js_string(other)),
    }
}

async fn run(files: &dyn FileSystem, operation: &str, path: &str, content: Option<String>, target: Option<String>, recursive: bool) -> Result<Value, ExecutionError> {
    match operation {
        "read" => {
            let fail = |m: String| node_error(TYPE, format!("Read operation failed: {m}"));
            let failed = |e: EffectError| effect_error(TYPE, format!("Read operation failed: {e}"), &e);
            let meta = files.stat(path).await.map_err(failed)?.ok_or_else(|| fail(format!("File does not exist: {path}")))?;
            if !meta.is_file {
                return Err(fail(format!("Path is not a file: {path}")));
            }
            let bytes = files.read(path).await.map_err(failed)?;
            let text = String::from_utf8_lossy(&bytes).into_owned();
            Ok(json!({"result": text, "content": text, "success": true, "path": path, "size": meta.size,
                      "modified": meta.modified_ms.map(iso_timestamp)}))
        }
        "write" => {
            let text = content.unwrap_or_default();
            let size = text.len();
            files.write(path, text.into_bytes(), true).await.map_err(|e| effect_error(TYPE, format!("Write operation failed: {e}"), &e))?;
            Ok(json!({"result": format!("File written: {path}"), "success": true, "path": path, "size": size}))
        }
        "create" => {
            let fail = |e: crate::host::effects::EffectError| effect_error(TYPE, format!("Create directory failed: {e}"), &e);
            if files.stat(path).await.map_err(fail)?.is_some_and(|m| m.is_dir) {
                return Ok(json!({"result": format!("Directory already exists: {path}"), "success": true, "path": path, "created": false}));
            }
            files.create_dir(path, recursive).await.map_err(fail)?;
            Ok(json!({"result": format!("Directory created: {path}"), "success": true, "path": path, "created": true}))
        }
        "list" => {
            let fail = |m: String| node_error(TYPE, format!("List directory failed: {m}"));
            let failed = |e: EffectError| effect_error(TYPE, format!("List directory failed: {e}"), &e);
            let meta = files.stat(path).await.map_err(failed)?.ok_or_else(|| fail(format!("Directory does not exist: {path}")))?;
            if !meta.is_dir {
                return Err(fail(format!("Path is not a directory: {path}")));
            }
            let listed = list(files, path, recursive).await.map_err(failed)?;
            let count = listed.len();
            Ok(json!({"result": listed, "files": listed, "success": true, "path": path, "count": count}))
        }
        "delete" => {
            let fail = |e: crate::host::effects::EffectError| effect_error(TYPE, format!("Delete operation failed: {e}"), &e);
            let Some(meta) = files.stat(path).await.map_err(fail)? else {
                return Ok(json!({"result": format!("Path does not exist: {path}"), "success": true, "path": path, "deleted": false}));
            };
            files.remove(path, meta.is_dir).await.map_err(fail)?;
            Ok(json!({"result": format!("Deleted: {path}"), "success": true, "path": path, "deleted": true}))
        }
        "copy" | "move" => {
            let Some(target) = target.filter(|t| !t.is_empty()) else {
                return Err(node_error(TYPE, format!("Target path is required for {operation} operation")));
            };
            let verb = if operation == "copy" { "Copy" } else { "Move" };
            let fail = |e: crate::host::effects::EffectError| effect_error(TYPE, format!("{verb} operation failed: {e}"), &e);
            let meta = files.stat(path).await.map_err(fail)?.ok_or_else(|| node_error(TYPE, format!("{verb} operation failed: Path does not exist: {path}")))?;
            let result = if operation == "copy" {
                files.copy(path, &target).await.map_err(fail)?;
                format!("{} copied from {path} to {target}", if meta.is_dir { "Directory" } else { "File" })
            } else {
                files.rename(path, &target).await.map_err(fail)?;
                format!("Moved from {path} to {target}")
            };
            Ok(json!({"result": result, "success": true, "path": target, "sourcePath": path, "destPath": target}))
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
async fn list(files: &dyn FileSystem, root: &str, recursive: bool) -> Result<Vec<String>, crate::host::effects::EffectError> {
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

fn visible(mut entries: Vec<crate::host::effects::DirEntry>) -> Vec<crate::host::effects::DirEntry> {
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

