//! `spreadsheet`: read CSV data or spreadsheet files into records. Declared and run here, CSV in
//! every build; XLSX/XLS/XLSB/ODS workbooks with the reader `atomiton-effects` provides
//! (`workbooks.rs`).

mod csv;
pub(super) mod execute;
pub(super) mod schema;
#[cfg(feature = "streams")]
pub(super) mod stream;
pub(super) mod table;
// What the node asks of a reader of workbooks (the reader is in `atomiton-effects`).
pub(super) mod workbooks;

use workbooks::NoWorkbooks;

use crate::host::Capabilities;
use crate::value::Value;

/// The node type's name, in its error messages.
pub const TYPE: &str = "spreadsheet";

/// A file's extension, lower-cased (`""` without one).
fn extension(path: &str) -> String {
    path.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default()
}

/// How a file is read: the node's `format`, else its extension (`.tsv` as CSV).
fn file_format(format: Option<&str>, path: &str) -> String {
    format.map(str::to_owned).unwrap_or_else(|| match extension(path).as_str() {
        "tsv" => "csv".to_owned(),
        other => other.to_owned(),
    })
}

/// A failure to read the file at `path`: "File not found" when there is none.
pub fn read_error(path: &str, error: &crate::host::effects::EffectError) -> crate::ExecutionError {
    match error.kind {
        crate::host::effects::EffectErrorKind::NotFound => {
            super::common_effects::missing_file(TYPE, format!("File not found: {path}"))
        }
        _ => super::common_effects::effect_error(TYPE, error, error),
    }
}

builtin_node_type! {
    /// The `spreadsheet` node type.
    Spreadsheet: "spreadsheet",
    // Files only when reading from a path; raw CSV data works everywhere.
    requires: |parameters| {
        let from_file =
            parameters.get("path").and_then(Value::as_str).is_some_and(|p| !p.is_empty());
        Capabilities { file_system: from_file, ..Capabilities::NONE }
    },
    // Parsing data given in the flow is pure; reading a file (its path a parameter or an input)
    // is cached only when opted in, the file's size and modification time in the key.
    caching: |invocation| match invocation.get_input("path").and_then(Value::as_str) {
        Some(path) if !path.is_empty() => {
            crate::nodes::Caching::OptIn { files: vec![path.to_owned()] }
        }
        _ => crate::nodes::Caching::Pure,
    },
    // It only reads.
    effects: |_| false,
    streaming: stream::streaming_with::<NoWorkbooks>,
    execute: execute::execute_with::<NoWorkbooks>,
}
