//! `file-system` parameters, UI fields, ports and catalog entry.

use std::sync::LazyLock;

use crate::json;
use crate::value::Map;

use crate::nodes::descriptor::{Environment, NodeDescriptor, PortSpec};
use crate::nodes::schema::{FieldOverrides, NodeSchema, ParamKind, ParamSpec};

/// The values of `format` (what `write` lays out its input as).
pub const FORMATS: &[&str] = &["json", "jsonl", "csv"];

const OPERATIONS: &[&str] =
    &["read", "write", "list", "exists", "create", "delete", "copy", "move"];

pub static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| {
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
            .describe("Perform recursive list operations")
            .note(
                "list: every entry below the directory, not only its own; create: missing \
                 parent directories too; delete: a directory with its contents (without it, \
                 only an empty directory is deleted)",
            ),
        ParamSpec::new("targetPath", ParamKind::text_min(1))
            .optional()
            .describe("copy and move: where to (also an input)"),
        ParamSpec::new("overwrite", ParamKind::Boolean).default(|| json!(true)).describe(
            "write, copy and move: whether an existing file at the destination is replaced; \
                 false fails with FILE_EXISTS and leaves it as it was",
        ),
        ParamSpec::new("createDirectories", ParamKind::Boolean).default(|| json!(true)).describe(
            "write: whether missing parent directories are created; false fails with \
                 FILE_NOT_FOUND where one is missing",
        ),
        ParamSpec::new("fullPaths", ParamKind::Boolean).default(|| json!(true)).describe(
            "list: entries as paths (the directory joined with the name); false: as names \
                 below the directory (`sub/file.txt`)",
        ),
        ParamSpec::new("encoding", ParamKind::Enum(&["utf8", "buffer"]))
            .default(|| json!("utf8"))
            .describe("read: the file as UTF-8 text, or `buffer`: its bytes")
            .ui(FieldOverrides::NONE.options(&[("utf8", "Text (UTF-8)"), ("buffer", "Bytes")])),
    ])
    .reads_inputs(&["path", "input", "targetPath"])
});

/// The definition defaults: the TypeScript engine's, except that `overwrite`,
/// `createDirectories` and `fullPaths` say what the node does when they are left out (that
/// engine wrote `false` for each and then replaced files, created directories and gave full
/// paths whatever they said).
fn parameters() -> Map {
    Map::from_iter([
        ("operation".to_owned(), json!("read")),
        ("path".to_owned(), json!("")),
        ("encoding".to_owned(), json!("utf8")),
        ("createDirectories".to_owned(), json!(true)),
        ("overwrite".to_owned(), json!(true)),
        ("recursive".to_owned(), json!(false)),
        ("fullPaths".to_owned(), json!(true)),
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
    input_ports: &[
        PortSpec::input("input", "Input", "any").describe("write: what is written"),
        PortSpec::input("path", "Path", "string")
            .describe("The file or directory, over the parameter"),
        PortSpec::input("targetPath", "Target path", "string").describe("copy and move: where to"),
    ],
    output_ports: &[PortSpec::output("result", "Result", "any").of_field("result")],
};
