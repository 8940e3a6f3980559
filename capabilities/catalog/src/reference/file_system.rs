//! What the node reference (`docs/nodes.md`) says of this type beyond its schema: its output's
//! fields and its examples (run by the reference's test).

use super::super::{NodeExample, OutputField};

pub(crate) const OUTPUT: &[OutputField] = &[
    OutputField::new("result", "unknown", "read: the content; write, create, delete, copy, move: a sentence saying what happened; list: the entries; exists: a boolean."),
    OutputField::new("success", "boolean", "true (a failure fails the node)."),
    OutputField::new("path", "string", "The path acted on (copy and move: the destination)."),
    OutputField::new("content", "string | Uint8Array", "read: the file's text (or bytes with encoding buffer)."),
    OutputField::new("size", "number", "read and write: bytes."),
    OutputField::new("modified", "string", "read: when the file last changed (ISO 8601)."),
    OutputField::new("files", "string[]", "list: the entries, by name (dot files left out)."),
    OutputField::new("count", "number", "list: how many."),
    OutputField::new("created", "boolean", "create: whether the directory was made (false: it was there)."),
    OutputField::new("deleted", "boolean", "delete: whether something was there to delete."),
    OutputField::new("exists", "boolean", "exists: whether something is at the path."),
    OutputField::new("sourcePath", "string", "copy and move: where from."),
    OutputField::new("destPath", "string", "copy and move: where to."),
];

pub(crate) const EXAMPLES: &[NodeExample] = &[
    NodeExample::new("Read a text file", r#"{"operation": "read", "path": "notes.txt"}"#, r#"{}"#),
    NodeExample::new(
        "Write what an edge delivers, as JSON",
        r#"{"operation": "write", "path": "out/result.json"}"#,
        r#"{"input": {"total": 3}}"#,
    ),
    NodeExample::new(
        "Refuse to replace an existing file",
        r#"{"operation": "write", "path": "notes.txt", "content": "new", "overwrite": false}"#,
        r#"{}"#,
    ),
    NodeExample::new(
        "List a directory, names only",
        r#"{"operation": "list", "path": "photos", "fullPaths": false}"#,
        r#"{}"#,
    ),
    NodeExample::new(
        "Copy a file",
        r#"{"operation": "copy", "path": "notes.txt", "targetPath": "out/notes-copy.txt"}"#,
        r#"{}"#,
    ),
];
