//! `file-system` parameters, UI fields, ports and catalog entry.

use std::sync::LazyLock;

use crate::json;
use crate::value::Map;

use crate::catalog::{Environment, NodeDescriptor, PortSpec};
use crate::nodes::schema::{FieldOverrides, NodeSchema, ParamKind, ParamSpec};

/// The values of `format` (what `write` lays out its input as).
pub(super) const FORMATS: &[&str] = &["json", "jsonl", "csv"];

const OPERATIONS: &[&str] =
    &["read", "write", "list", "exists", "create", "delete", "copy", "move"];

pub(super) static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| {
    NodeSchema::new(vec![
        ParamSpec::new("operation", ParamKind::Enum(OPERATIONS))
            .default(|| json!("read"))
            .describe("File system operation to perform")
            .ui(FieldOverrides::NONE.options(&[
                ("read", "Read"),
                ("write", "Write"),
                ("list", "List"),
                ("exists", "Exists"),
                ("create", "Create"),
                ("delete", "Delete"),
                ("copy", "Copy"),
                ("move", "Move"),
            ])),
        ParamSpec::new("path", ParamKind::text_min(1))
            .required_message("Path is required")
            .describe("File or directory path"),
        ParamSpec::new("content", ParamKind::text())
            .optional()
            .describe("Content to write to file")
            .ui(FieldOverrides::NONE.control("textarea").placeholder("Content to write").rows(5)),
        ParamSpec::new("format", ParamKind::Enum(FORMATS))
            .optional()
            .describe(
                "How write lays out its input: JSON text (default), or the rows of the array \
                 in it as JSON lines or CSV",
            )
            .ui(FieldOverrides::NONE.options(&[
                ("json", "JSON"),
                ("jsonl", "JSON lines"),
                ("csv", "CSV"),
            ])),
        ParamSpec::new("recursive", ParamKind::Boolean)
            .default(|| json!(false))
            .describe("Perform recursive list operations"),
    ])
});

/// The TypeScript engine's definition defaults; `encoding`, `createDirectories`, `overwrite` and
/// `fullPaths` are not schema parameters (the behaviour hard-codes them).
fn parameters() -> Map {
    Map::from_iter([
        ("operation".to_owned(), json!("read")),
        ("path".to_owned(), json!("")),
        ("encoding".to_owned(), json!("utf8")),
        ("createDirectories".to_owned(), json!(false)),
        ("overwrite".to_owned(), json!(false)),
        ("recursive".to_owned(), json!(false)),
        ("fullPaths".to_owned(), json!(false)),
    ])
}

pub(super) static DESCRIPTOR: NodeDescriptor = NodeDescriptor {
    node_type: "file-system",
    name: "File System",
    description: "Read, write, list, copy, move and delete files and directories",
    category: "io",
    icon: "folder",
    keywords: &[
        "file",
        "filesystem",
        "read",
        "write",
        "directory",
        "folder",
        "io",
        "disk",
        "storage",
        "copy",
        "move",
        "delete",
    ],
    environment: Environment::NativeOnly,
    parameters,
    input_ports: &[PortSpec::input("path", "Path", "string")],
    output_ports: &[PortSpec::output("result", "Result", "any")],
};
